"""Which version of each dependency the project installs today, and which versions it tests.

Part of the "Dependency Pinning" codemod: a ceiling must never exclude the version a project
installs today, so it is derived from what the project's own files say, read statically:

* *installed* versions come from lock files (``uv.lock``, ``poetry.lock``, ``pdm.lock``,
  ``Pipfile.lock``) and pinned requirements files (``name==X``, as ``pip freeze``,
  ``pip-compile``, ``uv pip compile`` or ``pipenv requirements`` write them);
* *tested* versions come from the ``Framework :: Django :: X`` classifiers, ``tox.ini``
  dependencies and GitHub Actions matrices (``django: ["4.2", "5.0"]``). They tell which
  versions a ceiling must keep, not which version installs today.
"""

from __future__ import annotations

import configparser
import io
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from ruamel.yaml import YAML

if sys.version_info >= (3, 11):
    import tomllib

    def _load_toml(text: str) -> Mapping[str, object]:
        return tomllib.loads(text)
else:  # pragma: no cover - Python 3.10
    import tomlkit

    def _load_toml(text: str) -> Mapping[str, object]:
        return tomlkit.parse(text).unwrap()


# the escapes of double-quoted YAML that can spell letters ("m\x61trix")
YAML_LETTER_ESCAPES = ("\\x", "\\u", "\\U")
TOML_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock")
LOCK_FILES = (*TOML_LOCKS, "Pipfile.lock")
# classifiers naming a framework's versions, and the distribution they stand for
FRAMEWORK_CLASSIFIERS = {"Django": "django", "Wagtail": "wagtail", "Django CMS": "django-cms"}
TOX_FACTOR = re.compile(r"^[\w{},.!-]+:\s*(?P<rest>.+)$")
MATRIX_SUFFIX = re.compile(r"[-_]?versions?$")
MATRIX_ALIASES = {"dj": "django"}


@dataclass(frozen=True)
class Seen:
    """A version of a dependency and the file that names it.

    :param version: the version.
    :param path: project-relative path of the file.
    """

    version: Version
    path: str


@dataclass
class Evidence:
    """What a project's files say about the versions of its dependencies.

    :param installed: canonical name -> the newest version a lock file or pinned requirements
        file installs.
    :param tested: canonical name -> the newest version the classifiers, tox or CI list.
    """

    installed: dict[str, Seen] = field(default_factory=dict)
    tested: dict[str, Seen] = field(default_factory=dict)

    def add(self, kind: str, name: str, version: Version, path: str) -> None:
        """Record a version; the newest one of each name is kept.

        :param kind: ``installed`` or ``tested``.
        :param name: the distribution name, in any spelling.
        :param version: the version seen.
        :param path: the file it was seen in.
        """
        table = self.installed if kind == "installed" else self.tested
        key = canonicalize_name(name)
        if key not in table or table[key].version < version:
            table[key] = Seen(version, path)


def _version(text: object) -> Version | None:
    cleaned = str(text).strip().lstrip("=~<>!v ").removesuffix(".*").removesuffix(".x")
    try:
        return Version(cleaned)
    except InvalidVersion:
        return None


def read_toml_lock(path: str, text: str, evidence: Evidence) -> None:
    """Record the packages of a ``uv.lock``, ``poetry.lock`` or ``pdm.lock``.

    :param path: the lock file's path.
    :param text: its text.
    :param evidence: where to record them.
    """
    try:
        packages = _load_toml(text).get("package", [])
    except Exception:  # a lock file we cannot read says nothing; never guess from it
        return
    for package in packages if isinstance(packages, list) else []:
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            version = _version(package.get("version", ""))
            if version is not None:
                evidence.add("installed", package["name"], version, path)


def read_pipfile_lock(path: str, text: str, evidence: Evidence) -> None:
    """Record the packages of a ``Pipfile.lock`` (its ``default`` and ``develop`` sections).

    :param path: the lock file's path.
    :param text: its text.
    :param evidence: where to record them.
    """
    try:
        lock = json.loads(text)
    except ValueError:
        return
    for section in ("default", "develop"):
        packages = lock.get(section) if isinstance(lock, dict) else None
        for name, entry in (packages or {}).items():
            if isinstance(entry, dict) and str(entry.get("version", "")).startswith("=="):
                version = _version(entry["version"])
                if version is not None:
                    evidence.add("installed", name, version, path)


def logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """Yield the logical lines of a pip requirements file: continuations joined, comments cut.

    :param text: the file's text.
    :returns: ``(first line number, stripped text)`` pairs, options included, blank lines
        left out.
    """
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            yield start, joined


