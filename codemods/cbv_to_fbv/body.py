"""Moving the body of a class-based view's method into a function-based view, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A method body can
move into a function only when every ``self`` in it has a plain meaning there: the request, the
URL keyword arguments, the object being shown or edited, a class attribute with a constant
value, or a ``super()`` call whose default the caller spells out. Anything else is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.fold import fold_constant_branches


class Unsupported(Exception):
    """A construct the conversion cannot express exactly; the message says which and why."""


SuperCall = Callable[[cst.Call], cst.BaseExpression]
# Stable beginnings of refusals (a report groups on them); the specifics follow a colon.
NAME_CLASH = "a method uses a local name the function needs for itself; rename that local"
SELF_WITHOUT_MEANING = (
    "a method uses self for something a function has no plain equivalent of (helper methods, "
    "self.args); inline it or convert by hand"
)


@dataclass
class BodyContext:
    """What ``self`` and ``super()`` mean once a method's body lives in a function.

    :param method: the method's name, for messages.
    :param attrs: class attributes that ``self.<name>`` may read, with their value.
    :param object_name: the local holding ``self.object``, or ``None`` when the view has none.
    :param super_calls: ``super().<name>(...)`` calls allowed, each with its replacement.
    :param self_calls: ``self.<name>()`` calls allowed (no arguments), with their replacement.
    :param reserved: local names of the generated function that the body must not use.
    :param self_methods: the view's own methods, each with the function it became
        (``self.m(a)`` -> ``<view>_m(request, a)``, see :mod:`.own_methods`).
    """

    method: str
    attrs: Mapping[str, cst.BaseExpression] = field(default_factory=dict)
    object_name: str | None = None
    super_calls: Mapping[str, SuperCall] = field(default_factory=dict)
    self_calls: Mapping[str, cst.BaseExpression] = field(default_factory=dict)
    reserved: frozenset[str] = frozenset()
    self_methods: Mapping[str, str] = field(default_factory=dict)


def _is_self(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def _super_method(node: cst.BaseExpression) -> str | None:
    if (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Call)
        and isinstance(node.value.func, cst.Name)
        and node.value.func.value == "super"
        and not node.value.args
    ):
        return node.attr.value
    return None


class _SelfRewriter(cst.CSTTransformer):
    def __init__(self, context: BodyContext) -> None:
        super().__init__()
        self.context = context
        self.problems: list[str] = []
        self.called: set[int] = set()  # ids of ``self.x`` nodes that are called: leave_Call reports

    def visit_Call(self, node: cst.Call) -> None:
        self.called.add(id(node.func))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = _super_method(original.func)
        if name is not None:
            if name not in self.context.super_calls:
                self.problems.append(f"calls super().{name}(), which has no plain equivalent")
                return updated
            return self.context.super_calls[name](original)
        func = original.func
        if isinstance(func, cst.Attribute) and _is_self(func.value):
            name = func.attr.value
            if name in self.context.self_calls and not original.args:
                return self.context.self_calls[name].deep_clone()
            if name in self.context.self_methods:
                return updated.with_changes(
                    func=cst.Name(self.context.self_methods[name]),
                    args=[cst.Arg(cst.Name("request")), *updated.args],
                )
            if name in self.context.attrs:
                return updated  # a class attribute called (a form class): its value is called

            self.problems.append(f"calls self.{name}(), which the function cannot call")
        return updated

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if not _is_self(original.value):
            return updated
        name = original.attr.value
        if name in ("request", "kwargs"):
            return cst.Name(name)
        if name == "object" and self.context.object_name:
            return cst.Name(self.context.object_name)
        if name in self.context.attrs and name not in self.context.self_calls:
            return self.context.attrs[name].deep_clone()
        if name not in self.context.self_calls and id(original) not in self.called:
            self.problems.append(f"reads self.{name}, which has no plain equivalent")
        return updated


class NameUses(cst.CSTVisitor):
    """Collect the names code uses; attribute names and keyword argument names are not uses."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        """Record a name."""
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        """Visit ``x`` of ``x.attr`` only."""
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        """Visit the value of ``key=value`` only."""
        node.value.visit(self)
        return False


class _NameCollector(NameUses):
    def __init__(self) -> None:
        super().__init__()
        self.returns = 0
        self.has_yield = False
        self.depth = 0

    def visit_Call(self, node: cst.Call) -> bool:
        return _super_method(node.func) is None

    def visit_Return(self, node: cst.Return) -> None:
        if self.depth == 0:
            self.returns += 1

    def visit_Yield(self, node: cst.Yield) -> None:
        self.has_yield = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.depth -= 1


def _statements(func: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = func.body
    if not isinstance(body, cst.IndentedBlock):
        return [cst.SimpleStatementLine(body=list(body.body))]
    statements = list(body.body)
    if statements and is_docstring(statements[0]):
        statements = statements[1:]
    return statements


def is_docstring(statement: cst.BaseStatement) -> bool:
    """Tell whether a statement is a string on its own (a docstring)."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def rewrite_body(func: cst.FunctionDef, context: BodyContext) -> list[cst.BaseStatement]:
    """Rewrite a method's statements so they run inside the generated function.

    Enforces "Views" of the standard (explicit logic instead of inherited ``self`` state).

    :param func: the method.
    :param context: what ``self`` and ``super()`` mean in the function.
    :returns: the statements, without the docstring, ``self`` replaced.
    :raises Unsupported: when something in the body has no exact plain equivalent.
    """
    statements = _statements(func)
    collector = _NameCollector()
    for statement in statements:
        statement.visit(collector)
    if collector.has_yield:
        raise Unsupported(f"{context.method}() is a generator")
    clashes = sorted(collector.names & context.reserved)
    if clashes:
        raise Unsupported(
            f"{NAME_CLASH}: {context.method}() uses the name {clashes[0]!r}, which the converted "
            "function needs for itself"
        )
    rewriter = _SelfRewriter(context)
    rewritten = [statement.visit(rewriter) for statement in statements]
    if rewriter.problems:
        raise Unsupported(f"{SELF_WITHOUT_MEANING}: {context.method}() {rewriter.problems[0]}")
    remaining = _NameCollector()
    for statement in rewritten:
        statement.visit(remaining)
    if "self" in remaining.names:
        raise Unsupported(f"{SELF_WITHOUT_MEANING}: {context.method}() uses self otherwise")
    kept = [statement for statement in rewritten if isinstance(statement, cst.BaseStatement)]
    return fold_constant_branches(kept)


