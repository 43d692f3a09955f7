"""A ``get()`` override that only guards the page, written before the page, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A template, list
or detail view whose ``get()`` checks something first (``if Child.objects.count() == 1: return
HttpResponseRedirect(...)``) and ends with ``return super().get(request, *args, **kwargs)``
does that check, then renders as Django would. The check becomes the first lines of the
function; HEAD runs it too, as ``View.setup`` makes ``head`` the same method as ``get``.
"""

from __future__ import annotations

from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import RESERVED, ViewBuilder, node_code

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
