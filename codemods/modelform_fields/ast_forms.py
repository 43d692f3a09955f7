"""ModelForm ``Meta`` options read with :mod:`ast`, and the new ``fields`` spliced in.

Red Panda Approval V1-02, "Forms". libcst parses about ten times slower than :mod:`ast` and
the modules holding forms are often large (a test module with hundreds of forms), so the
usual module is read from the :mod:`ast` tree it was already parsed into, and only the
statements that change are replaced, at their :mod:`ast` positions: the value of ``fields``
(or ``exclude``, renamed ``fields``), and the ``exclude`` statement's own lines when both were
set. The result is byte for byte what libcst writes for the same edit. A ``Meta`` laid out so
that this is not certain (several statements on a line, a parenthesised target or value, a
string literal other than a plain ``"name"``, comments above a deleted ``exclude``, ``\\r``
newlines) makes :func:`plan_forms` answer ``None``, and the caller rewrites with libcst.
"""

from __future__ import annotations

import ast
import re

from redpanda_migrate.codemods.modelform_fields.decisions import (
    FormEdits,
    MetaOptions,
    Resolve,
    decide,
    format_list,
    wants_rewrite,
)
from redpanda_migrate.codemods.shared.ast_names import dotted_name

SIMPLE_STATEMENTS = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Expr,
    ast.Pass,
    ast.Delete,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.Break,
    ast.Continue,
)
_EQUALS = re.compile(rb"[ \t]*=[ \t]*")


class Unsure(Exception):
    """The module's layout needs libcst to be rewritten exactly."""


def _post_order(statements: list[ast.stmt]) -> list[ast.ClassDef]:
    """Return the classes nested in the statements, each after the classes inside it.

    The order libcst leaves them in: a class's body before the class, blocks in source order.
    """
    found: list[ast.ClassDef] = []
    for statement in statements:
        for name in ("body", "handlers", "orelse", "finalbody", "cases"):
            children = getattr(statement, name, None)
            if not children:
                continue
            for child in children:
                if isinstance(child, ast.excepthandler | ast.match_case):
                    found += _post_order(child.body)
                else:
                    found += _post_order([child])
        if isinstance(statement, ast.ClassDef):
            found.append(statement)
    return found


def _is_model_form(node: ast.ClassDef) -> bool:
    return any(
        dotted_name(base.value if isinstance(base, ast.Starred) else base).endswith("ModelForm")
        for base in node.bases
    )


class _Module:
    """One module's lines (UTF-8 bytes, as :mod:`ast` columns count) and the splices made."""

    def __init__(self, text: str) -> None:
        if "\r" in text or text.startswith("\ufeff"):
            raise Unsure
        self.data = text.encode()
        self.lines = self.data.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.splices: list[tuple[int, int, bytes]] = []

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def alone(self, statement: ast.stmt) -> bool:
        """Tell whether a simple statement is the only one on its lines (no ``;``, no ``\\``)."""
        first = self.lines[statement.lineno - 1]
        if first[: statement.col_offset].strip(b" \t"):
            return False
        if statement.lineno > 1 and self.lines[statement.lineno - 2].rstrip(b"\n").endswith(b"\\"):
            return False
        end_line = self.lines[statement.end_lineno - 1]  # type: ignore[operator]
        rest = end_line[statement.end_col_offset :].lstrip(b" \t")
        return rest in (b"", b"\n") or rest.startswith(b"#")

    def string(self, node: ast.expr) -> str | None:
        """Read a plain one-token string literal (libcst's ``SimpleString`` of a str)."""
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            return None
        if node.lineno != node.end_lineno:
            raise Unsure
        line = self.lines[node.lineno - 1]
        segment = line[node.col_offset : node.end_col_offset].decode()
        value = node.value
        if (
            segment[:1] not in ('"', "'")
            or segment != segment[0] + value + segment[0]
            or segment[0] in value
            or "\\" in value
        ):
            raise Unsure  # a prefix, triple quotes, escapes or implicit concatenation
        return value

    def strings(self, node: ast.expr) -> list[str] | None:
        if not isinstance(node, ast.List | ast.Tuple):
            return None
        values = []
        for element in node.elts:
            value = self.string(element)
            if value is None:
                return None
            values.append(value)
        return values

    def quote_of(self, node: ast.expr) -> str:
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            node = node.elts[0]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return chr(self.data[self.offset(node.lineno, node.col_offset)])
        return '"'

    def result(self, text: str) -> str:
        data = self.data
        for start, end, new in sorted(self.splices, reverse=True):
            data = data[:start] + new + data[end:]
        return data.decode() if self.splices else text


