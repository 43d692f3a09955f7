"""Writing the function-based view that answers every request as a class-based view did.

Red Panda Approval V1-02, "Views": function-based views exclusively, explicit logic over
implicit inheritance, shared logic in utility functions, ``login_required`` on protected views.
Each ``_render_<kind>`` spells out what Django's generic view of that kind does (see
``django/views/generic/*.py``), using the helpers of :mod:`codemods._cbv_helpers` for what every
view shares.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

import libcst as cst
from redpanda_migrate.codemods._cbv_analysis import (
    HANDLERS,
    HTTP_METHOD_NAMES,
    ViewSpec,
    is_queryset_chain,
)
from redpanda_migrate.codemods._cbv_body import (
    BodyContext,
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
    rewrite_body,
    split_final_return,
)
from redpanda_migrate.codemods._cbv_helpers import HELPER_MODULE_NAME
from redpanda_migrate.codemods._cbv_text import (
    double_quoted,
    fields_code,
    percent_to_format,
    wrap_line,
)

HELPERS = f".{HELPER_MODULE_NAME}"
RESERVED = frozenset(
    {"request", "kwargs", "queryset", "obj", "form", "context", "response", "success_url"}
)
FORMAT_SPEC = re.compile(r"%\([^)]*\)[sdir]")
KIND_WORDS = {
    "template": "TemplateView",
    "redirect": "RedirectView",
    "list": "ListView",
    "detail": "DetailView",
    "create": "CreateView",
    "update": "UpdateView",
    "delete": "DeleteView",
    "form": "FormView",
    "view": "View",
}


@dataclass
class Rendered:
    """The code replacing one class.

    :param text: module-level source: helper definitions, then the decorated function.
    :param imports: ``(module, name)`` pairs the code needs.
    """

    text: str
    imports: set[tuple[str, str]] = field(default_factory=set)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _literal(node: cst.BaseExpression | None) -> object:
    """Evaluate a constant expression; return ``...`` when it is not one."""
    if node is None:
        return None
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        return node.evaluated_value
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.List | cst.Tuple):
        values = [_literal(element.value) for element in node.elements]
        return ... if ... in values else values
    return ...


class _Builder:
    def __init__(self, spec: ViewSpec, taken: AbstractSet[str]) -> None:
        self.spec = spec
        self.taken = taken
        self.imports: set[tuple[str, str]] = set()
        self.before: list[str] = []
        self.lines: list[str] = []

    # -- small pieces --------------------------------------------------------------------

    def need(self, module: str, name: str) -> str:
        self.imports.add((module, name))
        return name

    def attr(self, name: str) -> cst.BaseExpression | None:
        return self.spec.attrs.get(name)

    def attr_code(self, name: str) -> str | None:
        node = self.attr(name)
        if node is None:
            return None
        return _code(self._unlazy(node))

    def _unlazy(self, node: cst.BaseExpression) -> cst.BaseExpression:
        # reverse_lazy() is only lazy because class bodies run at import; in a function,
        # reverse() gives the same string at the same moment the view needs it.
        if isinstance(node, cst.Call) and _code(node.func) == "reverse_lazy":
            self.need("django.urls", "reverse")
            return node.with_changes(func=cst.Name("reverse"))
        return node

    def emit(self, line: str, level: int = 1) -> None:
        indent = "    " * level
        if "\n" in line:
            # An expression copied from a method spans lines: its continuation lines carry
            # their indentation relative to the statement, so they move with it.
            if '"""' in line or "'''" in line or "\\\n" in line:
                raise Unsupported("has a multi-line string in a method; move it by hand")
            line = "\n".join((indent + part) if part.strip() else "" for part in line.split("\n"))
            self.lines.append(line)
            return
        self.lines.append((indent + line) if line else "")

    def emit_statements(self, statements: list[cst.BaseStatement], level: int) -> None:
        text = cst.Module(body=statements).code
        if '"""' in text or "'''" in text:
            raise Unsupported("has a multi-line string in a method; move it by hand")
        for line in text.rstrip("\n").split("\n"):
            self.emit(line, level)

    def context(self, method: str, **overrides: object) -> BodyContext:
        values = {
            "method": method,
            "attrs": self.spec.attrs,
            "object_name": "obj" if self.spec.kind in ("detail", "update", "delete") else None,
            "reserved": RESERVED,
        }
        values.update(overrides)
        return BodyContext(**values)  # type: ignore[arg-type]

    def inline_value(
        self, method: str, target: str, default: str | None, level: int, **overrides: object
    ) -> str:
        """Inline an override that returns a value; return the expression to use."""
        func = self.spec.methods.get(method)
        if func is None:
            if default is None:
                raise Unsupported(f"needs {method}() or the attribute it reads")
            return default
        params = parameters_without_self(func)
        if method == "get_object" and _only_optional_queryset(params):
            pass  # get_object(self, queryset=None): Django calls it without arguments
        elif parameter_names(params):
            raise Unsupported(f"{method}() takes arguments")
        supers = {}
        if default is not None:
            supers[method] = lambda call: _super_default(call, default, method)
        context = self.context(method, reserved=RESERVED - {target}, super_calls=supers)
        for key, value in overrides.items():
            setattr(context, key, value)
        statements = rewrite_body(func, context)
        prelude, value = split_final_return(statements, method)
        if prelude:
            self.emit_statements(prelude, level)
        return _code(value)

    # -- shared parts --------------------------------------------------------------------

    def queryset_default(self, ordering: bool) -> str | None:
        queryset = self.attr("queryset")
        model = self.attr("model")
        if queryset is not None:
            if not is_queryset_chain(queryset):
                # A shared QuerySet object would keep its result cache between requests.
                raise Unsupported("sets queryset to something other than a Model.objects... chain")
            text = _code(queryset)
        elif model is not None:
            text = f"{_code(model)}._default_manager.all()"
        else:
            return None
        node = self.attr("ordering") if ordering else None
        order = _literal(node)
        if order is ...:
            raise Unsupported("sets ordering to something other than a constant")
        if order and node is not None:
            if isinstance(node, cst.List | cst.Tuple):
                fields = ", ".join(_code(element.value) for element in node.elements)
            else:
                fields = _code(node)
            text += f".order_by({fields})"
        return text

    def emit_queryset(self, ordering: bool) -> None:
        value = self.inline_value(
            "get_queryset", "queryset", self.queryset_default(ordering), level=1
        )
        if value != "queryset":
            self.emit(f"queryset = {value}")

    def emit_object(self) -> None:
        self.emit_queryset(ordering=False)
        options = ""
        for name in ("pk_url_kwarg", "slug_url_kwarg", "slug_field", "query_pk_and_slug"):
            if self.attr(name) is not None:
                options += f", {name}={self.attr_code(name)}"
        if "get_object" not in self.spec.methods:
            self.emit(f"obj = {self.need(HELPERS, 'get_object')}(queryset, kwargs{options})")
            return
        # get_object() runs before self.object exists; its super() is the helper's lookup,
        # self.get_queryset() the queryset just built.
        position = len(self.lines)
        value = self.inline_value(
            "get_object",
            "obj",
            f"get_object(queryset, kwargs{options})",
            level=1,
            object_name=None,
            self_calls={"get_queryset": cst.Name("queryset")},
        )
        if re.search(r"\bget_object\(", value + "\n".join(self.lines[position:])):
            self.need(HELPERS, "get_object")
        if value != "obj":
            self.emit(f"obj = {value}")

    def extra(self, base: str) -> str:
        extra = self.attr("extra_context")
        if extra is None:
            return base
        if isinstance(extra, cst.Dict):
            items = ", ".join(_code(element).rstrip(", ") for element in extra.elements)
        else:
            items = f"**{_code(extra)}"
        if base.startswith("{") and base.endswith("}"):
            return f"{base[:-1]}, {items}}}" if items else base
        return f"{{**{base}, {items}}}" if items else base

    def emit_context(self, default: str, level: int = 1) -> None:
        func = self.spec.methods.get("get_context_data")
        if func is None:
            self.emit(f"context = {default}", level)
            return
        params = parameters_without_self(func)
        if params.params or params.star_kwarg is None or params.star_kwarg.name.value != "kwargs":
            raise Unsupported("get_context_data() must take only **kwargs to be inlined")
        allowed = {"context"} | ({"kwargs"} if self.spec.kind == "template" else set())
        context = self.context(
            "get_context_data",
            reserved=RESERVED - allowed,
            super_calls={"get_context_data": lambda call: _super_kwargs(call, default)},
        )
        statements = rewrite_body(func, context)
        prelude, value = split_final_return(statements, "get_context_data")
        if prelude:
            self.emit_statements(prelude, level)
        if _code(value) != "context":
            self.emit(f"context = {_code(value)}", level)

    def response(self, template: str, level: int = 1) -> None:
        response = self.need("django.template.response", "TemplateResponse")
        content_type = self.attr_code("content_type")
        tail = f", content_type={content_type}" if content_type else ""
        self.emit(f"return {response}(request, {template}, context{tail})", level)

    def suffix(self, default: str) -> str:
        """``template_name_suffix`` as a string literal, or ``default``."""
        node = self.attr("template_name_suffix")
        if node is None:
            return f'"{default}"'
        if not isinstance(_literal(node), str):
            raise Unsupported("sets template_name_suffix to something other than a string")
        return _code(node)

    def object_template(self, suffix: str, obj: str) -> str:
        if self.attr("template_name") is not None:
            return self.attr_code("template_name") or ""
        model = self.attr_code("model")
        if model is None and obj == "None":
            raise Unsupported("has neither template_name nor model")
        helper = self.need(HELPERS, "object_template_names")
        return f"{helper}({obj}, {model or 'None'}, {self.suffix(suffix)})"

    def form_class(self) -> str:
        form_class = self.attr_code("form_class")
        fields = self.attr("fields")
        if form_class and fields is not None:
            raise Unsupported("sets both form_class and fields (Django refuses that too)")
        if form_class:
            return form_class
        if fields is None:
            raise Unsupported("sets neither form_class nor fields")
        model = self.attr_code("model")
        if model is None:
            raise Unsupported("sets fields without model")
        # modelform_factory() names the class <Model>Form; keep that name when it is free.
        name = f"{model.rsplit('.', 1)[-1]}Form"
        if name in self.taken:
            name = "".join(part.title() for part in self.spec.func_name.split("_")) + "Form"
        base = self.need("django.forms", "ModelForm")
        self.before.append(
            f"class {name}({base}):\n"
            f'    """The form of {self.spec.func_name} (was {self.spec.class_name}.fields)."""\n\n'
            "    class Meta:\n"
            f"        model = {model}\n"
            f"        fields = {fields_code(fields)}"
        )
        return name

    def emit_initial(self) -> None:
        """Inline ``get_initial()``: its value goes in ``initial`` for both forms."""
        if "get_initial" not in self.spec.methods:
            return
        default = self.attr_code("initial")
        initial = self.attr("initial")
        # Django copies the class attribute; a dict display is a new dict every time anyway.
        fresh = default if isinstance(initial, cst.Dict) else f"{default}.copy()"
        value = self.inline_value("get_initial", "initial", fresh if default else "{}", level=1)
        if value != "initial":
            self.emit(f"initial = {value}")

    def form_arguments(self, bound: bool, instance: bool) -> str:
        arguments = []
        if bound:
            arguments += ["data=request.POST", "files=request.FILES"]
        if "get_initial" in self.spec.methods:
            arguments.append("initial=initial")
        elif self.attr("initial") is not None:
            arguments.append(f"initial={self.attr_code('initial')}")
        if instance:
            arguments.append("instance=obj")
        return ", ".join(arguments)

    def success_url(self, level: int, formatted: bool) -> str:
        url = self.attr("success_url")
        default = None
        if url is not None:
            value = _literal(url)
            if isinstance(value, str) and formatted and "{" in value:
                default = f"{_code(url)}.format(**obj.__dict__)"
            elif isinstance(value, str) or _code(url).startswith(("reverse_lazy(", "reverse(")):
                default = _code(self._unlazy(url))
            else:
                raise Unsupported(
                    "sets success_url to something other than a string or reverse_lazy()"
                )
        elif formatted and self.spec.kind in ("create", "update"):
            default = "obj.get_absolute_url()"
        if "get_success_url" in self.spec.methods:
            return self.inline_value(
                "get_success_url",
                "success_url",
                None,
                level,
                object_name="obj",
            )
        if default is None:
            raise Unsupported("has no success_url")
        return default

    def redirect(self, url: str) -> str:
        return f"{self.need('django.http', 'HttpResponseRedirect')}({url})"

    def emit_form_valid(self, level: int, saves: bool) -> None:
        """Write the body of ``if form.is_valid():`` for form, create and update views."""
        func = self.spec.methods.get("form_valid")
        if func is None:
            position = len(self.lines)
            url = self.success_url(level, formatted=saves)
            if saves:
                uses_object = re.search(r"\bobj\b", url + "".join(self.lines[position:]))
                save = "obj = form.save()" if uses_object else "form.save()"
                self.lines.insert(position, "    " * level + save)
            self._emit_success_message(level)
            self.emit(f"return {self.redirect(url)}", level)
            return
        params = parameter_names(parameters_without_self(func))
        if params != ["form"]:
            raise Unsupported("form_valid() must take exactly (self, form) to be inlined")
        url = self.success_url(level, formatted=saves)
        redirect = self.redirect(url)
        context = self.context(
            "form_valid",
            object_name="obj",
            reserved=RESERVED - {"form", "response"},
            self_calls={"get_success_url": cst.parse_expression(url)},
        )
        if saves:
            statements = _expand_model_form_valid(func, redirect, context)
        else:
            context.super_calls = {"form_valid": lambda call: _super_form(call, redirect)}
            statements = rewrite_body(func, context)
        if not always_returns(statements):
            raise Unsupported("form_valid() does not end with return")
        self.emit_statements(statements, level)

    def emit_form_invalid(self, level: int) -> None:
        """Inline ``form_invalid()``: what it does before ``super().form_invalid(form)``.

        The valid branch always returns, so these statements run for invalid forms only;
        the re-rendered page that follows is what ``super().form_invalid(form)`` answered.
        """
        func = self.spec.methods.get("form_invalid")
        if func is None:
            return
        if parameter_names(parameters_without_self(func)) != ["form"]:
            raise Unsupported("form_invalid() must take exactly (self, form) to be inlined")
        context = self.context(
            "form_invalid",
            object_name="obj" if self.spec.kind == "update" else None,
            reserved=RESERVED - {"form"},
            super_calls={"form_invalid": lambda call: call},
        )
        statements = rewrite_body(func, context)
        prelude, value = split_final_return(statements, "form_invalid")
        if _code(value) != "super().form_invalid(form)":
            raise Unsupported("form_invalid() must end with return super().form_invalid(form)")
        if any("super()" in _code(statement) for statement in prelude):
            raise Unsupported("form_invalid() calls super() before its end")
        if prelude:
            self.emit_statements(prelude, level)

    def _emit_success_message(self, level: int) -> None:
        if "success_message" not in self.spec.mixins:
            return
        message = self.attr("success_message")
        value = _literal(message)
        if message is None or value == "":
            return
        if not isinstance(value, str):
            raise Unsupported("sets success_message to something other than a string")
        messages = self.need("django.contrib", "messages")
        text = _code(message)
        if "%" in value:
            template = percent_to_format(value)
            if template is None:
                raise Unsupported("formats success_message with % specs other than %(name)s")
            if "%(" in value:
                text = f"{double_quoted(template)}.format(**form.cleaned_data)"
            else:
                text = double_quoted(value.replace("%%", "%"))
        if FORMAT_SPEC.sub("", value).replace("%%", ""):
            self.emit(f"{messages}.success(request, {text})", level)
        else:
            self.emit(f"success_message = {text}", level)
            self.emit("if success_message:", level)
            self.emit(f"{messages}.success(request, success_message)", level + 1)


