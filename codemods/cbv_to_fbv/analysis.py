"""Reading a class-based view statically, for ``cbv-to-fbv``: what it is and what it overrides.

Red Panda Approval V1-02, "Views": function-based views exclusively. A class is described by a
:class:`ViewSpec` only when everything it inherits is one of Django's generic views plus the
access and message mixins, and every attribute and override is one the converter reproduces
exactly; otherwise :class:`~codemods.cbv_to_fbv.body.Unsupported` says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.own_methods import is_own_method
from redpanda_migrate.codemods.shared.cst_names import dotted_text

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
    "get_form",
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
    "template": {"get_context_data", "get_template_names", "get"},
    "redirect": set(),
    "list": {"get_queryset", "get_context_data", "get_template_names", "get"},
    "detail": {"get_queryset", "get_object", "get_context_data", "get_template_names", "get"},
    "create": FORM_METHODS,
    "update": FORM_METHODS | {"get_queryset", "get_object"},
    "delete": {
        "get_queryset",
        "get_object",
        "get_context_data",
        "form_valid",
        "get_success_url",
        "get_template_names",
        "get_form",
        "delete",
    },
    "form": FORM_METHODS,
}
# Lazy translations: the same lazy text whether built at import or per request.
LAZY_TEXT = {"gettext_lazy", "pgettext_lazy", "ngettext_lazy", "npgettext_lazy", "ugettext_lazy"}
# Django's own mixins that each generic view already has: listing one again (a project mixin
# built on ModelFormMixin) leaves the method resolution order as the generic view makes it.
_EDIT = "django.views.generic.edit."
_DETAIL = "django.views.generic.detail."
_RENDER = {
    "django.views.generic.base.ContextMixin",
    "django.views.generic.base.TemplateResponseMixin",
}
_SINGLE = _RENDER | {
    f"{_DETAIL}SingleObjectMixin",
    f"{_DETAIL}SingleObjectTemplateResponseMixin",
}
_FORM = _RENDER | {f"{_EDIT}FormMixin", f"{_EDIT}ProcessFormView"}
INCLUDED_MIXINS = {
    "view": set(),
    "redirect": set(),
    "template": _RENDER,
    "list": _RENDER
    | {
        "django.views.generic.list.MultipleObjectMixin",
        "django.views.generic.list.MultipleObjectTemplateResponseMixin",
    },
    "detail": _SINGLE,
    "create": _SINGLE | _FORM | {f"{_EDIT}ModelFormMixin"},
    "update": _SINGLE | _FORM | {f"{_EDIT}ModelFormMixin"},
    "delete": _SINGLE | {f"{_EDIT}FormMixin", f"{_EDIT}DeletionMixin"},
    "form": _FORM,
}
# Bases that add nothing a view's answer depends on (``AccessMixin`` only holds the denial
# settings the access mixins read).
NO_OP_BASES = {"django.contrib.auth.mixins.AccessMixin", "object"}
DRF_REASON = "is a Django REST framework view; out of scope"
THIRD_PARTY_BASE = (
    "inherits from a view class whose source is not in the project (a third-party package); "
    "convert the view by hand or drop that base"
)
UNSUPPORTED_DJANGO_BASE = (
    "inherits from a Django class other than the generic views and access mixins the "
    "conversion reproduces; convert the view by hand"
)
ASYNC_METHOD = "has an async method; async views are converted by hand"
DECORATED_METHOD = (
    "has a decorated method; move the decorator onto the view (method_decorator on the class) "
    "or convert by hand"
)
DISPATCH_OVERRIDE = (
    "overrides dispatch(), setup() or __init__ with logic that cannot move into a function; "
    "turn it into a decorator or an access mixin first"
)
UNHANDLED_METHOD = (
    "overrides a method the conversion does not reproduce; inline it into the hooks it serves "
    "or convert by hand"
)
SELF_STATE = (
    "keeps state on self (an attribute assigned in a method); pass it as a value instead, "
    "or convert by hand"
)
UNKNOWN_INITKWARG = (
    "is routed with an as_view() argument the class does not have (Django refuses it); "
    "fix the URLconf"
)
MIXIN_AFTER_VIEW = "lists a mixin after the generic view; move the mixin before it"
UNHANDLED_ATTRIBUTE = (
    "sets an attribute Django reads that the conversion does not reproduce; convert by hand"
)
IMPORT_TIME_VALUE = (
    "computes an attribute when the module is imported (a function would compute it per "
    "request); make it a constant or lazy (gettext_lazy, reverse_lazy), then run again"
)
# Attributes Django's generic views of each kind read that the conversion does not reproduce.
_RENDERING = {"template_engine", "response_class", "http_method_names"}
DJANGO_READS = {
    "view": set(),
    "template": _RENDERING,
    "redirect": {"http_method_names"},
    "list": _RENDERING | {"paginator_class"},
    "detail": _RENDERING,
    "create": _RENDERING | {"prefix"},
    "update": _RENDERING | {"prefix"},
    "form": _RENDERING | {"prefix"},
    "delete": _RENDERING | {"form_class"},
}
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class DispatchDecorators:
    """``method_decorator(..., name="dispatch")`` of a project mixin, at its place in the chain.

    :param owner: the class that carries the decorators.
    :param codes: each decorator's source, as the view's module will spell it.
    :param imports: ``(module, name)`` pairs the decorators need in the view's module.
    """

    owner: str
    codes: tuple[str, ...]
    imports: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, eq=False)
class DispatchGuard:
    """A ``dispatch()`` that checks something, then ``return super().dispatch(...)``.

    It runs at its class's place in the chain, so it becomes a decorator there.

    :param owner: the class that defines it.
    :param method: the method, ``super(Owner, self)`` already written ``super()``.
    :param imports: ``(module, name)`` pairs its code needs in the view's module.
    """

    owner: str
    method: cst.FunctionDef
    imports: frozenset[tuple[str, str]] = frozenset()


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
    :param takes_args: some caller passes positional arguments besides the request, which
        Django keeps in ``self.args``: the function takes (and ignores) ``*args``.
    :param origin_kind: the kind the class was written as, when it converts as another
        (a ``TemplateView`` rendering its own context converts as a plain view).
    """

    class_name: str
    func_name: str
    kind: str
    attrs: dict[str, cst.BaseExpression] = field(default_factory=dict)
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    mixins: list[str | DispatchDecorators | DispatchGuard] = field(default_factory=list)
    dispatch_decorators: list[cst.BaseExpression] = field(default_factory=list)
    docstring: str | None = None
    line: int = 0
    takes_args: bool = False
    origin_kind: str | None = None


