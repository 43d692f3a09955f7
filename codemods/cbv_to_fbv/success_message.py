"""An overridden ``get_success_message()`` as a function of its own, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": shared logic in plain functions. ``SuccessMessageMixin``
calls ``self.get_success_message(form.cleaned_data)`` after the form was saved (or the object
deleted) and adds the message when it is not empty; an override becomes
``<view>_success_message(request, cleaned_data, **kwargs)`` (``obj`` too when it reads
``self.object``), written before the view. Attributes the override assigns on ``self``
(``self.success_message = ...``) live only for that request, so they become locals that start
from the class attribute's value.
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import ViewBuilder, node_code

# Defaults of the attributes of SuccessMessageMixin an override may assign.
MIXIN_DEFAULTS = {"success_message": '""'}


class _SelfAssignments(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
        ):
            self.names.add(target.attr.value)


class _SelfToLocal(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if (
            isinstance(original.value, cst.Name)
            and original.value.value == "self"
            and original.attr.value in self.names
        ):
            return cst.Name(original.attr.value)
        return updated


def success_message_call(builder: ViewBuilder) -> str | None:
    """Write the function for an overridden ``get_success_message`` and return its call.

    :param builder: the builder of the view (the function goes into ``builder.before``).
    :returns: the call (``product_create_success_message(request, form.cleaned_data, ...)``),
        or ``None`` when the class does not override ``get_success_message``.
    :raises Unsupported: for a signature other than ``(self, cleaned_data)`` or an attribute
        assigned on ``self`` that has no starting value.
    """
    spec = builder.spec
    func = spec.methods.get("get_success_message")
    if func is None:
        return None
    params = parameter_names(parameters_without_self(func))
    if len(params) != 1 or isinstance(func.params.star_arg, cst.Param):
        raise Unsupported("get_success_message() must take exactly (self, cleaned_data)")
    finder = _SelfAssignments()
    func.visit(finder)
    prelude = []
    for name in sorted(finder.names):
        if name in spec.attrs:
            prelude.append(f"{name} = {builder.attr_code(name)}")
        elif name in MIXIN_DEFAULTS:
            prelude.append(f"{name} = {MIXIN_DEFAULTS[name]}")
        else:
            raise Unsupported(
                f"get_success_message() sets self.{name}, which has no starting value"
            )
    local = func.visit(_SelfToLocal(finder.names))
    assert isinstance(local, cst.FunctionDef)
    reads_object = "self.object" in node_code(func.body)
    object_name = "obj" if reads_object and spec.kind in ("update", "delete", "create") else None
    if reads_object and object_name is None:
        raise Unsupported("get_success_message() reads self.object, which a form view lacks")
    reserved = {"request", "kwargs"} | ({"obj"} if object_name else set())
    statements = rewrite_body(
        local,
        builder.context(
            "get_success_message", reserved=frozenset(reserved), object_name=object_name
        ),
    )
    name = f"{spec.func_name}_success_message"
    signature = ", ".join(["request", params[0], *(["obj"] if object_name else []), "**kwargs"])
    body = cst.Module(body=statements).code
    lines = [
        f"def {name}({signature}):",
        f'    """The message {spec.func_name} shows once it succeeded (get_success_message)."""',
        *(f"    {line}" for line in prelude),
        *("    " + line if line else "" for line in body.rstrip("\n").split("\n")),
    ]
    builder.before.append("\n".join(lines))
    arguments = ["request", "form.cleaned_data", *(["obj"] if object_name else []), "**kwargs"]
    return f"{name}({', '.join(arguments)})"
