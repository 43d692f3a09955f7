"""What the ``pytz-to-zoneinfo`` codemod reads from a project's declared Python and Django.

zoneinfo needs Python 3.9 and Django's own time zones are ``ZoneInfo`` objects only from
Django 4.0 (unless ``USE_DEPRECATED_PYTZ``), so both decide what may be rewritten (the
standard's "Deprecated / Removed": pytz -- use stdlib zoneinfo, Python 3.9+, Django 4+).
Versions are read with :mod:`packaging`, TOML with tomlkit, setup.cfg and tox.ini with
configparser, ``setup.py`` with :mod:`ast`; nothing is executed.
"""

from __future__ import annotations

import ast
import configparser
from collections.abc import Iterator, Mapping
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from tomlkit.exceptions import TOMLKitError

#: Pythons without zoneinfo, and Django versions whose time zones are pytz zones
OLD_PYTHONS = ("2.7", "3.5", "3.6", "3.7", "3.8")
OLD_DJANGOS = ("1.11", "2.0", "2.1", "2.2", "2.2.28", "3.0", "3.1", "3.2", "3.2.25")
#: the files declaring them (project-relative; read only at the root)
DECLARING_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "tox.ini")


def _parse_spec(text: str) -> SpecifierSet | None:
    text = text.strip().strip("\"'")
    if text.startswith("^") or (text.startswith("~") and not text.startswith("~=")):
        text = ">=" + text.lstrip("^~")  # Poetry's caret and tilde: the floor is what matters
    if text and text[0].isdigit():
        text = "==" + text + (".*" if text.count(".") < 2 else "")
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def python_floor_refusal(
    files: Mapping[str, str], requires_python: str | None
) -> tuple[str, int | None, str] | None:
    """Refuse the migration when the project declares support for a Python without zoneinfo.

    :param files: the candidate texts by path.
    :param requires_python: ``[project] requires-python`` from the project facts.
    :returns: ``(path, line, reason)`` of the first such declaration, or ``None``.
    """
    for path, declared in _python_declarations(files, requires_python):
        spec = _parse_spec(declared)
        if spec is None:
            continue
        old = [version for version in OLD_PYTHONS if spec.contains(version, prereleases=True)]
        if old:
            line = _line_of(files.get(path, ""), declared)
            reason = (
                f"the project supports Python {', '.join(old)} ({declared!r}), without the "
                "zoneinfo module: raise the floor to 3.9 (the standard requires Python 3.9+) "
                "and run again; nothing was migrated from pytz"
            )
            return path, line, reason
    return None


def _python_declarations(
    files: Mapping[str, str], requires_python: str | None
) -> Iterator[tuple[str, str]]:
    if requires_python:
        yield "pyproject.toml", requires_python
    pyproject = _toml(files.get("pyproject.toml"))
    python = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    if isinstance(python, str):
        yield "pyproject.toml", python
    setup_cfg = _ini(files.get("setup.cfg"))
    if setup_cfg is not None and setup_cfg.has_option("options", "python_requires"):
        yield "setup.cfg", setup_cfg.get("options", "python_requires")
    for keyword, value in _setup_py_keywords(files.get("setup.py")):
        if keyword == "python_requires" and isinstance(value, str):
            yield "setup.py", value
    pipfile = _toml(files.get("Pipfile"))
    version = pipfile.get("requires", {}).get("python_version")
    if isinstance(version, str):
        yield "Pipfile", version


def django_pytz_reason(files: Mapping[str, str]) -> str | None:
    """Say why Django's current/default time zone may still be a pytz zone.

    :param files: the candidate texts by path.
    :returns: the reason, or ``None`` when every declared Django is 4.0 or later.
    """
    specs = list(_django_specs(files))
    if not specs:
        return "the project declares no Django version (before 4.0 it is a pytz zone)"
    for path, spec in specs:
        old = [v for v in OLD_DJANGOS if spec.contains(v, prereleases=True)]
        if old or not str(spec):
            return (
                f"{path} allows Django {str(spec) or '(any)'}, where before 4.0 it is a pytz zone"
            )
    return None


def _django_specs(files: Mapping[str, str]) -> Iterator[tuple[str, SpecifierSet]]:
    for path, text in sorted(files.items()):
        for requirement in _requirements(path, text):
            if canonicalize_name(requirement.name) == "django":
                yield path, requirement.specifier


def _requirements(path: str, text: str) -> Iterator[Requirement]:
    name = path.rpartition("/")[2]
    if name == "pyproject.toml":
        document = _toml(text)
        project = document.get("project", {})
        yield from _parsed(project.get("dependencies", []))
        poetry = document.get("tool", {}).get("poetry", {}).get("dependencies", {})
        for key, value in poetry.items():
            if isinstance(value, str) and canonicalize_name(key) == "django":
                spec = _parse_spec(value)
                if spec is not None:
                    yield Requirement(f"django{spec}")
    elif name == "setup.cfg":
        config = _ini(text)
        if config is not None and config.has_option("options", "install_requires"):
            yield from _parsed(config.get("options", "install_requires").splitlines())
    elif name == "setup.py":
        for keyword, value in _setup_py_keywords(text):
            if keyword == "install_requires" and isinstance(value, list):
                yield from _parsed(value)
    elif name == "Pipfile":
        for key, value in _toml(text).get("packages", {}).items():
            if canonicalize_name(key) == "django" and isinstance(value, str):
                yield Requirement("django" + ("" if value == "*" else value))
    elif name == "tox.ini":
        config = _ini(text)
        for section in config.sections() if config is not None else []:
            if section.startswith("testenv") and config.has_option(section, "deps"):
                lines = config.get(section, "deps").splitlines()
                yield from _parsed(line.rpartition(":")[2] for line in lines)
    elif name.endswith((".txt", ".in")):
        yield from _parsed(line.partition("#")[0] for line in text.splitlines())


def _parsed(lines: Any) -> Iterator[Requirement]:
    for line in lines:
        if not isinstance(line, str) or not line.strip() or line.strip().startswith("-"):
            continue
        try:
            yield Requirement(line.strip())
        except InvalidRequirement:
            continue


def _toml(text: str | None) -> Any:
    if not text:
        return {}
    try:
        return tomlkit.parse(text).unwrap()
    except TOMLKitError:
        return {}


def _ini(text: str | None) -> configparser.ConfigParser | None:
    if not text:
        return None
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read_string(text)
    except configparser.Error:
        return None
    return config


def _setup_py_keywords(text: str | None) -> Iterator[tuple[str, Any]]:
    """Literal keyword arguments of ``setup(...)`` calls in a ``setup.py``."""
    if not text:
        return
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup":
            for keyword in node.keywords:
                try:
                    yield keyword.arg or "", ast.literal_eval(keyword.value)
                except ValueError:
                    continue


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
