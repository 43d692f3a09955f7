"""Finding the files of a project: ``.gitignore`` honoured, tool folders never entered.

Symlinks are never listed: a file reached through a link is processed under its real path when
that lies in the project, and never when it lies outside (such links can be collected, so that a
run says which files it left alone). A folder that is another git repository (a submodule, a
nested clone) is left alone too: its files belong to that repository's history, not this one's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from redpanda_migrate.patterns import PathPatterns
from redpanda_migrate.textio import TEMP_DIR_PREFIX

NESTED_REPOSITORY_MESSAGE = (
    "another git repository (a submodule or a nested clone): left alone; migrate it on its own"
)
OUTSIDE_DIR_MESSAGE = "symlink to a folder outside the project: not followed, left unchanged"

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


def compile_patterns(patterns: Iterable[str]) -> PathPatterns:
    """Compile gitignore-style patterns.

    :param patterns: patterns such as ``**/*.py`` or ``docker-compose*.yml``.
    :returns: a spec whose ``match_file`` takes project-relative POSIX paths.
    """
    return PathPatterns(patterns)


def is_virtualenv(directory: Path) -> bool:
    """Tell whether a directory is a Python virtual environment.

    :param directory: the directory to look at.
    :returns: ``True`` when it holds a ``pyvenv.cfg``.
    """
    return (directory / "pyvenv.cfg").is_file()


def _read_gitignore(directory: str) -> PathPatterns | None:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            lines = f.read()
    except OSError:
        return None
    return PathPatterns(lines.splitlines())


def _is_ignored(
    relative_path: str, is_dir: bool, ignore_specs: list[tuple[str, PathPatterns]]
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


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Tell whether an entry is a folder, or a symlink to one (as ``os.walk`` sorts them)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _dir_links_outside(root: Path, path: Path) -> bool:
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        return False
    return target.is_dir() and not target.is_relative_to(root)


def is_repository(directory: Path) -> bool:
    """Tell whether a folder is the top of a git repository of its own (a submodule has a file).

    :param directory: the folder.
    :returns: ``True`` when it holds a ``.git`` folder or file.
    """
    return os.path.lexists(directory / ".git")


def iter_project_files(
    root: Path,
    exclude: Iterable[str] = (),
    outside_links: list[str] | None = None,
    skipped: dict[str, str] | None = None,
    temp_dirs: list[str] | None = None,
) -> Iterator[str]:
    """List a project's files as project-relative POSIX paths.

    One pass over the tree with ``os.scandir``, whose entries already know whether they are
    files, folders or symlinks; each ``.gitignore`` is compiled once, when its folder is entered.

    :param root: the resolved project root (a directory).
    :param exclude: extra gitignore-style patterns to leave out (from configuration).
    :param outside_links: when given, the paths of symlinks to files outside the project (not
        ignored, not excluded) are appended to it; they are never listed nor followed.
    :param skipped: when given, gets the folders left alone and why: other git repositories
        and symlinks to folders outside the project.
    :param temp_dirs: when given, gets the temporary folders an interrupted run left behind.
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
    pending: list[tuple[str, str, list[tuple[str, PathPatterns]]]] = [(str(root), "", [])]
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
            if _is_folder(entry):
                if entry.name.startswith(TEMP_DIR_PREFIX):
                    if temp_dirs is not None:
                        temp_dirs.append(relative)
                    continue
                if entry.name in ALWAYS_SKIPPED_DIRS or is_virtualenv(Path(entry.path)):
                    continue
                if left_out(relative, True, ignore_specs):
                    continue
                if entry.is_symlink():
                    if skipped is not None and _dir_links_outside(root, Path(entry.path)):
                        skipped[relative] = OUTSIDE_DIR_MESSAGE
                    continue
                if is_repository(Path(entry.path)):
                    if skipped is not None:
                        skipped[relative] = NESTED_REPOSITORY_MESSAGE
                    continue
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


def root_links_out(root: Path) -> list[str]:
    """List the files at the project root that are symlinks leaving the project.

    Git-ignored ones too (a ``.env`` symlinked to a secrets folder): a codemod that plans to
    write one must know the engine will refuse to write through it.

    :param root: the resolved project root.
    :returns: their names, sorted.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        return []
    return [entry.name for entry in entries if entry.is_symlink() and _leaves(root, entry.path)]


def _leaves(root: Path, path: str) -> bool:
    try:
        target = Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return not target.is_relative_to(root)