def _only_optional_queryset(params: cst.Parameters) -> bool:
    """Tell whether a signature is exactly ``(queryset=None)``."""
    return (
        parameter_names(params) == ["queryset"]
        and len(params.params) == 1
        and params.params[0].default is not None
        and _code(params.params[0].default) == "None"
    )


def _super_default(call: cst.Call, default: str, method: str) -> cst.BaseExpression:
    if call.args:
        raise Unsupported(f"calls super().{method}() with arguments")
    return cst.parse_expression(default)


def _super_kwargs(call: cst.Call, default: str) -> cst.BaseExpression:
    if (
        len(call.args) != 1
        or call.args[0].star != "**"
        or not isinstance(call.args[0].value, cst.Name)
        or call.args[0].value.value != "kwargs"
    ):
        raise Unsupported("calls super().get_context_data() with other than **kwargs")
    return cst.parse_expression(default)


def _super_form(call: cst.Call, redirect: str) -> cst.BaseExpression:
    if len(call.args) != 1 or _code(call.args[0].value) != "form":
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
            and _code(value) == "super().form_valid(form)"
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


# -- one renderer per kind -----------------------------------------------------------------


def _render_template(builder: _Builder) -> list[str]:
    template = builder.attr_code("template_name")
    if template is None:
        raise Unsupported("has no template_name")
    builder.emit_context(builder.extra("{**kwargs}"))
    builder.response(template)
    return ["GET", "HEAD", "OPTIONS"]


