"""What a Django models module binds, as a model analysis reads it: imports, classes, fields.

Part of the "Required Model Fields" codemod. Nothing here imports the project: modules are
read statically (:mod:`.reading`: the standard library's :mod:`ast`, and libcst where the
running Python's ``ast`` does not know the syntax), and names are resolved through the
module's own import statements. libcst parses the modules that get new fields
(:func:`parse_python`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst

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
    :param syntax: the :mod:`ast` tree it was read from (``None`` when libcst read it), which
        places the new fields when the module is rewritten.
    """

    path: str
    dotted: str
    imports: dict[str, str]
    classes: dict[str, ClassInfo]
    star_imports: tuple[str, ...] = ()
    syntax: ast.Module | None = field(default=None, compare=False, repr=False)


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


def resolve_relative(dotted: str, is_package: bool, level: int, module: str) -> str:
    """Resolve a relative import's module against the importing module.

    :param dotted: the importing module's dotted name.
    :param is_package: the importing module is a package's ``__init__``.
    :param level: the number of leading dots.
    :param module: the module named after the dots (``""`` for ``from . import x``).
    :returns: the absolute dotted name.
    """
    package = dotted.split(".") if is_package else dotted.split(".")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join([*package, module] if module else package)


def is_field_callee(callee: str) -> bool:
    """Tell whether a callee declares a model field (``models.CharField``, ``ForeignKey``).

    :param callee: the callee as dotted text.
    :returns: ``True`` when its last name ends with ``Field`` or is a known relation.
    """
    last = callee.rsplit(".", 1)[-1]
    return last.endswith("Field") or last in FIELD_CALLEES


def parse_python(path: str, text: str) -> cst.Module:
    """Parse a Python file with libcst, turning a syntax error into an :class:`InputError`.

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
