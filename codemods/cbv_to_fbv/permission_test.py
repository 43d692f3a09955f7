"""An overridden ``has_permission()`` of ``PermissionRequiredMixin``, as a test function.

Red Panda Approval V1-02, "Views": access rules as decorators. ``PermissionRequiredMixin``'s
``dispatch`` answers ``handle_no_permission()`` unless ``self.has_permission()``;
``UserPassesTestMixin``'s does the same with ``test_func()`` (Django 4.2 to 5.2), and both
share ``AccessMixin``'s denial. A view whose ``has_permission`` is overridden (a project mixin
accepting *any* of the permissions) is therefore converted as if it listed
``UserPassesTestMixin`` at that place with ``test_func = has_permission``: a
``<view>_allowed(request, **kwargs)`` function run by ``@require_access``.
``self.get_permission_required()`` inside it is the class's ``permission_required`` as
Django's method gives it (a string becomes a one-element tuple).
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import ViewSpec, dotted_name
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported

HAS_PERMISSION_SHAPE = (
    "overrides has_permission() in a way the conversion does not reproduce; make it take only "
    "self and read permission_required as a constant, or convert by hand"
)


def _permissions(spec: ViewSpec) -> cst.BaseExpression:
    value = spec.attrs.get("permission_required")
    if isinstance(value, cst.SimpleString):
        return cst.Tuple(elements=[cst.Element(value)])
    if isinstance(value, cst.Tuple | cst.List) and all(
        isinstance(element.value, cst.SimpleString) for element in value.elements
    ):
        return value
    raise Unsupported(f"{HAS_PERMISSION_SHAPE}: permission_required is not a constant")


class _PermissionsCall(cst.CSTTransformer):
    def __init__(self, spec: ViewSpec) -> None:
        super().__init__()
        self.spec = spec

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if dotted_name(original.func) == "self.get_permission_required" and not original.args:
            return _permissions(self.spec)
        return updated


def permission_as_test(spec: ViewSpec) -> None:
    """Turn ``PermissionRequiredMixin`` with ``has_permission()`` into a user test.

    Enforces "Views" of the standard (access rules as decorators, explicit logic).

    :param spec: the view; its mixins and methods are updated in place.
    :raises Unsupported: for a ``has_permission`` that takes arguments, a view that also has
        ``UserPassesTestMixin``, or a ``permission_required`` it reads that is not constant.
    """
    method = spec.methods.get("has_permission")
    if method is None or "permission" not in spec.mixins:
        return
    if "user_test" in spec.mixins or "test_func" in spec.methods:
        raise Unsupported(f"{HAS_PERMISSION_SHAPE}: the view also has UserPassesTestMixin")
    if [param.name.value for param in method.params.params] != ["self"] or (
        isinstance(method.params.star_arg, cst.Param) or method.params.star_kwarg is not None
    ):
        raise Unsupported(f"{HAS_PERMISSION_SHAPE}: it takes arguments")
    if "get_permission_required" in spec.methods:
        raise Unsupported(f"{HAS_PERMISSION_SHAPE}: get_permission_required() is overridden")
    test = method.visit(_PermissionsCall(spec))
    assert isinstance(test, cst.FunctionDef)
    del spec.methods["has_permission"]
    spec.methods["test_func"] = test.with_changes(name=cst.Name("test_func"))
    spec.mixins[spec.mixins.index("permission")] = "user_test"
