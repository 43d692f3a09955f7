"""An overridden ``get_form()`` that adjusts the form Django built, as plain lines.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. Projects override
``get_form`` (often in a shared mixin) to set up the form after Django built it: a crispy-forms
``FormHelper``, a submit button, a CSS class. Such an override is
``form = super().get_form(form_class)``, lines that adjust ``form``, ``return form``. Django
calls ``get_form()`` wherever it needs the form: on GET inside ``get_context_data()``, on POST
(and PUT) before validating it, on a delete view's POST before ``form_valid()``. The function
builds the form at those places and runs the adjusting lines right after each.
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    NameUses,
    Unsupported,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import RESERVED, ViewBuilder, node_code

GET_FORM_SHAPE = (
    "overrides get_form() with more than adjusting the form Django builds; it must start with "
    "form = super().get_form(form_class), end with return form and return nowhere else "
    "(move other logic into get_form_class() or get_form_kwargs())"
)


class _Problems(NameUses):
    """Collect what keeps the middle of a ``get_form()`` from running after the form is built."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.bad.append("returns in the middle")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "form":
            self.bad.append("rebinds form")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def form_adjustments(builder: ViewBuilder, object_name: str | None) -> list[cst.BaseStatement]:
    """List the lines an overridden ``get_form()`` runs on the form Django built.

    :param builder: the builder of the view.
    :param object_name: the local holding ``self.object`` when the form is built (``obj`` on
        update and delete views), or ``None`` where the view has none yet (create views set
        ``self.object = None``: reading it is refused rather than guessed).
    :returns: the statements, ``self`` replaced, to run right after the form is built.
    :raises Unsupported: for a ``get_form()`` of another shape.
    """
    func = builder.spec.methods.get("get_form")
    if func is None:
        return []
    params = parameters_without_self(func)
    if (
        len(params.params) != 1
        or params.params[0].name.value != "form_class"
        or params.params[0].default is None
        or node_code(params.params[0].default) != "None"
        or params.star_arg
        and isinstance(params.star_arg, cst.Param)
        or params.star_kwarg is not None
        or params.kwonly_params
    ):
        raise Unsupported(f"{GET_FORM_SHAPE}: it must take (self, form_class=None)")
    body = list(func.body.body) if isinstance(func.body, cst.IndentedBlock) else []
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0] if body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString):
            body = body[1:]
    if len(body) < 2:
        raise Unsupported(GET_FORM_SHAPE)
    first_code = node_code(body[0].with_changes(leading_lines=())).strip()
    last_code = node_code(body[-1].with_changes(leading_lines=())).strip()
    if (
        first_code
        not in (
            "form = super().get_form(form_class)",
            "form = super().get_form()",
        )
        or last_code != "return form"
    ):
        raise Unsupported(GET_FORM_SHAPE)
    middle = body[1:-1]
    problems = _Problems()
    for statement in middle:
        statement.visit(problems)
    if "form_class" in problems.names:  # None in Django's call, the class in the function
        problems.bad.append("reads form_class")
    if any("super()" in node_code(s) for s in middle):
        problems.bad.append("calls super() again")
    if problems.bad:
        raise Unsupported(f"{GET_FORM_SHAPE}: it {problems.bad[0]}")
    context = builder.context(
        "get_form",
        object_name=object_name,
        reserved=RESERVED - {"form"} | {"form_class"},
    )
    method = func.with_changes(
        body=cst.IndentedBlock(body=middle or [cst.SimpleStatementLine([cst.Pass()])])
    )
    statements = rewrite_body(method, context)
    return [s for s in statements if node_code(s).strip() != "pass"]


def emit_form_adjustments(
    builder: ViewBuilder, statements: list[cst.BaseStatement], level: int
) -> None:
    """Write the adjusting lines of :func:`form_adjustments` at ``level``.

    :param builder: the builder of the view.
    :param statements: the lines.
    :param level: the indentation level of the line that built the form.
    """
    if statements:
        first = statements[0].with_changes(leading_lines=())
        builder.emit_statements([first, *statements[1:]], level)
