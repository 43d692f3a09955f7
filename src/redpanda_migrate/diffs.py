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
# git's quote_c_style: these bytes get a short escape inside a quoted path; other bytes below
# 0x20, 0x7f and every byte from 0x80 (non-ASCII, or not UTF-8 at all) become octal escapes.
_SHORT_ESCAPES = {
    0x07: "\\a",
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0B: "\\v",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


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


def _needs_quotes(raw: bytes) -> bool:
    return any(byte < 0x20 or byte >= 0x7F or byte in b'"\\' for byte in raw)


def _escape_byte(byte: int) -> str:
    if byte in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[byte]
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}"


def git_path(prefix: str, path: str) -> str:
    """Write a path the way git does in a patch header, so ``git apply`` reads it back.

    A path with a control character, ``"``, ``\\`` or a non-ASCII byte (a file name that is not
    UTF-8 arrives here with surrogate escapes) is C-quoted with octal escapes, as git does.

    :param prefix: ``a/`` or ``b/``.
    :param path: project-relative POSIX path.
    :returns: the header name, quoted when needed.
    """
    raw = (prefix + path).encode("utf-8", "surrogateescape")
    if not _needs_quotes(raw):
        return prefix + path
    return '"' + "".join(_escape_byte(byte) for byte in raw) + '"'


def _file_header(path: str, before: str | None, after: str | None, mode: int) -> list[str]:
    old, new = git_path("a/", path), git_path("b/", path)
    # like git: an unquoted name with a space ends with a tab on the ---/+++ lines
    tab = "\t" if " " in path and not old.startswith('"') else ""
    header = [f"diff --git {old} {new}\n"]
    if before is None:
        header.append(f"new file mode 100{mode:o}\n")
    elif after is None:
        header.append(f"deleted file mode 100{mode:o}\n")
    header.append(f"--- {'/dev/null' if before is None else old + tab}\n")
    header.append(f"+++ {'/dev/null' if after is None else new + tab}\n")
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


def first_changed_line(before: str | None, after: str | None) -> int | None:
    """Return the first line (1-based, in ``before``) where two texts differ.

    :param before: the old text (``None``: the file is new).
    :param after: the new text (``None``: the file is deleted).
    :returns: the line, or ``None`` for a created or deleted file.
    """
    if before is None or after is None:
        return None
    old_lines, new_lines = before.splitlines(), after.splitlines()
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if old != new:
            return number
    return min(len(old_lines), len(new_lines)) + 1
