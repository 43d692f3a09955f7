"""A project base's method that a view's override calls with ``super()``, kept as a helper.

Red Panda Approval V1-02, "Views": shared logic in utility functions. When a view's
``form_valid`` uses what its project base's ``form_valid`` returns in a way that cannot be
merged into one method (``if super().form_valid(form).status_code == 302: ...``), and the
base's method is the end of the chain (it calls no ``super()`` itself, so Django's method never
runs), the base's method is the view's own helper ``base_form_valid(self, form)`` and each
``super().form_valid(...)`` of the override calls it: ``self.base_form_valid(...)``. It then
converts as any own helper method (:mod:`.own_methods`): a function
``<view>_base_form_valid(request, form)``.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
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
