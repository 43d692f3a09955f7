"""Reading what a migration module declares, with the standard library's ``ast``.

Migrations are only read, never rewritten, so they need no concrete syntax tree: ``ast`` parses
them about ten times faster than libcst, which matters for projects with thousands of
migrations. A module that ``ast`` cannot parse is handed to libcst for the same one-line error
the codemods give for any other file. Field definitions are kept as their source (callee,
arguments, the imports they need), so that a codemod can write an ``AlterField`` whose field
is exactly the state the migrations build, changed only where it means to.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

import libcst as cst
from redpanda_migrate.codemods.shared.ast_names import dotted_name
from redpanda_migrate.codemods.shared.source_segments import SourceSegments

from redpanda_migrate.codemod import InputError

# positional parameters of the operations read, as Django declares them
OPERATION_PARAMETERS = {
    "CreateModel": ("name", "fields"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AddField": ("model_name", "name", "field"),
    "AlterField": ("model_name", "name", "field"),
    "RemoveField": ("model_name", "name"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
}


BUILTIN_NAMES = frozenset(dir(builtins))


class MigrationsProblem(Exception):
    """The app's migrations cannot be read or do not allow a safe new migration."""


@dataclass(frozen=True)
class FieldCall:
    """A field definition in a migration, as source: ``models.CharField(max_length=20)``.

    :param callee: the callee's source (``models.CharField``).
    :param args: the sources of the positional arguments.
    :param keywords: ``(name, source)`` of the keyword arguments, as written.
    :param imports: the import statements of the migration that bind the names it uses.
    :param unbound: names it uses that no import of the migration binds (defined there).
    :param migration: the path of the migration it comes from.
    """

    callee: str
    args: tuple[str, ...]
    keywords: tuple[tuple[str, str], ...]
    imports: tuple[str, ...]
    unbound: tuple[str, ...]
    migration: str

    def keyword(self, name: str) -> str | None:
        """Return the source of a keyword argument, ``None`` when absent."""
        return next((source for key, source in self.keywords if key == name), None)


@dataclass
class MigrationFile:
    """What a migration module declares.

    :param name: the module name (``0002_add_timestamps``).
    :param dependencies: ``(app_label, name)`` pairs (swappable dependencies left out).
    :param replaces: for a squashed migration, the ``(app_label, name)`` pairs it replaces.
    :param operations: the operations read, each as ``(kind, arguments)``; a ``field``
        argument is a :class:`FieldCall` (``None`` when not a call), ``fields`` a list of
        ``(name, FieldCall | None)``.
    """

    name: str
    dependencies: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)
    operations: list[tuple[str, dict[str, object]]] = field(default_factory=list)


@dataclass
class _Reading:
    """One module being read: its text (for source segments) and its import bindings."""

    path: str
    text: str
    imports: dict[str, list[tuple[str, str]]]

    def __post_init__(self) -> None:
        self.segments = SourceSegments(self.text)

    def segment(self, node: ast.AST) -> str:
        """Return the source of ``node`` (``""`` without positions)."""
        return self.segments.segment(node)


