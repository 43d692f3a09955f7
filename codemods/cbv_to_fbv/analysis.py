"""Reading a class-based view statically, for ``cbv-to-fbv``: what it is and what it overrides.

Red Panda Approval V1-02, "Views": function-based views exclusively. A class is described by a
:class:`ViewSpec` only when everything it inherits is one of Django's generic views plus the
access and message mixins, and every attribute and override is one the converter reproduces
exactly; otherwise :class:`~codemods.cbv_to_fbv.body.Unsupported` says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported

GENERIC_VIEWS = {
    "View": "view",
    "TemplateView": "template",
    "RedirectView": "redirect",
    "ListView": "list",
    "DetailView": "detail",
    "CreateView": "create",
    "UpdateView": "update",
    "DeleteView": "delete",
    "FormView": "form",
}
MIXINS = {
    "django.contrib.auth.mixins.LoginRequiredMixin": "login",
    "django.contrib.auth.mixins.PermissionRequiredMixin": "permission",
    "django.contrib.auth.mixins.UserPassesTestMixin": "user_test",
    "django.contrib.messages.views.SuccessMessageMixin": "success_message",
}
HANDLERS = ("get", "post", "put", "patch", "delete", "head")
HTTP_METHOD_NAMES = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
ACCESS_ATTRS = {
    "login": {"login_url", "redirect_field_name", "raise_exception", "permission_denied_message"},
    "permission": {
        "login_url",
        "redirect_field_name",
        "raise_exception",
        "permission_denied_message",
        "permission_required",
    },
    "user_test": {
        "login_url",
        "redirect_field_name",
        "raise_exception",
        "permission_denied_message",
    },
    "success_message": {"success_message"},
}
OBJECT_ATTRS = {"model", "queryset", "context_object_name", "template_name"}
LOOKUP_ATTRS = {"pk_url_kwarg", "slug_url_kwarg", "slug_field", "query_pk_and_slug"}
FORM_ATTRS = {"form_class", "success_url", "initial", "content_type", "extra_context"}
KIND_ATTRS = {
    "view": {"http_method_names"},
    "template": {"template_name", "extra_context", "content_type"},
    "redirect": {"url", "pattern_name", "permanent", "query_string"},
    "list": OBJECT_ATTRS
    | {
        "paginate_by",
        "ordering",
        "allow_empty",
        "paginate_orphans",
        "page_kwarg",
        "extra_context",
        "content_type",
        "template_name_suffix",
    },
    "detail": OBJECT_ATTRS
    | LOOKUP_ATTRS
    | {"extra_context", "content_type", "template_name_suffix"},
    "create": OBJECT_ATTRS | FORM_ATTRS | {"fields", "template_name_suffix"},
    "update": OBJECT_ATTRS | LOOKUP_ATTRS | FORM_ATTRS | {"fields", "template_name_suffix"},
    "delete": OBJECT_ATTRS
    | LOOKUP_ATTRS
    | {"success_url", "content_type", "extra_context", "template_name_suffix"},
    "form": {"template_name"} | FORM_ATTRS,
}
FORM_METHODS = {
    "get_context_data",
    "form_valid",
    "form_invalid",
    "get_success_url",
    "get_initial",
    "get_form_class",
    "get_form_kwargs",
    "get_template_names",
}
KIND_METHODS = {
    "view": set(HANDLERS),
    "template": {"get_context_data", "get_template_names"},
    "redirect": set(),
    "list": {"get_queryset", "get_context_data", "get_template_names"},
    "detail": {"get_queryset", "get_object", "get_context_data", "get_template_names"},
    "create": FORM_METHODS,
    "update": FORM_METHODS | {"get_queryset", "get_object"},
    "delete": {
        "get_queryset",
        "get_object",
        "get_context_data",
        "form_valid",
        "get_success_url",
        "get_template_names",
    },
    "form": FORM_METHODS,
}
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass
class ViewSpec:
    """A class-based view the converter can reproduce exactly.

    :param class_name: the class's name.
    :param func_name: the name of the function that replaces it.
    :param kind: ``view``, ``template``, ``redirect``, ``list``, ``detail``, ``create``,
        ``update``, ``delete`` or ``form``.
    :param attrs: its attributes (class body, then ``as_view()`` initkwargs) with their values.
    :param methods: its overrides by name.
    :param mixins: its mixins in method resolution order (``login``, ``permission``,
        ``user_test``, ``success_message``).
    :param dispatch_decorators: decorators applied to ``dispatch`` with ``method_decorator``.
    :param docstring: the class's docstring, if any.
    :param line: the line the class starts on.
    """

    class_name: str
    func_name: str
    kind: str
    attrs: dict[str, cst.BaseExpression] = field(default_factory=dict)
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    mixins: list[str] = field(default_factory=list)
    dispatch_decorators: list[cst.BaseExpression] = field(default_factory=list)
    docstring: str | None = None
    line: int = 0


def dotted_name(node: cst.BaseExpression) -> str | None:
    """Spell a ``Name`` or ``Attribute`` chain as a dotted string.

    :param node: an expression.
    :returns: ``a.b.c``, or ``None`` for anything else.
    """
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def qualified_base(name: str, imports: Mapping[str, str]) -> str:
    """Resolve a base class spelled in the module to its full dotted name.

    :param name: the dotted name as written (``generic.ListView``).
    :param imports: local name -> imported dotted name, from the module's imports.
    :returns: the full dotted name, or ``name`` itself when it is defined locally.
    """
    head, _, rest = name.partition(".")
    if head in imports:
        return f"{imports[head]}.{rest}" if rest else imports[head]
    return name


def generic_kind(qualified: str) -> str | None:
    """Tell which of Django's generic views a dotted name is.

    :param qualified: a full dotted name.
    :returns: the kind, or ``None`` when it is not a supported generic view.
    """
    module, _, name = qualified.rpartition(".")
    if name not in GENERIC_VIEWS:
        return None
    if module in ("django.views", "django.views.generic") or (
        module.startswith("django.views.generic.") and module.count(".") == 3
    ):
        return GENERIC_VIEWS[name]
    return None


def function_name(class_name: str) -> str:
    """Derive the function's name from the class's: ``ProductListView`` -> ``product_list``.

    :param class_name: the class's name.
    :returns: its snake_case form without the ``View`` suffix.
    """
    stem = class_name[:-4] if class_name.endswith("View") and len(class_name) > 4 else class_name
    return CAMEL_BOUNDARY.sub("_", stem).lower()


def is_static(node: cst.BaseExpression) -> bool:
    """Tell whether an attribute value means the same evaluated at import or per request.

    Constants, containers of them, names, attribute chains and ``reverse_lazy()`` with such
    arguments qualify; so do chains of manager or queryset calls (``Product.objects.filter()``),
    which Django re-evaluates (``.all()``) per request anyway.

    :param node: the value.
    :returns: ``True`` when moving it into the function keeps its meaning.
    """
    if isinstance(
        node, cst.SimpleString | cst.Integer | cst.Float | cst.Name | cst.ConcatenatedString
    ):
        return True
    if isinstance(node, cst.Attribute):
        return is_static(node.value)
    if isinstance(node, cst.UnaryOperation):
        return is_static(node.expression)
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return all(
            isinstance(element, cst.Element) and is_static(element.value)
            for element in node.elements
        )
    if isinstance(node, cst.Dict):
        return all(
            isinstance(element, cst.DictElement)
            and is_static(element.key)
            and is_static(element.value)
            for element in node.elements
        )
    if isinstance(node, cst.Call):
        args_static = all(is_static(arg.value) for arg in node.args)
        callee = dotted_name(node.func)
        if callee in ("reverse_lazy", "reverse"):
            return args_static
        return args_static and is_queryset_chain(node)
    return False


def is_queryset_chain(node: cst.BaseExpression) -> bool:
    """Tell whether an expression is a chain of calls on ``<Model>.objects`` or a manager.

    :param node: the expression.
    :returns: ``True`` for ``Product.objects.filter(...).order_by(...)`` and the like.
    """
    if isinstance(node, cst.Call):
        return isinstance(node.func, cst.Attribute) and is_queryset_chain(node.func.value)
    if isinstance(node, cst.Attribute):
        if node.attr.value in ("objects", "_default_manager"):
            return dotted_name(node.value) is not None
        return is_queryset_chain(node.value)
    return False


def _method_decorators(
    decorator: cst.Decorator, imports: Mapping[str, str]
) -> list[cst.BaseExpression]:
    call = decorator.decorator
    if not (
        isinstance(call, cst.Call)
        and qualified_base(dotted_name(call.func) or "", imports)
        == "django.utils.decorators.method_decorator"
    ):
        raise Unsupported('has a class decorator other than method_decorator(..., name="dispatch")')
    positional = [arg for arg in call.args if arg.keyword is None]
    names = [arg for arg in call.args if arg.keyword and arg.keyword.value == "name"]
    if (
        len(positional) != 1
        or len(names) != 1
        or not isinstance(names[0].value, cst.SimpleString)
        or names[0].value.evaluated_value != "dispatch"
    ):
        raise Unsupported(
            "uses method_decorator on something other than dispatch; decorate the function by hand"
        )
    value = positional[0].value
    if isinstance(value, cst.List | cst.Tuple):
        return [element.value for element in value.elements]
    return [value]


def _body_members(node: cst.ClassDef, spec: ViewSpec) -> None:
    statements = list(node.body.body) if isinstance(node.body, cst.IndentedBlock) else []
    if not isinstance(node.body, cst.IndentedBlock):
        statements = [cst.SimpleStatementLine(body=list(node.body.body))]
    for index, statement in enumerate(statements):
        if isinstance(statement, cst.FunctionDef):
            if statement.asynchronous is not None:
                raise Unsupported(f"{statement.name.value}() is async")
            if statement.decorators:
                raise Unsupported(f"{statement.name.value}() is decorated")
            spec.methods[statement.name.value] = statement
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            raise Unsupported("has a statement in its body other than attributes and methods")
        for small in statement.body:
            if (
                index == 0
                and isinstance(small, cst.Expr)
                and isinstance(small.value, cst.SimpleString)
            ):
                spec.docstring = str(small.value.evaluated_value)
                continue
            if isinstance(small, cst.Pass):
                continue
            if not (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                raise Unsupported("has a class-level statement other than a simple attribute")
            spec.attrs[small.targets[0].target.value] = small.value


def describe_class(
    node: cst.ClassDef,
    imports: Mapping[str, str],
    initkwargs: Mapping[str, cst.BaseExpression],
    line: int,
) -> ViewSpec:
    """Describe a class-based view, or say why it cannot be converted exactly.

    Enforces "Views" of the standard (function-based views exclusively).

    :param node: the class.
    :param imports: local name -> imported dotted name.
    :param initkwargs: the ``as_view()`` keyword arguments its URLconfs pass.
    :param line: the line the class starts on.
    :returns: the description.
    :raises Unsupported: with the reason the class is left alone.
    """
    spec = ViewSpec(node.name.value, function_name(node.name.value), "", line=line)
    if node.keywords:
        raise Unsupported("has a metaclass or class keywords")
    kinds: list[str] = []
    for position, arg in enumerate(node.bases):
        written = dotted_name(arg.value)
        if written is None:
            raise Unsupported("has a computed base class")
        qualified = qualified_base(written, imports)
        kind = generic_kind(qualified)
        if kind is not None:
            if position != len(node.bases) - 1:
                raise Unsupported(
                    f"lists a base after {written}, so that mixin never runs (Django's views do "
                    "not call super().dispatch()); fix the order first"
                )
            kinds.append(kind)
        elif qualified in MIXINS:
            spec.mixins.append(MIXINS[qualified])
        elif qualified.startswith("rest_framework"):
            raise Unsupported(f"is a Django REST framework view ({written}); out of scope")
        else:
            raise Unsupported(
                f"inherits from {written}, which is not one of Django's generic views or "
                "supported mixins; convert the base first"
            )
    if not kinds:
        raise Unsupported("does not inherit from one of Django's generic views")
    spec.kind = kinds[0]
    if "success_message" in spec.mixins and spec.kind not in ("create", "update", "form", "delete"):
        raise Unsupported("uses SuccessMessageMixin on a view without a form")
    if len(set(spec.mixins)) != len(spec.mixins):
        raise Unsupported("lists a mixin twice")
    for decorator in node.decorators:
        spec.dispatch_decorators.extend(_method_decorators(decorator, imports))
    _body_members(node, spec)
    spec.attrs.update(initkwargs)
    _check_members(spec)
    return spec


def _check_members(spec: ViewSpec) -> None:
    allowed_attrs = set(KIND_ATTRS[spec.kind])
    allowed_methods = set(KIND_METHODS[spec.kind])
    for mixin in spec.mixins:
        allowed_attrs |= ACCESS_ATTRS[mixin]
    if "user_test" in spec.mixins:
        allowed_methods.add("test_func")
    for name, value in spec.attrs.items():
        if name not in allowed_attrs:
            raise Unsupported(f"sets {name}, which the conversion does not handle")
        if not is_static(value):
            raise Unsupported(
                f"computes {name} when the module is imported; in a function it would be "
                "computed per request"
            )
    for name in spec.methods:
        if name in ("dispatch", "setup", "__init__", "as_view"):
            raise Unsupported(f"overrides {name}(); its logic cannot be moved safely")
        if name == "options":
            raise Unsupported("overrides options()")
        if name not in allowed_methods:
            raise Unsupported(f"overrides {name}(), which the conversion does not handle")
    if "user_test" in spec.mixins and "test_func" not in spec.methods:
        raise Unsupported("uses UserPassesTestMixin without test_func()")
    if spec.kind == "view" and not any(name in spec.methods for name in HANDLERS):
        raise Unsupported("defines no handler method")
    if "success_message" in spec.mixins and "form_valid" in spec.methods and spec.kind != "delete":
        raise Unsupported("overrides form_valid() and uses SuccessMessageMixin")
