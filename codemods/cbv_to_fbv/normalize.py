"""Equivalent rewrites of a view's methods into forms the conversion reads, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. Each rewrite here
keeps Django's code path exactly (``django/views/generic/*.py``, Django 4.2-5.2):

* ``super(self.__class__, self)`` is ``super()`` in a class no project class inherits from
  (``self.__class__`` is then always that class).
* ``request = self.request`` in a method: in the function ``request`` is that object.
* ``if self.x is not None: ...`` is dead where the attribute ``x`` is ``None``.
* ``get_form_kwargs(self, *args, **kwargs)`` passing them to ``super()`` is
  ``get_form_kwargs(self)``: ``FormMixin.get_form`` calls it without arguments.
* A ``TemplateView``'s ``get()``: see :mod:`.template_get`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import DispatchGuard, ViewSpec
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    parameter_names,
    parameters_without_self,
)
from redpanda_migrate.codemods.cbv_to_fbv.inheritance import ProjectClasses
from redpanda_migrate.codemods.cbv_to_fbv.template_get import (
    Bound,
    code_of,
    name_count,
    normalize_template_get,
    target_names,
    template_as_plain_view,
)
from redpanda_migrate.codemods.cbv_to_fbv.urls import ClassKey


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
            if other[1] != key[1] and key[1] in code_of(classes.classes[other]).split(":", 1)[0]:
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
    if not statements or code_of(statements[0]) != _PASS_THROUGH:
        return
    if name_count(statements[1:], "args") or code_of(method).count("get_form_kwargs(") != 2:
        return
    for name, other in spec.methods.items():
        if name != "get_form_kwargs" and "get_form_kwargs(" in code_of(other):
            return  # called by the view's own code: maybe with arguments
    first = cst.parse_statement("kwargs = super().get_form_kwargs()\n")
    first = first.with_changes(leading_lines=getattr(statements[0], "leading_lines", ()))
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
    aliases = [s for s in statements if code_of(s) == _REQUEST_ALIAS]
    assigned = Bound()
    method.body.visit(assigned)
    if len(aliases) != 1 or _bindings(method, "request") != 1:
        return method
    kept = [s for s in statements if s is not aliases[0]]
    before = statements[: statements.index(aliases[0])]
    if not kept or name_count(before, "request"):
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


class _BindingCount(Bound):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.count = 0

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.count += self.name in target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.count += self.name in target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.count += self.name in target_names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.count += self.name in target_names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.count += self.name in target_names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.count += self.name in target_names(node.target)

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
            and code_of(test.comparisons[0].comparator) == "None"
            and isinstance(test.left, cst.Attribute)
            and code_of(test.left.value) == "self"
            and test.left.attr.value in self.none
        ):
            return cst.RemoveFromParent()
        return updated
