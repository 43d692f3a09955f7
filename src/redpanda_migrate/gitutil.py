"""The few questions the engine asks git, through the real ``git`` command.

A project outside any git repository, or a machine without git, is simply "not in git".
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


def git(
    root: Path, *args: str, check: bool = True, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a git command in ``root`` and capture its output.

    Bytes that are not UTF-8 (in file names) travel as surrogate escapes, like ``os`` paths.

    :param root: the directory to run in.
    :param args: git's arguments.
    :param check: raise :class:`subprocess.CalledProcessError` on a non-zero exit.
    :param input_text: text for git's standard input.
    :returns: the completed process (text mode).
    """
    return subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=check,
        encoding="utf-8",
        errors="surrogateescape",  # file names need not be UTF-8; they round-trip
        input=input_text,
    )


def worktree_top(path: Path) -> Path | None:
    """Return the top of the git work tree that contains ``path``.

    :param path: a directory.
    :returns: the top folder, or ``None`` outside git (or without git installed).
    """
    if shutil.which("git") is None:
        return None
    result = git(path, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        return None
    return Path(result.stdout.strip()).resolve()


def dirty_paths(root: Path, paths: Sequence[str]) -> list[str]:
    """List which of ``paths`` have uncommitted changes to tracked content.

    :param root: the project root (inside a git work tree).
    :param paths: project-relative paths the run would write.
    :returns: the project-relative paths that are modified, staged, or in conflict.
    """
    if not paths:
        return []
    result = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", *paths)
    top = worktree_top(root) or root
    dirty = []
    for entry in result.stdout.split("\0"):
        absolute = top / entry[3:]
        if len(entry) > 3 and absolute.is_relative_to(root):
            dirty.append(absolute.relative_to(root).as_posix())
    return sorted(set(dirty) & set(paths))


def tracked_paths(root: Path) -> frozenset[str] | None:
    """List the files under ``root`` that git tracks, relative to ``root``.

    :param root: the project root.
    :returns: project-relative POSIX paths, or ``None`` outside git (or without git installed).
    """
    if shutil.which("git") is None:
        return None
    # without --full-name git lists the files under the folder it runs in, relative to it
    result = git(root, "ls-files", "-z", check=False)
    if result.returncode != 0:  # not in a git work tree
        return None
    return frozenset(entry for entry in result.stdout.split("\0") if entry)


def is_detached(top: Path) -> bool:
    """Tell whether a work tree's HEAD is detached (commits there belong to no branch).

    :param top: the work tree's top folder.
    :returns: ``True`` when HEAD names a commit rather than a branch.
    """
    return git(top, "symbolic-ref", "--quiet", "HEAD", check=False).returncode != 0
