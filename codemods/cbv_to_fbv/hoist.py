"""A project base's method that a view's override calls with ``super()``, kept as a helper.

Red Panda Approval V1-02, "Views": shared logic in utility functions. When a view's
``form_valid`` uses what its project base's ``form_valid`` returns in a way that cannot be
merged into one method (``if super().form_valid(form).status_code == 302: ...``), and the
base's method is the end of the chain (it calls no ``super()`` itself, so Django's method never
runs), the base's method is the view's own helper ``base_form_valid(self, form)`` and each
``super().form_valid(...)`` of the override calls it: ``self.base_form_valid(...)``. It then
converts as any own helper method (:mod:`.own_methods`): a function
``<view>_base_form_valid(request, form)``.

A base's ``get_form_kwargs(self, *args, **kwargs)`` that only passes its arguments on is read
as ``get_form_kwargs(self)`` under an override that takes none, so the two merge.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import NameUses
from redpanda_migrate.codemods.cbv_to_fbv.compose import calls_super


class _SuperToHelper(cst.CSTTransformer):
    def __init__(self, member: str, helper: str) -> None:
        super().__init__()
        self.member = member
        self.helper = helper
        self.other = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
        ):
            if func.attr.value != self.member or func.value.args:
                self.other = True
                return updated
            return updated.with_changes(
                func=cst.Attribute(value=cst.Name("self"), attr=cst.Name(self.helper))
            )
        return updated


def _calls_any_super(method: cst.FunctionDef) -> bool:
    code = cst.Module(body=[]).code_for_node(method)
    return "super(" in code


def hoist_base_method(
    override: cst.FunctionDef, base: cst.FunctionDef, member: str, taken: Collection[str]
) -> tuple[cst.FunctionDef, cst.FunctionDef] | None:
    """Keep a base's method as the view's helper and point the override's ``super()`` at it.

    :param override: the view's method, calling ``super().<member>(...)``.
    :param base: the project base's method of the same name.
    :param member: the method's name.
    :param taken: names the view's class already defines.
    :returns: the rewritten override and the helper, or ``None`` when the base's method calls
        ``super()`` itself (Django's method would run too) or the override calls another
        ``super()`` method.
    """
    helper = f"base_{member}"
    if helper in taken or _calls_any_super(base) or not calls_super(override, member):
        return None
    rewriter = _SuperToHelper(member, helper)
    rewritten = override.visit(rewriter)
    if rewriter.other or not isinstance(rewritten, cst.FunctionDef):
        return None
    return rewritten, base.with_changes(name=cst.Name(helper), decorators=())


def _names_used(statements: list[cst.BaseStatement]) -> set[str]:
    uses = NameUses()
    for statement in statements:
        statement.visit(uses)
    return uses.names


def narrow_pass_through(override: cst.FunctionDef, base: cst.FunctionDef) -> cst.FunctionDef:
    """Read a base's ``m(self, *args, **kwargs)`` passing them on as ``m(self)`` for an override.

    An override ``m(self)`` calls ``super().m()`` without arguments, so in the base ``args`` and
    ``kwargs`` are empty and its first statement ``v = super().m(*args, **kwargs)`` is
    ``v = super().m()``, as long as nothing else reads them before that statement rebinds
    ``kwargs``. The two then have one signature and merge like any pair (:mod:`.compose`).

    :param override: the nearer method.
    :param base: the project base's method of the same name.
    :returns: the base narrowed to ``(self)``, or the base unchanged when that is not exact.
    """
    code = cst.Module(body=[]).code_for_node
    name = override.name.value
    params = base.params
    if (
        code(override.params) != "self"
        or [p.name.value for p in params.params] != ["self"]
        or not isinstance(params.star_arg, cst.Param)
        or params.star_kwarg is None
        or params.kwonly_params
        or not isinstance(base.body, cst.IndentedBlock)
    ):
        return base
    star, double = params.star_arg.name.value, params.star_kwarg.name.value
    statements = list(base.body.body)
    first = statements[0] if statements else None
    small = first.body[0] if isinstance(first, cst.SimpleStatementLine) else None
    if not (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and code(small.value) == f"super().{name}(*{star}, **{double})"
    ):
        return base
    rest = _names_used(statements[1:])
    target = small.targets[0].target.value
    if star in rest or (double in rest and target != double):
        return base
    assert isinstance(first, cst.SimpleStatementLine)
    narrowed = first.with_changes(
        body=[small.with_changes(value=cst.parse_expression(f"super().{name}()"))]
    )
    return base.with_changes(
        params=params.with_changes(
            params=[params.params[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)],
            star_arg=cst.MaybeSentinel.DEFAULT,
            star_kwarg=None,
        ),
        body=base.body.with_changes(body=[narrowed, *statements[1:]]),
    )
