"""What a guarding ``dispatch()`` may use besides the request: ``self.get_object()``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A project mixin's
``dispatch()`` often checks ownership before the view runs::

    self.kwargs = kwargs
    self.request = request
    try:
        owner = self.get_object().get_owner_object()
    except AttributeError:
        owner = False

``View.setup()`` already set ``self.request`` and ``self.kwargs`` to those very objects, so the
two assignments change nothing and go. ``self.get_object()`` is ``SingleObjectMixin.get_object``
(detail, create, update and delete views) over the view's default queryset: the ``get_object``
helper, which raises ``AttributeError`` without a pk or slug in the URL just as Django does (a
create view's case the ``except AttributeError`` above relies on).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import SELF_STATE, _self_assignments
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.builder import HELPERS, ViewBuilder, node_code

OBJECT_KINDS = ("detail", "create", "update", "delete")
GUARD_GET_OBJECT = (
    "calls self.get_object() in dispatch() on a view whose get_object() or get_queryset() is "
    "overridden or that has no model or queryset; look the object up explicitly in "
    "dispatch() or convert by hand"
)


def drop_setup_assignments(
    statements: Sequence[cst.BaseStatement], request_name: str | None
) -> list[cst.BaseStatement]:
    """Drop ``self.kwargs = kwargs`` and ``self.request = request`` (no-ops after setup()).

    :param statements: the checks of ``dispatch()``.
    :param request_name: the name of its request parameter, or ``None`` when it takes none.
    :returns: the statements without those assignments.
    """
    no_ops = {"self.kwargs = kwargs"}
    if request_name is not None:
        no_ops.add(f"self.request = {request_name}")
    kept: list[cst.BaseStatement] = []
    for statement in statements:
        code = node_code(statement.with_changes(leading_lines=())).strip()
        if isinstance(statement, cst.SimpleStatementLine) and code in no_ops:
            continue
        kept.append(statement)
    if kept and len(kept) < len(statements) and statements[0] is not kept[0]:
        kept[0] = kept[0].with_changes(leading_lines=())
    return kept


def refuse_self_state(statements: Sequence[cst.BaseStatement], owner: str) -> None:
    """Refuse checks that set an attribute on ``self`` for the view's methods to read later.

    :param statements: the checks, without the no-op assignments.
    :param owner: the class defining ``dispatch()``, for the message.
    :raises Unsupported: naming the first such attribute.
    """
    method = cst.FunctionDef(
        name=cst.Name("dispatch"),
        params=cst.Parameters(),
        body=cst.IndentedBlock(body=list(statements) or [cst.SimpleStatementLine([cst.Pass()])]),
    )
    assigned = _self_assignments(method)
    if assigned:
        raise Unsupported(f"{SELF_STATE}: self.{assigned[0]} in {owner}.dispatch()")


def guard_self_calls(
    builder: ViewBuilder, statements: Sequence[cst.BaseStatement]
) -> dict[str, cst.BaseExpression]:
    """``self.get_object()`` in a guarding ``dispatch()``, as the ``get_object`` helper.

    :param builder: the builder of the view.
    :param statements: the checks, to see whether they call ``self.get_object()`` at all.
    :returns: ``{"get_object": <call>}``, or nothing when the checks do not call it.
    :raises Unsupported: when the view's ``get_object()`` is not Django's over a plain queryset.
    """
    text = "\n".join(node_code(statement) for statement in statements)
    if "self.get_object(" not in text:
        return {}
    spec = builder.spec
    if spec.kind not in OBJECT_KINDS:
        return {}  # no get_object() at all: the rewrite refuses the call as before
    if "get_object" in spec.methods or "get_queryset" in spec.methods:
        raise Unsupported(f"{GUARD_GET_OBJECT}: {spec.class_name}")
    queryset = builder.queryset_default(ordering=False)
    if queryset is None:
        raise Unsupported(f"{GUARD_GET_OBJECT}: {spec.class_name}")
    options = ""
    for name in ("pk_url_kwarg", "slug_url_kwarg", "slug_field", "query_pk_and_slug"):
        if builder.attr(name) is not None:
            options += f", {name}={builder.attr_code(name)}"
    helper = builder.need(HELPERS, "get_object")
    return {"get_object": cst.parse_expression(f"{helper}({queryset}, kwargs{options})")}