def _assignments(meta: ast.ClassDef) -> dict[str, tuple[int, ast.Assign]]:
    found: dict[str, tuple[int, ast.Assign]] = {}
    for index, statement in enumerate(meta.body):
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            found[statement.targets[0].id] = (index, statement)
    return found


def _may_rewrite(meta: ast.ClassDef) -> bool:
    """Tell whether libcst could see ``fields = "__all__"`` or ``exclude`` (a superset)."""
    for statement in meta.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = statement.targets[0]
        if isinstance(target, ast.Name) and (
            target.id == "exclude"
            or (
                target.id == "fields"
                and isinstance(statement.value, ast.Constant)
                and statement.value.value == "__all__"
            )
        ):
            return True
    return False


def _options(module: _Module, form: str, meta: ast.ClassDef) -> MetaOptions:
    if meta.decorator_list or not all(
        module.alone(s) for s in meta.body if isinstance(s, SIMPLE_STATEMENTS)
    ):
        raise Unsure
    assigned = _assignments(meta)
    fields = assigned.get("fields")
    exclude = assigned.get("exclude")
    model = assigned.get("model")
    all_fields = fields is not None and module.string(fields[1].value) == "__all__"
    wanted = all_fields or exclude is not None
    return MetaOptions(
        form=form,
        line=meta.lineno,
        model=None if model is None else dotted_name(model[1].value),
        all_fields=all_fields,
        has_fields=fields is not None,
        fields=None if fields is None or not wanted else module.strings(fields[1].value),
        has_exclude=exclude is not None,
        exclude=None if exclude is None else module.strings(exclude[1].value),
    )


def _splice(module: _Module, meta: ast.ClassDef, chosen: list[str], line_length: int) -> None:
    """Replace ``fields``'s value (or ``exclude`` by ``fields``), delete ``exclude`` if both."""
    assigned = _assignments(meta)
    fields, exclude = assigned.get("fields"), assigned.get("exclude")
    _, source = fields or exclude  # type: ignore[misc]
    target, value = source.targets[0], source.value
    start = module.offset(source.lineno, source.col_offset)
    target_end = module.offset(target.end_lineno, target.end_col_offset)  # type: ignore[arg-type]
    value_start = module.offset(value.lineno, value.col_offset)
    value_end = module.offset(value.end_lineno, value.end_col_offset)  # type: ignore[arg-type]
    equals = module.data[target_end:value_start]
    if (
        module.offset(target.lineno, target.col_offset) != start
        or (source.end_lineno, source.end_col_offset) != (value.end_lineno, value.end_col_offset)
        or not _EQUALS.fullmatch(equals)
    ):
        raise Unsure  # parentheses around the target or the value
    indent = module.lines[source.lineno - 1][: source.col_offset]
    text = format_list(chosen, module.quote_of(value), source.col_offset, line_length, "fields = ")
    new = text.encode().replace(b"\n", b"\n" + indent)
    if fields is not None:
        module.splices.append((value_start, value_end, new))
    else:
        module.splices.append((start, value_end, b"fields" + equals + new))
    if fields is not None and exclude is not None:
        index, statement = exclude
        previous = meta.body[index - 1] if index else None
        last = module.lines[statement.end_lineno - 1]  # type: ignore[operator]
        if (
            previous is None
            or previous.end_lineno != statement.lineno - 1
            or not last.endswith(b"\n")
        ):
            raise Unsure  # lines above it that libcst deletes with it
        end = module.starts[statement.end_lineno]  # type: ignore[index]
        module.splices.append((module.starts[statement.lineno - 1], end, b""))


def plan_forms(
    text: str, tree: ast.Module, resolve: Resolve, line_length: int
) -> tuple[str, FormEdits] | None:
    """Give every ModelForm of a module an explicit ``fields`` list, without libcst ("Forms").

    :param text: the module's source.
    :param tree: the same module parsed with :mod:`ast`.
    :param resolve: the editable fields of a model named in the module, or a problem.
    :param line_length: the project's line length.
    :returns: the new source (the input when nothing changes) and what was done, or ``None``
        when the module must be rewritten with libcst to be exact.
    """
    edits = FormEdits()
    module: _Module | None = None
    try:
        for node in _post_order(tree.body):
            if not _is_model_form(node):
                continue
            for meta in node.body:
                if not (isinstance(meta, ast.ClassDef) and meta.name == "Meta"):
                    continue
                if not _may_rewrite(meta):
                    continue  # libcst sees neither fields nor exclude either
                module = module or _Module(text)
                options = _options(module, node.name, meta)
                if not wants_rewrite(options):
                    continue
                chosen = decide(options, resolve, edits)
                if chosen is not None:
                    _splice(module, meta, chosen, line_length)
                    break
    except Unsure:
        return None
    return (text if module is None else module.result(text)), edits


__all__ = ["plan_forms"]
