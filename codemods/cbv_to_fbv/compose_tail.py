"""A method that ends by handing over to its project base's method, merged into one.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A view's
``form_valid`` that sets something on the form, then ``return super().form_valid(form)``, over a
project mixin's ``form_valid`` (which cleans fields, adds a message and calls Django's) is one
method: the view's lines, then the mixin's. Returning what the base's method returns is running
the base's lines in place, as long as the arguments are passed on unchanged in name and the
view's locals cannot leak into the base's lines.
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import NameUses
from redpanda_migrate.codemods.cbv_to_fbv.compose import (
    _body,
    _Bound,
    _passed_through,
    calls_super,
    compose_super,
    is_docstring_or_pass,
)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def compose_tail(override: cst.FunctionDef, base: cst.FunctionDef) -> cst.FunctionDef | None:
    """Merge ``<lines>; return super().m(<its own arguments>)`` with the base's ``m``.

    :param override: the nearer method; its last statement must be that ``return``, and it
        must not call ``super().m`` anywhere else.
    :param base: the project base's method, with the same signature.
    :returns: the merged method (the override's name, signature and docstring: its lines, then
        the base's), or ``None`` when the two cannot be merged without changing what either
        does.
    """
    name = override.name.value
    if _code(override.params) != _code(base.params):
        return None
    own = _body(override)
    inherited = _body(base)
    if not own or not inherited:
        return None
    last = own[-1]
    small = last.body[0] if isinstance(last, cst.SimpleStatementLine) else None
    expected = f"super().{name}({_passed_through(override)})"
    if not (
        isinstance(small, cst.Return)
        and len(last.body) == 1  # type: ignore[attr-defined]
        and small.value is not None
        and _code(small.value) == expected
    ):
        return None
    prelude = own[:-1]
    if any(calls_super(statement, name) for statement in prelude):  # type: ignore[arg-type]
        return None
    bound = _Bound()
    for statement in prelude:
        statement.visit(bound)
    parameters = {param.name.value for param in override.params.params}
    if isinstance(override.params.star_arg, cst.Param):
        parameters.add(override.params.star_arg.name.value)
    if override.params.star_kwarg is not None:
        parameters.add(override.params.star_kwarg.name.value)
    uses = NameUses()
    for statement in inherited:
        statement.visit(uses)
    if (bound.names - parameters) & uses.names:
        return None  # a local of the override would shadow a name the base's lines read
    first_inherited = inherited[0].with_changes(leading_lines=())
    merged = [*prelude, first_inherited, *inherited[1:]]
    docstring = [s for s in override.body.body[:1] if is_docstring_or_pass(s)]  # type: ignore[union-attr]
    return override.with_changes(body=override.body.with_changes(body=[*docstring, *merged]))


def compose_after_prelude(
    override: cst.FunctionDef, base: cst.FunctionDef
) -> cst.FunctionDef | None:
    """Merge ``<lines>; v = super().m(<its own arguments>); <rest>`` with the base's ``m``.

    The override's first lines run before the base's in the class too (they come before the
    ``super()`` call), so they stay first: then the base's lines, then the rest, as
    :func:`~codemods.cbv_to_fbv.compose.compose_super` merges them. The first lines' locals
    must be names the base's lines neither read nor bind.

    :param override: the nearer method.
    :param base: the project base's method.
    :returns: the merged method, or ``None`` when the two cannot be merged exactly.
    """
    own = _body(override)
    name = override.name.value
    index = next(
        (i for i, statement in enumerate(own) if calls_super(statement, name)),  # type: ignore[arg-type]
        None,
    )
    if not index:
        return None  # no super() call, or it is first: compose_super's case
    prelude, remainder = own[:index], own[index:]
    returns = _ReturnFinder()
    for statement in prelude:
        statement.visit(returns)
    if returns.found:
        return None
    bound = _Bound()
    for statement in prelude:
        statement.visit(bound)
    base_bound = _Bound()
    base_uses = NameUses()
    for statement in _body(base):
        statement.visit(base_bound)
        statement.visit(base_uses)
    if bound.names & (base_bound.names | base_uses.names):
        return None
    docstring = [s for s in override.body.body[:1] if is_docstring_or_pass(s)]  # type: ignore[union-attr]
    shortened = override.with_changes(
        body=override.body.with_changes(body=[*docstring, *remainder])
    )
    merged = compose_super(shortened, base)
    if merged is None:
        return None
    merged_body = list(merged.body.body)  # type: ignore[union-attr]
    split = len(docstring)
    return merged.with_changes(
        body=merged.body.with_changes(body=[*merged_body[:split], *prelude, *merged_body[split:]])
    )


class _ReturnFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Return(self, node: cst.Return) -> None:
        self.found = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False
