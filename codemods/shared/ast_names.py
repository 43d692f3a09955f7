"""Names in Python syntax trees read with :mod:`ast`, for codemods that only read code."""

from __future__ import annotations

import ast


def dotted_name(node: ast.AST) -> str:
    """Render a name or attribute chain as dotted text.

    :param node: an expression.
    :returns: ``models.Model`` for an attribute chain, ``""`` for anything else (a call, a
        subscript).
    """
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""
