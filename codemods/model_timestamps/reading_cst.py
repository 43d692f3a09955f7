"""Reading a models module with libcst, for syntax the running Python's ``ast`` rejects.

Part of the "Required Model Fields" codemod. :mod:`.reading` reads models modules with
``ast``; a module written for a newer Python (``class Loader[K, R]:`` read on Python 3.11) is
read here instead, into the same summary. This module also tells field statements apart in
the libcst trees the rewrite edits (:func:`is_field_statement`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.model_timestamps.source import (
    UNKNOWN,
    ClassInfo,
    Member,
    ModuleInfo,
    is_field_callee,
    module_dotted_name,
    resolve_relative,
)
from redpanda_migrate.codemods.shared.cst_names import dotted_text


def _read_imports(
    module: cst.Module, dotted: str, is_package: bool
) -> tuple[dict[str, str], tuple[str, ...]]:
    imports: dict[str, str] = {}
    stars: list[str] = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    full = dotted_text(alias.name)
                    if alias.asname is not None:
                        imports[dotted_text(alias.asname.name)] = full
                    else:
                        head = full.split(".")[0]
                        imports[head] = head
            elif isinstance(small, cst.ImportFrom):
                base = dotted_text(small.module) if small.module is not None else ""
                if small.relative:
                    base = resolve_relative(dotted, is_package, len(small.relative), base)
                if isinstance(small.names, cst.ImportStar):
                    stars.append(base)
                    continue
                for alias in small.names:
                    name = dotted_text(alias.name)
                    local = dotted_text(alias.asname.name) if alias.asname else name
                    imports[local] = f"{base}.{name}"
    return imports, tuple(stars)


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    return UNKNOWN


def _is_field_call(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Call) and is_field_callee(dotted_text(node.func))


def _field_member(name: str, call: cst.Call, line: int) -> Member:
    flags = frozenset(
        arg.keyword.value
        for arg in call.args
        if arg.keyword is not None and _literal(arg.value) is True
    )
    return Member(name, "field", line, dotted_text(call.func), flags)


def _statement_members(statement: cst.CSTNode, line: int) -> list[Member]:
    if isinstance(statement, cst.FunctionDef):
        decorators = {dotted_text(d.decorator).rsplit(".", 1)[-1] for d in statement.decorators}
        kind = "property" if decorators & {"property", "cached_property"} else "method"
        return [Member(statement.name.value, kind, line)]
    if isinstance(statement, cst.ClassDef):
        return [Member(statement.name.value, "class", line)]
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    members = []
    for small in statement.body:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    members.append(_assigned(target.target.value, small.value, line))
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            members.append(_assigned(small.target.value, small.value, line))
    return members


def _assigned(name: str, value: cst.BaseExpression | None, line: int) -> Member:
    if isinstance(value, cst.Call) and _is_field_call(value):
        return _field_member(name, value, line)
    if isinstance(value, cst.Call):
        # an attribute built by a call (history = HistoricalRecords(...)): keep the callee and
        # the keywords it is given
        keywords = frozenset(arg.keyword.value for arg in value.args if arg.keyword is not None)
        return Member(name, "attribute", line, dotted_text(value.func), keywords)
    return Member(name, "attribute", line)


def is_field_statement(statement: cst.CSTNode) -> bool:
    """Tell whether a class-body statement declares a model field (``x = models.XField()``).

    :param statement: a statement of a class body.
    :returns: ``True`` for an assignment whose value is a field call.
    """
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(
        isinstance(small, cst.Assign | cst.AnnAssign) and _is_field_call(small.value)
        for small in statement.body
    )


def _read_meta(meta: cst.ClassDef) -> dict[str, object]:
    values: dict[str, object] = {}
    for statement in meta.body.body if isinstance(meta.body, cst.IndentedBlock) else ():
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        values[target.target.value] = _literal(small.value)
    return values


def _read_class(node: cst.ClassDef, positions) -> ClassInfo:
    members: dict[str, Member] = {}
    meta: dict[str, object] = {}
    meta_bases: tuple[str, ...] = ()
    has_meta = False
    for statement in node.body.body:
        line = positions[statement].start.line
        if isinstance(statement, cst.ClassDef) and statement.name.value == "Meta":
            has_meta = True
            meta = _read_meta(statement)
            meta_bases = tuple(dotted_text(arg.value) for arg in statement.bases)
            continue
        if isinstance(statement, cst.BaseSmallStatement):
            statement = cst.SimpleStatementLine(body=[statement])
        for member in _statement_members(statement, line):
            members[member.name] = member
    return ClassInfo(
        name=node.name.value,
        line=positions[node].start.line,
        bases=tuple(dotted_text(arg.value) for arg in node.bases),
        has_keyword_bases=bool(node.keywords),
        meta=meta,
        meta_bases=meta_bases,
        has_meta=has_meta,
        members=members,
    )


def read_cst_module(path: str, tree: cst.Module, source_roots: tuple[str, ...]) -> ModuleInfo:
    """Read what a module binds from its libcst tree: its imports and its top-level classes.

    :param path: project-relative POSIX path.
    :param tree: the module, parsed by libcst.
    :param source_roots: folders Python imports from, to name the module.
    :returns: the module summary, as :func:`.reading.read_module` gives it.
    """
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    dotted, is_package = module_dotted_name(path, source_roots)
    imports, stars = _read_imports(tree, dotted, is_package)
    classes = {
        statement.name.value: _read_class(statement, positions)
        for statement in tree.body
        if isinstance(statement, cst.ClassDef)
    }
    return ModuleInfo(path, dotted, imports, classes, stars)
