"""Overrides that only check something before Django's code runs, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance.

* A template, list or detail view whose ``get()`` checks something first (``if
  Child.objects.count() == 1: return HttpResponseRedirect(...)``) and ends with ``return
  super().get(request, *args, **kwargs)`` does that check, then renders as Django would. The
  check becomes the first lines of the function; HEAD runs it too, as ``View.setup`` makes
  ``head`` the same method as ``get``.
* A ``dispatch()`` (of the view or of a project mixin) that checks something and ends with
  ``return super().dispatch(...)`` runs at its class's place in the method resolution order,
  after ``setup()`` and before the method check: its checks become ``<view>_checks(request,
  *args, **kwargs)``, run by ``@check_first(<view>_checks)`` at that place among the view's
  decorators.
"""

from __future__ import annotations

import re

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import DispatchGuard
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    NameUses,
    Unsupported,
    is_docstring,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import HELPERS, RESERVED, ViewBuilder, node_code
from redpanda_migrate.codemods.cbv_to_fbv.guard_object import (
    drop_setup_assignments,
    guard_self_calls,
    refuse_self_state,
)

GUARD_KINDS = ("template", "list", "detail")
SUPER_GET = "super().get(request, *args, **kwargs)"


def emit_get_guard(builder: ViewBuilder) -> None:
    """Write the statements of an overridden ``get()`` before its ``super().get()`` call.

    :param builder: the builder of the view, before its renderer wrote anything.
    :raises Unsupported: for a ``get()`` that does not end with ``return super().get(...)``,
        calls it elsewhere, or reads ``args``.
    """
    func = builder.spec.methods.get("get")
    if func is None:
        return
    reason = f"{GET_NOT_A_GUARD}: it must end with return {SUPER_GET}"
    if parameter_names(parameters_without_self(func)) != ["request", "args", "kwargs"]:
        raise Unsupported(f"{GET_NOT_A_GUARD}: it must take (self, request, *args, **kwargs)")
    context = builder.context(
        "get",
        reserved=RESERVED - {"request", "kwargs"} | {"args"},
        super_calls={"get": lambda call: call},
        object_name=None,
    )
    statements = rewrite_body(func, context)
    if not statements:
        raise Unsupported(reason)
    *prelude, last = statements
    if node_code(last).strip() != f"return {SUPER_GET}":
        raise Unsupported(reason)
    if any("super()" in node_code(statement) for statement in prelude):
        raise Unsupported(reason)
    if prelude:
        builder.emit_statements(prelude, 1)


GET_NOT_A_GUARD = "overrides get() with more than a check before the page; convert by hand"


def _dispatch_parts(
    method: cst.FunctionDef,
) -> tuple[list[cst.BaseStatement], bool] | None:
    """Split ``dispatch()`` into its checks and tell whether it names ``request`` itself."""
    if method.asynchronous is not None or method.decorators:
        return None
    params = method.params
    names = [param.name.value for param in params.params]
    star = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
    double = params.star_kwarg.name.value if params.star_kwarg is not None else None
    if star != "args" or double != "kwargs" or params.kwonly_params or params.posonly_params:
        return None
    if names == ["self", "request"]:
        call = "super().dispatch(request, *args, **kwargs)"
    elif names == ["self"]:
        call = "super().dispatch(*args, **kwargs)"
    else:
        return None
    body = method.body.body if isinstance(method.body, cst.IndentedBlock) else []
    statements = list(body)
    if statements and is_docstring(statements[0]):
        statements = statements[1:]
    last = statements[-1] if statements else None
    if len(statements) < 2 or node_code(last.with_changes(leading_lines=())).strip() != (  # type: ignore[union-attr]
        f"return {call}"
    ):
        return None
    prelude = statements[:-1]
    if any("super()" in node_code(statement) for statement in prelude):
        return None
    uses = NameUses()
    for statement in prelude:
        statement.visit(uses)
    if "args" in uses.names:
        return None  # ``args`` holds the request too when dispatch takes no ``request``
    return prelude, names == ["self", "request"]


def is_guard_dispatch(method: cst.FunctionDef) -> bool:
    """Tell whether ``dispatch()`` only checks something, then calls ``super().dispatch()``.

    :param method: the ``dispatch`` method (``super(Owner, self)`` already ``super()``).
    :returns: ``True`` for checks followed by ``return super().dispatch(...)`` passing its own
        arguments on, with no other ``super()`` and no use of ``args``.
    """
    return _dispatch_parts(method) is not None


def dispatch_guard_decorator(builder: ViewBuilder, guard: DispatchGuard, index: int) -> str:
    """Write a guarding ``dispatch()``'s checks as a function; return the decorator running it.

    :param builder: the builder of the view (the function goes into ``builder.before``).
    :param guard: the ``dispatch`` to write.
    :param index: how many guards of this view came before (names stay distinct).
    :returns: the decorator, ``check_first(<view>_checks)``.
    :raises Unsupported: for something in the checks with no plain equivalent, or a bare
        ``return`` (the class answered ``None``, an error; the function would go on).
    """
    parts = _dispatch_parts(guard.method)
    if parts is None:
        raise Unsupported(f"{DISPATCH_NOT_A_GUARD}: {guard.owner}.dispatch()")
    prelude, takes_request = parts
    prelude = drop_setup_assignments(prelude, "request" if takes_request else None)
    refuse_self_state(prelude, guard.owner)
    context = builder.context(
        "dispatch",
        reserved=frozenset({"args"}),
        object_name=None,
        self_calls=guard_self_calls(builder, prelude),
    )
    method = guard.method.with_changes(body=cst.IndentedBlock(body=prelude))
    statements = rewrite_body(method, context)
    body = cst.Module(body=statements).code
    if '"""' in body or "'''" in body:
        raise Unsupported("has a multi-line string in a method; move it by hand")
    if re.search(r"^\s*return(\s+None)?\s*$", body, re.MULTILINE):
        raise Unsupported(f"{DISPATCH_NOT_A_GUARD}: {guard.owner}.dispatch() returns None")
    builder.imports |= guard.imports
    name = f"{builder.spec.func_name}_checks" + (f"_{index + 1}" if index else "")
    lines = [
        f"def {name}(request, *args, **kwargs):",
        f'    """Check what {guard.owner}.dispatch() checked before the view."""',
        *("    " + line if line else "" for line in body.rstrip("\n").split("\n")),
    ]
    builder.before.append("\n".join(lines))
    return f"{builder.need(HELPERS, 'check_first')}({name})"


DISPATCH_NOT_A_GUARD = (
    "overrides dispatch() with more than checks before super().dispatch(); convert by hand"
)
