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

import pathspec

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


def _read_gitignore(directory: Path) -> pathspec.PathSpec | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines.splitlines())


def _is_ignored(
    relative_path: str, is_dir: bool, ignore_specs: list[tuple[str, pathspec.PathSpec]]
) -> bool:
    candidate = relative_path + "/" if is_dir else relative_path
    for base, spec in ignore_specs:
        if base and not candidate.startswith(base + "/"):
            continue
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

    :param root: the resolved project root (a directory).
    :param exclude: extra gitignore-style patterns to leave out (from configuration).
    :param outside_links: when given, the paths of symlinks to files outside the project (not
        ignored, not excluded) are appended to it; they are never listed nor followed.
    :param skipped: when given, gets the folders left alone and why: other git repositories
        and symlinks to folders outside the project.
    :param temp_dirs: when given, gets the temporary folders an interrupted run left behind.
    :returns: an iterator over paths, in a stable (sorted) walk order.
    """
    exclude_spec = compile_patterns(exclude)
    ignore_specs: list[tuple[str, pathspec.PathSpec]] = []
    for directory, dir_names, file_names in os.walk(root):
        here = Path(directory)
        base = here.relative_to(root).as_posix()
        base = "" if base == "." else base
        spec = _read_gitignore(here)
        if spec is not None:
            ignore_specs.append((base, spec))
        kept_dirs = []
        for name in sorted(dir_names):
            child = here / name
            relative = f"{base}/{name}" if base else name
            if name.startswith(TEMP_DIR_PREFIX):
                if temp_dirs is not None:
                    temp_dirs.append(relative)
                continue
            if name in ALWAYS_SKIPPED_DIRS or is_virtualenv(child):
                continue
            if _is_ignored(relative, True, ignore_specs) or exclude_spec.match_file(relative + "/"):
                continue
            if child.is_symlink():
                if skipped is not None and _dir_links_outside(root, child):
                    skipped[relative] = OUTSIDE_DIR_MESSAGE
                continue
            if is_repository(child):
                if skipped is not None:
                    skipped[relative] = NESTED_REPOSITORY_MESSAGE
                continue
            kept_dirs.append(name)
        dir_names[:] = kept_dirs
        for name in sorted(file_names):
            relative = f"{base}/{name}" if base else name
            path = here / name
            if _is_ignored(relative, False, ignore_specs) or exclude_spec.match_file(relative):
                continue
            if path.is_symlink():
                if outside_links is not None and _links_outside(root, path):
                    outside_links.append(relative)
                continue
            if path.is_file():  # sockets, FIFOs: never read
                yield relative


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
