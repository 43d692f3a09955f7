"""A method that extends its project base's method with ``super()``, merged into one.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. When a view's
``get_context_data`` starts with ``context = super().get_context_data(**kwargs)`` and its
project base's ``get_context_data`` ends with ``return context``, the two are one method: the
base's statements, then the view's. The merged method calls ``super()`` only where the base
did, which is Django's method, and converts like any override.
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import dotted_name
from redpanda_migrate.codemods.cbv_to_fbv.body import NameUses


def is_docstring_or_pass(statement: cst.BaseStatement) -> bool:
    """Tell whether a statement is a docstring or ``pass`` (nothing a class inherits)."""
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Pass)
        or (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
        for small in statement.body
    )


def calls_super(method: cst.FunctionDef, name: str) -> bool:
    """Tell whether a method calls ``super().<name>``."""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            nonlocal found
            if (
                node.attr.value == name
                and isinstance(node.value, cst.Call)
                and dotted_name(node.value.func) == "super"
            ):
                found = True

    method.visit(_Finder())
    return found


def compose_init(override: cst.FunctionDef, base: cst.FunctionDef) -> cst.FunctionDef | None:
    """``def __init__(self): super().__init__(sex="boy")`` over the base's ``__init__``.

    :returns: the base's ``__init__`` with those arguments as its parameters' defaults, or
        ``None`` when the override does anything else.
    """
    body = override.body.body if isinstance(override.body, cst.IndentedBlock) else []
    statements = [s for s in body if not is_docstring_or_pass(s)]
    if len(override.params.params) != 1 or len(statements) != 1:
        return None
    statement = statements[0]
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    call = small.value if isinstance(small, cst.Expr) else None
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "__init__"
        and isinstance(call.func.value, cst.Call)
        and dotted_name(call.func.value.func) == "super"
        and not call.func.value.args
        and all(arg.keyword is not None for arg in call.args)
    ):
        return None
    arguments = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    params = []
    for param in base.params.params:
        if param.name.value in arguments:
            param = param.with_changes(default=arguments.pop(param.name.value))
        params.append(param)
    if arguments:
        return None
    return base.with_changes(params=base.params.with_changes(params=params))


class _Bound(cst.CSTVisitor):
    """Names a function body binds (assignments, loops, ``with``/``except`` targets...)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        return None

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names |= _names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.names |= _names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names |= _names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.names |= _names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.names |= _names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.names |= _names(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False


def _names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, inner: cst.Name) -> None:
            found.add(inner.value)

        def visit_Attribute(self, inner: cst.Attribute) -> bool:
            return False

        def visit_Subscript(self, inner: cst.Subscript) -> bool:
            return False

    node.visit(_Collect())
    return found


def _body(method: cst.FunctionDef) -> list[cst.BaseStatement]:
    if not isinstance(method.body, cst.IndentedBlock):
        return []
    return [s for s in method.body.body if not is_docstring_or_pass(s)]


def _passed_through(method: cst.FunctionDef) -> str:
    params = method.params
    names = [p.name.value for p in params.params[1:]]
    if isinstance(params.star_arg, cst.Param):
        names.append(f"*{params.star_arg.name.value}")
    if params.star_kwarg is not None:
        names.append(f"**{params.star_kwarg.name.value}")
    return ", ".join(names)


def compose_super(override: cst.FunctionDef, base: cst.FunctionDef) -> cst.FunctionDef | None:
    """Merge ``v = super().m(<its own arguments>)`` + rest over a base ``m`` ending ``return x``.

    :param override: the nearer method; its first statement must be that call, and it must
        not call ``super().m`` again.
    :param base: the project base's method, with the same signature, returning only at its end.
    :returns: the merged method (the override's name, signature and docstring), or ``None``
        when the two cannot be merged without changing what either does.
    """
    name = override.name.value
    if cst.Module(body=[]).code_for_node(override.params) != cst.Module(body=[]).code_for_node(
        base.params
    ):
        return None
    own = _body(override)
    inherited = _body(base)
    if not own or not inherited:
        return None
    first = own[0]
    small = first.body[0] if isinstance(first, cst.SimpleStatementLine) else None
    expected = f"super().{name}({_passed_through(override)})"
    if not (
        isinstance(small, cst.Assign)
        and len(first.body) == 1  # type: ignore[attr-defined]
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and cst.Module(body=[]).code_for_node(small.value) == expected
    ):
        return None
    target = small.targets[0].target.value
    rest = own[1:]
    if any(calls_super(statement, name) for statement in rest):  # type: ignore[arg-type]
        return None
    last = inherited[-1]
    returned = last.body[0] if isinstance(last, cst.SimpleStatementLine) else None
    if not (isinstance(returned, cst.Return) and returned.value is not None):
        return None
    counter = _Returns()
    for statement in inherited:
        statement.visit(counter)
    if counter.count != 1:
        return None
    bound = _Bound()
    for statement in inherited[:-1]:
        statement.visit(bound)
    uses = NameUses()
    for statement in rest:
        statement.visit(uses)
    if (bound.names - {target}) & uses.names:
        return None  # a local of the base would leak into the override's lines
    value = returned.value
    handover: list[cst.BaseStatement] = []
    if not (isinstance(value, cst.Name) and value.value == target):
        handover = [first.with_changes(body=[small.with_changes(value=value)])]
    merged = [*inherited[:-1], *handover, *rest]
    docstring = [s for s in override.body.body[:1] if is_docstring_or_pass(s)]  # type: ignore[union-attr]
    return override.with_changes(body=override.body.with_changes(body=[*docstring, *merged]))


class _Returns(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def visit_Return(self, node: cst.Return) -> None:
        self.count += 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False
