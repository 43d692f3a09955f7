"""Rewriting the ``[project]`` dependency arrays of a ``pyproject.toml`` (tomlkit round trip).

Part of the "Dependency Pinning" codemod: each requirement string is rewritten on its own, so
one requirement that has no safe rewrite is refused while the others are still pinned.
"""

from __future__ import annotations

import sys

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from redpanda_migrate.codemods.pin_dependencies.evidence import Evidence, read_classifiers
from redpanda_migrate.codemods.pin_dependencies.requirement import Refusal, rewrite_requirement
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, String
from tomlkit.toml_document import TOMLDocument

from redpanda_migrate.codemod import FileOutcome, Finding, InputError


def _parse(text: str) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as error:
        raise InputError(f"invalid TOML: {error}", getattr(error, "line", None)) from None


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _dependency_arrays(project: object, kind: type = Array) -> list:
    if not hasattr(project, "get"):
        return []
    arrays = []
    if isinstance(project.get("dependencies"), kind):
        arrays.append(project["dependencies"])
    optional = project.get("optional-dependencies")
    if hasattr(optional, "values"):
        arrays.extend(value for value in optional.values() if isinstance(value, kind))
    return arrays


def _plain_arrays(text: str) -> list[list[str]] | None:
    """Read the dependency arrays with :mod:`tomllib`, several times faster than tomlkit.

    Returns ``None`` when it cannot tell them as tomlkit would: the file does not load, or an array
    holds something else than strings (tomlkit spells those its own way).
    """
    if sys.version_info < (3, 11):  # pragma: no cover - Python 3.10
        return None
    import tomllib

    try:
        arrays = _dependency_arrays(tomllib.loads(text).get("project"), list)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    if not all(isinstance(item, str) for array in arrays for item in array):
        return None
    return arrays


def dependency_names(text: str) -> set[str]:
    """Return the canonical names of a ``pyproject.toml``'s ``[project]`` dependencies.

    :param text: the file's text.
    :returns: the names (unreadable requirements left out).
    :raises InputError: when the file is not valid TOML.
    """
    names = set()
    arrays = _plain_arrays(text)
    if arrays is None:
        arrays = _dependency_arrays(_parse(text).get("project"))
    for array in arrays:
        for item in array:
            try:
                names.add(canonicalize_name(Requirement(str(item)).name))
            except InvalidRequirement:
                continue
    return names


def _rewrite_array(
    array: Array, path: str, text: str, evidence: Evidence, findings: dict[str, list[Finding]]
) -> bool:
    changed = False
    for index, item in enumerate(array):
        if not isinstance(item, String):
            continue
        line = _line_of(text, item.as_string())
        try:
            name = canonicalize_name(Requirement(str(item)).name)
        except InvalidRequirement:
            name = ""
        try:
            rewrite = rewrite_requirement(
                str(item), evidence.installed.get(name), evidence.tested.get(name)
            )
        except Refusal as refusal:
            findings["refusals"].append(Finding(path, line, str(refusal)))
            continue
        label = Requirement(str(item)).name
        findings["notes"] += [Finding(path, line, f"{label}: {note}") for note in rewrite.notes]
        if rewrite.text != str(item):
            literal = item.as_string().startswith("'")
            array[index] = tomlkit.string(rewrite.text, literal=literal)
            changed = True
    return changed


def transform_pyproject(path: str, text: str, evidence: Evidence) -> FileOutcome:
    """Floor-pin ``[project]`` dependencies with a ceiling in a ``pyproject.toml``.

    Enforces the standard's "Dependency Pinning" section.

    :param path: the file's project-relative path.
    :param text: its text.
    :param evidence: what the project's lock files, classifiers, tox and CI say.
    :returns: the rewritten text, notes and refusals.
    :raises InputError: when the file is not valid TOML.
    """
    document = _parse(text)
    findings: dict[str, list[Finding]] = {"notes": [], "refusals": []}
    project = document.get("project")
    tool = document.get("tool", {})
    if "poetry" in tool and "dependencies" in tool["poetry"]:
        findings["notes"].append(
            Finding(
                path,
                _line_of(text, "[tool.poetry.dependencies]"),
                "Poetry dependency tables are not rewritten; the standard wants PEP 621 "
                "[project] dependencies, floor-pinned with a ceiling",
            )
        )
    if not hasattr(project, "get"):
        return FileOutcome(text, tuple(findings["notes"]))
    if "dependencies" in project.get("dynamic", []):
        findings["notes"].append(
            Finding(
                path,
                _line_of(text, "dynamic"),
                "dependencies are dynamic (read from another file): pin them there, "
                "floor with a ceiling",
            )
        )
    classifiers = project.get("classifiers")
    if isinstance(classifiers, Array):
        read_classifiers(path, classifiers, evidence)
    changed = False
    for array in _dependency_arrays(project):
        changed |= _rewrite_array(array, path, text, evidence, findings)
    new_text = tomlkit.dumps(document) if changed else text
    return FileOutcome(new_text, tuple(findings["notes"]), tuple(findings["refusals"]))
