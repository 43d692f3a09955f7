"""Adding field declarations to model classes with libcst, leaving every other line alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst
from redpanda_migrate.codemods.model_timestamps.reading_cst import is_field_statement
from redpanda_migrate.codemods.model_timestamps.source import ModuleInfo
from redpanda_migrate.codemods.shared.cst_names import dotted_text

# modules that export every model field (GeoDjango's re-exports django.db.models)
MODELS_MODULES = frozenset({"django.db.models", "django.contrib.gis.db.models"})


def datetime_field_callee(module: ModuleInfo) -> tuple[str, str | None] | None:
    """Find how a models module can spell ``DateTimeField``, adding an import if needed.

    :param module: the models module.
    :returns: ``(callee, module_to_import_from)``: ``("models.DateTimeField", None)`` when
        ``django.db.models`` is imported as ``models``; the local name when ``DateTimeField``
        is imported; ``("DateTimeField", "django.db.models")`` when names are imported from
        ``django.db.models`` one by one; ``("models.DateTimeField", "django.db")`` otherwise.
        ``None`` when the name to add is already bound to something else.
    """
    for local, qualified in sorted(module.imports.items()):
        if qualified in MODELS_MODULES and local != "django":
            return f"{local}.DateTimeField", None
    for local, qualified in sorted(module.imports.items()):
        if qualified == "django.db.models.DateTimeField":
            return local, None
    bound = set(module.imports) | set(module.classes)
    if any(q.startswith("django.db.models.") for q in module.imports.values()):
        return None if "DateTimeField" in bound else ("DateTimeField", "django.db.models")
    return None if "models" in bound else ("models.DateTimeField", "django.db")


def _is_placeholder(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Pass):
        return True
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.Ellipsis)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def insert_fields(body: Sequence[cst.BaseStatement], new: Sequence[cst.BaseStatement]) -> list:
    """Place new field statements after the class's last field (or its docstring).

    A body that is only ``pass`` or ``...`` is replaced by the fields.

    :param body: the class body's statements.
    :param new: the statements to add.
    :returns: the new body.
    """
    if len(body) == 1 and _is_placeholder(body[0]):
        if body[0].trailing_whitespace.comment is not None:
            return [*body, *new]  # ``pass  # TODO`` stays, with its comment
        return [new[0].with_changes(leading_lines=body[0].leading_lines), *new[1:]]
    field_indexes = [i for i, statement in enumerate(body) if is_field_statement(statement)]
    if field_indexes:
        position = field_indexes[-1] + 1
        return [*body[:position], *new, *body[position:]]
    # no field yet: the fields open the body (after its docstring), set off by blank lines
    position = 1 if body and _is_docstring(body[0]) else 0
    new = list(new)
    if position:
        new[0] = new[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    following = list(body[position:])
    if following and not following[0].leading_lines:
        following[0] = following[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    return [*body[:position], *new, *following]


class _AddFields(cst.CSTTransformer):
    def __init__(self, additions: Mapping[str, Sequence[str]]) -> None:
        super().__init__()
        self.additions = additions
        self.depth = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return False  # only top-level classes are models; nothing inside needs a visit

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        if self.depth or updated.name.value not in self.additions:
            return updated
        new = [cst.parse_statement(line + "\n") for line in self.additions[updated.name.value]]
        if isinstance(updated.body, cst.SimpleStatementSuite):
            # ``class Tag(models.Model): pass`` becomes an indented block
            statements = [cst.SimpleStatementLine(body=[small]) for small in updated.body.body]
            block = cst.IndentedBlock(body=insert_fields(statements, new))
            return updated.with_changes(body=block)
        assert isinstance(updated.body, cst.IndentedBlock)
        body = insert_fields(updated.body.body, new)
        return updated.with_changes(body=updated.body.with_changes(body=body))


def _separator(names: Sequence[cst.ImportAlias]) -> cst.Comma:
    first = names[0].comma if len(names) > 1 else None
    return (
        first
        if isinstance(first, cst.Comma)
        else cst.Comma(cst.SimpleWhitespace(""), cst.SimpleWhitespace(" "))
    )


def insert_name(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    """Add a name to a ``from ... import`` list, in sorted place, keeping its layout.

    :param node: the import (not a star import).
    :param name: the name to add.
    :returns: the new import.
    """
    assert not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    position = sum(1 for alias in names if dotted_text(alias.name) < name)
    separator = _separator(names)
    if position == len(names):
        new = cst.ImportAlias(cst.Name(name), comma=names[-1].comma)
        names[-1] = names[-1].with_changes(comma=separator)
    else:
        new = cst.ImportAlias(cst.Name(name), comma=separator)
    names.insert(position, new)
    return node.with_changes(names=names)


class _AddDateTimeFieldImport(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.done = False

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        wanted = (
            not self.done
            and not updated.relative
            and updated.module is not None
            and dotted_text(updated.module) == "django.db.models"
            and not isinstance(updated.names, cst.ImportStar)
        )
        if not wanted:
            return updated
        self.done = True
        return insert_name(updated, "DateTimeField")


def add_fields(
    tree: cst.Module, additions: Mapping[str, Sequence[str]], import_from: str | None
) -> str:
    """Add field declarations to top-level classes of a module.

    :param tree: the parsed module.
    :param additions: class name -> source lines to add (``created_at = ...``).
    :param import_from: ``django.db`` to add ``from django.db import models``,
        ``django.db.models`` to add ``DateTimeField`` to the names imported from it, ``None``
        when no import is needed.
    :returns: the new module text.
    """
    tree = tree.visit(_AddFields(additions))
    if import_from == "django.db.models":
        tree = tree.visit(_AddDateTimeFieldImport())
    elif import_from is not None:
        # imported here: libcst.codemod brings libcst.matchers (a fifth of a second), which
        # only a module that gains an import needs
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        AddImportsVisitor.add_needed_import(context, import_from, "models")
        tree = AddImportsVisitor(context).transform_module(tree)
    return tree.code