def dotted_name(node: cst.BaseExpression) -> str | None:
    """Spell a ``Name`` or ``Attribute`` chain as a dotted string.

    :param node: an expression.
    :returns: ``a.b.c``, or ``None`` for anything else.
    """
    return dotted_text(node) or None


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


def module_imports(module: cst.Module, path: str) -> dict[str, str]:
    """Map a module's imported names to dotted names, relative imports made absolute-ish.

    Only what base-class resolution needs: ``from X import Y`` gives ``Y -> X.Y``,
    ``import X as Z`` gives ``Z -> X``.

    :param module: the parsed module.
    :param path: its path (relative imports keep their dots).
    :returns: local name -> dotted name.
    """
    imports: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                source = "." * len(small.relative) + (
                    cst.Module(body=[]).code_for_node(small.module) if small.module else ""
                )
                for alias in small.names:
                    name = cst.Module(body=[]).code_for_node(alias.name)
                    local = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                    imports[local] = f"{source}.{name}" if source else name
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = cst.Module(body=[]).code_for_node(alias.name)
                    if alias.asname:
                        imports[alias.asname.name.value] = dotted  # type: ignore[union-attr]
                    else:
                        imports[dotted.split(".")[0]] = dotted.split(".")[0]
    return imports


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
        if callee in ("reverse_lazy", "reverse") or (callee or "").rpartition(".")[2] in LAZY_TEXT:
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
                raise Unsupported(f"{ASYNC_METHOD}: {statement.name.value}()")
            if statement.decorators:
                raise Unsupported(f"{DECORATED_METHOD}: {statement.name.value}()")
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
    chain: Sequence[str | DispatchDecorators | DispatchGuard] | None = None,
) -> ViewSpec:
    """Describe a class-based view, or say why it cannot be converted exactly.

    Enforces "Views" of the standard (function-based views exclusively).

    :param node: the class (with what it inherits from project bases in its body).
    :param imports: local name -> imported dotted name.
    :param initkwargs: the ``as_view()`` keyword arguments its URLconfs pass.
    :param line: the line the class starts on.
    :param chain: its bases read through the project's classes, in method resolution order
        (:class:`~codemods.cbv_to_fbv.inheritance.FlatClass`); by default its own bases.
    :returns: the description.
    :raises Unsupported: with the reason the class is left alone.
    """
    spec = ViewSpec(node.name.value, function_name(node.name.value), "", line=line)
    if node.keywords:
        raise Unsupported("has a metaclass or class keywords")
    if chain is None:
        chain = []
        for arg in node.bases:
            written = dotted_name(arg.value)
            if written is None:
                raise Unsupported("has a computed base class")
            chain.append(qualified_base(written, imports))
    kinds: list[str] = []
    generic = [generic_kind(entry) for entry in chain if isinstance(entry, str)]
    final_kind = next((kind for kind in generic if kind is not None), None)
    included = INCLUDED_MIXINS.get(final_kind or "", set())
    for entry in chain:
        if isinstance(entry, str) and entry in included:
            continue
        if isinstance(entry, DispatchDecorators | DispatchGuard):
            if kinds:
                raise Unsupported(f"{MIXIN_AFTER_VIEW}: {entry.owner} comes after the generic view")
            spec.mixins.append(entry)
            continue
        written = entry.rpartition(".")[2]
        kind = generic_kind(entry)
        if kind is None and entry not in MIXINS and entry not in NO_OP_BASES:
            if entry.startswith("rest_framework"):
                raise Unsupported(f"{DRF_REASON}: {entry}")
            if entry.startswith("django."):
                raise Unsupported(f"{UNSUPPORTED_DJANGO_BASE}: {entry}")
            raise Unsupported(f"{THIRD_PARTY_BASE}: {entry}")
        if kinds:
            raise Unsupported(
                f"{MIXIN_AFTER_VIEW}: {written} comes after the generic view, so it never runs "
                "(Django's views do not call super().dispatch())"
            )
        if kind is not None:
            kinds.append(kind)
        elif entry in MIXINS:
            spec.mixins.append(MIXINS[entry])
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
    init = spec.methods.pop("__init__", None)
    if init is not None:
        if initkwargs:
            raise Unsupported("overrides __init__() and is routed with as_view() arguments")
        spec.attrs.update(init_attributes(init))
    known = set(spec.attrs) | KIND_ATTRS[spec.kind] | DJANGO_READS[spec.kind]
    for mixin in spec.mixins:
        if isinstance(mixin, str):
            known |= ACCESS_ATTRS[mixin]
    for name in initkwargs:
        if name not in known:
            # as_view() itself refuses a keyword that is not an attribute of the class
            raise Unsupported(f"{UNKNOWN_INITKWARG}: {name}")
    spec.attrs.update(initkwargs)
    from redpanda_migrate.codemods.cbv_to_fbv.accessors import inline_accessors
    from redpanda_migrate.codemods.cbv_to_fbv.permission_test import permission_as_test

    permission_as_test(spec)
    inline_accessors(spec)
    _check_members(spec)
    return spec


