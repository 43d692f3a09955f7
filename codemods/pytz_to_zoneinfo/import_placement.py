"""Where the ``pytz-to-zoneinfo`` codemod puts the imports it adds.

New names join an existing ``from datetime import ...`` / ``from zoneinfo import ...``
statement when isort would combine them (an ``as`` import only joins a statement that already
combines ``as`` imports: ruff's isort keeps them on their own line by default); otherwise a
new statement takes its isort place among the module's standard-library imports.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def add_imports(
    module: cst.Module,
    plain: Sequence[cst.SimpleStatementLine],
    froms: Sequence[cst.SimpleStatementLine],
) -> cst.Module:
    """Add import statements in isort order, merging into existing ``from`` statements.

    :param module: the module.
    :param plain: ``import x`` statements to add.
    :param froms: ``from x import y`` statements to add (one alias or several).
    :returns: the module with the imports added.
    """
    body = list(module.body)
    for statement in plain:
        body = _add(body, statement)
    for statement in froms:
        node = _import_of(statement)
        assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
        for alias in node.names:
            single = node.with_changes(names=[alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)])
            body = _add(body, statement.with_changes(body=[single]))
    return module.with_changes(body=body)


def _add(body: list[Statement], statement: cst.SimpleStatementLine) -> list[Statement]:
    new = _import_of(statement)
    assert new is not None
    run = _leading_imports(body)
    if not run:
        start = 1 if body and _is_docstring(body[0]) else 0
        return _insert(body, start, statement, new_section=True)
    if isinstance(new, cst.ImportFrom):
        same = [(i, n) for i, n in run if isinstance(n, cst.ImportFrom) and _same_module(n, new)]
        for index, node in same:
            merged = _merged(node, new)
            if merged is not None:
                target = body[index]
                assert isinstance(target, cst.SimpleStatementLine)
                return [*body[:index], target.with_changes(body=[merged]), *body[index + 1 :]]
        if same:
            return _insert(body, same[-1][0] + 1, statement, after=True)
    stdlib = [(i, n) for i, n in run if _is_stdlib(n)]
    if not stdlib:
        first_code = next((i for i, n in run if _root(n) != "__future__"), run[-1][0] + 1)
        return _insert(body, first_code, statement, new_section=True)
    key = _sort_key(new)
    later = next((i for i, n in stdlib if _sort_key(n) > key), None)
    if later is None:
        return _insert(body, stdlib[-1][0] + 1, statement, after=True)
    return _insert(body, later, statement)


def _sort_key(node: cst.Import | cst.ImportFrom) -> tuple[int, str, str]:
    """Order statements as isort does: ``import x`` lines first, then ``from`` lines."""
    if isinstance(node, cst.Import):
        name = node.names[0].evaluated_name
        return (0, name.lower(), name)
    name = get_full_name_for_node(node.module) if node.module else ""
    return (1, (name or "").lower(), name or "")


def _member_key(alias: cst.ImportAlias) -> tuple[int, str, str, str]:
    """Order names as isort does (order by type: CONSTANTS, Classes, others; case-insensitive)."""
    name = alias.evaluated_name
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower(), name, alias.evaluated_alias or "")


def _same_module(node: cst.ImportFrom, new: cst.ImportFrom) -> bool:
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return False
    return get_full_name_for_node(node.module) == get_full_name_for_node(new.module)


def _merged(node: cst.ImportFrom, new: cst.ImportFrom) -> cst.ImportFrom | None:
    """Add ``new``'s names to ``node`` in isort order, keeping its layout; ``None`` if unfit."""
    assert not isinstance(node.names, cst.ImportStar)
    assert not isinstance(new.names, cst.ImportStar)
    if "#" in cst.Module([]).code_for_node(node):
        return None  # commas carry comments: leave the statement as written
    added = new.names[0]
    if added.asname is not None and not any(a.asname is not None for a in node.names):
        return None  # isort keeps "as" imports apart unless the statement combines them
    names = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in node.names]
    position = next(
        (i for i, a in enumerate(names) if _member_key(a) > _member_key(added)), len(names)
    )
    names.insert(position, added.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    separator = _separator(node)
    last = node.names[-1].comma
    names = [a.with_changes(comma=separator) for a in names[:-1]] + [
        names[-1].with_changes(comma=last)
    ]
    return node.with_changes(names=names)


def _separator(node: cst.ImportFrom) -> cst.Comma:
    assert not isinstance(node.names, cst.ImportStar)
    if len(node.names) > 1 and isinstance(node.names[0].comma, cst.Comma):
        return node.names[0].comma
    lpar = node.lpar
    if lpar is not None and isinstance(lpar.whitespace_after, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=lpar.whitespace_after)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _import_of(statement: Statement) -> cst.Import | cst.ImportFrom | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Import | cst.ImportFrom):
            return small
    return None


def _root(node: cst.Import | cst.ImportFrom) -> str:
    if isinstance(node, cst.Import):
        return node.names[0].evaluated_name.split(".")[0]
    if node.relative or node.module is None:
        return "."
    return (get_full_name_for_node(node.module) or ".").split(".")[0]


def leading_imports(body: Sequence[Statement]) -> list[tuple[int, cst.Import | cst.ImportFrom]]:
    """List the import statements that open a module (after its docstring).

    :param body: the module's statements.
    :returns: ``(index, import node)`` for each, up to the first other statement.
    """
    start = 1 if body and _is_docstring(body[0]) else 0
    run = []
    for index in range(start, len(body)):
        node = _import_of(body[index])
        if node is None:
            break
        run.append((index, node))
    return run


_leading_imports = leading_imports


def _is_stdlib(node: cst.Import | cst.ImportFrom) -> bool:
    root = _root(node)
    return root in sys.stdlib_module_names and root != "__future__"


def _insert(
    body: list[Statement],
    index: int,
    new: cst.SimpleStatementLine,
    new_section: bool = False,
    after: bool = False,
) -> list[Statement]:
    """Insert a statement before ``body[index]``.

    ``after``: it ends the section of ``body[index - 1]`` (``body[index]`` keeps its blank
    lines); ``new_section``: it opens a section of its own before ``body[index]``; otherwise
    it takes ``body[index]``'s place, with the blank lines above it (comments stay with
    ``body[index]``).
    """
    if after or index >= len(body):
        return [*body[:index], new, *body[index:]]
    following = body[index]
    leading = list(following.leading_lines)
    if new_section:
        gap = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
        following = following.with_changes(leading_lines=[cst.EmptyLine()] * gap)
        if index > 0 and not leading:
            leading = [cst.EmptyLine()]
    else:
        blank = next((i for i, line in enumerate(leading) if line.comment), len(leading))
        following = following.with_changes(leading_lines=leading[blank:])
        leading = leading[:blank]
    return [*body[:index], new.with_changes(leading_lines=leading), following, *body[index + 1 :]]


def _is_docstring(statement: Statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )
