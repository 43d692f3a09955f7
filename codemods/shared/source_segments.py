"""Source text of :mod:`ast` nodes, for codemods reading many nodes of one module.

:func:`ast.get_source_segment` splits the whole text into lines at every call, which makes
reading every constant of a large module quadratic; this splits it once.
"""

from __future__ import annotations

import ast
import re

# a line with its end, split only where the tokenizer ends lines (as ast.get_source_segment)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class SourceSegments:
    """The lines of one module's text, split once, to read nodes' source from.

    :param text: the module's source.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[bytes] | None = None

    def segment(self, node: ast.AST) -> str:
        """Return the source of ``node``, as :func:`ast.get_source_segment` does (unpadded).

        :param node: a node of the module parsed from :attr:`text`.
        :returns: its source, ``""`` for a node without positions.
        """
        end_lineno = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        if end_lineno is None or end_col is None:
            return ""
        if self._lines is None:  # column offsets count UTF-8 bytes
            self._lines = [line.encode() for line in _LINE.findall(self.text)]
        lines = self._lines
        first, last = node.lineno - 1, end_lineno - 1  # type: ignore[attr-defined]
        start = node.col_offset  # type: ignore[attr-defined]
        if first == last:
            return lines[first][start:end_col].decode()
        middle = b"".join(lines[first + 1 : last])
        return (lines[first][start:] + middle + lines[last][:end_col]).decode()
