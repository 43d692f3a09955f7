"""Project getter methods (``def get_messages(self): return self.messages``), inlined.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A project base
often adds a method of its own that only returns a value, for subclasses to override
(``WgerFormMixin.get_messages()`` for the success message). Django never calls such a method;
only the class's other methods do, as ``self.get_messages()``. Calling a method whose body is
``return <expression>`` is evaluating that expression where it is called (``self`` is the same
instance), so each call becomes the expression, in parentheses, and the method goes away. The
expression is then converted like the rest of the method it landed in.
"""

from __future__ import annotations

from collections.abc import MutableMapping

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import DispatchGuard, ViewSpec
from redpanda_migrate.codemods.cbv_to_fbv.body import NameUses, Unsupported, is_docstring
from redpanda_migrate.codemods.cbv_to_fbv.compose import _Bound

# Methods Django's generic views and mixins (4.2 to 5.2) call themselves: never inlined, since
# Django would still call the class's version.
DJANGO_METHODS = frozenset(
    {
        "as_view",
        "setup",
        "dispatch",
        "http_method_not_allowed",
        "options",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "trace",
        "get_context_data",
        "get_template_names",
        "render_to_response",
        "get_redirect_url",
        "get_queryset",
        "get_object",
        "get_slug_field",
        "get_context_object_name",
        "get_ordering",
        "paginate_queryset",
        "get_paginate_by",
        "get_paginator",
        "get_paginate_orphans",
        "get_allow_empty",
        "get_initial",
        "get_prefix",
        "get_form_class",
        "get_form",
        "get_form_kwargs",
        "get_success_url",
        "form_valid",
        "form_invalid",
        "get_success_message",
        "get_login_url",
        "get_permission_denied_message",
        "get_redirect_field_name",
        "handle_no_permission",
        "get_permission_required",
        "has_permission",
        "get_test_func",
        "test_func",
        "get_date_field",
    }
)
ACCESSOR_NAME_CLASH = (
    "a getter method's expression uses a name the calling method binds locally; rename that local"
)


def _returned_expression(method: cst.FunctionDef) -> cst.BaseExpression | None:
    """Give the expression of a method that takes only ``self`` and is ``return <expr>``."""
    params = method.params
    if (
        [param.name.value for param in params.params] != ["self"]
        or isinstance(params.star_arg, cst.Param)
        or params.star_kwarg is not None
        or params.kwonly_params
        or params.posonly_params
        or method.decorators
        or method.asynchronous is not None
        or not isinstance(method.body, cst.IndentedBlock)
    ):
        return None
    statements = list(method.body.body)
    if statements and is_docstring(statements[0]):
        statements = statements[1:]
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return None
    only = statements[0].body
    if len(only) != 1 or not isinstance(only[0], cst.Return) or only[0].value is None:
        return None
    return only[0].value


def _wrapped(expression: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(
        expression,
        cst.Name | cst.Attribute | cst.Call | cst.Subscript | cst.SimpleString | cst.Integer,
    ):
        return expression
    return expression.with_changes(
        lpar=[cst.LeftParen(), *expression.lpar], rpar=[*expression.rpar, cst.RightParen()]
    )


class _Inline(cst.CSTTransformer):
    def __init__(self, accessors: dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.accessors = accessors
        self.used: set[str] = set()

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        if (
            not original.args
            and isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
            and func.attr.value in self.accessors
        ):
            self.used.add(func.attr.value)
            return _wrapped(self.accessors[func.attr.value].deep_clone())
        return updated


def _inline_into(
    method: cst.FunctionDef, accessors: dict[str, cst.BaseExpression]
) -> cst.FunctionDef:
    inliner = _Inline(accessors)
    updated = method.visit(inliner)
    if not inliner.used:
        return method
    bound = _Bound()
    method.body.visit(bound)
    bound.names |= {param.name.value for param in method.params.params}
    for name in sorted(inliner.used):
        uses = NameUses()
        accessors[name].visit(uses)
        clash = (uses.names - {"self"}) & bound.names
        if clash:
            raise Unsupported(
                f"{ACCESSOR_NAME_CLASH}: {method.name.value}() binds {sorted(clash)[0]!r}, "
                f"which {name}() reads"
            )
    assert isinstance(updated, cst.FunctionDef)
    return updated


def inline_accessors(spec: ViewSpec) -> None:
    """Replace ``self.<getter>()`` calls with the getter's expression, and drop the getter.

    Enforces "Views" of the standard (explicit logic instead of inherited helper methods).
    A getter is a method Django never calls, taking only ``self`` and made of one ``return``;
    it is dropped once nothing refers to it any more (a getter still referred to otherwise,
    ``self.get_messages`` uncalled, stays and is refused as before).

    :param spec: the view, its methods and dispatch guards updated in place.
    :raises Unsupported: when an inlined expression would read a local of the calling method.
    """
    accessors: dict[str, cst.BaseExpression] = {}
    for name, method in spec.methods.items():
        if name in DJANGO_METHODS or name.startswith("__"):
            continue
        expression = _returned_expression(method)
        if expression is not None:
            accessors[name] = expression
    if not accessors:
        return
    # A getter calling another getter: inline those first (a chain ends, as methods may not
    # call themselves here without recursing forever in the class too).
    for _ in range(len(accessors)):
        for name, expression in list(accessors.items()):
            inliner = _Inline({k: v for k, v in accessors.items() if k != name})
            accessors[name] = expression.visit(inliner)  # type: ignore[assignment]
    methods: MutableMapping[str, cst.FunctionDef] = spec.methods
    for name, method in list(methods.items()):
        if name not in accessors:
            methods[name] = _inline_into(method, accessors)
    for index, entry in enumerate(spec.mixins):
        if isinstance(entry, DispatchGuard):
            spec.mixins[index] = DispatchGuard(
                entry.owner, _inline_into(entry.method, accessors), entry.imports
            )
    for name in accessors:
        if not any(_refers_to(method, name) for key, method in methods.items() if key != name):
            del methods[name]


def _refers_to(method: cst.FunctionDef, name: str) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            nonlocal found
            if (
                isinstance(node.value, cst.Name)
                and node.value.value == "self"
                and node.attr.value == name
            ):
                found = True

    method.visit(_Finder())
    return found
