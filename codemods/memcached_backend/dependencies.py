"""The dependency side of ``memcached-backend``: pymemcache in, the old client out.

Red Panda Approval V1-02, "Preferred Packages" (Caching: pymemcache) and "Dependency Pinning".
A declared ``python-memcached``/``python3-memcached``/``pylibmc`` requirement becomes
``pymemcache>=4.0,<5.0`` in place (its marker kept) when no module of the project imports the
old client itself; ``pyproject.toml`` is edited with tomlkit, requirements files line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array

PYMEMCACHE = "pymemcache>=4.0,<5.0"
OLD_CLIENTS = frozenset({"python-memcached", "python3-memcached", "pylibmc"})
OLD_IMPORTS = re.compile(r"^\s*(import|from)\s+(memcache|pylibmc)\b", re.M)


@dataclass
class DependencyEdits:
    """New texts of dependency files and what the reviewer must know.

    :param writes: new text per path.
    :param declared: some file now declares (or already declared) pymemcache.
    :param notes: ``(path, message)`` pairs.
    """

    writes: dict[str, str] = field(default_factory=dict)
    declared: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)


def imports_old_client(text: str) -> bool:
    """Tell whether a Python module imports python-memcached or pylibmc itself."""
    return bool(OLD_IMPORTS.search(text))


def _name(requirement_text: str) -> str | None:
    try:
        return canonicalize_name(Requirement(requirement_text).name)
    except InvalidRequirement:
        return None


def _replacement(requirement_text: str) -> str:
    marker = Requirement(requirement_text).marker
    return f"{PYMEMCACHE} ; {marker}" if marker else PYMEMCACHE


def _edit_array(array: Array) -> tuple[bool, bool]:
    """Replace old clients in one dependency array; returns (changed, declares pymemcache)."""
    names = [_name(str(item)) for item in array]
    has_new = "pymemcache" in names
    changed = False
    for index in reversed(range(len(array))):
        if names[index] not in OLD_CLIENTS:
            continue
        if has_new:
            del array[index]
        else:
            array[index] = _replacement(str(array[index]))
            has_new = True
        changed = True
    return changed, has_new


def edit_pyproject(text: str, add: bool) -> tuple[str, bool]:
    """Swap the old client for pymemcache in ``[project]`` dependencies (and extras).

    :param text: ``pyproject.toml``'s text.
    :param add: add pymemcache to ``dependencies`` when no array declares either client.
    :returns: the new text and whether pymemcache is declared afterwards.
    """
    try:
        document = tomlkit.parse(text)
    except TOMLKitError:
        return text, False
    project = document.get("project")
    if not isinstance(project, dict):
        return text, False
    arrays = []
    if isinstance(project.get("dependencies"), Array):
        arrays.append(project["dependencies"])
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        arrays.extend(value for value in extras.values() if isinstance(value, Array))
    changed, declared = False, False
    for array in arrays:
        array_changed, array_declares = _edit_array(array)
        changed |= array_changed
        declared |= array_declares
    dependencies = project.get("dependencies")
    if add and not declared and isinstance(dependencies, Array):
        dependencies.append(PYMEMCACHE)
        changed = declared = True
    return (tomlkit.dumps(document) if changed else text), declared


def edit_requirements(text: str) -> tuple[str, bool]:
    """Swap the old client for pymemcache in a requirements file, line by line.

    :param text: the file's text.
    :returns: the new text and whether pymemcache is declared afterwards.
    """
    lines = text.splitlines(keepends=True)
    names = [_name(line.split("#", 1)[0].strip()) for line in lines]
    declared = "pymemcache" in names
    for index, name in enumerate(names):
        if name not in OLD_CLIENTS:
            continue
        requirement, _, comment = lines[index].partition("#")
        ending = "\n" if lines[index].endswith("\n") else ""
        comment = f"  #{comment.rstrip()}" if comment else ""
        lines[index] = "" if declared else _replacement(requirement.strip()) + comment + ending
        declared = True
    return "".join(lines), declared
