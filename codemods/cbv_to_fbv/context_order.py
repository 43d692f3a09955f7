"""Whether a form view's ``get_context_data`` override can run after its form is built.

Red Panda Approval V1-02, "Views": a converted view must answer as the class did. On GET,
Django's ``ProcessFormView.get`` calls ``get_context_data()``, and only its ``super()`` call
(``FormMixin.get_context_data``) builds the form: ``get_form_class()``, ``get_form_kwargs()``
and ``get_initial()`` run *after* the statements the override has before that call (and not at
all when the override never calls it). The converted function builds the form first, then
the context. That is only the same when one side cannot affect the other: this module refuses
the combination of an override that does something before its ``super()`` call (a call other
than to a known-pure builtin, or a change to something it did not create itself) with
overridden form hooks that may do or read something (any call other than to a known-pure
builtin, any change outside their own locals, or any override at all when the context side
changes shared state).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported

# Builtins that neither change nor read any state beyond their arguments.
PURE_BUILTINS = frozenset(
    {
        "abs",
        "all",
        "any",
        "bool",
        "dict",
        "enumerate",
        "float",
        "frozenset",
        "int",
        "isinstance",
        "len",
        "list",
        "max",
        "min",
        "range",
        "reversed",
        "round",
        "set",
        "sorted",
        "str",
        "sum",
        "tuple",
        "zip",
    }
)
# Methods of dicts and lists that only read or change the container they are called on.
CONTAINER_METHODS = frozenset(
    {"append", "copy", "extend", "get", "items", "keys", "pop", "setdefault", "update", "values"}
)
FORM_HOOKS = ("get_form_class", "get_initial", "get_form_kwargs", "get_form")


def _super_method(node: cst.CSTNode) -> str | None:
    """Name the method of a ``super().<method>(...)`` call (Django's own code), else ``None``."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Call)
        and isinstance(node.func.value.func, cst.Name)
        and node.func.value.func.value == "super"
    ):
        return node.func.attr.value
    return None


def _is_context_super(node: cst.CSTNode) -> bool:
    return _super_method(node) == "get_context_data"


class _Effects(cst.CSTVisitor):
    """Find calls to anything but pure builtins, and changes to names not bound locally."""

    def __init__(self, local: set[str]) -> None:
        super().__init__()
        self.local = local
        self.calls = False
        self.changes = False

    def visit_Call(self, node: cst.Call) -> bool:
        if _is_context_super(node):
            return False  # the super() call itself is what builds the form
        func = node.func
        if _super_method(node) is not None:
            return True  # Django's own get_initial/get_form_kwargs/get_form_class: no effects
        if isinstance(func, cst.Name) and func.value in PURE_BUILTINS:
            return True
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in self.local
            and func.attr.value in CONTAINER_METHODS
        ):
            return True  # a dict or list the method built itself
        self.calls = True
        return True

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.local.add(target.value)
            return
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._target(element.value)
            return
        base = target
        while isinstance(base, cst.Attribute | cst.Subscript):
            base = base.value
        if not (isinstance(base, cst.Name) and base.value in self.local):
            self.changes = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not isinstance(node.target, cst.Name):
            self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self.changes = True

    def visit_Global(self, node: cst.Global) -> None:
        self.changes = True

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.changes = True


def _body(func: cst.FunctionDef) -> Sequence[cst.BaseStatement]:
    if isinstance(func.body, cst.IndentedBlock):
        return func.body.body
    return [cst.SimpleStatementLine(body=list(func.body.body))]


def _effects(statements: Sequence[cst.CSTNode], local: set[str]) -> _Effects:
    visitor = _Effects(local)
    for statement in statements:
        statement.visit(visitor)
    return visitor


def _calls_super(statement: cst.CSTNode) -> bool:
    """Tell whether a statement holds the ``super().get_context_data()`` call."""
    found: list[bool] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if _is_context_super(node):
                found.append(True)

    statement.visit(Finder())
    return bool(found)


def _before_super(func: cst.FunctionDef) -> list[cst.BaseStatement]:
    """List the statements run before ``super().get_context_data()`` (all, if none calls it).

    The statement holding the call counts whole: what it evaluates around the call may run
    before it.
    """
    before = []
    for statement in _body(func):
        before.append(statement)
        if _calls_super(statement):
            break
    return before


def check_context_order(methods: dict[str, cst.FunctionDef]) -> None:
    """Refuse a ``get_context_data`` whose early statements may interact with the form hooks.

    :param methods: the class's methods by name.
    :raises Unsupported: when the override does something before its ``super()`` call and an
        overridden ``get_form_class``/``get_initial``/``get_form_kwargs`` may do or read
        something: Django runs them after it on GET, the converted function before.
    """
    context = methods.get("get_context_data")
    hooks = [name for name in FORM_HOOKS if name in methods]
    if context is None or not hooks:
        return
    early = _effects(_before_super(context), set())
    if not (early.calls or early.changes):
        return
    for name in hooks:
        hook = _effects(_body(methods[name]), set())
        if hook.calls or hook.changes or early.changes:
            raise Unsupported(
                "get_context_data() does something before its super() call, which Django runs "
                f"before {name}() on GET and the function would run after; make one of them "
                "free of side effects, or convert by hand"
            )