def _string(node: ast.expr) -> str | None:
    # implicitly concatenated literals are one constant in ast; f-strings are not literals
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _unstarred(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node


def _pairs(node: ast.expr, what: str, name: str) -> list[tuple[str, str]]:
    if not isinstance(node, ast.List | ast.Tuple):
        raise MigrationsProblem(f"{name}: {what} is not a literal list")
    pairs = []
    for element in node.elts:
        value = _unstarred(element)
        if isinstance(value, ast.Call) and dotted_name(value.func).endswith("swappable_dependency"):
            continue
        if isinstance(value, ast.Tuple) and len(value.elts) == 2:
            app, target = (_string(_unstarred(item)) for item in value.elts)
            if app is not None and target is not None:
                pairs.append((app, target))
                continue
        raise MigrationsProblem(f"{name}: cannot read an entry of {what}")
    return pairs


def _literal_parts(node: ast.expr) -> list[ast.expr]:
    """Return the literal lists of ``[...] + setting``; other operands are left out."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_parts(node.left) + _literal_parts(node.right)
    return [node] if isinstance(node, ast.List | ast.Tuple) else []


def _dependency_pairs(node: ast.expr, name: str) -> list[tuple[str, str]]:
    """Read ``dependencies``, following what is literal in ``[...] + setting``.

    An operand that is not a literal (a setting naming another app's migration) is left out:
    a missing edge can only make a migration look like a second leaf, which is refused, never
    hide the real leaf.
    """
    parts = _literal_parts(node)
    if not parts:
        raise MigrationsProblem(f"{name}: dependencies is not a literal list")
    return [pair for part in parts for pair in _pairs(part, "dependencies", name)]


def _arguments_in_order(call: ast.Call) -> list[tuple[str | None, ast.expr]]:
    """Positional and keyword arguments as written: ``(keyword or None, value)``."""
    written: list[tuple[str | None, ast.expr]] = [(None, argument) for argument in call.args]
    written += [(keyword.arg, keyword.value) for keyword in call.keywords]
    return sorted(written, key=lambda item: (item[1].lineno, item[1].col_offset))


def _operation(node: ast.expr, reading: _Reading) -> tuple[str, dict[str, object]] | None:
    if not isinstance(node, ast.Call):
        return None
    kind = dotted_name(node.func).rsplit(".", 1)[-1]
    if kind not in OPERATION_PARAMETERS:
        return None
    arguments: dict[str, object] = {}
    for index, (keyword, value) in enumerate(_arguments_in_order(node)):
        if keyword is not None:
            key = keyword
        elif index < len(OPERATION_PARAMETERS[kind]):
            key = OPERATION_PARAMETERS[kind][index]
        else:
            continue
        arguments[key] = _argument_value(key, _unstarred(value), reading)
    return kind, arguments


def _argument_value(key: str, node: ast.expr, reading: _Reading) -> object:
    if key == "fields" and isinstance(node, ast.List | ast.Tuple):
        fields = []
        for element in node.elts:
            value = _unstarred(element)
            if isinstance(value, ast.Tuple) and value.elts:
                definition = value.elts[1] if len(value.elts) > 1 else None
                call = _field_call(definition, reading) if definition is not None else None
                fields.append((_string(_unstarred(value.elts[0])), call))
        return fields
    if key == "field":
        return _field_call(node, reading)
    if key in ("database_operations", "state_operations"):
        return _operations(node, reading) if isinstance(node, ast.List | ast.Tuple) else None
    return _string(node)


def _source(node: ast.AST, reading: _Reading) -> str:
    return reading.segment(node)


def _field_call(node: ast.expr, reading: _Reading) -> FieldCall | None:
    if not isinstance(node, ast.Call) or any(k.arg is None for k in node.keywords):
        return None
    imports: set[str] = set()
    unbound: set[str] = set()
    inner = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    chains = {
        dotted_name(n)
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute | ast.Name) and id(n) not in inner
    }
    for used in chains:
        root = used.split(".")[0]
        if not used or root in BUILTIN_NAMES:
            continue
        # "import a.b" and "import a.c" both bind "a": take those the dotted name goes through
        bound = reading.imports.get(root, [])
        through = [line for module, line in bound if f"{used}.".startswith(f"{module}.")]
        imports.update(through or (line for _, line in bound))
        if not bound:
            unbound.add(root)
    return FieldCall(
        callee=_source(node.func, reading),
        args=tuple(_source(argument, reading) for argument in node.args),
        keywords=tuple((str(k.arg), _source(k.value, reading)) for k in node.keywords),
        imports=tuple(sorted(imports)),
        unbound=tuple(sorted(unbound)),
        migration=reading.path,
    )


def _import_bindings(module: ast.Module) -> dict[str, list[tuple[str, str]]]:
    """Map each name top-level imports bind to ``(dotted name it stands for, statement)``."""
    bindings: dict[str, list[tuple[str, str]]] = {}
    for statement in module.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                as_text = f" as {alias.asname}" if alias.asname else ""
                bound = alias.asname or alias.name.split(".")[0]
                stands_for = alias.asname or alias.name
                line = f"import {alias.name}{as_text}"
                bindings.setdefault(bound, []).append((stands_for, line))
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                as_text = f" as {alias.asname}" if alias.asname else ""
                bound = alias.asname or alias.name
                line = f"from {statement.module} import {alias.name}{as_text}"
                bindings.setdefault(bound, []).append((bound, line))
    return bindings


def _operations(
    node: ast.List | ast.Tuple, reading: _Reading
) -> list[tuple[str, dict[str, object]]]:
    found = (_operation(_unstarred(element), reading) for element in node.elts)
    return [operation for operation in found if operation is not None]


def _parse(path: str, text: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        message = f"line {line}: invalid Python"
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError as cst_error:  # libcst's message, as every other file's
            line = cst_error.raw_line
            message = f"line {line}: invalid Python: {cst_error.message}"
        failure = InputError(message, line)
        failure.path = path  # type: ignore[attr-defined]  # read by the runner's error_path
        raise failure from None


@lru_cache(maxsize=8192)
def read_migration(path: str, text: str) -> MigrationFile:
    """Read the ``Migration`` class of a migration module.

    Serves the standard's "Fresh Migration Test": the new migration must follow the app's
    existing graph, so what each migration declares is read without importing it. Several
    codemods read the same migrations in one run: each text is read once per process, and
    the result is shared, so it must not be changed (replace it instead).

    :param path: project-relative path of the module.
    :param text: its text.
    :returns: what it declares.
    :raises MigrationsProblem: when there is no ``Migration`` class or a declaration is not a
        literal.
    :raises InputError: when the module does not parse.
    """
    name = PurePosixPath(path).stem
    module = _parse(path, text)
    reading = _Reading(path, text, _import_bindings(module))
    classes = [s for s in module.body if isinstance(s, ast.ClassDef) and s.name == "Migration"]
    if not classes:
        raise MigrationsProblem(f"{path} defines no Migration class")
    migration = MigrationFile(name)
    for statement in classes[-1].body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = dotted_name(statement.targets[0])
        if target == "dependencies":
            migration.dependencies = _dependency_pairs(statement.value, path)
        elif target == "replaces":
            migration.replaces = _pairs(statement.value, "replaces", path)
        elif target == "operations":
            if not isinstance(statement.value, ast.List | ast.Tuple):
                raise MigrationsProblem(f"{path}: operations is not a literal list")
            migration.operations = _operations(statement.value, reading)
    return migration
