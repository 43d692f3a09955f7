"""Overrides that give a value: inlined in the view, or written as a function before it.

Red Panda Approval V1-02, "Views": shared logic in utility functions. An override that returns
once, at its end (``get_template_names``, ``get_form_class``), is inlined where Django called it;
one that returns in several places becomes a function ``<view>_<what>(request, ..., **kwargs)``
written before the view, with ``super()`` replaced by what the generic view would have given.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import ViewBuilder, node_code, super_default
from redpanda_migrate.codemods.cbv_to_fbv.text import short_docstring


def template_names(builder: ViewBuilder, default: Callable[[], str | None]) -> str:
    """Name the templates to render: the inlined ``get_template_names()``, or the default.

    The override runs where ``render_to_response()`` called it, after the context.

    :param builder: the builder of the view.
    :param default: gives the names the generic view's own ``get_template_names()`` gives
        (``super().get_template_names()``), or ``None`` when it would raise.
    :returns: the expression of the template names.
    :raises Unsupported: for no template at all, or an override that cannot be inlined.
    """
    func = builder.spec.methods.get("get_template_names")
    calls_super = func is not None and "super().get_template_names(" in node_code(func)
    names = default() if func is None or calls_super else None
    if func is None or (calls_super and names is None):
        if names is None:
            raise Unsupported("has no template_name")
        return names
    return override_value(builder, "get_template_names", "template_names", names)


def override_value(builder: ViewBuilder, method: str, target: str, default: str | None) -> str:
    """Use an override's value: inlined, or its own function when it returns in branches.

    :param builder: the builder of the view.
    :param method: the overridden method (it takes no arguments).
    :param target: the local an inlined body may assign.
    :param default: the value of ``super().<method>()``, or ``None`` when it has none.
    :returns: the expression of the value.
    :raises Unsupported: for an override that cannot be written as plain code.
    """
    func = builder.spec.methods[method]
    if returns_once_at_end(func):
        return builder.inline_value(method, target, default, level=1)
    return method_function(builder, method, target, default)


def method_function(builder: ViewBuilder, method: str, suffix: str, default: str | None) -> str:
    """Write an override as a function before the view's; return the call to it.

    The function takes ``request``, the view's object when the body reads ``self.object``
    (or ``super()`` needs it), the queryset when ``super()`` needs it, and the URL's
    keyword arguments.

    :param builder: the builder of the view.
    :param method: the overridden method (it takes no arguments).
    :param suffix: the function is named ``<view>_<suffix>``.
    :param default: the value of ``super().<method>()``, or ``None`` when it has none.
    :returns: the call expression.
    :raises Unsupported: for a body that falls through or has no plain equivalent.
    """
    func = builder.spec.methods[method]
    if parameter_names(parameters_without_self(func)):
        raise Unsupported(f"{method}() takes arguments")
    calls_super = f"super().{method}(" in node_code(func)
    needs = (default or "") if calls_super else ""
    has_object = builder.context(method).object_name is not None
    uses_object = has_object and (
        "self.object" in node_code(func) or re.search(r"\bobj\b", needs) is not None
    )
    locals_ = ["obj"] if uses_object else []
    locals_ += ["queryset"] if re.search(r"\bqueryset\b", needs) else []
    supers = {}
    if default is not None:
        supers[method] = lambda call: super_default(call, default, method)
    context = builder.context(
        method,
        object_name="obj" if uses_object else None,
        reserved=frozenset({"request", "kwargs", "obj", "queryset"}),
        super_calls=supers,
    )
    statements = rewrite_body(func, context)
    if not always_returns(statements):
        raise Unsupported(f"{method}() does not end with return")
    body = cst.Module(body=statements).code
    if '"""' in body or "'''" in body:
        raise Unsupported("has a multi-line string in a method; move it by hand")
    name = f"{builder.spec.func_name}_{suffix}"
    params = ", ".join(["request", *locals_, "/", "**kwargs"])
    builder.before.append(
        "\n".join(
            [
                f"def {name}({params}):",
                short_docstring(
                    f"Give {builder.spec.func_name}'s {suffix.replace('_', ' ')}",
                    f"was {builder.spec.class_name}.{method}",
                    builder.width,
                ),
                *("    " + line if line else "" for line in body.rstrip("\n").split("\n")),
            ]
        )
    )
    return f"{name}({', '.join(['request', *locals_, '**kwargs'])})"


def returns_once_at_end(func: cst.FunctionDef) -> bool:
    """Tell whether a method's only ``return`` is its last statement.

    :param func: the method.
    :returns: whether its value can be inlined as one expression after its other statements.
    """
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else [func.body]
    last = body[-1] if body else None
    ends_with_return = isinstance(last, cst.SimpleStatementLine | cst.SimpleStatementSuite) and (
        isinstance(last.body[-1], cst.Return)
    )
    return ends_with_return and _count_returns(func.body) == 1


class _ReturnCounter(cst.CSTVisitor):
    """Counts the ``return`` statements under a node, nested functions' too."""

    def __init__(self) -> None:
        self.count = 0

    def visit_Return(self, node: cst.Return) -> None:
        self.count += 1


def _count_returns(node: cst.CSTNode) -> int:
    # a visitor rather than libcst.matchers, whose import alone costs a fifth of a second
    counter = _ReturnCounter()
    node.visit(counter)
    return counter.count
