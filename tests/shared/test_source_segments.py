"""Source segments read from lines split once: the same text as ast.get_source_segment."""

from __future__ import annotations

import ast
from pathlib import Path

from redpanda_migrate.codemods.shared.source_segments import SourceSegments


def test_source_segments_are_those_ast_gives() -> None:
    texts = [
        path.read_text(encoding="utf-8")
        for path in sorted(Path(__file__).parents[2].glob("fixtures/**/migrations/0*.py"))
    ]
    texts.append('x = "é"\r\ny = (1,\r\n  "ü" "ß")\rz = f(2,\n   3)\nw = 1  # ∞')
    assert len(texts) > 10
    for text in texts:
        segments = SourceSegments(text)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.expr):
                assert segments.segment(node) == (ast.get_source_segment(text, node) or "")
