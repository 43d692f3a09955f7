"""Finding the files of a project: ``.gitignore`` honoured, tool folders never entered.

Symlinks are never listed: a file reached through a link is processed under its real path when
that lies in the project, and never when it lies outside (such links can be collected, so that a
run says which files it left alone).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
        "site-packages",
    }
)


def compile_patterns(patterns: Iterable[str]) -> pathspec.PathSpec:
    """Compile gitignore-style patterns.

    :param patterns: patterns such as ``**/*.py`` or ``docker-compose*.yml``.
    :returns: a spec whose ``match_file`` takes project-relative POSIX paths.
    """
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def is_virtualenv(directory: Path) -> bool:
    """Tell whether a directory is a Python virtual environment.

    :param directory: the directory to look at.
    :returns: ``True`` when it holds a ``pyvenv.cfg``.
    """
    return (directory / "pyvenv.cfg").is_file()


def _read_gitignore(directory: str) -> pathspec.PathSpec | None:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            lines = f.read()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines.splitlines())


def _is_ignored(
    relative_path: str, is_dir: bool, ignore_specs: list[tuple[str, pathspec.PathSpec]]
) -> bool:
    """Match a path against the ``.gitignore`` files of the folders above it."""
    candidate = relative_path + "/" if is_dir else relative_path
    for base, spec in ignore_specs:
        local = candidate[len(base) + 1 :] if base else candidate
        if spec.match_file(local):
            return True
    return False


def _links_outside(root: Path, path: Path) -> bool:
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return target.is_file() and not target.is_relative_to(root)


def _entries(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError:  # removed meanwhile, or not readable: nothing to list
        return []


def iter_project_files(
    root: Path, exclude: Iterable[str] = (), outside_links: list[str] | None = None
) -> Iterator[str]:
    """List a project's files as project-relative POSIX paths.

    One pass over the tree with ``os.scandir``, whose entries already know whether they are
    files, folders or symlinks; each ``.gitignore`` is compiled once, when its folder is entered.

    :param root: the resolved project root (a directory).
    :param exclude: extra gitignore-style patterns to leave out (from configuration).
    :param outside_links: when given, the paths of symlinks to files outside the project (not
        ignored, not excluded) are appended to it; they are never listed nor followed.
    :returns: an iterator over paths, in a stable (sorted) walk order.
    """
    patterns = list(exclude)
    exclude_spec = compile_patterns(patterns) if patterns else None

    def left_out(relative: str, is_dir: bool, ignore_specs: list) -> bool:
        if _is_ignored(relative, is_dir, ignore_specs):
            return True
        return exclude_spec is not None and exclude_spec.match_file(
            relative + "/" if is_dir else relative
        )

    # folders still to list, each with the .gitignore specs of the folders above it
    pending: list[tuple[str, str, list[tuple[str, pathspec.PathSpec]]]] = [(str(root), "", [])]
    while pending:
        directory, base, inherited = pending.pop()
        entries = _entries(directory)
        ignore_specs = inherited
        if any(entry.name == ".gitignore" for entry in entries):
            spec = _read_gitignore(directory)
            if spec is not None:
                ignore_specs = [*inherited, (base, spec)]
        folders = []
        for entry in entries:
            relative = f"{base}/{entry.name}" if base else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in ALWAYS_SKIPPED_DIRS or is_virtualenv(Path(entry.path)):
                    continue
                if not left_out(relative, True, ignore_specs):
                    folders.append((entry.path, relative, ignore_specs))
                continue
            if left_out(relative, False, ignore_specs):
                continue
            if entry.is_symlink():
                if outside_links is not None and _links_outside(root, Path(entry.path)):
                    outside_links.append(relative)
                continue
            if entry.is_file(follow_symlinks=False):  # sockets, FIFOs: never read
                yield relative
        # depth first, in name order, as os.walk listed them
        pending.extend(reversed(folders))
