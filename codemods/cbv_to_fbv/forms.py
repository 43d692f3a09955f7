"""Form, create, update and delete views: their form flow written out as plain code.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. What ``FormMixin``,
``ModelFormMixin``, ``ProcessFormView``, ``DeletionMixin`` and ``SuccessMessageMixin`` do for a
POST (Django 4.2 to 5.2) becomes an ``if request.method ...`` block, with the class's overrides
(``get_initial``, ``form_valid``, ``form_invalid``, ``get_success_url``) inlined.
"""

from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    BodyContext,
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
    rewrite_body,
    split_final_return,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import (
    FORMAT_SPEC,
    RESERVED,
    ViewBuilder,
    literal,
    node_code,
)
from redpanda_migrate.codemods.cbv_to_fbv.context_order import check_context_order
from redpanda_migrate.codemods.cbv_to_fbv.form_hook import (
    emit_form_adjustments,
    form_adjustments,
)
from redpanda_migrate.codemods.cbv_to_fbv.form_setup import (
    FORM_KWARGS,
    emit_form_class,
    emit_form_kwargs,
    emit_initial,
    form_arguments,
)
from redpanda_migrate.codemods.cbv_to_fbv.hooks import template_names
from redpanda_migrate.codemods.cbv_to_fbv.success_message import success_message_call
from redpanda_migrate.codemods.cbv_to_fbv.text import double_quoted, percent_to_format


def success_url(builder: ViewBuilder, level: int, formatted: bool) -> str:
    """Return the expression of the URL to redirect to after a valid form or a deletion.

    :param builder: the builder of the view; an inlined ``get_success_url`` writes lines.
    :param level: the indentation level of those lines.
    :param formatted: format ``{field}`` placeholders with the object, as ``ModelFormMixin``
        and ``DeletionMixin`` did (and fall back to ``get_absolute_url()`` for model forms).
    :returns: the expression.
    :raises Unsupported: when there is no success URL or it is not a string or ``reverse``.
    """
    url = builder.attr("success_url")
    default = None
    if url is not None:
        value = literal(url)
        if isinstance(value, str) and formatted and "{" in value:
            default = f"{node_code(url)}.format(**obj.__dict__)"
        elif isinstance(value, str) or node_code(url).startswith(("reverse_lazy(", "reverse(")):
            default = node_code(builder.unlazy(url))
        else:
            raise Unsupported("sets success_url to something other than a string or reverse_lazy()")
    elif formatted and builder.spec.kind in ("create", "update"):
        default = "obj.get_absolute_url()"
    if "get_success_url" in builder.spec.methods:
        return builder.inline_value(
            "get_success_url",
            "success_url",
            None,
            level,
            object_name="obj",
        )
    if default is None:
        raise Unsupported("has no success_url")
    return default


def emit_form_valid(builder: ViewBuilder, level: int, saves: bool) -> None:
    """Write the body of ``if form.is_valid():`` for form, create and update views.

    :param builder: the builder of the view.
    :param level: the indentation level of the body.
    :param saves: the form is a ``ModelForm`` whose ``save()`` gives the object.
    :raises Unsupported: for a ``form_valid`` that cannot be inlined.
    """
    func = builder.spec.methods.get("form_valid")
    if func is None:
        position = len(builder.lines)
        url = success_url(builder, level, formatted=saves)
        if saves:
            uses_object = re.search(r"\bobj\b", url + "".join(builder.lines[position:]))
            save = "obj = form.save()" if uses_object else "form.save()"
            builder.lines.insert(position, "    " * level + save)
        emit_success_message(builder, level)
        builder.emit(f"return {builder.redirect(url)}", level)
        return
    params = parameter_names(parameters_without_self(func))
    if params != ["form"]:
        raise Unsupported("form_valid() must take exactly (self, form) to be inlined")
    code = node_code(func)
    # Only super().form_valid() and self.get_success_url() redirect to the success URL: an
    # override answering on its own needs none (Django never calls get_success_url()).
    self_calls = {}
    redirect = ""
    if "super().form_valid(" in code or "self.get_success_url(" in code:
        url = success_url(builder, level, formatted=saves)
        redirect = builder.redirect(url)
        self_calls = {"get_success_url": cst.parse_expression(url)}
    context = builder.context(
        "form_valid",
        object_name="obj",
        reserved=RESERVED - {"form", "response"},
        self_calls=self_calls,
    )
    if saves:
        statements = _expand_model_form_valid(func, redirect, context)
    else:
        context.super_calls = {"form_valid": lambda call: _super_form(call, redirect)}
        statements = rewrite_body(func, context)
    if not always_returns(statements):
        # Django's form_valid() returned None there, and Django then refused the answer
        # (ValueError: the view "didn't return an HttpResponse object"): so does the function.
        statements = [*statements, cst.parse_statement("return None\n")]
    builder.emit_statements(statements, level)