def _render_redirect(builder: _Builder) -> list[str]:
    url = _literal(builder.attr("url"))
    pattern = _literal(builder.attr("pattern_name"))
    permanent = _literal(builder.attr("permanent"))
    query_string = _literal(builder.attr("query_string"))
    if ... in (url, pattern, permanent, query_string):
        raise Unsupported("sets url, pattern_name, permanent or query_string to a non-constant")
    if url:
        text = builder.attr_code("url") or ""
        if "%" in str(url):
            template = percent_to_format(str(url))
            if template is None:
                text = f"{text} % kwargs  # noqa: UP031"
            elif "%(" not in str(url):
                text = double_quoted(str(url).replace("%%", "%"))
            else:
                text = f"{double_quoted(template)}.format(**kwargs)"
        builder.emit(f"url = {text}")
    elif pattern:
        reverse = builder.need("django.urls", "reverse")
        builder.emit(f"url = {reverse}({builder.attr_code('pattern_name')}, kwargs=kwargs)")
    else:
        raise Unsupported("has neither url nor pattern_name (it always answers 410 Gone)")
    if query_string:
        builder.emit('query = request.META.get("QUERY_STRING", "")')
        builder.emit("if query:")
        builder.emit('url = f"{url}?{query}"', 2)
    name = "HttpResponsePermanentRedirect" if permanent else "HttpResponseRedirect"
    builder.emit(f"return {builder.need('django.http', name)}(url)")
    return ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _render_list(builder: _Builder) -> list[str]:
    builder.emit_queryset(ordering=True)
    options = ""
    for name in (
        "paginate_by",
        "context_object_name",
        "allow_empty",
        "paginate_orphans",
        "page_kwarg",
    ):
        if builder.attr(name) is not None:
            options += f", {name}={builder.attr_code(name)}"
    helper = builder.need(HELPERS, "list_context")
    builder.emit_context(builder.extra(f"{helper}(request, kwargs, queryset{options})"))
    names = builder.need(HELPERS, "list_template_names")
    template = builder.attr_code("template_name")
    arguments = f", {template}" if template else ""
    if builder.attr("template_name_suffix") is not None:
        arguments += f", suffix={builder.suffix('_list')}"
    builder.response(f"{names}(queryset{arguments})")
    return ["GET", "HEAD", "OPTIONS"]


