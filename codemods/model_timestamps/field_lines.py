"""Adding field lines to model classes as text insertions placed with :mod:`ast` positions.

Part of the "Required Model Fields" codemod. The rewrite of :mod:`.edit` (libcst) parses and
regenerates the whole module; this places the same lines at the same places from the ``ast``
tree the module was judged with, so most rewritten modules are never parsed twice. Every other
byte stays as it is. Where the layout needs libcst's judgement (a one-line class body, a class
of the same name nested in a function or block, carriage returns, no final newline, a docstring
that is an f-string), :func:`insert_field_lines` declines and :func:`.edit.add_fields` does the
rewrite.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence

from redpanda_migrate.codemods.model_timestamps.source import is_field_callee
from redpanda_migrate.codemods.shared.ast_names import dotted_name

# statements holding statements, other than classes (whose bodies are not "top level")
NESTING = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.With,
    ast.AsyncWith,
    ast.Match,
    ast.ExceptHandler,
    ast.match_case,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),  # Python 3.11+
)


def _nested_classes(tree: ast.Module) -> Iterator[ast.ClassDef]:
    """Classes in module-level blocks and functions, which libcst's rewrite also edits."""
    pending: list[ast.AST] = [s for s in tree.body if not isinstance(s, ast.ClassDef)]
    while pending:
        node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield child
            elif isinstance(child, NESTING):
                pending.append(child)


def _groups(body: list[ast.stmt]) -> list[list[ast.stmt]]:
    """Split a block into lines as libcst does: statements joined by ``;`` form one line."""
    groups: list[list[ast.stmt]] = []
    previous_end = 0
    for statement in body:
        simple = not hasattr(statement, "body")
        if groups and simple and statement.lineno == previous_end:
            groups[-1].append(statement)
        else:
            groups.append([statement])
        previous_end = statement.end_lineno or statement.lineno
    return groups


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None) or []
    return decorators[0].lineno if decorators else statement.lineno


def _is_field(group: list[ast.stmt]) -> bool:
    return any(
        isinstance(s, ast.Assign | ast.AnnAssign)
        and isinstance(s.value, ast.Call)
        and is_field_callee(dotted_name(s.value.func))
        for s in group
    )


def _is_placeholder(group: list[ast.stmt]) -> bool:
    if len(group) != 1:
        return False
    statement = group[0]
    if isinstance(statement, ast.Pass):
        return True
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and statement.value.value is Ellipsis
    )


class _Lines:
    """The module's lines (with their ends), 1-based."""

    def __init__(self, text: str) -> None:
        # split where the tokenizer ends lines (the text has no carriage return)
        self.lines = [f"{line}\n" for line in text.split("\n")[:-1]]

    def __getitem__(self, number: int) -> str:
        return self.lines[number - 1]

    def is_empty(self, number: int) -> bool:
        """Tell whether a line is blank or only a comment (libcst's ``EmptyLine``)."""
        stripped = self[number].strip()
        return not stripped or stripped.startswith("#")

    def indent(self, statement: ast.stmt) -> str | None:
        """Return the indentation of a statement opening its line, ``None`` when it does not."""
        decorators = getattr(statement, "decorator_list", None) or []
        start = decorators[0] if decorators else statement
        before = self[start.lineno].encode()[: start.col_offset].decode()
        if decorators:  # the position is the decorator's expression, after ``@``
            before, at, _ = before.rpartition("@")
            if not at:
                return None
        return before if before and not before.strip() else None

    def after(self, statement: ast.stmt) -> str:
        """Return what follows a statement on its last line."""
        line = self[statement.end_lineno or statement.lineno].encode()
        return line[statement.end_col_offset or 0 :].decode()


def _insertion(
    node: ast.ClassDef, lines: _Lines, new: Sequence[str]
) -> tuple[int, int, str] | None:
    """Return ``(first line, line after the replaced ones, text)`` for one class, or ``None``."""
    groups = _groups(node.body)
    first = _first_line(groups[0][0])
    indent = lines.indent(groups[0][0])
    if indent is None:
        return None  # a body on the ``class`` line
    added = "".join(f"{indent}{line}\n" for line in new)
    if len(groups) == 1 and _is_placeholder(groups[0]):
        placeholder = groups[0][0]
        if "#" in lines.after(placeholder):  # ``pass  # TODO`` stays, with its comment
            end = (placeholder.end_lineno or placeholder.lineno) + 1
            return end, end, added
        return placeholder.lineno, (placeholder.end_lineno or placeholder.lineno) + 1, added
    fields = [group for group in groups if _is_field(group)]
    if fields:
        end = (fields[-1][-1].end_lineno or fields[-1][-1].lineno) + 1
        return end, end, added
    docstring = groups[0] if len(groups[0]) == 1 and isinstance(groups[0][0], ast.Expr) else None
    if docstring and isinstance(docstring[0].value, ast.JoinedStr):
        return None  # libcst tells an f-string docstring from a concatenated one
    is_string = docstring and isinstance(docstring[0].value, ast.Constant)
    if not (is_string and isinstance(docstring[0].value.value, str | bytes)):
        docstring = None
    if docstring is None:
        at = first
        while at - 1 > node.lineno and lines.is_empty(at - 1):
            at -= 1  # comments and blank lines before the first statement stay with it
    else:
        at = (docstring[0].end_lineno or docstring[0].lineno) + 1
        added = "\n" + added
    following = groups[1:] if docstring else groups
    if following and not lines.is_empty(_first_line(following[0][0]) - 1):
        added += "\n"
    return at, at, added


def insert_field_lines(
    tree: ast.Module, text: str, additions: Mapping[str, Sequence[str]]
) -> str | None:
    """Add field lines to top-level classes, as :func:`.edit.add_fields` would (no import).

    :param tree: the module, parsed by :mod:`ast` from ``text``.
    :param text: the module's text.
    :param additions: class name -> source lines to add (``created_at = ...``).
    :returns: the new text, or ``None`` when libcst must do the rewrite.
    """
    if "\r" in text or not text.endswith("\n") or text.startswith("\ufeff"):
        return None
    if any(node.name in additions for node in _nested_classes(tree)):
        return None
    lines = _Lines(text)
    edits = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in additions:
            edit = _insertion(node, lines, additions[node.name])
            if edit is None:
                return None
            edits.append(edit)
    result = list(lines.lines)
    for start, stop, added in sorted(edits, reverse=True):
        result[start - 1 : stop - 1] = [added]
    return "".join(result)
