"""An overridden ``delete()`` on a delete view: what it does before Django deletes.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. Since Django 4.0,
``DeleteView`` answers a POST through its form and ``form_valid()``; only an HTTP DELETE
request reaches ``delete()`` (``DeletionMixin.delete``: look the object up, delete it,
redirect). A ``delete()`` that does something, then ``return super().delete(request, *args,
**kwargs)``, therefore runs its lines on DELETE requests only, before the object is looked up:
the function starts with them, under ``if request.method == "DELETE":``.
"""

from __future__ import annotations

from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import RESERVED, ViewBuilder, node_code

SUPER_DELETE = "super().delete(request, *args, **kwargs)"
DELETE_SHAPE = (
    "overrides delete() with more than lines before Django's deletion; it must end with "
    f"return {SUPER_DELETE} and call super() nowhere else (or convert by hand)"
)


def emit_delete_prelude(builder: ViewBuilder) -> None:
    """Write an overridden ``delete()``'s lines before ``super().delete()``, for DELETE only.

    ``self.object`` is not set yet when Django calls ``delete()``; reading it is refused.

    :param builder: the builder of the delete view, before it wrote anything else.
    :raises Unsupported: for a ``delete()`` of another shape.
    """
    func = builder.spec.methods.get("delete")
    if func is None:
        return
    if parameter_names(parameters_without_self(func)) != ["request", "args", "kwargs"]:
        raise Unsupported(f"{DELETE_SHAPE}: it must take (self, request, *args, **kwargs)")
    context = builder.context(
        "delete",
        reserved=RESERVED - {"request", "kwargs"} | {"args"},
        super_calls={"delete": lambda call: call},
        object_name=None,
    )
    statements = rewrite_body(func, context)
    if not statements or node_code(statements[-1]).strip() != f"return {SUPER_DELETE}":
        raise Unsupported(DELETE_SHAPE)
    prelude = statements[:-1]
    if any("super()" in node_code(statement) for statement in prelude):
        raise Unsupported(DELETE_SHAPE)
    if prelude:
        builder.emit('if request.method == "DELETE":')
        first = prelude[0].with_changes(leading_lines=())
        builder.emit_statements([first, *prelude[1:]], 2)
