"""Colour for people at a terminal, never in pipes: ``--color``, ``NO_COLOR``, ``FORCE_COLOR``.

``--color always`` and ``--color never`` win; with ``auto`` (the default) ``NO_COLOR`` turns
colour off, ``FORCE_COLOR`` turns it on, and otherwise only a terminal gets colour. Colouring
adds ANSI codes around lines and changes no byte of them (CRLF and BOMs inside a patch stay).
"""

from __future__ import annotations

import os
from typing import TextIO

RESET = "\033[0m"
STYLES = {
    "bold": "\033[1m",
    "red": "\033[31m",
    "green": "\033[32m",
    "yellow": "\033[33m",
    "blue": "\033[34m",
    "cyan": "\033[36m",
}
PATCH_STYLES = (
    ("diff --git", "bold"),
    ("--- ", "bold"),
    ("+++ ", "bold"),
    ("@@", "cyan"),
    ("+", "green"),
    ("-", "red"),
)
REPORT_STYLES = (
    ("would change:", "green"),
    ("changed:", "green"),
    ("committed ", "green"),
    ("note", "blue"),
    ("needs review", "yellow"),
    ("error", "red"),
    ("project root:", "bold"),
)


def colour_enabled(choice: str, stream: TextIO) -> bool:
    """Decide whether output to a stream gets colour.

    :param choice: ``auto``, ``always`` or ``never`` (from ``--color``).
    :param stream: where the output goes.
    """
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint(line: str, style: str) -> str:
    body = line.removesuffix("\n").removesuffix("\r")
    return f"{STYLES[style]}{body}{RESET}{line[len(body) :]}"


def _styled(text: str, rules: tuple[tuple[str, str], ...]) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        style = next((s for prefix, s in rules if line.startswith(prefix)), None)
        out.append(_paint(line, style) if style else line)
    return "".join(out)


def colour_patch(patch: str) -> str:
    """Colour a unified diff: headers bold, hunks cyan, additions green, removals red."""
    return _styled(patch, PATCH_STYLES)


def colour_report(report: str) -> str:
    """Colour a text report: changes green, notes blue, needs review yellow, errors red."""
    return _styled(report, REPORT_STYLES)
