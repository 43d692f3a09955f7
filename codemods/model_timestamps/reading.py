"""Reading a models module with the standard library's :mod:`ast`.

Part of the "Required Model Fields" codemod: every models module is judged, few are rewritten,
so they are read with ``ast`` (about ten times faster than libcst, with no position
computation). A module the running Python's ``ast`` rejects but libcst reads (syntax newer
than the interpreter, such as ``class Loader[K, R]:`` on Python 3.11) is read by
:mod:`.reading_cst`, as before; one that neither parses gets libcst's error message.
"""

from __future__ import annotations

import ast
import io
import tokenize

from redpanda_migrate.codemods.model_timestamps.reading_cst import read_cst_module
from redpanda_migrate.codemods.model_timestamps.source import (
    UNKNOWN,
    ClassInfo,
    Member,
    ModuleInfo,
    is_field_callee,
    module_dotted_name,
    parse_python,
    resolve_relative,
)
from redpanda_migrate.codemods.shared.ast_names import dotted_name
from redpanda_migrate.codemods.shared.source_segments import SourceSegments


def _read_imports(
    module: ast.Module, dotted: str, is_package: bool
) -> tuple[dict[str, str], tuple[str, ...]]:
    imports: dict[str, str] = {}
    stars: list[str] = []
    for statement in module.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is not None:
                    imports[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    imports[head] = head
        elif isinstance(statement, ast.ImportFrom):
            base = statement.module or ""
            if statement.level:
                base = resolve_relative(dotted, is_package, statement.level, base)
            if statement.names[0].name == "*":
                stars.append(base)
                continue
            for alias in statement.names:
                imports[alias.asname or alias.name] = f"{base}.{alias.name}"
    return imports, tuple(stars)


def _base_text(node: ast.expr) -> str:
    """Render a base as dotted text; ``*bases`` reads as ``bases``."""
    return dotted_name(node.value if isinstance(node, ast.Starred) else node)


class _Reader:
    """Reads the classes of one parsed module, with its text for literal checks."""

    def __init__(self, text: str) -> None:
        self.segments = SourceSegments(text)

    def literal(self, node: ast.expr) -> object:
        """``True``/``False``/``None``, one string literal's value, else :data:`UNKNOWN`."""
        if not isinstance(node, ast.Constant):
            return UNKNOWN
        if node.value is None or isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str | bytes) and self._one_string(node):
            return node.value
        return UNKNOWN  # a number, ``...``, or implicitly concatenated strings

    def _one_string(self, node: ast.Constant) -> bool:
        tokens = tokenize.generate_tokens(io.StringIO(self.segments.segment(node)).readline)
        try:
            return sum(token.type == tokenize.STRING for token in tokens) == 1
        except (tokenize.TokenError, SyntaxError):
            return False

    def is_indented(self, first: ast.stmt) -> bool:
        """Tell whether a body's first statement opens its own line (not ``class X: ...``)."""
        line, column = first.lineno, first.col_offset
        before = ast.Pass(lineno=line, col_offset=0, end_lineno=line, end_col_offset=column)
        return not self.segments.segment(before).strip()

    def read_meta(self, meta: ast.ClassDef) -> dict[str, object]:
        values: dict[str, object] = {}
        if not self.is_indented(meta.body[0]):
            return values  # ``class Meta: abstract = True`` is not read
        for statement in meta.body:
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        values[target.id] = self.literal(statement.value)
        return values

    def assigned(self, name: str, value: ast.expr | None, line: int) -> Member:
        if not isinstance(value, ast.Call):
            return Member(name, "attribute", line)
        callee = dotted_name(value.func)
        if is_field_callee(callee):
            flags = frozenset(
                keyword.arg
                for keyword in value.keywords
                if keyword.arg is not None
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is True
            )
            return Member(name, "field", line, callee, flags)
        # an attribute built by a call (history = HistoricalRecords(...)): keep the callee and
        # the keywords it is given
        keywords = frozenset(k.arg for k in value.keywords if k.arg is not None)
        return Member(name, "attribute", line, callee, keywords)

    def members(self, statement: ast.stmt, line: int) -> list[Member]:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators = {dotted_name(d).rsplit(".", 1)[-1] for d in statement.decorator_list}
            kind = "property" if decorators & {"property", "cached_property"} else "method"
            return [Member(statement.name, kind, line)]
        if isinstance(statement, ast.ClassDef):
            return [Member(statement.name, "class", line)]
        if isinstance(statement, ast.Assign):
            return [
                self.assigned(target.id, statement.value, line)
                for target in statement.targets
                if isinstance(target, ast.Name)
            ]
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            return [self.assigned(statement.target.id, statement.value, line)]
        return []

    def read_class(self, node: ast.ClassDef) -> ClassInfo:
        members: dict[str, Member] = {}
        meta: dict[str, object] = {}
        meta_bases: tuple[str, ...] = ()
        has_meta = False
        indented = self.is_indented(node.body[0])
        line, previous_end = 0, 0
        for statement in node.body:
            # statements joined by ``;`` on an indented line count at that line's start
            if not indented or statement.lineno != previous_end:
                line = statement.lineno
            previous_end = statement.end_lineno or statement.lineno
            if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
                has_meta = True
                meta = self.read_meta(statement)
                meta_bases = tuple(_base_text(base) for base in statement.bases)
                continue
            for member in self.members(statement, line):
                members[member.name] = member
        return ClassInfo(
            name=node.name,
            line=node.lineno,
            bases=tuple(_base_text(base) for base in node.bases),
            has_keyword_bases=bool(node.keywords),
            meta=meta,
            meta_bases=meta_bases,
            has_meta=has_meta,
            members=members,
        )


def read_module(path: str, text: str, source_roots: tuple[str, ...]) -> ModuleInfo:
    """Read what a module binds: its imports and its top-level classes.

    :param path: project-relative POSIX path.
    :param text: the module's text.
    :param source_roots: folders Python imports from, to name the module.
    :returns: the module summary.
    :raises InputError: when the text does not parse.
    """
    unmarked = text.removeprefix("\ufeff")  # a byte order mark: ast refuses it, libcst skips it
    try:
        tree = ast.parse(unmarked, filename=path)
    except (SyntaxError, ValueError):
        # raises libcst's message when libcst rejects it too; else syntax newer than ours
        return read_cst_module(path, parse_python(path, text), source_roots)
    dotted, is_package = module_dotted_name(path, source_roots)
    imports, stars = _read_imports(tree, dotted, is_package)
    reader = _Reader(unmarked)
    classes = {
        statement.name: reader.read_class(statement)
        for statement in tree.body
        if isinstance(statement, ast.ClassDef)
    }
    return ModuleInfo(path, dotted, imports, classes, stars, tree)
