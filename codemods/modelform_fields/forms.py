"""Rewriting ``fields = "__all__"`` and ``exclude`` in a module's ModelForms.

Red Panda Approval V1-02, "Forms": ``Use ModelForm with explicit fields list (never
__all__)``; "Don't use ``exclude`` in ModelForm". The ``Meta`` of each class deriving from
``ModelForm`` gets ``fields = [...]``: every editable field Django would have used, in its
order, minus the excluded ones; the list is written as black/ruff would format it at the
project's line length, in the quotes the module used. Only that statement changes (libcst).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.modelform_fields.models import (
    KNOWN_MODELS,
    SourceModule,
    Unknowable,
    find_class,
    form_fields,
    qualified,
)
from redpanda_migrate.codemods.shared.cst_names import dotted_text


@dataclass
class FormEdits:
    """What the rewrite of one module did.

    :param converted: ``(line, form name, field count)`` per converted form.
    :param refusals: ``(line, reason)`` per form left alone.
    :param ignored: ``(line, message)`` per excluded name that was no field (a note).
    """

    converted: list[tuple[int, str, int]] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)


def _assignments(meta: cst.ClassDef) -> dict[str, tuple[int, cst.Assign]]:
    found: dict[str, tuple[int, cst.Assign]] = {}
    if not isinstance(meta.body, cst.IndentedBlock):
        return found
    for index, statement in enumerate(meta.body.body):
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                found[small.targets[0].target.value] = (index, small)
    return found


def _strings(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, cst.List | cst.Tuple):
        values = []
        for element in node.elements:
            if not isinstance(element.value, cst.SimpleString):
                return None
            value = element.value.evaluated_value
            if not isinstance(value, str):
                return None
            values.append(value)
        return values
    return None


def _quote_of(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.SimpleString):
        return node.quote
    if isinstance(node, cst.List | cst.Tuple) and node.elements:
        first = node.elements[0].value
        if isinstance(first, cst.SimpleString):
            return first.quote
    return '"'


def format_list(names: list[str], quote: str, indent: int, line_length: int, head: str) -> str:
    """Write a list of strings as black and ruff format it.

    :param names: the strings.
    :param quote: the quote character to use.
    :param indent: the statement's indentation, in spaces.
    :param line_length: the project's line length.
    :param head: what precedes the list on its line (``fields = ``).
    :returns: the list's source, on one line when it fits, else exploded.
    """
    items = [f"{quote}{name}{quote}" for name in names]
    one_line = "[" + ", ".join(items) + "]"
    if indent + len(head) + len(one_line) <= line_length:
        return one_line
    # libcst indents continuation lines by the enclosing block itself: write them relative
    inner = "    "
    body = ", ".join(items)
    if indent + len(inner) + len(body) <= line_length:
        return "[\n" + inner + body + "\n]"
    return "[\n" + "".join(f"{inner}{item},\n" for item in items) + "]"


class _FormRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        resolve_model: Callable[[str], tuple[list[str], str | None]],
        line_length: int,
        edits: FormEdits,
    ) -> None:
        super().__init__()
        self.resolve_model = resolve_model
        self.line_length = line_length
        self.edits = edits
        self.depth = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return True

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.depth -= 1
        if not any(dotted_text(arg.value).endswith("ModelForm") for arg in updated_node.bases):
            return updated_node
        if not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        for index, statement in enumerate(updated_node.body.body):
            if isinstance(statement, cst.ClassDef) and statement.name.value == "Meta":
                original_meta = original_node.body.body[index]  # type: ignore[union-attr]
                new_meta = self._meta(updated_node.name.value, statement, original_meta)
                if new_meta is not statement:
                    body = list(updated_node.body.body)
                    body[index] = new_meta
                    return updated_node.with_changes(body=updated_node.body.with_changes(body=body))
        return updated_node

    def _meta(self, form: str, meta: cst.ClassDef, original: cst.CSTNode) -> cst.ClassDef:
        assigned = _assignments(meta)
        fields = assigned.get("fields")
        exclude = assigned.get("exclude")
        all_fields = (
            fields is not None
            and isinstance(fields[1].value, cst.SimpleString)
            and fields[1].value.evaluated_value == "__all__"
        )
        if not all_fields and exclude is None:
            return meta
        line = self.get_metadata(PositionProvider, original).start.line
        if "model" not in assigned:
            self.edits.refusals.append((line, f"{form}.Meta names no model here"))
            return meta
        excluded: list[str] = []
        if exclude is not None:
            strings = _strings(exclude[1].value)
            if strings is None:
                self.edits.refusals.append(
                    (line, f"{form}.Meta.exclude is not a literal list of names")
                )
                return meta
            excluded = strings
        explicit: list[str] | None = None
        if fields is not None and not all_fields:
            explicit = _strings(fields[1].value)
            if explicit is None:
                self.edits.refusals.append(
                    (line, f"{form}.Meta.fields is not a literal list of names")
                )
                return meta
        names, problem = self.resolve_model(dotted_text(assigned["model"][1].value))
        if problem is not None:
            self.edits.refusals.append((line, f"{form}: {problem}"))
            return meta
        unknown = sorted(set(excluded) - set(names))
        if explicit is None and unknown:
            self.edits.ignored.append(
                (
                    line,
                    f"{form}.Meta.exclude names {', '.join(unknown)}, which the form never "
                    "had (Django ignored it): check for a typo",
                )
            )
        chosen = [n for n in (explicit if explicit is not None else names) if n not in excluded]
        assert isinstance(original, cst.ClassDef)
        original_source = _assignments(original)["fields" if fields is not None else "exclude"]
        indent = self.get_metadata(PositionProvider, original_source[1]).start.column
        return self._rewrite(meta, fields, exclude, chosen, (form, line, indent))

    def _rewrite(
        self,
        meta: cst.ClassDef,
        fields: tuple[int, cst.Assign] | None,
        exclude: tuple[int, cst.Assign] | None,
        chosen: list[str],
        where: tuple[str, int, int],
    ) -> cst.ClassDef:
        form, line, indent = where
        assert isinstance(meta.body, cst.IndentedBlock)
        body = list(meta.body.body)
        source = fields or exclude
        assert source is not None
        quote = _quote_of(source[1].value)
        text = format_list(chosen, quote, indent, self.line_length, "fields = ")
        value = cst.parse_expression(text)
        if fields is not None:
            index, assign = fields
            body[index] = body[index].with_changes(body=[assign.with_changes(value=value)])
        else:
            assert exclude is not None
            index, assign = exclude
            target = assign.targets[0].with_changes(target=cst.Name("fields"))
            body[index] = body[index].with_changes(
                body=[assign.with_changes(targets=[target], value=value)]
            )
        if fields is not None and exclude is not None:
            del body[exclude[0]]
        self.edits.converted.append((line, form, len(chosen)))
        return meta.with_changes(body=meta.body.with_changes(body=body))


def rewrite_forms(
    text: str,
    module: SourceModule,
    lookup: Callable[[str], SourceModule | None],
    line_length: int,
) -> tuple[str, FormEdits]:
    """Give every ModelForm of a module an explicit ``fields`` list ("Forms").

    :param text: the module's source.
    :param module: the same module read with :mod:`ast`, to resolve model names.
    :param lookup: finds a project module by dotted name.
    :param line_length: the project's line length.
    :returns: the new source (the input when nothing changes) and what was done.
    """
    edits = FormEdits()

    def resolve(model_name: str) -> tuple[list[str], str | None]:
        if not model_name:
            return [], "Meta.model is not a plain name"
        known = KNOWN_MODELS.get(qualified(module, model_name))
        if known is not None:
            return [f.name for f in known if f.editable], None
        found = find_class(lookup, module, model_name)
        if isinstance(found, str):
            if found in KNOWN_MODELS:
                return [f.name for f in KNOWN_MODELS[found] if f.editable], None
            return [], f"model {found} is not defined in the project: list its fields by hand"
        try:
            model_fields = form_fields(lookup, *found)
        except Unknowable as reason:
            return [], str(reason)
        return [f.name for f in model_fields if f.editable], None

    if not _may_have_listed_fields(module.tree):
        return text, edits  # no libcst parse for a module whose forms list their fields
    tree = cst.parse_module(text)
    # the tree is this call's own: no defensive copy
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    new_tree = wrapper.visit(_FormRewriter(resolve, line_length, edits))
    if not edits.converted:
        return text, edits
    return new_tree.code, edits


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _may_have_listed_fields(tree: ast.Module) -> bool:
    """Tell whether a ``*ModelForm`` class has a ``Meta`` assigning ``fields`` or ``exclude``.

    What :class:`_FormRewriter` looks at, read from the :mod:`ast` tree the module was already
    parsed into (a superset: any such assignment, whatever its value).
    """
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(_dotted(base).endswith("ModelForm") for base in node.bases):
            continue
        for meta in node.body:
            if isinstance(meta, ast.ClassDef) and meta.name == "Meta":
                for statement in meta.body:
                    targets = statement.targets if isinstance(statement, ast.Assign) else []
                    if any(
                        isinstance(t, ast.Name) and t.id in ("fields", "exclude") for t in targets
                    ):
                        return True
    return False


def read_source_module(path: str, dotted_name: str, text: str) -> SourceModule | None:
    """Parse a project module with :mod:`ast` for model lookups (``None`` when invalid)."""
    try:
        return SourceModule(path, dotted_name, ast.parse(text))
    except (SyntaxError, ValueError, RecursionError):
        return None


__all__ = ["FormEdits", "format_list", "read_source_module", "rewrite_forms"]