def _check_members(spec: ViewSpec) -> None:
    allowed_attrs = set(KIND_ATTRS[spec.kind])
    allowed_methods = set(KIND_METHODS[spec.kind])
    for mixin in spec.mixins:
        if isinstance(mixin, str):
            allowed_attrs |= ACCESS_ATTRS[mixin]
    if "user_test" in spec.mixins:
        allowed_methods.add("test_func")
    if "success_message" in spec.mixins:
        allowed_methods.add("get_success_message")
    for name, value in spec.attrs.items():
        if name not in allowed_attrs and name in DJANGO_READS.get(spec.kind, ()):
            raise Unsupported(f"{UNHANDLED_ATTRIBUTE}: {name}")
        # Any other attribute is the project's own (or one this kind of view never reads, such
        # as `fields` on a ListView): only the overrides read it, and they get its value.
        if not is_static(value):
            raise Unsupported(
                f"{IMPORT_TIME_VALUE}: {name} = {cst.Module(body=[]).code_for_node(value)}"
            )
    for name, method in spec.methods.items():
        if name != "get_success_message":  # that one's assignments become locals
            assigned = _self_assignments(method)
            if assigned:
                raise Unsupported(f"{SELF_STATE}: self.{assigned[0]} in {name}()")
    for name in spec.methods:
        if name in ("dispatch", "setup", "__init__", "as_view"):
            raise Unsupported(f"{DISPATCH_OVERRIDE}: {name}()")
        if name == "options":
            raise Unsupported("overrides options()")
        if name not in allowed_methods and not is_own_method(name):
            raise Unsupported(f"{UNHANDLED_METHOD}: {name}()")
    if "user_test" in spec.mixins and "test_func" not in spec.methods:
        raise Unsupported("uses UserPassesTestMixin without test_func()")
    if spec.kind == "view" and not any(name in spec.methods for name in HANDLERS):
        raise Unsupported("defines no handler method")
    if "success_message" in spec.mixins and "form_valid" in spec.methods and spec.kind != "delete":
        raise Unsupported("overrides form_valid() and uses SuccessMessageMixin")


