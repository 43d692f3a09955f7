"""Finding code that relies on a text field holding NULL, by the field's name.

Once NULLs become ``""``, ``filter(name__isnull=True)`` finds nothing, ``obj.name is None`` is
never true, and code writing ``None`` into the field fails on the NOT NULL column. Python is
read with :mod:`ast`; a model's fields are known by name only (which model ``obj`` is, a static
reading cannot tell), so every place is reported and the conversion refused until a person
has looked: a false alarm costs a look, a miss costs a silent behaviour change.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from redpanda_migrate.codemods.shared.ast_names import dotted_name

# calls whose keyword arguments are field lookups or values written to the row
ORM_CALLS = frozenset(
    {"filter", "exclude", "get", "create", "update", "get_or_create", "update_or_create", "Q"}
)


def _lookup_pattern(names: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(re.escape(name) for name in names))
    return re.compile(rf"(?:^|__)({alternatives})__isnull$")


def _none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _lookup_field(key: str, names: frozenset[str]) -> str | None:
    """Return the field a lookup keyword (``author__name``, ``name__exact``) names, if ours."""
    parts = key.split("__")
    if parts[-1] in ("exact", "iexact") and len(parts) > 1:
        parts = parts[:-1]
    return parts[-1] if parts[-1] in names else None


def _compared_to_none(node: ast.Compare, names: frozenset[str]) -> str | None:
    operands = [node.left, *node.comparators]
    if not any(_none(operand) for operand in operands):
        return None
    if not all(isinstance(op, ast.Is | ast.IsNot | ast.Eq | ast.NotEq) for op in node.ops):
        return None
    for operand in operands:
        if isinstance(operand, ast.Attribute) and operand.attr in names:
            return operand.attr
    return None


def _none_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Return the parameters of a function whose default is ``None``."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    with_defaults = positional[len(positional) - len(arguments.defaults) :]
    paired = list(zip(with_defaults, arguments.defaults, strict=True))
    paired += [
        (a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
    ]
    return {argument.arg for argument, default in paired if _none(default)}


def _maybe_none(
    value: ast.expr, none_parameters: frozenset[str], nullable: frozenset[str]
) -> str | None:
    """Say why a value written to a field may be None (``None`` default, ``.get(key)``, ...)."""
    if isinstance(value, ast.Name) and value.id in none_parameters:
        return f"{value.id}, a parameter defaulting to None"
    if isinstance(value, ast.Attribute) and value.attr in nullable:
        return f"{ast.unparse(value)}, a field that takes NULL"
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and len(value.args) == 1
        and not value.keywords
    ):
        return f"{ast.unparse(value)}, None when the key is missing"
    if isinstance(value, ast.IfExp) and (_none(value.body) or _none(value.orelse)):
        return "a conditional that may give None"
    return None


def _written_values(
    node: ast.AST, names: frozenset[str], models: frozenset[str]
) -> list[tuple[str, int, ast.expr]]:
    """``(field, line, value)`` for each value written to one of the fields."""
    written = []
    if isinstance(node, ast.Call):
        callee = dotted_name(node.func).rsplit(".", 1)[-1]
        if callee in ORM_CALLS or callee in models:
            for keyword in node.keywords:
                if keyword.arg in names:
                    written.append((keyword.arg, node.lineno, keyword.value))
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in names:
                written.append((target.attr, node.lineno, node.value))
    return written


def _holds(statement: ast.stmt, lines: Sequence[int]) -> bool:
    """Tell whether one of ``lines`` (sorted) lies in a statement, its decorators included."""
    first = statement.lineno
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        first = min([first, *(decorator.lineno for decorator in statement.decorator_list)])
    index = bisect_left(lines, first)
    return index < len(lines) and lines[index] <= (statement.end_lineno or statement.lineno)


def _walk_with_parameters(
    module: ast.Module, lines: Sequence[int] | None = None
) -> Iterator[tuple[ast.AST, frozenset[str] | None]]:
    """Walk a module as :func:`ast.walk` does, with the None-defaulting parameters around a node.

    :param lines: when given, statements holding none of these lines are left out, with all
        they hold.
    :returns: each node with the parameters defaulting to None of every function around it,
        ``None`` outside functions.
    """
    pending: deque[tuple[ast.AST, frozenset[str] | None]] = deque([(module, None)])
    while pending:
        node, none_parameters = pending.popleft()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            none_parameters = (none_parameters or frozenset()) | _none_parameters(node)
        pending.extend(
            (child, none_parameters)
            for child in ast.iter_child_nodes(node)
            if lines is None or not isinstance(child, ast.stmt) or _holds(child, lines)
        )
        yield node, none_parameters


def nullable_uses(
    path: str,
    module: ast.Module,
    names: frozenset[str],
    models: frozenset[str],
    nullable: frozenset[str] = frozenset(),
    lines: Sequence[int] | None = None,
) -> list[tuple[str, int, str]]:
    """Find the places of a module that treat one of the fields as nullable.

    :param path: the module's path.
    :param module: the parsed module.
    :param names: the fields' names.
    :param models: the models' class names (their constructors take field values).
    :param nullable: names of fields that keep ``null=True`` (values read from them may be None).
    :param lines: sorted lines, one of which each place's construct spans (``None``: any);
        statements holding none of them are not looked into.
    :returns: ``(field, line, what)`` per place, ``what`` quoting the construct.
    """
    if not names:
        return []
    isnull = _lookup_pattern(names)
    places = []
    # Values written to the fields that may be None, inside functions: static reading cannot
    # follow every value; these are the shapes that gave real projects NULLs: a parameter
    # defaulting to None passed on, ``dict.get(key)``, ``x if c else None``.
    writes = []
    for node, none_parameters in _walk_with_parameters(module, lines):
        if none_parameters is not None:
            for field, line, value in _written_values(node, names, models):
                why = _maybe_none(value, none_parameters, nullable)
                if why:
                    writes.append((field, line, f"{field}={why}"))
        if isinstance(node, ast.Call):
            callee = dotted_name(node.func).rsplit(".", 1)[-1]
            for keyword in node.keywords:
                key = keyword.arg or ""
                match = isnull.search(key)
                if match:
                    places.append((match[1], node.lineno, f"{key}="))
                elif (callee in ORM_CALLS or callee in models) and _none(keyword.value):
                    field = _lookup_field(key, names)
                    if field:
                        places.append((field, node.lineno, f"{key}=None"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = isnull.search(node.value)
            if match:
                places.append((match[1], node.lineno, repr(node.value)))
        elif isinstance(node, ast.Compare):
            field = _compared_to_none(node, names)
            if field:
                places.append((field, node.lineno, f".{field} compared with None"))
        elif isinstance(node, ast.Assign) and _none(node.value):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in names:
                    places.append((target.attr, node.lineno, f".{target.attr} = None"))
    return places + sorted(set(writes))