def _object_context(builder: _Builder, extra: str = "") -> str:
    helper = builder.need(HELPERS, "object_context")
    name = builder.attr_code("context_object_name")
    arguments = "obj" + (f", {name}" if name else "") + extra
    return f"{helper}({arguments})"


def _render_detail(builder: _Builder) -> list[str]:
    builder.emit_object()
    builder.emit_context(builder.extra(_object_context(builder)))
    builder.response(builder.object_template("_detail", "obj"))
    return ["GET", "HEAD", "OPTIONS"]


def _render_form_flow(builder: _Builder, instance: bool, saves: bool) -> None:
    form_class = builder.form_class()
    builder.emit_initial()
    builder.emit('if request.method in ("POST", "PUT"):')
    builder.emit(f"form = {form_class}({builder.form_arguments(True, instance)})", 2)
    builder.emit("if form.is_valid():", 2)
    builder.emit_form_valid(3, saves)
    builder.emit_form_invalid(2)
    builder.emit("else:")
    builder.emit(f"form = {form_class}({builder.form_arguments(False, instance)})", 2)


def _render_create(builder: _Builder) -> list[str]:
    _render_form_flow(builder, instance=False, saves=True)
    builder.emit_context(builder.extra('{"form": form}'))
    builder.response(builder.object_template("_form", "None"))
    return ["GET", "POST", "PUT", "HEAD", "OPTIONS"]


