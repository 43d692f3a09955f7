"""Rewriting ``fields = "__all__"`` and ``exclude`` in a module's ModelForms.

Red Panda Approval V1-02, "Forms": ``Use ModelForm with explicit fields list (never
__all__)``; "Don't use ``exclude`` in ModelForm". The ``Meta`` of each class deriving from
``ModelForm`` gets ``fields = [...]``: every editable field Django would have used, in its
order, minus the excluded ones; the list is written as black/ruff would format it at the
project's line length, in the quotes the module used. Only that statement changes: spliced
at :mod:`ast` positions in the usual module, rewritten with libcst in a module laid out so that
only libcst can be exact (:mod:`redpanda_migrate.codemods.modelform_fields.ast_forms`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.modelform_fields.ast_forms import plan_forms
from redpanda_migrate.codemods.modelform_fields.decisions import (
    FormEdits,
    MetaOptions,
    Resolve,
    decide,
    format_list,
    wants_rewrite,
)
from redpanda_migrate.codemods.modelform_fields.models import (
    KNOWN_MODELS,
    SourceModule,
    Unknowable,
    find_class,
    form_fields,
    qualified,
)
from redpanda_migrate.codemods.shared.cst_names import dotted_text


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


class _FormRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        resolve_model: Resolve,
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
        model = assigned.get("model")
        options = MetaOptions(
            form=form,
            line=self.get_metadata(PositionProvider, original).start.line,
            model=None if model is None else dotted_text(model[1].value),
            all_fields=all_fields,
            has_fields=fields is not None,
            fields=None if fields is None else _strings(fields[1].value),
            has_exclude=exclude is not None,
            exclude=None if exclude is None else _strings(exclude[1].value),
        )
        if not wants_rewrite(options):
            return meta
        chosen = decide(options, self.resolve_model, self.edits)
        if chosen is None:
            return meta
        assert isinstance(original, cst.ClassDef)
        original_source = _assignments(original)["fields" if fields is not None else "exclude"]
        indent = self.get_metadata(PositionProvider, original_source[1]).start.column
        return self._rewrite(meta, fields, exclude, chosen, indent)

    def _rewrite(
        self,
        meta: cst.ClassDef,
        fields: tuple[int, cst.Assign] | None,
        exclude: tuple[int, cst.Assign] | None,
        chosen: list[str],
        indent: int,
    ) -> cst.ClassDef:
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

    planned = plan_forms(text, module.tree, resolve, line_length)
    if planned is not None:
        return planned
    return rewrite_with_libcst(text, resolve, line_length)


def rewrite_with_libcst(text: str, resolve: Resolve, line_length: int) -> tuple[str, FormEdits]:
    """Rewrite a module's ModelForms with libcst, for layouts :func:`plan_forms` leaves ("Forms").

    :param text: the module's source.
    :param resolve: the editable fields of a model named in the module, or a problem.
    :param line_length: the project's line length.
    :returns: the new source (the input when nothing changes) and what was done.
    :raises libcst.ParserSyntaxError: when libcst cannot parse the module.
    """
    edits = FormEdits()
    tree = cst.parse_module(text)
    # the tree is this call's own: no defensive copy
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    new_tree = wrapper.visit(_FormRewriter(resolve, line_length, edits))
    if not edits.converted:
        return text, edits
    return new_tree.code, edits


def read_source_module(path: str, dotted_name: str, text: str) -> SourceModule | None:
    """Parse a project module with :mod:`ast` for model lookups (``None`` when invalid)."""
    try:
        return SourceModule(path, dotted_name, ast.parse(text))
    except (SyntaxError, ValueError, RecursionError):
        return None


__all__ = [
    "FormEdits",
    "format_list",
    "read_source_module",
    "rewrite_forms",
    "rewrite_with_libcst",
]
