"""Template, redirect, list, detail and plain ``View`` classes, written as functions.

Red Panda Approval V1-02, "Views": each renderer spells out what Django's generic view of its
kind does for a GET (``TemplateView``, ``RedirectView``, ``ListView``, ``DetailView``) or which
handler a plain ``View`` dispatches to (Django 4.2 to 5.2).
"""

from __future__ import annotations

from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    HANDLERS,
    HTTP_METHOD_NAMES,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import (
    HELPERS,
    ViewBuilder,
    literal,
    node_code,
)
from redpanda_migrate.codemods.cbv_to_fbv.hooks import template_names
from redpanda_migrate.codemods.cbv_to_fbv.text import (
    double_quoted,
    percent_to_format,
)


def _render_template(builder: ViewBuilder) -> list[str]:
    builder.emit_context(builder.extra("{**kwargs}"))
    builder.response(template_names(builder, builder.named_templates))
    return ["GET", "HEAD", "OPTIONS"]


def _render_redirect(builder: ViewBuilder) -> list[str]:
    url = literal(builder.attr("url"))
    pattern = literal(builder.attr("pattern_name"))
    permanent = literal(builder.attr("permanent"))
    query_string = literal(builder.attr("query_string"))
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


def _render_list(builder: ViewBuilder) -> list[str]:
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
    builder.response(template_names(builder, lambda: _list_templates(builder)))
    return ["GET", "HEAD", "OPTIONS"]


def _list_templates(builder: ViewBuilder) -> str:
    names = builder.need(HELPERS, "list_template_names")
    template = builder.attr_code("template_name")
    arguments = f", {template}" if template else ""
    if builder.attr("template_name_suffix") is not None:
        arguments += f", suffix={builder.suffix('_list')}"
    return f"{names}(queryset{arguments})"


def _render_detail(builder: ViewBuilder) -> list[str]:
    builder.emit_object()
    builder.emit_context(builder.extra(builder.object_context()))
    builder.response(template_names(builder, lambda: builder.object_template("_detail", "obj")))
    return ["GET", "HEAD", "OPTIONS"]


def render_plain_view(builder: ViewBuilder) -> tuple[list[str], str]:
    """Write a plain ``View`` subclass: its handlers, one ``if request.method`` branch each.

    :param builder: the builder of the view.
    :returns: the methods the view answers and the function's signature.
    :raises Unsupported: for handlers that differ in signature or do not end with return.
    """
    spec = builder.spec
    names = (
        literal(spec.attrs.get("http_method_names"))
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
        text = node_code(params)
        if signature is None:
            signature = text
        elif text != signature:
            raise Unsupported("its handler methods take different arguments")
        names = parameter_names(params)
        if not names or names[0] != "request":
            raise Unsupported(f"{name}() does not take request first")
        if "self.kwargs" in node_code(func.body) and params.star_kwarg is None:
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


PAGE_RENDERERS = {
    "template": _render_template,
    "redirect": _render_redirect,
    "list": _render_list,
    "detail": _render_detail,
}