def _render_update(builder: _Builder) -> list[str]:
    builder.emit_object()
    _render_form_flow(builder, instance=True, saves=True)
    builder.emit_context(builder.extra(_object_context(builder, ", form=form")))
    builder.response(builder.object_template("_form", "obj"))
    return ["GET", "POST", "PUT", "HEAD", "OPTIONS"]


def _render_form(builder: _Builder) -> list[str]:
    template = builder.attr_code("template_name")
    if template is None:
        raise Unsupported("has no template_name")
    _render_form_flow(builder, instance=False, saves=False)
    builder.emit_context(builder.extra('{"form": form}'))
    builder.response(template)
    return ["GET", "POST", "PUT", "HEAD", "OPTIONS"]


def _render_delete(builder: _Builder) -> list[str]:
    builder.emit_object()
    # Since Django 4.0 a POST goes through DeleteView's form (an empty Form, always valid)
    # and form_valid(); DELETE deletes directly, without form_valid().
    spec = builder.spec
    custom = "form_valid" in spec.methods or spec.attrs.get("success_message") is not None
    builder.emit('if request.method == "DELETE":' if custom else _POST_OR_DELETE)
    url = builder.success_url(2, formatted=True)
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
    builder.emit_context(builder.extra(_object_context(builder, f", form={form}()")))
    builder.response(builder.object_template("_confirm_delete", "obj"))
    return ["GET", "POST", "DELETE", "HEAD", "OPTIONS"]


