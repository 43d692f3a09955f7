"""Dropping the dj-database-url requirement, for ``database-env-vars``.

Red Panda Approval V1-02, "Deprecated / Removed": dj-database-url goes once no module imports
it. ``pyproject.toml`` is edited with tomlkit (``[project]`` dependencies and extras, Poetry's
dependency tables), requirements files line by line; a requirement continued over several lines
(``--hash``) or a lock file is left for the reviewer, with a note.
"""

from __future__ import annotations

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array

PACKAGE = "dj-database-url"
LOCK_FILES = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock")


def _name(requirement_text: str) -> str | None:
    try:
        return canonicalize_name(Requirement(requirement_text).name)
    except InvalidRequirement:
        return None


def edit_requirements(text: str) -> tuple[str, bool]:
    """Remove dj-database-url from a requirements file.

    :param text: the file's text.
    :returns: the new text and whether a continued requirement was left for the reviewer.
    """
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    left = removing = False
    for line in lines:
        requirement = line.split("#", 1)[0].strip()
        if removing and line[:1].isspace() and line.lstrip().startswith("#"):
            continue  # pip-compile's "    # via ..." lines belong to the removed requirement
        removing = False
        if requirement.endswith("\\"):
            if _name(requirement.rstrip("\\").strip()) == PACKAGE:
                left = True
            kept.append(line)
            continue
        if _name(requirement) == PACKAGE:
            removing = True
        else:
            kept.append(line)
    return "".join(kept), left


def _drop(array: Array) -> bool:
    indexes = [i for i, item in enumerate(array) if _name(str(item)) == PACKAGE]
    for index in reversed(indexes):
        del array[index]
    return bool(indexes)


def edit_pyproject(text: str) -> str:
    """Remove dj-database-url from ``pyproject.toml``'s dependency lists.

    :param text: the file's text.
    :returns: the new text (the input when it names no dj-database-url).
    """
    if "database" not in text:
        return text
    try:
        document = tomlkit.parse(text)
    except TOMLKitError:
        return text
    changed = False
    project = document.get("project")
    if isinstance(project, dict):
        if isinstance(project.get("dependencies"), Array):
            changed |= _drop(project["dependencies"])
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for value in extras.values():
                if isinstance(value, Array):
                    changed |= _drop(value)
    groups = document.get("dependency-groups")
    if isinstance(groups, dict):
        for value in groups.values():
            if isinstance(value, Array):
                changed |= _drop(value)
    poetry = document.get("tool", {}).get("poetry", {})
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        tables += [g.get("dependencies") for g in poetry.get("group", {}).values()]
        for table in tables:
            if isinstance(table, dict):
                for key in [k for k in table if canonicalize_name(k) == PACKAGE]:
                    del table[key]
                    changed = True
    return tomlkit.dumps(document) if changed else text
