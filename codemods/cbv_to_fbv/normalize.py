"""Equivalent rewrites of a view's methods into forms the conversion reads, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. Each rewrite here
keeps Django's code path exactly (``django/views/generic/base.py``, Django 4.2-5.2):

* ``super(self.__class__, self)`` is ``super()`` in a class no project class inherits from
  (``self.__class__`` is then always that class).
* In a ``TemplateView``'s ``get(self, request, *args, **kwargs)``, the two statements
  ``context = self.get_context_data(**kwargs)`` and ``return self.render_to_response(context)``
  are ``TemplateView.get``'s own body: ``return super().get(request, *args, **kwargs)``.
* A ``get()`` ending ``if C: ... return super().get(...) else: raise ...`` (one branch
  returning Django's page, the other never falling through) checks ``not C`` first.
* A ``TemplateView`` whose ``get()`` never builds Django's context (no ``super()``, no
  ``get_context_data``) answers as a plain view: ``self.render_to_response(context)`` is
  ``TemplateResponse(request, [template_name], context)``, as ``TemplateResponseMixin`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import DispatchGuard, ViewSpec
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    NameUses,
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
)
from redpanda_migrate.codemods.cbv_to_fbv.inheritance import ProjectClasses
from redpanda_migrate.codemods.cbv_to_fbv.urls import ClassKey

SUPER_GET = "return super().get(request, *args, **kwargs)"
_CONTEXT = "context = self.get_context_data(**kwargs)"
_RENDER = "return self.render_to_response(context)"
RENDER_WITH_OPTIONS = (
    "sets template_engine or response_class, which the plain TemplateResponse does not use; "
    "convert by hand"
)
TEMPLATE_GET_MIXED = (
    "overrides get() without Django's page and also get_context_data() or "
    "get_template_names(); move their lines into get() or convert by hand"
)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node).strip()


def _is_self_class(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == "self"
        and node.attr.value == "__class__"
    )


class SuperOfLeaf(cst.CSTTransformer):
    """``super(self.__class__, self)`` -> ``super()``, for a class nothing inherits from."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """Drop the arguments of ``super(self.__class__, self)``."""
        if (
            isinstance(updated.func, cst.Name)
            and updated.func.value == "super"
            and len(updated.args) == 2
            and _is_self_class(updated.args[0].value)
            and isinstance(updated.args[1].value, cst.Name)
            and updated.args[1].value.value == "self"
        ):
            return updated.with_changes(args=())
        return updated


def super_of_leaf(
    spec: ViewSpec, own_methods: Iterable[str], inherited_methods: Iterable[str]
) -> None:
    """Write ``super(self.__class__, self)`` as ``super()`` in the view's own methods.

    :param spec: a view that no project class inherits from (the caller checks).
    :param own_methods: names of the methods the view's class defines itself.
    :param inherited_methods: names of the methods its project bases define (a method merged
        with a base's keeps the base's lines, where ``self.__class__`` is another class's).
    """
    inherited = set(inherited_methods)
    for name in own_methods:
        method = spec.methods.get(name)
        if method is not None and name not in inherited:
            spec.methods[name] = method.visit(SuperOfLeaf())  # type: ignore[assignment]


def _block(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [cst.SimpleStatementLine(body=list(suite.body))]  # type: ignore[attr-defined]


def _uses(statements: Iterable[cst.CSTNode], name: str) -> int:
    count = 0
    for statement in statements:
        uses = _NameCount(name)
        statement.visit(uses)
        count += uses.count
    return count


class _NameCount(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.count = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1


class _Assigned(NameUses):
    """Names bound anywhere in a body (assignment targets, loops, ``with ... as``)."""

    def __init__(self) -> None:
        super().__init__()
        self.bound: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound |= _target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound |= _target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound |= _target_names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.bound |= _target_names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.bound |= _target_names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound |= _target_names(node.target)


def _target_names(node: cst.CSTNode) -> set[str]:
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, cst.Tuple | cst.List):
        names: set[str] = set()
        for element in node.elements:
            names |= _target_names(element.value)
        return names
    return set()


class _TailToSuper(cst.CSTTransformer):
    """Replace Django's ``TemplateView.get`` body, spelled out, with ``super().get()``.

    ``context = self.get_context_data(**kwargs)`` then ``return
    self.render_to_response(context)``, in any block.
    """

    def __init__(self) -> None:
        super().__init__()
        self.replaced = 0

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = list(updated.body)
        out: list[cst.BaseStatement] = []
        index = 0
        while index < len(body):
            pair = body[index : index + 2]
            if len(pair) == 2 and [_code(s) for s in pair] == [_CONTEXT, _RENDER]:
                line = cst.parse_statement(SUPER_GET + "\n")
                out.append(line.with_changes(leading_lines=pair[0].leading_lines))
                self.replaced += 1
                index += 2
                continue
            out.append(body[index])
            index += 1
        return updated.with_changes(body=out)


def _ends_with_super_get(statements: list[cst.BaseStatement]) -> bool:
    return bool(statements) and _code(statements[-1]) == SUPER_GET


def _guard_last_if(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``if C: <..., return super().get()> else: <never falls through>`` -> check first."""
    if not statements or not isinstance(statements[-1], cst.If):
        return statements
    last = statements[-1]
    orelse = last.orelse
    if not isinstance(orelse, cst.Else):
        return statements
    body, other = _block(last.body), _block(orelse.body)
    if _ends_with_super_get(body) and always_returns(other):
        check = cst.UnaryOperation(
            operator=cst.Not(),
            expression=last.test.with_changes(
                lpar=[cst.LeftParen()] if not last.test.lpar else last.test.lpar,
                rpar=[cst.RightParen()] if not last.test.rpar else last.test.rpar,
            ),
        )
        first = last.with_changes(test=check, body=orelse.body, orelse=None)
        return [*statements[:-1], first, *body]
    if _ends_with_super_get(other) and always_returns(body):
        first = last.with_changes(orelse=None)
        return [*statements[:-1], first, *other]
    return statements


def normalize_template_get(spec: ViewSpec) -> None:
    """Spell a ``TemplateView``'s ``get()`` as a check before ``super().get()`` where it is one.

    :param spec: the view; its ``get`` is replaced when a rewrite applies.
    """
    method = spec.methods.get("get")
    if spec.kind != "template" or method is None:
        return
    try:
        params = parameter_names(parameters_without_self(method))
    except Unsupported:
        return
    if params != ["request", "args", "kwargs"]:
        return
    assigned = _Assigned()
    method.body.visit(assigned)
    if assigned.bound & {"request", "args", "kwargs"}:
        return  # the tail must see the arguments Django passed
    tail = _TailToSuper()
    body = method.body.visit(tail)
    if tail.replaced and _uses([body], "context") != 0:
        return  # `context` read elsewhere: the rewritten tail would not set it
    assert isinstance(body, cst.BaseSuite)
    statements = _guard_last_if(_block(body))
    if isinstance(body, cst.IndentedBlock):
        body = body.with_changes(body=statements)
    spec.methods["get"] = method.with_changes(body=body)


class _RenderToResponse(cst.CSTTransformer):
    def __init__(self, template: cst.BaseExpression, content_type: cst.BaseExpression | None):
        super().__init__()
        self.template = template
        self.content_type = content_type

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if not (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
            and func.attr.value == "render_to_response"
        ):
            return updated
        if len(updated.args) != 1 or updated.args[0].keyword or updated.args[0].star:
            raise Unsupported(
                f"{TEMPLATE_GET_MIXED}: render_to_response() is called with more than the context"
            )
        args = [
            cst.Arg(cst.parse_expression("self.request")),
            cst.Arg(cst.List([cst.Element(self.template.deep_clone())])),
            cst.Arg(updated.args[0].value),
        ]
        if self.content_type is not None:
            args.append(
                cst.Arg(
                    self.content_type.deep_clone(),
                    keyword=cst.Name("content_type"),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
            )
        return cst.Call(func=cst.Name("TemplateResponse"), args=args)


def _calls_django_page(method: cst.FunctionDef) -> bool:
    code = _code(method)
    return "super(" in code or "get_context_data" in code or "get_template_names" in code


def template_as_plain_view(spec: ViewSpec) -> set[tuple[str, str]]:
    """Read a ``TemplateView`` whose ``get()`` renders its own context as a plain view.

    ``TemplateView`` adds nothing to such a view but ``render_to_response()`` (and HEAD and
    OPTIONS, which a plain view with ``get()`` answers the same way).

    :param spec: the view; its kind becomes ``view`` when the rewrite applies.
    :returns: the imports the rewritten ``get()`` needs.
    :raises Unsupported: when the page depends on something the plain view would not do.
    """
    method = spec.methods.get("get")
    if spec.kind != "template" or method is None or _calls_django_page(method):
        return set()
    if "get_context_data" in spec.methods or "get_template_names" in spec.methods:
        raise Unsupported(f"{TEMPLATE_GET_MIXED}: {spec.class_name}")
    if "template_engine" in spec.attrs or "response_class" in spec.attrs:
        raise Unsupported(RENDER_WITH_OPTIONS)
    template = spec.attrs.get("template_name")
    if "render_to_response" in _code(method) and template is None:
        raise Unsupported("renders a page without template_name; set template_name")
    imports: set[tuple[str, str]] = set()
    for name, other in list(spec.methods.items()):
        if "render_to_response" not in _code(other):
            continue
        assert template is not None
        spec.methods[name] = other.visit(  # type: ignore[assignment]
            _RenderToResponse(template, spec.attrs.get("content_type"))
        )
        imports.add(("django.template.response", "TemplateResponse"))
    spec.kind = "view"
    if spec.docstring is None and template is not None:
        spec.docstring = f"Render {_code(template).strip(chr(34) + chr(39))} as get() decides."
    return imports


def _method_names(node: cst.ClassDef) -> set[str]:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    return {statement.name.value for statement in body if isinstance(statement, cst.FunctionDef)}


def has_project_subclass(classes: ProjectClasses, key: ClassKey) -> bool:
    """Tell whether any class of the project inherits from ``key``.

    :param classes: the project's classes.
    :param key: the class.
    :returns: ``True`` when some class lists it among its ancestors, or when a class's
        ancestors cannot be read (then it may).
    """
    for other in classes.classes:
        if other == key:
            continue
        try:
            if key in classes.linearize(other)[1:]:
                return True
        except Unsupported:
            if other[1] != key[1] and key[1] in _code(classes.classes[other]).split(":", 1)[0]:
                return True
    return False


def normalize_view(
    spec: ViewSpec,
    node: cst.ClassDef,
    classes: ProjectClasses | None,
    key: ClassKey,
    project_bases: Iterable[ClassKey],
) -> set[tuple[str, str]]:
    """Apply every equivalent rewrite of this module to a described view.

    :param spec: the view, as described; its methods (and kind) are updated.
    :param node: the view's own class, as written.
    :param classes: the project's classes (``None``: the view's bases are not read).
    :param key: the view's module path and class name.
    :param project_bases: the project classes it inherits from.
    :returns: the imports the rewritten methods need.
    :raises Unsupported: when the view answers with its own page in a way that cannot move.
    """
    if classes is not None and not has_project_subclass(classes, key):
        inherited: set[str] = set()
        for base in project_bases:
            if base in classes.classes:
                inherited |= _method_names(classes.classes[base])
        super_of_leaf(spec, _method_names(node), inherited)
    spec.mixins = [
        replace(mixin, method=_drop_request_alias(mixin.method))
        if isinstance(mixin, DispatchGuard)
        else mixin
        for mixin in spec.mixins
    ]
    for name, method in list(spec.methods.items()):
        method = _drop_request_alias(method)
        spec.methods[name] = method.visit(_FoldNoneChecks(spec))  # type: ignore[assignment]
    _form_kwargs_without_arguments(spec)
    normalize_template_get(spec)
    return template_as_plain_view(spec)


_PASS_THROUGH = "kwargs = super().get_form_kwargs(*args, **kwargs)"


def _form_kwargs_without_arguments(spec: ViewSpec) -> None:
    """``get_form_kwargs(self, *args, **kwargs)`` passing them on -> ``get_form_kwargs(self)``.

    ``FormMixin.get_form`` calls ``self.get_form_kwargs()`` without arguments, so ``args`` and
    ``kwargs`` are empty and ``super().get_form_kwargs(*args, **kwargs)`` is
    ``super().get_form_kwargs()``, as long as no code of the view passes arguments itself and
    the first statement rebinds ``kwargs`` before anything else reads them.
    """
    method = spec.methods.get("get_form_kwargs")
    if method is None or not isinstance(method.body, cst.IndentedBlock):
        return
    try:
        params = parameter_names(parameters_without_self(method))
    except Unsupported:
        return
    if params != ["args", "kwargs"] or not isinstance(method.params.star_arg, cst.Param):
        return
    statements = list(method.body.body)
    if not statements or _code(statements[0]) != _PASS_THROUGH:
        return
    if _uses(statements[1:], "args") or _code(method).count("get_form_kwargs(") != 2:
        return
    for name, other in spec.methods.items():
        if name != "get_form_kwargs" and "get_form_kwargs(" in _code(other):
            return  # called by the view's own code: maybe with arguments
    first = cst.parse_statement("kwargs = super().get_form_kwargs()\n")
    first = first.with_changes(leading_lines=statements[0].leading_lines)
    body = method.body.with_changes(body=[first, *statements[1:]])
    self_only = method.params.with_changes(
        star_arg=cst.MaybeSentinel.DEFAULT, star_kwarg=None, kwonly_params=()
    )
    spec.methods["get_form_kwargs"] = method.with_changes(params=self_only, body=body)


_REQUEST_ALIAS = "request = self.request"


def _drop_request_alias(method: cst.FunctionDef) -> cst.FunctionDef:
    """Drop ``request = self.request`` from a method that has no other ``request``.

    In the function ``request`` is the request already, the object ``self.request`` holds.
    """
    try:
        params = parameter_names(parameters_without_self(method))
    except Unsupported:
        return method
    if "request" in params or not isinstance(method.body, cst.IndentedBlock):
        return method
    statements = list(method.body.body)
    aliases = [s for s in statements if _code(s) == _REQUEST_ALIAS]
    assigned = _Assigned()
    method.body.visit(assigned)
    if len(aliases) != 1 or _bindings(method, "request") != 1:
        return method
    kept = [s for s in statements if s is not aliases[0]]
    before = statements[: statements.index(aliases[0])]
    if not kept or _uses(before, "request"):
        return method
    body = method.body.with_changes(body=kept).visit(_RequestToSelf())
    return method.with_changes(body=body)


class _RequestToSelf(cst.CSTTransformer):
    """Every read of the local ``request`` -> ``self.request`` (what it was bound to)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if original.value != "request" or id(original) in self.skip:
            return updated
        return cst.Attribute(value=cst.Name("self"), attr=cst.Name("request"))


def _bindings(method: cst.FunctionDef, name: str) -> int:
    counter = _BindingCount(name)
    method.body.visit(counter)
    return counter.count


class _BindingCount(_Assigned):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.count = 0

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.count += self.name in _target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.count += self.name in _target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.count += self.name in _target_names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.count += self.name in _target_names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.count += self.name in _target_names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.count += self.name in _target_names(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.count += node.name.value == self.name
        return True


class _FoldNoneChecks(cst.CSTTransformer):
    """Drop ``if self.x is not None: ...`` (no ``else``) where the attribute ``x`` is ``None``."""

    def __init__(self, spec: ViewSpec) -> None:
        super().__init__()
        self.none = {
            name
            for name, value in spec.attrs.items()
            if isinstance(value, cst.Name) and value.value == "None"
        }

    def leave_If(
        self, original: cst.If, updated: cst.If
    ) -> cst.BaseStatement | cst.RemovalSentinel:
        test = original.test
        if (
            original.orelse is None
            and isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.IsNot)
            and _code(test.comparisons[0].comparator) == "None"
            and isinstance(test.left, cst.Attribute)
            and _code(test.left.value) == "self"
            and test.left.attr.value in self.none
        ):
            return cst.RemoveFromParent()
        return updated