def emit_form_invalid(builder: ViewBuilder, level: int) -> None:
    """Inline ``form_invalid()``: what it does before ``super().form_invalid(form)``.

    The valid branch always returns, so these statements run for invalid forms only;
    the re-rendered page that follows is what ``super().form_invalid(form)`` answered.

    :param builder: the builder of the view.
    :param level: the indentation level.
    :raises Unsupported: unless it ends with ``return super().form_invalid(form)``.
    """
    func = builder.spec.methods.get("form_invalid")
    if func is None:
        return
    if parameter_names(parameters_without_self(func)) != ["form"]:
        raise Unsupported("form_invalid() must take exactly (self, form) to be inlined")
    context = builder.context(
        "form_invalid",
        object_name="obj" if builder.spec.kind == "update" else None,
        reserved=RESERVED - {"form"},
        super_calls={"form_invalid": lambda call: call},
    )
    statements = rewrite_body(func, context)
    prelude, value = split_final_return(statements, "form_invalid")
    if node_code(value) != "super().form_invalid(form)":
        raise Unsupported("form_invalid() must end with return super().form_invalid(form)")
    if any("super()" in node_code(statement) for statement in prelude):
        raise Unsupported("form_invalid() calls super() before its end")
    if prelude:
        builder.emit_statements(prelude, level)


def emit_success_message(builder: ViewBuilder, level: int) -> None:
    """Write ``SuccessMessageMixin``'s message, formatted with the form's cleaned data.

    :param builder: the builder of the view.
    :param level: the indentation level.
    :raises Unsupported: for a message that is not a string or uses other % specs.
    """
    if "success_message" not in builder.spec.mixins:
        return
    call = success_message_call(builder)
    if call is not None:
        messages = builder.need("django.contrib", "messages")
        builder.emit(f"success_message = {call}", level)
        builder.emit("if success_message:", level)
        builder.emit(f"{messages}.success(request, success_message)", level + 1)
        return
    message = builder.attr("success_message")
    value = literal(message)
    if message is None or value == "":
        return
    if not isinstance(value, str):
        raise Unsupported("sets success_message to something other than a string")
    messages = builder.need("django.contrib", "messages")
    text = node_code(message)
    if "%" in value:
        template = percent_to_format(value)
        if template is None:
            raise Unsupported("formats success_message with % specs other than %(name)s")
        if "%(" in value:
            text = f"{double_quoted(template)}.format(**form.cleaned_data)"
        else:
            text = double_quoted(value.replace("%%", "%"))
    if FORMAT_SPEC.sub("", value).replace("%%", ""):
        builder.emit(f"{messages}.success(request, {text})", level)
    else:
        builder.emit(f"success_message = {text}", level)
        builder.emit("if success_message:", level)
        builder.emit(f"{messages}.success(request, success_message)", level + 1)


def _super_form(call: cst.Call, redirect: str) -> cst.BaseExpression:
    if len(call.args) != 1 or node_code(call.args[0].value) != "form":
        raise Unsupported("calls super().form_valid() with other than form")
    return cst.parse_expression(redirect)


