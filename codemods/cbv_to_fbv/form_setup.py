"""How a form view builds its form: ``get_form_class``, ``get_initial``, ``get_form_kwargs``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. ``FormMixin.get_form``
(Django 4.2 to 5.2) calls ``get_form_class()``, then ``get_form_kwargs()``, which calls
``get_initial()`` and gives ``initial``, ``prefix``, the request's ``data`` and ``files`` for a
POST or PUT, and (``ModelFormMixin``) ``instance``. This module writes that out, with the
class's overrides of those three methods inlined.
"""

from __future__ import annotations

import re

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    NameUses,
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
    split_final_return,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import RESERVED, ViewBuilder, node_code
from redpanda_migrate.codemods.cbv_to_fbv.hooks import override_value
from redpanda_migrate.codemods.cbv_to_fbv.text import fields_code

BOUND = 'request.method in ("POST", "PUT")'
FORM_KWARGS = "form_kwargs"
SUPER_MARK = "super_form_kwargs__"


def form_class_name(builder: ViewBuilder) -> str:
    """Name the form class the view builds: ``form_class``, or a ``ModelForm`` for ``fields``.

    :param builder: the builder of the view (a ``ModelForm`` class goes before the function).
    :returns: the class name to call.
    :raises Unsupported: for both or neither of ``form_class`` and ``fields``.
    """
    form_class = builder.attr_code("form_class")
    fields = builder.attr("fields")
    if form_class and fields is not None:
        raise Unsupported("sets both form_class and fields (Django refuses that too)")
    if form_class:
        return form_class
    if fields is None:
        raise Unsupported("sets neither form_class nor fields")
    model = builder.attr_code("model")
    if model is None:
        raise Unsupported("sets fields without model")
    # modelform_factory() names the class <Model>Form; keep that name when it is free.
    name = f"{model.rsplit('.', 1)[-1]}Form"
    if name in builder.taken:
        name = "".join(part.title() for part in builder.spec.func_name.split("_")) + "Form"
    base = builder.need("django.forms", "ModelForm")
    spec = builder.spec
    builder.before.append(
        f"class {name}({base}):\n"
        f'    """The form of {spec.func_name} (was {spec.class_name}.fields)."""\n\n'
        "    class Meta:\n"
        f"        model = {model}\n"
        f"        fields = {fields_code(fields)}"
    )
    return name


def emit_initial(builder: ViewBuilder) -> None:
    """Inline ``get_initial()``: its value goes in ``initial`` for both forms.

    :param builder: the builder of the view.
    """
    if "get_initial" not in builder.spec.methods:
        return
    default = builder.attr_code("initial")
    initial = builder.attr("initial")
    # Django copies the class attribute; a dict display is a new dict every time anyway.
    fresh = default if isinstance(initial, cst.Dict) else f"{default}.copy()"
    value = builder.inline_value("get_initial", "initial", fresh if default else "{}", level=1)
    if value != "initial":
        builder.emit(f"initial = {value}")


def form_arguments(builder: ViewBuilder, bound: bool, instance: bool) -> str:
    """Write the arguments the form is built with.

    :param builder: the builder of the view.
    :param bound: with the request's data and files (a POST or PUT).
    :param instance: with ``instance=obj`` (an update view).
    :returns: the arguments, comma-separated.
    """
    arguments = []
    if bound:
        arguments += ["data=request.POST", "files=request.FILES"]
    if "get_initial" in builder.spec.methods:
        arguments.append("initial=initial")
    elif builder.attr("initial") is not None:
        arguments.append(f"initial={builder.attr_code('initial')}")
    if instance:
        arguments.append("instance=obj")
    return ", ".join(arguments)


def emit_form_class(builder: ViewBuilder) -> str:
    """Inline ``get_form_class()`` if overridden; return the form class expression.

    ``super().get_form_class()`` is the class's own ``form_class`` (or the ``ModelForm`` of its
    ``fields``), as ``FormMixin`` and ``ModelFormMixin`` give it.

    :param builder: the builder of the view.
    :returns: the expression to call to build the form.
    :raises Unsupported: for an override that cannot be inlined.
    """
    func = builder.spec.methods.get("get_form_class")
    if func is None:
        return form_class_name(builder)
    calls_super = "super().get_form_class(" in node_code(func)
    default = form_class_name(builder) if calls_super else None
    value = override_value(builder, "get_form_class", "form_class", default)
    if re.fullmatch(r"[A-Za-z_][\w.]*", value):
        return value
    # Django calls get_form_class() before get_form_kwargs() and get_initial().
    builder.emit(f"form_class = {value}")
    return "form_class"


