"""Delete views: ``DeleteView``'s confirmation page, its POST form and its DELETE, as code.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. Since Django 4.0 a
POST goes through ``DeleteView``'s (empty, always valid) form and ``form_valid()``, with
``SuccessMessageMixin``'s message, while a DELETE request deletes directly
(``DeletionMixin.delete``); the function keeps the two apart whenever they differ.
"""

from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import (
    RESERVED,
    ViewBuilder,
    node_code,
)
from redpanda_migrate.codemods.cbv_to_fbv.context_order import check_context_order
from redpanda_migrate.codemods.cbv_to_fbv.delete_hook import emit_delete_prelude
from redpanda_migrate.codemods.cbv_to_fbv.form_hook import (
    emit_form_adjustments,
    form_adjustments,
)
from redpanda_migrate.codemods.cbv_to_fbv.forms import emit_success_message, success_url
from redpanda_migrate.codemods.cbv_to_fbv.hooks import template_names


def _render_delete(builder: ViewBuilder) -> list[str]:
    check_context_order(builder.spec.methods)
    emit_delete_prelude(builder)
    builder.emit_object()
    # Since Django 4.0 a POST goes through DeleteView's form (an empty Form, always valid)
    # and form_valid(); DELETE deletes directly, without form_valid().
    spec = builder.spec
    adjustments = form_adjustments(builder, "obj")
    if adjustments:
        return _render_adjusted_delete(builder, adjustments)
    custom = (
        "form_valid" in spec.methods
        or "get_success_message" in spec.methods
        or spec.attrs.get("success_message") is not None
    )
    builder.emit('if request.method == "DELETE":' if custom else _POST_OR_DELETE)
    url = success_url(builder, 2, formatted=True)
    builder.emit(f"success_url = {url}", 2)
    builder.emit("obj.delete()", 2)
    builder.emit(f"return {builder.redirect('success_url')}", 2)
    form = builder.need("django.forms", "Form")
    if custom:
        builder.emit('if request.method == "POST":')
        position = len(builder.lines)
        _emit_delete_form_valid(builder, url)
        if re.search(r"\bform\b", "\n".join(builder.lines[position:])):
            builder.lines[position:position] = [
                f"        form = {form}(data=request.POST, files=request.FILES)",
                "        form.is_valid()  # always true: the form has no fields",
            ]
    builder.emit_context(builder.extra(builder.object_context(f", form={form}()")))
    builder.response(
        template_names(builder, lambda: builder.object_template("_confirm_delete", "obj"))
    )
    return ["GET", "POST", "DELETE", "HEAD", "OPTIONS"]


def _render_adjusted_delete(
    builder: ViewBuilder, adjustments: list[cst.BaseStatement]
) -> list[str]:
    """Write a delete view whose ``get_form()`` adjusts the form.

    The form is built and adjusted for GET and POST and validated on POST; an invalid one
    renders the page again with it, as Django's ``FormMixin.form_invalid`` does.
    """
    builder.emit('if request.method == "DELETE":')
    url = success_url(builder, 2, formatted=True)
    builder.emit(f"success_url = {url}", 2)
    builder.emit("obj.delete()", 2)
    builder.emit(f"return {builder.redirect('success_url')}", 2)
    form = builder.need("django.forms", "Form")
    builder.emit('if request.method == "POST":')
    builder.emit(f"form = {form}(data=request.POST, files=request.FILES)", 2)
    builder.emit("else:")
    builder.emit(f"form = {form}()", 2)
    emit_form_adjustments(builder, adjustments, 1)
    builder.emit('if request.method == "POST" and form.is_valid():')
    _emit_delete_form_valid(builder, url)
    builder.emit_context(builder.extra(builder.object_context(", form=form")))
    builder.response(
        template_names(builder, lambda: builder.object_template("_confirm_delete", "obj"))
    )
    return ["GET", "POST", "DELETE", "HEAD", "OPTIONS"]


_POST_OR_DELETE = 'if request.method in ("POST", "DELETE"):'


def _emit_delete_form_valid(builder: ViewBuilder, url: str) -> None:
    """Write DeleteView's ``form_valid`` (overridden or not) for a POST, at level 2."""
    func = builder.spec.methods.get("form_valid")
    deletion = [f"success_url = {url}", "obj.delete()"]
    redirect = builder.redirect("success_url")
    if func is None:
        for line in deletion:
            builder.emit(line, 2)
        emit_success_message(builder, 2)
        builder.emit(f"return {redirect}", 2)
        return
    if parameter_names(parameters_without_self(func)) != ["form"]:
        raise Unsupported("form_valid() must take exactly (self, form) to be inlined")
    context = builder.context(
        "form_valid",
        reserved=RESERVED - {"form", "response"},
        self_calls={"get_success_url": cst.parse_expression(url)},
    )
    # ``return super().form_valid(form)`` at the top level deletes, adds the success message
    # (SuccessMessageMixin.form_valid runs between the class and DeleteView) and redirects.
    rewrite_body(func, replace(context, super_calls={"form_valid": lambda call: call}))
    message = _success_message_statements(builder)
    statements: list[cst.BaseStatement] = []
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    for statement in body:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if (
            isinstance(small, cst.Return)
            and small.value is not None
            and node_code(small.value) == "super().form_valid(form)"
            and len(statement.body) == 1  # type: ignore[attr-defined]
        ):
            for index, line in enumerate(deletion):
                new = cst.parse_statement(line)
                if index == 0:
                    new = new.with_changes(leading_lines=statement.leading_lines)
                statements.append(new)
            statements.extend(message)
            statements.append(cst.parse_statement(f"return {redirect}"))
            continue
        statements.append(statement)
    rewritten = func.with_changes(body=func.body.with_changes(body=statements))
    statements = rewrite_body(rewritten, replace(context, reserved=frozenset()))
    if not always_returns(statements):
        raise Unsupported("form_valid() does not end with return")
    builder.emit_statements(statements, 2)


def _success_message_statements(builder: ViewBuilder) -> list[cst.BaseStatement]:
    """``SuccessMessageMixin``'s message as statements (none without the mixin)."""
    position = len(builder.lines)
    emit_success_message(builder, 0)
    lines = builder.lines[position:]
    del builder.lines[position:]
    return list(cst.parse_module("\n".join(lines) + "\n").body) if lines else []


DELETE_RENDERERS = {"delete": _render_delete}