_POST_OR_DELETE = 'if request.method in ("POST", "DELETE"):'


def _emit_delete_form_valid(builder: _Builder, url: str) -> None:
    """Write DeleteView's ``form_valid`` (overridden or not) for a POST, at level 2."""
    func = builder.spec.methods.get("form_valid")
    deletion = [f"success_url = {url}", "obj.delete()"]
    redirect = builder.redirect("success_url")
    if func is None:
        for line in deletion:
            builder.emit(line, 2)
        builder._emit_success_message(2)
        builder.emit(f"return {redirect}", 2)
        return
    if "success_message" in builder.spec.mixins:
        raise Unsupported("overrides form_valid() and uses SuccessMessageMixin")
    if parameter_names(parameters_without_self(func)) != ["form"]:
        raise Unsupported("form_valid() must take exactly (self, form) to be inlined")
    context = builder.context(
        "form_valid",
        reserved=RESERVED - {"form", "response"},
        self_calls={"get_success_url": cst.parse_expression(url)},
    )
    # ``return super().form_valid(form)`` at the top level deletes and redirects.
    rewrite_body(func, replace(context, super_calls={"form_valid": lambda call: call}))
    statements: list[cst.BaseStatement] = []
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    for statement in body:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if (
            isinstance(small, cst.Return)
            and small.value is not None
            and _code(small.value) == "super().form_valid(form)"
            and len(statement.body) == 1  # type: ignore[attr-defined]
        ):
            for index, line in enumerate(deletion):
                new = cst.parse_statement(line)
                if index == 0:
                    new = new.with_changes(leading_lines=statement.leading_lines)
                statements.append(new)
            statements.append(cst.parse_statement(f"return {redirect}"))
            continue
        statements.append(statement)
    rewritten = func.with_changes(body=func.body.with_changes(body=statements))
    statements = rewrite_body(rewritten, replace(context, reserved=frozenset()))
    if not always_returns(statements):
        raise Unsupported("form_valid() does not end with return")
    builder.emit_statements(statements, 2)


