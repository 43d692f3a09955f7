"""Branches whose test became a constant once class attributes were written in, folded away.

Red Panda Approval V1-02, "Views": explicit logic. A project mixin's method tests its class
attributes (``if self.owner_object:``, ``for field in self.clean_html:``); in the generated
function each attribute is its value, so ``if False:`` or ``for field in ():`` would remain.
Only literal tests are folded (strings, numbers, ``True``/``False``/``None``, empty
displays), whose truth Python itself fixes; anything else (a lazy translation) stays.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def _truth(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return node.value == "True"
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return None if value is None else bool(value)
    if isinstance(node, cst.Integer):
        return bool(node.evaluated_value)
    if isinstance(node, cst.Tuple | cst.List | cst.Dict) and not node.elements:
        return False
    return None


def _block(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [cst.SimpleStatementLine(body=list(suite.body))]  # type: ignore[attr-defined]


class _Fold(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.elifs: set[int] = set()  # an ``elif`` is not a statement of its own
        self.dropped: set[int] = set()  # placeholders of removed statements

    def _drop(self, statement: cst.BaseStatement) -> cst.BaseStatement:
        """Stand in for a removed statement until its block hands its place to the next."""
        placeholder = cst.SimpleStatementLine(
            body=[cst.Pass()], leading_lines=statement.leading_lines
        )
        self.dropped.add(id(placeholder))
        return placeholder

    def _close(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """Drop the placeholders; the next statement takes the first one's place.

        It gets the blank lines the removed statement had before it (none at the top of the
        block), and keeps its comments.
        """
        kept: list[cst.BaseStatement] = []
        pending: Sequence[cst.EmptyLine] | None = None
        for statement in body:
            if id(statement) in self.dropped:
                if pending is None:
                    pending = statement.leading_lines
                continue
            if pending is not None:
                own = list(statement.leading_lines)
                while own and own[0].comment is None:
                    own.pop(0)
                # at the top of a block, no blank line leads in
                lead = [*pending, *own] if kept else own
                statement = statement.with_changes(leading_lines=lead)
                pending = None
            kept.append(statement)
        return kept

    def visit_If(self, node: cst.If) -> None:
        if isinstance(node.orelse, cst.If):
            self.elifs.add(id(node.orelse))

    def leave_If(
        self, original: cst.If, updated: cst.If
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        truth = _truth(updated.test)
        if truth is None or id(original) in self.elifs:
            return updated
        if truth:
            kept = _block(updated.body)
        elif isinstance(updated.orelse, cst.If):
            return updated.orelse.with_changes(leading_lines=updated.leading_lines)
        elif isinstance(updated.orelse, cst.Else):
            kept = _block(updated.orelse.body)
        else:
            return self._drop(updated)
        if not kept:
            return self._drop(updated)
        kept[0] = kept[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel(kept)

    def leave_For(
        self, original: cst.For, updated: cst.For
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if _truth(updated.iter) is not False:
            return updated
        if updated.orelse is None:
            return self._drop(updated)
        return cst.FlattenSentinel(_block(updated.orelse.body))

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self._close(updated.body)
        if body:
            return updated.with_changes(body=body)
        return updated.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._close(updated.body))


def fold_constant_branches(statements: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Drop the branches of ``if``/``for`` statements that a literal test never runs.

    Enforces "Views" of the standard (explicit logic, no dead branches left by the rewrite).

    :param statements: a rewritten body.
    :returns: the body with ``if <literal>:`` reduced to the branch that runs and
        ``for x in <empty display>:`` to its ``else`` (or nothing).
    """
    module = cst.Module(body=list(statements)).visit(_Fold())
    return list(module.body)
