"""Names in libcst syntax trees, for codemods that rewrite code."""

from __future__ import annotations

import libcst as cst


def dotted_text(node: cst.BaseExpression) -> str:
    """Render a name or attribute chain as dotted text.

    :param node: an expression.
    :returns: ``models.Model`` for an attribute chain, ``""`` for anything else (a call, a
        subscript).
    """
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_text(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""