def _render_view(builder: _Builder) -> tuple[list[str], str]:
    spec = builder.spec
    names = (
        _literal(spec.attrs.get("http_method_names"))
        if "http_method_names" in spec.attrs
        else list(HTTP_METHOD_NAMES)
    )
    if names is ... or not isinstance(names, list):
        raise Unsupported("sets http_method_names to something other than a constant list")
    handlers = [name for name in HANDLERS if name in spec.methods and name in names]
    if "get" in handlers and "head" not in spec.methods and "head" in names:
        allowed_handlers = [*handlers, "head"]
    else:
        allowed_handlers = handlers
    allowed = [
        method.upper()
        for method in HTTP_METHOD_NAMES
        if method in allowed_handlers or (method == "options" and "options" in names)
    ]
    signature = None
    order = [name for name in handlers if name != "get"] + (["get"] if "get" in handlers else [])
    for position, name in enumerate(order):
        func = spec.methods[name]
        params = parameters_without_self(func)
        text = _code(params)
        if signature is None:
            signature = text
        elif text != signature:
            raise Unsupported("its handler methods take different arguments")
        names = parameter_names(params)
        if not names or names[0] != "request":
            raise Unsupported(f"{name}() does not take request first")
        if "self.kwargs" in _code(func.body) and params.star_kwarg is None:
            raise Unsupported(f"{name}() reads self.kwargs but takes no **kwargs")
        statements = rewrite_body(func, builder.context(name, reserved=frozenset()))
        last = position == len(order) - 1
        if not last:
            methods = [name.upper()]
            if name == "get":
                methods.append("HEAD")
            if not always_returns(statements):
                raise Unsupported(f"{name}() does not end with return")
            condition = (
                f'request.method == "{methods[0]}"'
                if len(methods) == 1
                else f"request.method in {tuple(methods)!r}"
            )
            builder.emit(f"if {condition}:")
            builder.emit_statements(statements, 2)
        else:
            builder.emit_statements(statements, 1)
    return allowed, signature or "request"


RENDERERS = {
    "template": _render_template,
    "redirect": _render_redirect,
    "list": _render_list,
    "detail": _render_detail,
    "create": _render_create,
    "update": _render_update,
    "delete": _render_delete,
    "form": _render_form,
}


def _access_decorators(builder: _Builder) -> list[str]:
    spec = builder.spec
    denial = []
    for name in ("login_url", "redirect_field_name", "raise_exception"):
        if spec.attrs.get(name) is not None:
            denial.append(f"{name}={builder.attr_code(name)}")
    if spec.attrs.get("permission_denied_message") is not None:
        denial.append(f"message={builder.attr_code('permission_denied_message')}")
    tail = "".join(f", {item}" for item in denial)
    decorators = []
    for mixin in spec.mixins:
        if mixin == "login":
            if spec.attrs.get("raise_exception") is not None or "message=" in tail:
                # login_required cannot answer 403: the mixin's own check does.
                decorators.append(f"@{builder.need(HELPERS, 'require_login')}({tail[2:]})")
                continue
            login = builder.need("django.contrib.auth.decorators", "login_required")
            options = [item for item in denial if not item.startswith("raise_exception")]
            decorators.append(f"@{login}({', '.join(options)})" if options else f"@{login}")
        elif mixin == "permission":
            perms = spec.attrs.get("permission_required")
            value = _literal(perms)
            if isinstance(value, str):
                perms_text = _code(perms)  # type: ignore[arg-type]
            elif isinstance(value, list) and isinstance(perms, cst.List | cst.Tuple):
                perms_text = ", ".join(_code(element.value) for element in perms.elements)
            else:
                raise Unsupported("sets permission_required to something other than constants")
            helper = builder.need(HELPERS, "require_permissions")
            decorators.append(f"@{helper}({perms_text}{tail})")
        elif mixin == "user_test":
            test_name = f"{spec.func_name}_allowed"
            func = spec.methods["test_func"]
            if parameter_names(parameters_without_self(func)):
                raise Unsupported("test_func() takes arguments")
            statements = rewrite_body(
                func,
                builder.context(
                    "test_func", reserved=frozenset({"request", "kwargs"}), object_name=None
                ),
            )
            body = cst.Module(body=statements).code
            lines = [
                f"def {test_name}(request, **kwargs):",
                f'    """Tell whether the request may use {spec.func_name} (its test_func)."""',
                *("    " + line if line else "" for line in body.rstrip("\n").split("\n")),
            ]
            builder.before.append("\n".join(lines))
            helper = builder.need(HELPERS, "require_access")
            decorators.append(f"@{helper}({test_name}{tail})")
    return decorators


