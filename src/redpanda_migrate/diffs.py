"""The one diff function of the tool, and the line counts read back from it.

Diffs are git-style (``diff --git a/... b/...``, ``new file mode``, ``deleted file mode``), keep
every line ending as it is on disk (CRLF included), and mark a missing final newline, so that
``git apply`` reproduces exactly what ``redpanda-migrate run`` writes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from unidiff import PatchSet

NO_NEWLINE_MARKER = "\\ No newline at end of file\n"


def split_keeping_ends(text: str) -> list[str]:
    """Split text into lines on ``\\n`` only, each keeping its line ending.

    ``str.splitlines`` also splits on form feeds and Unicode separators, which would make the
    diff disagree with git about what a line is.

    :param text: on-disk text.
    :returns: the lines; the last one lacks ``\\n`` when the text does not end with one.
    """
    lines = text.split("\n")
    tail = lines.pop()
    result = [line + "\n" for line in lines]
    if tail:
        result.append(tail)
    return result


def _file_header(path: str, before: str | None, after: str | None, mode: int) -> list[str]:
    header = [f"diff --git a/{path} b/{path}\n"]
    if before is None:
        header.append(f"new file mode 100{mode:o}\n")
    elif after is None:
        header.append(f"deleted file mode 100{mode:o}\n")
    header.append(f"--- {'/dev/null' if before is None else 'a/' + path}\n")
    header.append(f"+++ {'/dev/null' if after is None else 'b/' + path}\n")
    return header


def unified_diff(path: str, before: str | None, after: str | None, mode: int = 0o644) -> str:
    """Diff one file's on-disk text, git-style.

    :param path: project-relative POSIX path (the ``a/`` and ``b/`` paths).
    :param before: on-disk text before, or ``None`` when the file is created.
    :param after: on-disk text after, or ``None`` when the file is deleted.
    :param mode: permission bits, for the ``new file``/``deleted file`` lines.
    :returns: the diff, empty when nothing changed.
    """
    if before == after:
        return ""
    hunks = difflib.unified_diff(
        split_keeping_ends(before or ""), split_keeping_ends(after or ""), n=3, lineterm=""
    )
    body: list[str] = []
    for index, line in enumerate(hunks):
        if index < 2:  # difflib's own ---/+++ lines; ours carry the git prefixes
            continue
        if line.startswith("@@"):
            body.append(line + "\n")
        elif line.endswith("\n"):
            body.append(line)
        else:
            body.extend([line + "\n", NO_NEWLINE_MARKER])
    return "".join(_file_header(path, before, after, mode) + body)


@dataclass(frozen=True)
class DiffStats:
    """Lines added and removed by a diff.

    :param added: number of added lines.
    :param removed: number of removed lines.
    """

    added: int
    removed: int


def diff_stats(patch: str) -> DiffStats:
    """Count the lines a patch adds and removes.

    :param patch: a unified diff as produced by :func:`unified_diff`.
    :returns: the counts (zero for an empty patch).
    """
    if not patch:
        return DiffStats(0, 0)
    patch_set = PatchSet(patch)
    return DiffStats(added=patch_set.added, removed=patch_set.removed)