def requirement_lines(text: str) -> Iterable[tuple[int, str]]:
    """Yield the requirement lines of a pip requirements file, continuations joined.

    :param text: the file's text.
    :returns: ``(line number, requirement text)`` pairs; options (``-r``, ``-i``, ``--hash``)
        and comments are left out.
    """
    for start, joined in logical_lines(text):
        if not joined.startswith("-"):
            yield start, joined.split(" --hash", 1)[0].strip()


def pinned_requirements(text: str) -> list[Requirement]:
    """Return the exactly pinned (``name==X``) requirements of a requirements file.

    :param text: the file's text.
    :returns: the pinned requirements; unreadable lines are skipped.
    """
    pinned = []
    for _, line in requirement_lines(text):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        specs = list(requirement.specifier)
        if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version:
            pinned.append(requirement)
    return pinned


def read_requirements(path: str, text: str, evidence: Evidence) -> None:
    """Record the exact pins of a pip requirements file.

    :param path: the file's path.
    :param text: its text.
    :param evidence: where to record them.
    """
    for requirement in pinned_requirements(text):
        version = _version(next(iter(requirement.specifier)).version)
        if version is not None:
            evidence.add("installed", requirement.name, version, path)


def read_classifiers(path: str, classifiers: Iterable[object], evidence: Evidence) -> None:
    """Record the framework versions ``Framework :: Django :: 4.2`` classifiers list.

    :param path: the ``pyproject.toml``.
    :param classifiers: its ``[project] classifiers``.
    :param evidence: where to record them.
    """
    for classifier in classifiers:
        parts = [part.strip() for part in str(classifier).split("::")]
        if len(parts) == 3 and parts[0] == "Framework" and parts[1] in FRAMEWORK_CLASSIFIERS:
            version = _version(parts[2])
            if version is not None:
                evidence.add("tested", FRAMEWORK_CLASSIFIERS[parts[1]], version, path)


def read_tox(path: str, text: str, evidence: Evidence) -> None:
    """Record the versions ``tox.ini`` environments install (``dj42: Django>=4.2,<4.3``).

    :param path: the ``tox.ini``.
    :param text: its text.
    :param evidence: where to record them.
    """
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return
    for section in parser.sections():
        if not section.startswith("testenv"):
            continue
        for line in parser[section].get("deps", "").splitlines():
            line = line.strip()
            factor = TOX_FACTOR.match(line)
            try:
                requirement = Requirement(factor["rest"] if factor else line)
            except InvalidRequirement:
                continue
            for spec in requirement.specifier:
                version = _version(spec.version) if spec.operator in ("==", "~=", ">=") else None
                if version is not None:
                    evidence.add("tested", requirement.name, version, path)


def _matrix_values(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _walk_matrices(node: object) -> Iterable[Mapping[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "matrix" and isinstance(value, dict):
                yield value
                for entry in value.get("include") or []:
                    if isinstance(entry, dict):
                        yield entry
            else:
                yield from _walk_matrices(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_matrices(item)


def read_ci_matrix(path: str, text: str, names: set[str], evidence: Evidence) -> None:
    """Record the versions a GitHub Actions matrix lists for the project's dependencies.

    A matrix key names a dependency when, without a ``-version`` suffix, it is the
    dependency's name (``django``, ``django-version``; ``dj`` for Django).

    :param path: the workflow file.
    :param text: its text.
    :param names: the canonical names of the project's dependencies.
    :param evidence: where to record them.
    """
    if "matrix" not in text and not any(escape in text for escape in YAML_LETTER_ESCAPES):
        return  # no key can be named matrix: nothing to read, and no need to parse it
    try:
        workflow = YAML(typ="safe", pure=True).load(io.StringIO(text))
    except Exception:  # a workflow we cannot read says nothing
        return
    for matrix in _walk_matrices(workflow):
        for key, value in matrix.items():
            stem = canonicalize_name(MATRIX_SUFFIX.sub("", str(key)))
            name = MATRIX_ALIASES.get(stem, stem)
            if name not in names:
                continue
            for item in _matrix_values(value):
                version = _version(item)
                if version is not None:
                    evidence.add("tested", name, version, path)


def is_workflow(path: str) -> bool:
    """Tell whether a path is a GitHub Actions workflow.

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``.github/workflows/*.yml``/``.yaml``.
    """
    pure = PurePosixPath(path)
    return pure.parent.as_posix().endswith(".github/workflows") and pure.suffix in (
        ".yml",
        ".yaml",
    )