def render_view(spec: ViewSpec, taken: AbstractSet[str] = frozenset()) -> Rendered:
    """Write the function-based view (and what it needs) for one class-based view.

    Enforces "Views" of the standard: function-based views, explicit logic, shared helpers,
    access rules as decorators.

    :param spec: the class, as read by :func:`~codemods._cbv_analysis.describe_class`.
    :param taken: module-level names already in use, which new definitions avoid.
    :returns: the module-level code and the imports it needs.
    :raises Unsupported: when some part of the class has no exact plain equivalent.
    """
    builder = _Builder(spec, taken)
    if spec.kind == "view":
        methods, signature = _render_view(builder)
    else:
        methods = RENDERERS[spec.kind](builder)
        signature = "request, **kwargs"
    decorators = [f"@{_code(decorator)}" for decorator in spec.dispatch_decorators]
    decorators += _access_decorators(builder)
    if spec.kind == "redirect":
        require = builder.need("django.views.decorators.http", "require_http_methods")
        decorators.append(f"@{require}({methods!r})".replace("'", '"'))
    else:
        allow = builder.need(HELPERS, "allow_methods")
        decorators.append(f"@{allow}({', '.join(f'{m!r}' for m in methods)})".replace("'", '"'))
    docstring = _docstring(spec)
    lines = [*decorators, f"def {spec.func_name}({signature}):", docstring, *builder.lines]
    lines = [wrap_line(line) for line in lines]
    blocks = [*builder.before, "\n".join(lines)]
    return Rendered("\n\n\n".join(blocks) + "\n", builder.imports)


def _docstring(spec: ViewSpec) -> str:
    if spec.docstring and "\n" not in spec.docstring.strip() and '"' not in spec.docstring:
        summary = spec.docstring.strip()
    else:
        summary = _summary(spec)
    origin = f"Converted from the class-based {spec.class_name} ({KIND_WORDS[spec.kind]})."
    return f'    """{summary}\n\n    {origin}\n    """'


def _summary(spec: ViewSpec) -> str:
    model = spec.attrs.get("model")
    queryset = spec.attrs.get("queryset")
    if model is not None:
        model_name = _code(model)
    elif queryset is not None and is_queryset_chain(queryset):
        model_name = _code(queryset).split(".objects")[0].split("._default_manager")[0]
    else:
        model_name = "object"
    article = "an" if model_name[:1].lower() in "aeiou" else "a"
    template = _literal(spec.attrs.get("template_name"))
    page = f"Render {template}." if isinstance(template, str) else "Render the page."
    return {
        "template": page,
        "redirect": "Redirect to the page that replaced this one.",
        "list": f"List {model_name} objects.",
        "detail": f"Show one {model_name}.",
        "create": f"Create {article} {model_name} from the form.",
        "update": f"Edit {article} {model_name} with the form.",
        "delete": f"Delete {article} {model_name} after confirmation.",
        "form": "Show the form and handle its submission.",
        "view": "Answer the request.",
    }[spec.kind]
