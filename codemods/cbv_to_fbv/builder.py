"""The builder that writes one function-based view, line by line, and what every kind shares.

Red Panda Approval V1-02, "Views": the generated function spells out what the class did. The
builder collects the lines, the imports they need and the module-level definitions that go
before the function; the renderers of :mod:`.pages` and :mod:`.forms`
drive it, and :mod:`.render` puts the pieces together.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    ViewSpec,
    is_queryset_chain,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    BodyContext,
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
    split_final_return,
)
from redpanda_migrate.codemods.cbv_to_fbv.helpers import HELPER_MODULE_NAME
from redpanda_migrate.codemods.cbv_to_fbv.own_methods import own_method_functions

HELPERS = f".{HELPER_MODULE_NAME}"
RESERVED = frozenset(
    {"request", "kwargs", "queryset", "obj", "form", "context", "response", "success_url"}
)
FORMAT_SPEC = re.compile(r"%\([^)]*\)[sdir]")


def node_code(node: cst.CSTNode) -> str:
    """Return the source code of ``node``.

    :param node: any libcst node.
    :returns: its code, as libcst writes it.
    """
    return cst.Module(body=[]).code_for_node(node)


def literal(node: cst.BaseExpression | None) -> object:
    """Evaluate a constant expression; return ``...`` when it is not one.

    :param node: an expression, or ``None`` (which gives ``None``).
    :returns: the value of a string, integer, ``True``/``False``/``None``, list or tuple.
    """
    if node is None:
        return None
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        return node.evaluated_value
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.List | cst.Tuple):
        values = [literal(element.value) for element in node.elements]
        return ... if ... in values else values
    return ...


class ViewBuilder:
    """Write one function-based view: its lines, imports and module-level definitions."""

    def __init__(self, spec: ViewSpec, taken: AbstractSet[str], width: int = 88) -> None:
        self.spec = spec
        self.taken = taken
        self.width = width
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
        return node_code(self.unlazy(node))

    def unlazy(self, node: cst.BaseExpression) -> cst.BaseExpression:
        # reverse_lazy() is only lazy because class bodies run at import; in a function,
        # reverse() gives the same string at the same moment the view needs it.
        if isinstance(node, cst.Call) and node_code(node.func) == "reverse_lazy":
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
            "self_methods": own_method_functions(self.spec),
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
            supers[method] = lambda call: super_default(call, default, method)
        context = self.context(method, reserved=RESERVED - {target}, super_calls=supers)
        for key, value in overrides.items():
            setattr(context, key, value)
        statements = rewrite_body(func, context)
        prelude, value = split_final_return(statements, method)
        if prelude:
            self.emit_statements(prelude, level)
        return node_code(value)

    # -- shared parts --------------------------------------------------------------------

    def queryset_default(self, ordering: bool) -> str | None:
        queryset = self.attr("queryset")
        model = self.attr("model")
        if queryset is not None:
            if not is_queryset_chain(queryset):
                # A shared QuerySet object would keep its result cache between requests.
                raise Unsupported("sets queryset to something other than a Model.objects... chain")
            text = node_code(queryset)
        elif model is not None:
            text = f"{node_code(model)}._default_manager.all()"
        else:
            return None
        node = self.attr("ordering") if ordering else None
        order = literal(node)
        if order is ...:
            raise Unsupported("sets ordering to something other than a constant")
        if order and node is not None:
            if isinstance(node, cst.List | cst.Tuple):
                fields = ", ".join(node_code(element.value) for element in node.elements)
            else:
                fields = node_code(node)
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
        if extra is None or (isinstance(extra, cst.Name) and extra.value == "None"):
            return base  # ContextMixin adds extra_context only when it is not None
        if isinstance(extra, cst.Dict):
            items = ", ".join(node_code(element).rstrip(", ") for element in extra.elements)
        else:
            items = f"**{node_code(extra)}"
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
        if node_code(value) != "context":
            self.emit(f"context = {node_code(value)}", level)

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
        if not isinstance(literal(node), str):
            raise Unsupported("sets template_name_suffix to something other than a string")
        return node_code(node)

    def named_templates(self) -> str | None:
        """``[template_name]``, as ``TemplateResponseMixin.get_template_names()`` gives it.

        :returns: the list expression, or ``None`` when the view sets no ``template_name``.
        """
        template = self.attr_code("template_name")
        return None if template is None else f"[{template}]"

    def object_template(self, suffix: str, obj: str) -> str:
        named = self.named_templates()
        if named is not None:
            return named
        model = self.attr_code("model")
        if model is None and obj == "None":
            raise Unsupported("has neither template_name nor model")
        helper = self.need(HELPERS, "object_template_names")
        return f"{helper}({obj}, {model or 'None'}, {self.suffix(suffix)})"

    def object_context(self, extra: str = "") -> str:
        """Call ``object_context`` for ``obj``, with ``context_object_name`` and ``extra``."""
        helper = self.need(HELPERS, "object_context")
        name = self.attr_code("context_object_name")
        arguments = "obj" + (f", {name}" if name else "") + extra
        return f"{helper}({arguments})"

    def redirect(self, url: str) -> str:
        """Return the expression redirecting to ``url``."""
        return f"{self.need('django.http', 'HttpResponseRedirect')}({url})"


def _only_optional_queryset(params: cst.Parameters) -> bool:
    """Tell whether a signature is exactly ``(queryset=None)``."""
    return (
        parameter_names(params) == ["queryset"]
        and len(params.params) == 1
        and params.params[0].default is not None
        and node_code(params.params[0].default) == "None"
    )


def super_default(call: cst.Call, default: str, method: str) -> cst.BaseExpression:
    """Replace ``super().<method>()`` with the generic view's own value, ``default``.

    :param call: the ``super()`` call.
    :param default: the expression of the value.
    :param method: the method's name, for messages.
    :returns: the expression.
    :raises Unsupported: for a call with arguments.
    """
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