def _expand_model_form_valid(
    func: cst.FunctionDef, redirect: str, context: BodyContext
) -> list[cst.BaseStatement]:
    """Rewrite a ModelForm view's ``form_valid``: ``super().form_valid(form)`` saves, redirects.

    Only ``return super().form_valid(form)`` and ``name = super().form_valid(form)`` at the top
    level of the body are expanded into ``obj = form.save()`` and the redirect.
    """
    # Names are checked on the method as written: the expansion adds ``obj`` on purpose.
    rewrite_body(func, replace(context, super_calls={"form_valid": lambda call: call}))
    context = replace(context, reserved=frozenset())
    statements = []
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    for statement in body:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        value = None
        if isinstance(small, cst.Return | cst.Assign) and small.value is not None:
            value = small.value
        if (
            isinstance(value, cst.Call)
            and node_code(value) == "super().form_valid(form)"
            and len(statement.body) == 1
        ):
            save = cst.parse_statement("obj = form.save()")
            statements.append(save.with_changes(leading_lines=statement.leading_lines))
            statements.append(
                statement.with_changes(
                    body=[small.with_changes(value=cst.parse_expression(redirect))],
                    leading_lines=[],
                )
            )
            continue
        statements.append(statement)
    rewritten_func = func.with_changes(body=func.body.with_changes(body=statements))
    return rewrite_body(rewritten_func, context)


def _render_form_flow(builder: ViewBuilder, instance: bool, saves: bool) -> None:
    check_context_order(builder.spec.methods)
    form_class = emit_form_class(builder)
    emit_initial(builder)
    adjustments = form_adjustments(builder, "obj" if instance else None)
    if "get_form_kwargs" not in builder.spec.methods and adjustments:
        _render_adjusted_form_flow(builder, form_class, adjustments, instance, saves)
        return
    if "get_form_kwargs" not in builder.spec.methods:
        builder.emit('if request.method in ("POST", "PUT"):')
        builder.emit(f"form = {form_class}({form_arguments(builder, True, instance)})", 2)
        builder.emit("if form.is_valid():", 2)
        emit_form_valid(builder, 3, saves)
        emit_form_invalid(builder, 2)
        builder.emit("else:")
        builder.emit(f"form = {form_class}({form_arguments(builder, False, instance)})", 2)
        return
    # The overridden get_form_kwargs() runs once per request, before the form is built.
    model_instance = ("obj" if instance else "None") if saves else None
    emit_form_kwargs(builder, model_instance)
    builder.emit(f"form = {form_class}(**{FORM_KWARGS})")
    emit_form_adjustments(builder, adjustments, 1)
    if "form_invalid" not in builder.spec.methods:
        builder.emit('if request.method in ("POST", "PUT") and form.is_valid():')
        emit_form_valid(builder, 2, saves)
        return
    builder.emit('if request.method in ("POST", "PUT"):')
    builder.emit("if form.is_valid():", 2)
    emit_form_valid(builder, 3, saves)
    emit_form_invalid(builder, 2)


def _render_adjusted_form_flow(
    builder: ViewBuilder,
    form_class: str,
    adjustments: list[cst.BaseStatement],
    instance: bool,
    saves: bool,
) -> None:
    """Write the form flow with an overridden ``get_form()``: build, adjust, then validate."""
    builder.emit('if request.method in ("POST", "PUT"):')
    builder.emit(f"form = {form_class}({form_arguments(builder, True, instance)})", 2)
    builder.emit("else:")
    builder.emit(f"form = {form_class}({form_arguments(builder, False, instance)})", 2)
    emit_form_adjustments(builder, adjustments, 1)
    builder.emit('if request.method in ("POST", "PUT"):')
    builder.emit("if form.is_valid():", 2)
    emit_form_valid(builder, 3, saves)
    emit_form_invalid(builder, 2)


def _render_create(builder: ViewBuilder) -> list[str]:
    _render_form_flow(builder, instance=False, saves=True)
    builder.emit_context(builder.extra('{"form": form}'))
    builder.response(template_names(builder, lambda: builder.object_template("_form", "None")))
    return ["GET", "POST", "PUT", "HEAD", "OPTIONS"]


def _render_update(builder: ViewBuilder) -> list[str]:
    builder.emit_object()
    _render_form_flow(builder, instance=True, saves=True)
    builder.emit_context(builder.extra(builder.object_context(", form=form")))
    builder.response(template_names(builder, lambda: builder.object_template("_form", "obj")))
    return ["GET", "POST", "PUT", "HEAD", "OPTIONS"]


def _render_form(builder: ViewBuilder) -> list[str]:
    _render_form_flow(builder, instance=False, saves=False)
    builder.emit_context(builder.extra('{"form": form}'))
    builder.response(template_names(builder, builder.named_templates))
    return ["GET", "POST", "PUT", "HEAD", "OPTIONS"]


FORM_RENDERERS = {
    "create": _render_create,
    "update": _render_update,
    "form": _render_form,
}
