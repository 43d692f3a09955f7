"""Writing moved dependencies into ``pyproject.toml`` (tomlkit round trip).

Part of the "Environment Standards" codemod: requirements are appended to ``[project]
dependencies``, to ``[project.optional-dependencies]`` groups, or to ``[dependency-groups]`` when
the project already uses them; everything else in the file keeps its bytes. A requirement the
file already declares (the same name, extras and markers) is not added twice: an exact pin
inside the declared range is the same dependency, locked; any other difference is a conflict
for a person to settle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import Array, Table
from tomlkit.toml_document import TOMLDocument


class Conflict(Exception):
    """A moved requirement differs from the one ``pyproject.toml`` declares."""


@dataclass
class NewProject:
    """The ``[project]`` table to create when ``pyproject.toml`` has none.

    :param name: the distribution name.
    :param version: its version.
    :param requires_python: ``python_requires`` of ``setup.py``, if any.
    :param dynamic: fields ``setup.py`` keeps filling.
    :param no_packages: the project is an application run from its checkout: ``pip install .``
        installs its dependencies only (``[tool.setuptools] py-modules = []``), so that
        setuptools does not look for packages in a flat layout and fail.
    """

    name: str
    version: str
    requires_python: str | None = None
    dynamic: list[str] = field(default_factory=list)
    no_packages: bool = False


def _key(requirement: Requirement) -> tuple[str, str]:
    return canonicalize_name(requirement.name), str(requirement.marker or "")


def _same(declared: Requirement, moved: Requirement) -> bool:
    if declared.extras != moved.extras or declared.url != moved.url:
        return False
    if str(declared.specifier) == str(moved.specifier):
        return True
    specs = list(moved.specifier)
    return (
        len(specs) == 1
        and specs[0].operator == "=="
        and declared.specifier.contains(specs[0].version, prereleases=True)
    )


def declared(array: Array | None) -> dict[tuple[str, str], Requirement]:
    """Return the requirements of a dependency array by (name, marker).

    :param array: a ``dependencies`` array, or ``None``.
    :returns: parsed requirements; unreadable strings left out.
    """
    found: dict[tuple[str, str], Requirement] = {}
    for item in array or []:
        try:
            requirement = Requirement(str(item))
        except InvalidRequirement:
            continue
        found[_key(requirement)] = requirement
    return found


def already_declared(existing: dict[tuple[str, str], Requirement], text: str) -> bool:
    """Tell whether a moved requirement is already declared.

    :param existing: what the target array declares, by (name, marker).
    :param text: the moved requirement as written in the old file.
    :returns: ``True`` when it is the same dependency (or an exact pin inside its range).
    :raises Conflict: when the same name is declared differently.
    """
    moved = Requirement(text)
    declared_one = existing.get(_key(moved))
    if declared_one is None:
        return False
    if _same(declared_one, moved):
        return True
    raise Conflict(
        f"{text!r} differs from {str(declared_one)!r}, which pyproject.toml already declares"
    )


def _array(items: list[str]) -> Array:
    array = tomlkit.array()
    array.multiline(True)
    array.extend(items)
    return array


def with_project(text: str, new: NewProject) -> TOMLDocument:
    """Return the document with a new ``[project]`` table first.

    :param text: the ``pyproject.toml`` text (empty when there is none).
    :param new: what the table holds.
    :returns: the parsed document; the old text follows the new table unchanged.
    """
    header = tomlkit.document()
    project = tomlkit.table()
    project.add("name", new.name)
    project.add("version", new.version)
    if new.requires_python:
        project.add("requires-python", new.requires_python)
    if new.dynamic:
        project.add("dynamic", new.dynamic)
    header.add("project", project)
    return tomlkit.parse(tomlkit.dumps(header) + ("\n" + text if text.strip() else ""))


def add_no_packages(document: TOMLDocument) -> None:
    """Add ``[tool.setuptools] py-modules = []``: ``pip install .`` installs dependencies only.

    :param document: the parsed ``pyproject.toml``.
    """
    setuptools = tomlkit.table()
    setuptools.add(tomlkit.comment("an application: pip install . installs its dependencies"))
    setuptools.add("py-modules", tomlkit.array())
    tool = document.get("tool")
    if tool is None:
        document.add(tomlkit.nl())
        document.add("tool", {"setuptools": setuptools})
    else:
        tool.add("setuptools", setuptools)


def _extend(parent: Table, group: str, texts: list[str]) -> None:
    if isinstance(parent.get(group), Array):
        parent[group].extend(texts)
    else:
        parent.add(group, _array(texts))


def append_requirements(
    document: TOMLDocument, groups: dict[str, list[str]], dependency_groups: bool
) -> None:
    """Append requirement strings to the main dependencies and to named groups.

    :param document: the parsed ``pyproject.toml`` with a ``[project]`` table.
    :param groups: group name (``""`` for ``[project] dependencies``) -> the requirement
        strings to append, in order.
    :param dependency_groups: put named groups in ``[dependency-groups]`` rather than
        ``[project.optional-dependencies]``.
    """
    project = document["project"]
    if groups.get(""):
        _extend(project, "dependencies", groups[""])
    named = {group: texts for group, texts in groups.items() if group and texts}
    if not named:
        return
    if dependency_groups:
        parent = document.get("dependency-groups")
        if parent is None:
            parent = tomlkit.table()
            document.add(tomlkit.nl())
            document.add("dependency-groups", parent)
        for group, texts in named.items():
            _extend(parent, group, texts)
        return
    parent = project.get("optional-dependencies")
    if parent is not None:
        for group, texts in named.items():
            _extend(parent, group, texts)
        return
    table = tomlkit.table()
    for group, texts in named.items():
        _extend(table, group, texts)
    if list(document.keys())[-1] != "project":  # a blank line before the next table
        table.add(tomlkit.nl())
    project.add("optional-dependencies", table)


def target_array(document: TOMLDocument, group: str, dependency_groups: bool) -> Array | None:
    """Return the array a group's requirements go to, if it exists.

    :param document: the parsed ``pyproject.toml``.
    :param group: ``""`` for the main dependencies.
    :param dependency_groups: named groups live in ``[dependency-groups]``.
    :returns: the array, or ``None``.
    """
    project = document.get("project") or {}
    if not group:
        found = project.get("dependencies")
    elif dependency_groups:
        found = (document.get("dependency-groups") or {}).get(group)
    else:
        found = (project.get("optional-dependencies") or {}).get(group)
    return found if isinstance(found, Array) else None
