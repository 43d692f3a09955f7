"""The requirements files of one package folder, sorted into groups, for ``pyproject-dependencies``.

Part of the "Environment Standards" codemod. Each requirements file stands for a group
(``requirements.txt`` and ``requirements/base.txt`` for the main dependencies,
``requirements-dev.txt`` for ``dev``); ``-r`` includes are followed, so a group holds what
``pip install -r`` of its file installed, less what the main dependencies already hold (those
install with every group). A file compiled from a ``.in`` source and a ``-c`` constraints file
are locks: their pins only tell which versions install today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from redpanda_migrate.codemods.pyproject_dependencies.requirements_file import (
    Include,
    Line,
    RequirementsFile,
    group_name,
    read_requirements_file,
)

from redpanda_migrate.codemod import Finding


@dataclass
class Sources:
    """What the requirements files of one folder hold.

    :param groups: group name (``""`` for the main dependencies) -> its requirements.
    :param files: every requirements file read (all are deleted once moved).
    :param locks: files read for their pins only (compiled output, constraints).
    :param problems: lines or files that refuse the move.
    :param notes: what the reviewer must know about the move.
    :param group_files: group name -> the files it comes from.
    """

    groups: dict[str, list[Line]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    group_files: dict[str, list[str]] = field(default_factory=dict)


def _key(line: Line) -> str:
    return str(line.requirement)


def _flatten(path: str, read: dict[str, RequirementsFile], seen: set[str]) -> list[Line]:
    if path in seen:
        return []
    seen.add(path)
    parsed = read[path]
    items: list[Line | Include] = [*parsed.requirements, *parsed.includes]
    lines: list[Line] = []
    for item in sorted(items, key=lambda entry: entry.number):
        if isinstance(item, Line):
            lines.append(item)
        elif not item.constraint and item.target in read:
            lines += _flatten(item.target, read, seen)
    return lines


def _unique(lines: list[Line], known: set[str]) -> list[Line]:
    kept = []
    for line in lines:
        if _key(line) not in known:
            known.add(_key(line))
            kept.append(line)
    return kept


def _alias_of(parsed: RequirementsFile) -> list[str]:
    """Return the groups a main-named file only includes (``requirements.txt``: ``-r prod.txt``)."""
    targets = [include.target for include in parsed.includes if not include.constraint]
    if parsed.requirements or not targets:
        return []
    groups = [group_name(target) for target in targets]
    return groups if all(groups) else []


def _check_includes(read: dict[str, RequirementsFile], sources: Sources) -> set[str]:
    """Refuse includes of files not moved together; return the constraints files."""
    constraints = set()
    for parsed in read.values():
        for include in parsed.includes:
            if include.target not in read:
                kind = "constraints file" if include.constraint else "file"
                sources.problems.append(
                    Finding(
                        include.path,
                        include.number,
                        f"cannot move to pyproject.toml: it includes the {kind} {include.target}, "
                        "which is not a requirements file beside it: move that one by hand "
                        "(constraints: commit a lock file instead), then run again",
                    )
                )
            elif include.constraint:
                constraints.add(include.target)
    for path in sorted(constraints):
        if not read[path].fully_pinned:
            sources.problems.append(
                Finding(
                    path,
                    None,
                    "cannot move to pyproject.toml: this constraints file has ranges, and "
                    "[project] cannot constrain versions without installing: commit a lock "
                    "file (uv.lock) for them, then run again",
                )
            )
    return constraints


def _locks(read: dict[str, RequirementsFile], sources: Sources, constraints: set[str]) -> set[str]:
    locks = set(constraints)
    for path, parsed in read.items():
        if not parsed.compiled or path.endswith(".in"):
            continue
        source = str(PurePosixPath(path).with_suffix(".in"))
        if source in read:
            locks.add(path)
        else:
            sources.problems.append(
                Finding(
                    path,
                    None,
                    "cannot move to pyproject.toml: this file is compiled (pip-compile) and its "
                    f"source {PurePosixPath(source).name} is missing, so its direct dependencies "
                    "cannot be told from the ones they pull in: list the direct ones in "
                    "pyproject.toml yourself, or commit the .in source, then run again",
                )
            )
    return locks


def collect(paths: list[str], texts: dict[str, str]) -> Sources:
    """Read one folder's requirements files and sort their requirements into groups.

    Enforces the standard's "Environment Standards" (no requirements.txt).

    :param paths: the folder's requirements files.
    :param texts: their texts.
    :returns: the groups, the files and what refuses the move.
    """
    sources = Sources(files=sorted(paths))
    read = {path: read_requirements_file(path, texts[path]) for path in sorted(paths)}
    for parsed in read.values():
        sources.problems += parsed.problems
    constraints = _check_includes(read, sources)
    locks = _locks(read, sources, constraints)
    sources.locks = sorted(locks)
    moved = [path for path in read if path not in locks]
    main_files = [path for path in moved if group_name(path) == ""]
    for path in list(main_files):
        groups = _alias_of(read[path])
        if groups:
            main_files.remove(path)
            extras = ",".join(groups)
            sources.notes.append(
                Finding(
                    path,
                    None,
                    f"only includes other files: pip install '.[{extras}]' installs what "
                    f"pip install -r {PurePosixPath(path).name} installed",
                )
            )
    main_keys: set[str] = set()
    main: list[Line] = []
    for path in main_files:
        main += _unique(_flatten(path, read, set()), main_keys)
    sources.groups[""] = main
    sources.group_files[""] = main_files
    main_names = {canonicalize_name(line.requirement.name): line for line in main}
    for path in moved:
        name = group_name(path)
        if not name:
            continue
        flattened = _flatten(path, read, set())
        known = main_keys | {_key(line) for line in sources.groups.get(name, [])}
        sources.groups.setdefault(name, []).extend(_unique(flattened, known))
        sources.group_files.setdefault(name, []).append(path)
        own = {canonicalize_name(line.requirement.name) for line in flattened}
        more = sorted(
            {Requirement(line.text).name for key, line in main_names.items() if key not in own}
        )
        if more and sources.groups[name]:
            sources.notes.append(
                Finding(
                    path,
                    None,
                    f"{name}: installing it (pip install '.[{name}]') also installs the main "
                    f"dependencies, which {path} did not: {', '.join(more)}",
                )
            )
    if any(read[path].hashed for path in moved):
        sources.notes.append(
            Finding(
                sorted(path for path in moved if read[path].hashed)[0],
                None,
                "--hash pins are not kept: pyproject.toml has no hash-checking mode; commit a "
                "lock file (uv.lock) to keep installs verified",
            )
        )
    return sources