def _fresh_initial(builder: ViewBuilder) -> str:
    """``get_initial()``'s value: the inlined override's, or a copy of ``initial``."""
    if "get_initial" in builder.spec.methods:
        return "initial"
    default = builder.attr_code("initial")
    if default is None:
        return "{}"
    return default if isinstance(builder.attr("initial"), cst.Dict) else f"{default}.copy()"


def _local_names(func: cst.FunctionDef) -> set[str]:
    """Collect the names a method's body uses, without attribute and keyword argument names."""
    collector = NameUses()
    func.body.visit(collector)
    return collector.names


class _RenameLocal(cst.CSTTransformer):
    """Rename a local name; attribute names and keyword argument names keep theirs."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def visit_Param(self, node: cst.Param) -> None:
        if node.name.value == self.old:
            raise Unsupported(f"get_form_kwargs() has a parameter named {self.old!r}")
        return None

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.new) if original.value == self.old else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)


def emit_form_kwargs(builder: ViewBuilder, instance: str | None) -> None:
    """Write ``form_kwargs`` as ``get_form_kwargs()`` gives it, with the override inlined.

    The override must call ``super().get_form_kwargs()`` once, in its first statement (where the
    dictionary Django builds is built); its local ``kwargs`` becomes ``form_kwargs``, since
    ``kwargs`` is the URL's keyword arguments in the function.

    :param builder: the builder of the view.
    :param instance: the ``instance`` expression ``ModelFormMixin`` adds (``obj``, or ``None``
        in a create view), or ``None`` for a plain form view, which adds none.
    :raises Unsupported: for an override that cannot be inlined exactly.
    """
    func = builder.spec.methods["get_form_kwargs"]
    if parameter_names(parameters_without_self(func)):
        raise Unsupported("get_form_kwargs() takes arguments")
    source = node_code(func)
    if source.count("super().get_form_kwargs(") != 1:
        raise Unsupported("get_form_kwargs() must call super().get_form_kwargs() exactly once")
    names = _local_names(func)
    if SUPER_MARK in names or {"kwargs", FORM_KWARGS} <= names:
        raise Unsupported(f"get_form_kwargs() uses both kwargs and {FORM_KWARGS}")
    renamed = func.visit(_RenameLocal("kwargs", FORM_KWARGS))
    context = builder.context(
        "get_form_kwargs",
        object_name="obj" if builder.spec.kind == "update" else None,
        # form_class and initial hold what the form is built from: the body must not rebind them
        reserved=(RESERVED - {"kwargs"}) | {"form_class", "initial"},
        super_calls={"get_form_kwargs": _super_form_kwargs},
    )
    statements = rewrite_body(renamed, context)  # type: ignore[arg-type]
    if not statements or SUPER_MARK not in node_code(statements[0]):
        raise Unsupported("get_form_kwargs() must call super().get_form_kwargs() first")
    statements = [
        statement.visit(_RenameLocal(SUPER_MARK, FORM_KWARGS))  # type: ignore[misc]
        for statement in statements
    ]
    prelude, value = split_final_return(statements, "get_form_kwargs")
    builder.emit(f'{FORM_KWARGS} = {{"initial": {_fresh_initial(builder)}, "prefix": None}}')
    builder.emit(f"if {BOUND}:")
    builder.emit(f'{FORM_KWARGS}.update({{"data": request.POST, "files": request.FILES}})', 2)
    if instance is not None:
        builder.emit(f'{FORM_KWARGS}["instance"] = {instance}')
    if prelude and node_code(prelude[0]).strip() == f"{FORM_KWARGS} = {FORM_KWARGS}":
        prelude = prelude[1:]  # kwargs = super().get_form_kwargs(): the dictionary above
    if prelude:
        builder.emit_statements(prelude, 1)
    if node_code(value) != FORM_KWARGS:
        builder.emit(f"{FORM_KWARGS} = {node_code(value)}")


def _super_form_kwargs(call: cst.Call) -> cst.BaseExpression:
    if call.args:
        raise Unsupported("calls super().get_form_kwargs() with arguments")
    return cst.Name(SUPER_MARK)