def init_attributes(func: cst.FunctionDef) -> dict[str, cst.BaseExpression]:
    """Read an ``__init__`` that only sets attributes, as the attributes it sets.

    ``as_view()`` builds a new instance for every request, so ``self.model = Child`` in
    ``__init__`` is the class attribute ``model = Child`` by another name. Parameters (with
    defaults, as a subclass's ``super().__init__(sex="boy")`` fills them in) give their default.

    :param func: the ``__init__`` method.
    :returns: attribute name -> value.
    :raises Unsupported: when it does anything but ``super().__init__()`` and
        ``self.<name> = <constant or parameter>``.
    """
    reason = "overrides __init__() to do more than set attributes; move that logic by hand"
    params = func.params
    defaults: dict[str, cst.BaseExpression] = {}
    for param in params.params[1:]:
        if param.default is None:
            raise Unsupported(f"{reason}: parameter {param.name.value} has no default")
        defaults[param.name.value] = param.default
    if params.kwonly_params or params.posonly_params or params.star_kwarg:
        raise Unsupported(f"{reason}: it takes other arguments")
    if isinstance(params.star_arg, cst.Param):
        raise Unsupported(f"{reason}: it takes other arguments")
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else [func.body]
    attrs: dict[str, cst.BaseExpression] = {}
    for index, statement in enumerate(body):
        smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else None
        if smalls is None:
            raise Unsupported(reason)
        for small in smalls:
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
                if index == 0:
                    continue
            if (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and dotted_name(small.value.func) in ("super.__init__",)
            ):
                continue
            if (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and isinstance(small.value.func, cst.Attribute)
                and isinstance(small.value.func.value, cst.Call)
                and dotted_name(small.value.func.value.func) == "super"
                and not small.value.func.value.args
                and small.value.func.attr.value == "__init__"
                and not small.value.args
            ):
                continue
            if not (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Attribute)
                and dotted_name(small.targets[0].target.value) == "self"
            ):
                raise Unsupported(reason)
            value = small.value
            if isinstance(value, cst.Name) and value.value in defaults:
                value = defaults[value.value]
            attrs[small.targets[0].target.attr.value] = value
    return attrs


def _self_assignments(method: cst.FunctionDef) -> list[str]:
    """Names of the ``self.<name>`` attributes a method assigns (``=``, ``+=``, ``:=``...)."""
    found: list[str] = []

    def record(target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Attribute) and dotted_name(target.value) == "self":
            found.append(target.attr.value)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                record(element.value)

    class _Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            record(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            record(node.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            record(node.target)

        def visit_For(self, node: cst.For) -> None:
            record(node.target)

    method.visit(_Finder())
    return found
