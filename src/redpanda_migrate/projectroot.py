"""Which project a run works on, and which of its files, from the paths a user gives.

Like black, the project root is the nearest folder, upward from where the user points (or the
current directory), that holds a ``pyproject.toml`` or a ``.git``; failing that, the nearest
one holding ``manage.py``; failing that, the folder itself. A run without paths covers the
whole project found from the current directory, exactly as at its root. Paths below a root
(a subfolder, single files) narrow the run to them, while the project's configuration and
facts still come from the whole project.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BOUNDARY_MARKERS = ("pyproject.toml", ".git")
DJANGO_MARKERS = ("manage.py",)


class RootError(ValueError):
    """A path given by the user cannot be run on; the message is one line."""


@dataclass(frozen=True)
class Target:
    """One project of a run and the part of it to change.

    :param root: the resolved project root.
    :param given: the path as the user gave it (or ``.``), for messages and labels.
    :param only: project-relative POSIX paths (files or folders) the run is narrowed to, or
        ``None`` for the whole project.
    :param found_upward: the root is not the path given: the run says which root it used.
    """

    root: Path
    given: str
    only: tuple[str, ...] | None = None
    found_upward: bool = False


def _has_any(folder: Path, names: Sequence[str]) -> bool:
    return any((folder / name).exists() for name in names)


def find_project_root(start: Path) -> Path | None:
    """Find the project a folder belongs to, upward from it (inclusive).

    :param start: a resolved folder.
    :returns: the nearest folder with ``pyproject.toml`` or ``.git``, else the nearest with
        ``manage.py``, else ``None``.
    """
    django_root = None
    for folder in (start, *start.parents):
        if _has_any(folder, BOUNDARY_MARKERS):
            return folder
        if django_root is None and _has_any(folder, DJANGO_MARKERS):
            django_root = folder
    return django_root


def _target(path: Path, cwd: Path, given: str) -> Target:
    absolute = (cwd / path).resolve() if not path.is_absolute() else path.resolve()
    if not absolute.exists():
        raise RootError(f"{given}: no such file or directory")
    folder = absolute if absolute.is_dir() else absolute.parent
    if absolute.is_dir() and _has_any(folder, BOUNDARY_MARKERS + DJANGO_MARKERS):
        return Target(folder, given)
    root = find_project_root(folder)
    if root is None:
        if absolute.is_dir():
            return Target(folder, given)
        return Target(folder, given, (absolute.name,), found_upward=True)
    relative = absolute.relative_to(root).as_posix()
    return Target(root, given, (relative,), found_upward=True)


def resolve_targets(paths: Sequence[Path], cwd: Path | None = None) -> list[Target]:
    """Turn the paths of a command line into the projects to run on.

    :param paths: paths as given; empty means the current directory's whole project.
    :param cwd: the current directory (default: the process's).
    :returns: one target per project, in the order first named; paths inside one project
        are merged into one narrowed target (a path that is a project root covers it whole).
    :raises RootError: for a path that does not exist.
    """
    here = cwd or Path(os.getcwd())
    if not paths:
        root = find_project_root(here.resolve()) or here.resolve()
        return [Target(root, ".", None, found_upward=root != here.resolve())]
    targets: dict[Path, Target] = {}
    for path in paths:
        target = _target(path, here, str(path))
        previous = targets.get(target.root)
        if previous is None:
            targets[target.root] = target
        elif previous.only is None or target.only is None:
            targets[target.root] = Target(target.root, previous.given, None)
        else:
            merged = tuple(dict.fromkeys(previous.only + target.only))
            targets[target.root] = Target(target.root, previous.given, merged, True)
    return list(targets.values())
