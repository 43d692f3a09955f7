"""Rewriting ``null=True`` as ``blank=True, default=""`` in a models module, with libcst.

Only the arguments change: ``null=True`` is replaced where it stands by the arguments the
field lacks (``blank=True`` unless it passes ``blank``, ``default=""`` unless it passes a
string default; ``default=None`` becomes ``default=""``), so comments and layout stay. A
one-per-line call gets one new argument per line. So only the fields' statements are read with
libcst (found with :mod:`ast`), each standing alone on its lines; otherwise the whole module.
"""

from __future__ import annotations

import ast

import libcst as cst

Targets = dict[tuple[str, str], tuple[bool, bool]]  # (model, field) -> (add blank, add default)


def _quote(call: cst.Call) -> str:
    """Return the quote the call's own strings use (double when it has none)."""
    for argument in call.args:
        value = argument.value
        if isinstance(value, cst.SimpleString) and value.prefix == "":
            return value.quote[0]
    return '"'


def _new_arguments(
    argument: cst.Arg, previous: cst.Arg | None, names: list[tuple[str, str]]
) -> list[cst.Arg]:
    # the comma before an argument holds the whitespace that starts its line
    separator = (
        previous.comma
        if previous is not None and isinstance(previous.comma, cst.Comma)
        else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    )
    built = []
    for index, (keyword, value) in enumerate(names):
        last = index == len(names) - 1
        built.append(
            argument.with_changes(
                keyword=cst.Name(keyword),
                value=cst.parse_expression(value),
                comma=argument.comma if last else separator,
            )
        )
    return built


def _rewrite_call(call: cst.Call, add_blank: bool, add_default: bool) -> cst.Call:
    empty = _quote(call) * 2
    has_default = any(a.keyword is not None and a.keyword.value == "default" for a in call.args)
    arguments: list[cst.Arg] = []
    for argument in call.args:
        keyword = argument.keyword.value if argument.keyword else None
        if keyword == "null":
            added = [("blank", "True")] if add_blank else []
            added += [("default", empty)] if add_default and not has_default else []
            previous = arguments[-1] if arguments else None
            arguments += _new_arguments(argument, previous, added) if added else []
            if not added and arguments:  # the comma after null=True ends the line before
                arguments[-1] = arguments[-1].with_changes(comma=argument.comma)
        elif keyword == "default" and add_default:
            arguments.append(argument.with_changes(value=cst.parse_expression(empty)))
        else:
            arguments.append(argument)
    return call.with_changes(args=arguments)


class _FieldRewriter(cst.CSTTransformer):
    def __init__(self, targets: Targets) -> None:
        super().__init__()
        self.targets = targets
        self.models: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.models.append(node.name.value)
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.models.pop()
        return updated

    def _target(self, target: cst.BaseExpression) -> tuple[bool, bool] | None:
        if len(self.models) != 1 or not isinstance(target, cst.Name):
            return None
        return self.targets.get((self.models[0], target.value))

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        found = self._target(updated.targets[0].target) if len(updated.targets) == 1 else None
        if found is None or not isinstance(updated.value, cst.Call):
            return updated
        return updated.with_changes(value=_rewrite_call(updated.value, *found))

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        found = self._target(updated.target)
        if found is None or not isinstance(updated.value, cst.Call):
            return updated
        return updated.with_changes(value=_rewrite_call(updated.value, *found))


Statement = ast.Assign | ast.AnnAssign


def _field_statements(module: ast.Module, targets: Targets) -> list[tuple[Statement, str, str]]:
    """Return the statements :class:`_FieldRewriter` changes, with their model and field.

    One class deep (in a function of it too), one target that is a name, a call assigned.
    """
    found: list[tuple[Statement, str, str]] = []

    def visit(node: ast.AST, models: tuple[str, ...]) -> None:
        if isinstance(node, ast.ClassDef):
            models = (*models, node.name)
        elif isinstance(node, Statement) and len(models) == 1:
            targets_of = node.targets if isinstance(node, ast.Assign) else [node.target]
            target = targets_of[0]
            if (
                len(targets_of) == 1
                and isinstance(target, ast.Name)
                and isinstance(node.value, ast.Call)
                and (models[0], target.id) in targets
            ):
                found.append((node, models[0], target.id))
        for child in ast.iter_child_nodes(node):
            visit(child, models)

    visit(module, ())
    return found


def _rewrite_statement(lines: list[str], node: Statement, found: tuple[bool, bool]) -> str | None:
    """Return one field's statement rewritten; ``None`` when it does not stand alone."""
    assert node.end_lineno is not None and node.end_col_offset is not None
    first, last = lines[node.lineno - 1], lines[node.end_lineno - 1]
    indentation = first[: node.col_offset]
    rest = last.encode()[node.end_col_offset :].decode().strip()
    if indentation.strip() or (rest and not rest.startswith("#")) or not last.endswith("\n"):
        return None
    source = "".join(lines[node.lineno - 1 : node.end_lineno])[len(indentation) :]
    statement = cst.parse_statement(source)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if not isinstance(small, cst.Assign | cst.AnnAssign) or not isinstance(small.value, cst.Call):
        return None
    changed = small.with_changes(value=_rewrite_call(small.value, *found))
    return indentation + cst.Module(body=[]).code_for_node(statement.with_changes(body=[changed]))


def _rewrite_statements(text: str, targets: Targets) -> str | None:
    """Rewrite the fields' statements alone: libcst is slow on a whole module.

    :returns: the new text; ``None`` when a statement does not stand alone on its lines.
    """
    if "\r" in text:
        return None
    lines = text.splitlines(keepends=True)
    statements = _field_statements(ast.parse(text), targets)
    for node, model, name in sorted(statements, key=lambda found: -found[0].lineno):
        code = _rewrite_statement(lines, node, targets[(model, name)])
        if code is None:
            return None
        assert node.end_lineno is not None
        lines[node.lineno - 1 : node.end_lineno] = [code]
    return "".join(lines)


def rewrite_fields(text: str, targets: Targets) -> str:
    """Rewrite the given fields of a models module.

    :param text: the module's text.
    :param targets: ``(model, field)`` -> whether to add ``blank=True`` and whether to set
        ``default=""`` (added, or replacing ``default=None``).
    :returns: the new text.
    """
    rewritten = _rewrite_statements(text, targets)
    if rewritten is not None:
        return rewritten
    module = cst.parse_module(text)
    return module.visit(_FieldRewriter(targets)).code
