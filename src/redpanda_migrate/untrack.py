"""Removing files from the git index while keeping them on disk (``git rm --cached``).

A codemod asks for it with :attr:`~redpanda_migrate.codemod.ProjectOutcome.untrack` (section
"Security": a committed ``.env`` leaves the index, and the ignore rule its codemod adds keeps
it out). The engine does it on a real run only, together with the writes of the same change
set: the entries are saved first, so that a write that fails puts them back and the set stays
all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redpanda_migrate.gitutil import git, worktree_top


@dataclass(frozen=True)
class Untrack:
    """One codemod's removal of one file from the git index (the file stays on disk).

    :param codemod: the codemod's id.
    :param path: project-relative POSIX path of a tracked file.
    """

    codemod: str
    path: str


@dataclass(frozen=True)
class IndexEntry:
    """What the index held for a path before it was untracked, to put it back.

    :param name: the path from the top of the work tree (git's own spelling).
    :param mode: the entry's mode (``100644``).
    :param blob: the entry's object name.
    """

    name: str
    mode: str
    blob: str


class UntrackError(Exception):
    """git refused to untrack a file (a lock held by another git, staged content, ...)."""


def _index_entries(root: Path, paths: Sequence[str]) -> list[IndexEntry]:
    listed = git(
        root,
        "--literal-pathspecs",
        "ls-files",
        "--stage",
        "--full-name",
        "-z",
        "--",
        *paths,
        check=False,
    )
    entries = []
    for record in listed.stdout.split("\0"):
        if not record:
            continue
        header, _, name = record.partition("\t")
        mode, blob, _stage = header.split()
        entries.append(IndexEntry(name, mode, blob))
    return entries


def untrack_paths(root: Path, paths: Sequence[str]) -> list[IndexEntry]:
    """Remove files from the git index, keeping them on disk.

    :param root: the project root, inside a git work tree.
    :param paths: project-relative paths; those git no longer tracks are skipped.
    :returns: the entries removed (for :func:`restore_entries`).
    :raises UntrackError: when git refuses; the index is then unchanged.
    """
    top = worktree_top(root) if paths else None
    if top is None:
        return []
    saved = _index_entries(root, paths)
    if not saved:
        return []
    names = [entry.name for entry in saved]
    result = git(top, "--literal-pathspecs", "rm", "--cached", "--quiet", "--", *names, check=False)
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines())[:300]
        raise UntrackError(f"git rm --cached failed: {detail}")
    return saved


def restore_entries(root: Path, entries: Sequence[IndexEntry]) -> None:
    """Put untracked entries back in the index, as they were.

    :param root: the project root.
    :param entries: what :func:`untrack_paths` returned.
    """
    top = worktree_top(root)
    if top is None:
        return
    for entry in entries:
        cacheinfo = f"{entry.mode},{entry.blob},{entry.name}"
        git(top, "update-index", "--add", "--cacheinfo", cacheinfo, check=False)
