"""Reading Django models modules statically: imports, top-level classes, fields and ``Meta``.

Shared by the codemods that work on models ("Model Naming", "Required Model Fields"). Nothing
here imports the project: classes are read from the concrete syntax tree (libcst), and names
are resolved through the module's own import statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.shared.cst_names import dotted_text

from redpanda_migrate.codemod import InputError

# Callees that declare a field although their name does not end with "Field" (Django's, and
# the relations of django-modelcluster, django-taggit and django-mptt).
FIELD_CALLEES = frozenset(
    {
        "ForeignKey",
        "GenericForeignKey",
        "GenericRelation",
        "ParentalKey",
        "TaggableManager",
        "ClusterTaggableManager",
        "TreeForeignKey",
    }
)
UNKNOWN = object()  # a Meta value that is not a literal


@dataclass(frozen=True)
class Member:
    """One name bound at the top level of a class body.

    :param name: the bound name.
    :param kind: ``field`` (a ``...Field(...)`` call), ``method``, ``property``, ``class`` or
        ``attribute`` (any other assignment).
    :param line: 1-based line of the statement.
    :param callee: for a field, or an attribute built by a call, the callee as written
        (``models.DateTimeField``, ``HistoricalRecords``).
    :param keywords: for a field, its keyword arguments given a literal ``True``; for an
        attribute built by a call, every keyword it is given.
    """

    name: str
    kind: str
    line: int
    callee: str = ""
    keywords: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClassInfo:
    """A top-level class of a module, as far as a model analysis needs it.

    :param name: the class name.
    :param line: 1-based line of the ``class`` keyword.
    :param bases: each base expression as dotted text (``models.Model``), ``""`` when it is not
        a dotted name (a call, a subscript).
    :param has_keyword_bases: the class statement passes keywords (``metaclass=...``).
    :param meta: literal values of the inner ``Meta`` class (``abstract``, ``proxy``,
        ``managed``); :data:`UNKNOWN` for a value that is not a literal.
    :param meta_bases: the inner ``Meta`` class's bases, as dotted text.
    :param has_meta: the class body defines an inner ``Meta``.
    :param members: names bound in the class body, by name (the last binding wins).
    """

    name: str
    line: int
    bases: tuple[str, ...]
    has_keyword_bases: bool
    meta: dict[str, object]
    meta_bases: tuple[str, ...]
    has_meta: bool
    members: dict[str, Member] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleInfo:
    """What a module binds at its top level.

    :param path: project-relative POSIX path.
    :param dotted: the module's dotted name (``shop.models``).
    :param imports: local name -> fully qualified dotted name it was imported as.
    :param classes: top-level classes by name.
    :param star_imports: modules imported with ``*`` (their names cannot be resolved).
    :param tree: the libcst tree it was read from, reused when the module is rewritten (parsed
        once per run).
    """

    path: str
    dotted: str
    imports: dict[str, str]
    classes: dict[str, ClassInfo]
    star_imports: tuple[str, ...] = ()
    tree: cst.Module | None = field(default=None, compare=False, repr=False)


def module_dotted_name(path: str, source_roots: tuple[str, ...]) -> tuple[str, bool]:
    """Compute a module's dotted name from its path, relative to the deepest source root.

    :param path: project-relative POSIX path of a ``.py`` file.
    :param source_roots: folders Python imports from (``""`` for the project root).
    :returns: the dotted name and whether the module is a package (``__init__.py``).
    """
    pure = PurePosixPath(path)
    roots = sorted((r for r in source_roots if not r or path.startswith(r + "/")), key=len)
    root = roots[-1] if roots else ""
    relative = pure.relative_to(root) if root else pure
    parts = list(relative.with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _resolve_relative(dotted: str, is_package: bool, level: int, module: str) -> str:
    package = dotted.split(".") if is_package else dotted.split(".")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join([*package, module] if module else package)


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
                    base = _resolve_relative(dotted, is_package, len(small.relative), base)
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
    if not isinstance(node, cst.Call):
        return False
    last = dotted_text(node.func).rsplit(".", 1)[-1]
    return last.endswith("Field") or last in FIELD_CALLEES


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


def class_body_statements(node: cst.ClassDef) -> tuple[cst.CSTNode, ...]:
    """Return the statements of a class body, indented or on the ``class`` line.

    :param node: the class.
    :returns: its top-level statements (small statements of a one-line body count one each).
    """
    if isinstance(node.body, cst.IndentedBlock):
        return tuple(node.body.body)
    return tuple(node.body.body)


def _read_class(node: cst.ClassDef, positions) -> ClassInfo:
    members: dict[str, Member] = {}
    meta: dict[str, object] = {}
    meta_bases: tuple[str, ...] = ()
    has_meta = False
    for statement in class_body_statements(node):
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


def parse_python(path: str, text: str) -> cst.Module:
    """Parse a Python file, turning a syntax error into an :class:`InputError`.

    :param path: project-relative path (for the error).
    :param text: the file's text.
    :returns: the module tree.
    :raises InputError: when the text does not parse.
    """
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message = f"line {error.raw_line}: invalid Python: {error.message}"
        failure = InputError(message, error.raw_line)
        failure.path = path  # type: ignore[attr-defined]  # read by the runner's error_path
        raise failure from None


def read_module(path: str, text: str, source_roots: tuple[str, ...]) -> ModuleInfo:
    """Read what a module binds: its imports and its top-level classes.

    :param path: project-relative POSIX path.
    :param text: the module's text.
    :param source_roots: folders Python imports from, to name the module.
    :returns: the module summary.
    :raises InputError: when the text does not parse.
    """
    tree = parse_python(path, text)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    dotted, is_package = module_dotted_name(path, source_roots)
    imports, stars = _read_imports(tree, dotted, is_package)
    classes = {
        statement.name.value: _read_class(statement, positions)
        for statement in tree.body
        if isinstance(statement, cst.ClassDef)
    }
    return ModuleInfo(path, dotted, imports, classes, stars, tree)