def split_final_return(
    statements: Sequence[cst.BaseStatement], method: str
) -> tuple[list[cst.BaseStatement], cst.BaseExpression]:
    """Split a body that returns once, at its end, into its prelude and the returned value.

    :param statements: a rewritten body.
    :param method: the method's name, for messages.
    :returns: the statements before the ``return`` and the returned expression.
    :raises Unsupported: when the body returns elsewhere too, or not at its end.
    """
    collector = _NameCollector()
    for statement in statements:
        statement.visit(collector)
    last = statements[-1] if statements else None
    if (
        collector.returns != 1
        or not isinstance(last, cst.SimpleStatementLine)
        or len(last.body) != 1
        or not isinstance(last.body[0], cst.Return)
        or last.body[0].value is None
    ):
        raise Unsupported(f"{method}() must end with its only return statement to be inlined")
    return list(statements[:-1]), last.body[0].value


def always_returns(statements: Sequence[cst.BaseStatement]) -> bool:
    """Tell whether a body never falls through: it ends with ``return`` or ``raise``.

    An ``if``/``else`` whose every branch never falls through, and a ``try`` whose body and
    every handler never fall through (with no ``finally``), count too.

    :param statements: a body.
    :returns: ``True`` when the end of the body cannot be reached.
    """
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return len(last.body) == 1 and isinstance(last.body[0], cst.Return | cst.Raise)
    if isinstance(last, cst.If):
        branch: cst.If | cst.Else | None = last
        while isinstance(branch, cst.If):
            if not always_returns(_block(branch.body)):
                return False
            branch = branch.orelse
        return branch is not None and always_returns(_block(branch.body))
    if isinstance(last, cst.Try) and last.finalbody is None and last.handlers:
        return always_returns(_block(last.body)) and all(
            always_returns(_block(handler.body)) for handler in last.handlers
        )
    return False


def _block(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [cst.SimpleStatementLine(body=list(suite.body))]  # type: ignore[attr-defined]


def parameters_without_self(func: cst.FunctionDef) -> cst.Parameters:
    """Return a method's parameters without its leading ``self``.

    :param func: the method.
    :returns: its parameters minus the first positional one.
    :raises Unsupported: when the first parameter is not ``self``.
    """
    params = func.params
    if not params.params or params.params[0].name.value != "self":
        raise Unsupported(f"{func.name.value}() does not take self first")
    rest = list(params.params[1:])
    return params.with_changes(params=rest)


def parameter_names(params: cst.Parameters) -> list[str]:
    """List every parameter name of a signature, in order, ``*args``/``**kwargs`` included.

    :param params: the signature.
    :returns: the names.
    """
    names = [param.name.value for param in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    names.extend(param.name.value for param in params.kwonly_params)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names
