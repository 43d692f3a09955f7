"""An overridden ``get_form()`` that adjusts the form Django built, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. ``FormMixin.get_form``
(Django 4.2-5.2) builds the form from ``get_form_class()`` and ``get_form_kwargs()``; it runs
once per request, on GET inside ``get_context_data()`` and on POST/PUT in ``post()``, before
``is_valid()``. An override of the shape::

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.error_css_class = "text-danger"
        return form

only changes that form: its middle lines are written right after the function builds the form,
wherever it does. Anything else (a different form class passed, the form replaced, returns in
the middle) is refused.
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    NameUses,
    Unsupported,
    is_docstring,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import RESERVED, ViewBuilder, node_code

GET_FORM_SHAPE = (
    "overrides get_form() other than to change the form Django built (form = "
    "super().get_form(form_class), lines using form, return form); convert by hand"
)
_FIRST = ("form = super().get_form(form_class)", "form = super().get_form()")


def _body(func: cst.FunctionDef) -> list[cst.BaseStatement]:
    if not isinstance(func.body, cst.IndentedBlock):
        raise Unsupported(f"{GET_FORM_SHAPE}: it is on one line")
    statements = list(func.body.body)
    return statements[1:] if statements and is_docstring(statements[0]) else statements


def _check_signature(func: cst.FunctionDef) -> None:
    params = func.params
    shape = [(p.name.value, node_code(p.default) if p.default else None) for p in params.params]
    if (
        shape != [("self", None), ("form_class", "None")]
        or isinstance(params.star_arg, cst.Param | cst.ParamStar)
        or params.star_kwarg is not None
        or params.kwonly_params
        or params.posonly_params
    ):
        raise Unsupported(f"{GET_FORM_SHAPE}: it must take (self, form_class=None)")


class _Problems(NameUses):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.bad.append("returns in the middle")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "form":
            self.bad.append("rebinds form")


def get_form_tail(builder: ViewBuilder) -> list[cst.BaseStatement]:
    """Read an overridden ``get_form()``: the statements that adjust the built form.

    :param builder: the builder of a form, create or update view.
    :returns: the statements, ``self`` rewritten (empty when ``get_form`` is not overridden).
    :raises Unsupported: for an override of another shape, or one whose lines would run at
        another moment than in Django (a ``get_context_data`` doing something before its
        ``super()`` call, which Django runs before building the form on GET).
    """
    func = builder.spec.methods.get("get_form")
    if func is None:
        return []
    _check_signature(func)
    statements = _body(func)
    if (
        len(statements) < 2
        or node_code(statements[0]).strip() not in _FIRST
        or node_code(statements[-1]).strip() != "return form"
    ):
        raise Unsupported(f"{GET_FORM_SHAPE}: it must start with {_FIRST[0]} and end return form")
    middle = statements[1:-1]
    problems = _Problems()
    for statement in middle:
        statement.visit(problems)
    if "form_class" in problems.names:
        problems.bad.append("reads form_class")
    if problems.bad:
        raise Unsupported(f"{GET_FORM_SHAPE}: it {problems.bad[0]}")
    context_data = builder.spec.methods.get("get_context_data")
    if context_data is not None:
        first = _body(context_data)[:1]
        if not first or "super().get_context_data(" not in node_code(first[0]):
            raise Unsupported(
                "overrides get_form() and get_context_data() with lines before its super() "
                "call, which Django runs before get_form() on GET; move them after it"
            )
    if not middle:
        return []
    shell = func.with_changes(body=cst.IndentedBlock(body=middle))
    context = builder.context(
        "get_form",
        reserved=(RESERVED - {"form"}) | {"form_class", "initial", "form_kwargs"},
    )
    return rewrite_body(shell, context)


def emit_get_form_tail(
    builder: ViewBuilder, statements: list[cst.BaseStatement], level: int
) -> None:
    """Write the lines of an overridden ``get_form()`` after a line that built the form.

    :param builder: the builder of the view.
    :param statements: what :func:`get_form_tail` returned.
    :param level: the indentation level of the line that built the form.
    """
    if statements:
        builder.emit_statements(statements, level)
