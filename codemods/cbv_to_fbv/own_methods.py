"""A view's own helper methods become functions beside the view, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": shared logic in utility functions. A method that is not one
of Django's (``get_next_url(self, ticket_id)``, not ``get_form``) is only ever called by the
view's own code, as ``self.get_next_url(ticket_id)``. It becomes a module-level function
``<view>_<method>(request, ticket_id)`` written before the view, taking the request and its own
arguments; ``self.request`` inside it is ``request`` and class attributes are their values.
Every ``self.<method>(...)`` call becomes a call of that function with ``request`` first. A
method reading anything else of ``self`` (``self.kwargs``, ``self.object``, Django's methods)
is refused with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    SELF_WITHOUT_MEANING,
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)

if TYPE_CHECKING:
    from redpanda_migrate.codemods.cbv_to_fbv.analysis import ViewSpec
    from redpanda_migrate.codemods.cbv_to_fbv.builder import ViewBuilder

# Every attribute and method Django's generic views and mixins define (4.2-5.2): a method of
# one of these names is an override, never a helper of the view's own.
DJANGO_VIEW_NAMES = frozenset(
    {
        # View
        "http_method_names", "view_is_async", "as_view", "setup", "dispatch",
        "http_method_not_allowed", "options", "_allowed_methods", "get", "post", "put",
        "patch", "delete", "head", "trace",
        # TemplateResponseMixin, ContextMixin
        "template_name", "template_engine", "response_class", "content_type",
        "render_to_response", "get_template_names", "extra_context", "get_context_data",
        # RedirectView
        "permanent", "url", "pattern_name", "query_string", "get_redirect_url",
        # SingleObjectMixin and its template mixin
        "model", "queryset", "slug_field", "context_object_name", "slug_url_kwarg",
        "pk_url_kwarg", "query_pk_and_slug", "get_object", "get_queryset", "get_slug_field",
        "get_context_object_name", "template_name_field", "template_name_suffix",
        # MultipleObjectMixin
        "allow_empty", "paginate_by", "paginate_orphans", "paginator_class", "page_kwarg",
        "ordering", "get_ordering", "paginate_queryset", "get_paginate_by", "get_paginator",
        "get_paginate_orphans", "get_allow_empty",
        # FormMixin, ModelFormMixin, DeletionMixin
        "initial", "form_class", "success_url", "prefix", "get_initial", "get_prefix",
        "get_form_class", "get_form", "get_form_kwargs", "get_success_url", "form_valid",
        "form_invalid", "fields",
        # access mixins, SuccessMessageMixin
        "login_url", "permission_denied_message", "raise_exception", "redirect_field_name",
        "get_login_url", "get_permission_denied_message", "get_redirect_field_name",
        "handle_no_permission", "permission_required", "get_permission_required",
        "has_permission", "test_func", "get_test_func", "success_message",
        "get_success_message",
    }
)  # fmt: skip
OWN_METHOD_CALLED_OTHERWISE = (
    "uses one of its own methods other than by calling it (self.m(...)); call it or convert by hand"
)


def is_own_method(name: str) -> bool:
    """Tell whether a method name is the view's own, not an override of Django's.

    :param name: the method's name.
    :returns: ``True`` for names Django's views do not define (dunder names excluded).
    """
    return name not in DJANGO_VIEW_NAMES and not name.startswith("__")


def own_method_functions(spec: ViewSpec) -> dict[str, str]:
    """Name the function each of the view's own methods becomes.

    :param spec: the view.
    :returns: method name -> function name (``<view>_<method>``).
    """
    return {
        name: f"{spec.func_name}_{name.lstrip('_')}" for name in spec.methods if is_own_method(name)
    }


class _BareUse(cst.CSTVisitor):
    """Find ``self.<own method>`` used other than as the callee of a call."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.callees: set[int] = set()
        self.found: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.callees.add(id(node.func))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if (
            isinstance(node.value, cst.Name)
            and node.value.value == "self"
            and node.attr.value in self.names
            and id(node) not in self.callees
        ):
            self.found.append(node.attr.value)


def emit_own_methods(builder: ViewBuilder) -> None:
    """Write each of the view's own methods as a function before the view.

    :param builder: the builder of the view; the functions go to ``builder.before``.
    :raises Unsupported: for a method whose body has no plain meaning outside the class, that
        takes ``request`` itself, or that the view's code uses without calling it.
    """
    spec = builder.spec
    names = own_method_functions(spec)
    if not names:
        return
    for method in spec.methods.values():
        bare = _BareUse(set(names))
        method.visit(bare)
        if bare.found:
            raise Unsupported(f"{OWN_METHOD_CALLED_OTHERWISE}: self.{bare.found[0]}")
    for name, function in names.items():
        method = spec.methods[name]
        params = parameters_without_self(method)
        if "request" in parameter_names(params):
            raise Unsupported(
                f"{name}() takes an argument named request, which its function takes first; "
                "rename it"
            )
        code = cst.Module(body=[]).code_for_node(method)
        if "self.kwargs" in code:
            raise Unsupported(
                f"{SELF_WITHOUT_MEANING}: {name}() reads self.kwargs, which its function would "
                "not have; pass the value as an argument"
            )
        context = builder.context(name, reserved=frozenset({"request", "kwargs"}), object_name=None)
        statements = rewrite_body(method, context)
        signature = cst.Module(body=[]).code_for_node(params).strip()
        header = (
            f"def {function}(request, {signature}):" if signature else f"def {function}(request):"
        )
        body = cst.Module(body=statements).code
        if '"""' in body or "'''" in body:
            raise Unsupported("has a multi-line string in a method; move it by hand")
        lines = [header]
        lines += [("    " + line) if line.strip() else "" for line in body.rstrip("\n").split("\n")]
        builder.before.append("\n".join(lines))


def call_own_method(call: cst.Call, function: str) -> cst.Call:
    """``self.m(a, b)`` -> ``<view>_m(request, a, b)``.

    :param call: the call of the method, already rewritten inside.
    :param function: the function the method became.
    :returns: the call of the function.
    """
    return call.with_changes(
        func=cst.Name(function), args=[cst.Arg(cst.Name("request")), *call.args]
    )
