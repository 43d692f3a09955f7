"""Import bookkeeping for the ``pytz-to-zoneinfo`` codemod.

New code must reach ``ZoneInfo`` and ``datetime.timezone`` through names nothing in the module
shadows, and the import edits must leave every other line as it was: a new ``from zoneinfo
import ...`` joins the standard-library imports, and a removed ``import pytz`` hands its blank
lines to the statement after it so the import blocks keep their separation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, ScopeProvider
from redpanda_migrate.codemods.pytz_to_zoneinfo.import_placement import Statement, leading_imports

SETTING = "USE_DEPRECATED_PYTZ"


class Unsupported(Exception):
    """The module cannot be rewritten as a whole (a name the rewrite needs is taken)."""


class Bindings:
    """Every name bound anywhere in a module, to choose names that nothing shadows.

    :param wrapper: the module's metadata wrapper.
    """

    def __init__(self, wrapper: MetadataWrapper) -> None:
        self.by_name: dict[str, list] = {}
        self.from_imported = {
            get_full_name_for_node(node.module)
            for _, node in leading_imports(wrapper.module.body)
            if isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative
        }
        for scope in {s for s in wrapper.resolve(ScopeProvider).values() if s is not None}:
            for assignment in scope.assignments:
                self.by_name.setdefault(assignment.name, []).append(assignment)

    def only_imports(self, name: str, module: str, member: str | None) -> bool:
        """Tell whether only ``import module`` or ``from module import member`` binds ``name``.

        :param name: the bound name.
        :param module: the module imported.
        :param member: the member imported from it, ``None`` for a plain ``import``.
        :returns: ``True`` when every binding of ``name`` anywhere is that import.
        """
        found = self.by_name.get(name, [])
        return bool(found) and all(
            _binds(getattr(a, "node", None), name, module, member) for a in found
        )

    def only_imported(self, name: str) -> bool:
        """Tell whether ``name`` is bound, and only by import statements.

        :param name: the name.
        :returns: ``True`` when every binding of it is an ``import`` or ``from`` import.
        """
        found = self.by_name.get(name, [])
        return bool(found) and all(
            isinstance(getattr(a, "node", None), cst.Import | cst.ImportFrom) for a in found
        )

    def module_alias(self, module: str) -> str | None:
        """Find a name bound only to ``import module`` (possibly ``as`` another name).

        :param module: the module, e.g. ``datetime``.
        :returns: the name (``datetime``, ``dt``...), or ``None``.
        """
        if self.only_imports(module, module, None):
            return module
        for name in sorted(self.by_name):
            if self.only_imports(name, module, None):
                return name
        return None

    def free(self, name: str) -> bool:
        """Tell whether nothing in the module binds ``name``.

        :param name: the name.
        :returns: ``True`` when no scope binds it.
        """
        return name not in self.by_name


def _binds(node: cst.CSTNode | None, name: str, module: str, member: str | None) -> bool:
    if member is None and isinstance(node, cst.Import):
        return any(
            alias.evaluated_name == module and (alias.evaluated_alias or module) == name
            for alias in node.names
        )
    if member is None or not isinstance(node, cst.ImportFrom) or node.module is None:
        return False
    if node.relative or isinstance(node.names, cst.ImportStar):
        return False
    if get_full_name_for_node(node.module) != module:
        return False
    return any(
        alias.evaluated_name == member and (alias.evaluated_alias or member) == name
        for alias in node.names
    )


@dataclass
class Imports:
    """Decides how new code reaches ``datetime`` and ``zoneinfo`` names; records the imports.

    :param bindings: the module's bindings.
    :param plain: modules to ``import``.
    :param members: ``(module, member, alias)`` to import ``from`` a module.
    """

    bindings: Bindings
    plain: set[str] = field(default_factory=set)
    members: set[tuple[str, str, str | None]] = field(default_factory=set)
    relative: set[str] = field(default_factory=set)

    def helper_module(self, name: str, in_package: bool) -> None:
        """Import a generated module of the same folder (``from . import <name>`` in a package).

        :param name: the module's name.
        :param in_package: whether the folder is a package.
        :raises Unsupported: when the module binds that name to something else.
        """
        if self.bindings.free(name):
            self.relative.add(f"from . import {name}" if in_package else f"import {name}")
        elif not self.bindings.only_imported(name):
            raise Unsupported(f"the name {name} is already used for something else here")

    def from_zoneinfo(self, member: str) -> cst.Name:
        """Return ``member`` of ``zoneinfo`` as a bare name, importing it when needed.

        :param member: ``ZoneInfo``, ``ZoneInfoNotFoundError`` or ``available_timezones``.
        :returns: the name to use.
        :raises Unsupported: when the module binds that name to something else.
        """
        if self.bindings.only_imports(member, "zoneinfo", member):
            return cst.Name(member)
        if not self.bindings.free(member):
            raise Unsupported(f"the name {member} is already used for something else here")
        self.members.add(("zoneinfo", member, None))
        return cst.Name(member)

    def datetime_attr(self, member: str) -> cst.BaseExpression:
        """Return an unshadowed expression for ``datetime.<member>``, importing what it needs.

        ``datetime.timezone`` is never imported as a bare ``timezone``: next to
        ``django.utils.timezone`` that name would be ambiguous.

        :param member: ``timezone`` or ``timedelta``.
        :returns: ``datetime.timezone``, ``timedelta``, ``dt_timezone``...
        :raises Unsupported: when every candidate name is taken.
        """
        module = self.bindings.module_alias("datetime")
        if module is not None:
            return cst.parse_expression(f"{module}.{member}")
        if member != "timezone" and self.bindings.only_imports(member, "datetime", member):
            return cst.Name(member)
        if self.bindings.free("datetime") and "datetime" not in self.bindings.from_imported:
            self.plain.add("datetime")
            return cst.parse_expression(f"datetime.{member}")
        alias = f"dt_{member}"
        if self.bindings.only_imports(alias, "datetime", member):
            return cst.Name(alias)
        if self.bindings.free(alias):
            self.members.add(("datetime", member, alias))
            return cst.Name(alias)
        raise Unsupported(f"no unshadowed name reaches datetime.{member} here")

    def utc(self) -> cst.BaseExpression:
        """Return the expression for ``datetime.timezone.utc``.

        :returns: e.g. ``datetime.timezone.utc`` or ``dt_timezone.utc``.
        """
        return cst.Attribute(value=self.datetime_attr("timezone"), attr=cst.Name("utc"))

    def statements(self) -> tuple[list[cst.SimpleStatementLine], list[cst.SimpleStatementLine]]:
        """Build the import statements to add, in isort order.

        :returns: the plain ``import`` statements and the ``from`` statements.
        """
        plain = [f"import {module}" for module in sorted(self.plain)]
        froms = []
        for module in sorted({m for m, _, _ in self.members}):
            aliases = sorted((member, alias) for m, member, alias in self.members if m == module)
            names = ", ".join(f"{m} as {a}" if a else m for m, a in aliases)
            froms.append(f"from {module} import {names}")
        return _parse_all(plain), _parse_all(froms)


def _parse_all(lines: list[str]) -> list[cst.SimpleStatementLine]:
    return [cst.parse_statement(line + "\n") for line in lines]  # type: ignore[misc]


class RemovePytzImports(cst.CSTTransformer):
    """Drop every import of pytz, and ``utc`` from ``django.utils.timezone``, at any depth.

    Only run once no reference to those names is left outside the imports. A removed
    statement's blank lines pass to the next statement when that one has none.

    :param unused: more ``(module, name, asname)`` from-imports to drop (see
        :func:`imports_left_unused`).
    """

    def __init__(self, unused: frozenset[tuple[str, str, str | None]] = frozenset()) -> None:
        super().__init__()
        self.unused = unused

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = _without_pytz(updated.body, True, self.unused)  # type: ignore[arg-type]
        return updated.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=_without_pytz(updated.body, False, self.unused))


def _without_pytz(
    body: Sequence[Statement], in_block: bool, unused: frozenset[tuple[str, str, str | None]]
) -> list[Statement]:
    result: list[Statement] = []
    carried: list[cst.EmptyLine] | None = None
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            smalls = [
                kept
                for small in statement.body
                if (kept := _kept_small(small, not in_block, unused)) is not None
            ]
            if not smalls:
                if carried is None:
                    carried = [line for line in statement.leading_lines if line.comment is None]
                continue
            if smalls != list(statement.body):  # a name went from an import
                smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=smalls)
        if carried is not None and in_block and not result:
            # the block's first statement went: no blank line at the top of the block
            lines = [line for line in statement.leading_lines if line.comment is not None]
            statement = statement.with_changes(leading_lines=lines)
        elif carried and not statement.leading_lines:
            statement = statement.with_changes(leading_lines=carried)
        carried = None
        result.append(statement)
    return result


def _kept_small(
    small: cst.BaseSmallStatement,
    at_module_level: bool,
    unused: frozenset[tuple[str, str, str | None]],
) -> cst.BaseSmallStatement | None:
    if at_module_level and _is_setting(small):
        return None
    return _kept_import(small, unused)


def _is_setting(small: cst.BaseSmallStatement) -> bool:
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == SETTING
    )


def _kept_import(
    small: cst.BaseSmallStatement, unused: frozenset[tuple[str, str, str | None]]
) -> cst.BaseSmallStatement | None:
    if isinstance(small, cst.Import):
        kept = [a for a in small.names if a.evaluated_name.split(".")[0] != "pytz"]
        return _with_names(small, kept)
    if not isinstance(small, cst.ImportFrom) or small.relative or small.module is None:
        return small
    if isinstance(small.names, cst.ImportStar):
        return small
    module = get_full_name_for_node(small.module) or ""
    if module.split(".")[0] == "pytz":
        return None
    kept = [
        a
        for a in small.names
        if (module, a.evaluated_name, a.evaluated_alias) not in unused
        and (module, a.evaluated_name) != ("django.utils.timezone", "utc")
    ]
    return _with_names(small, kept)


def _with_names(
    node: cst.Import | cst.ImportFrom, kept: list[cst.ImportAlias]
) -> cst.Import | cst.ImportFrom | None:
    if not kept:
        return None
    if len(kept) == len(node.names):  # type: ignore[arg-type]
        return node
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=kept)


def _import_names(module: cst.Module, source: str, name: str) -> set[str | None]:
    """Collect the ``as`` names under which the module imports ``name`` from ``source``."""
    found: set[str | None] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and cst.helpers.get_full_name_for_node(small.module) == source
                and not isinstance(small.names, cst.ImportStar)
            ):
                found |= {
                    alias.evaluated_alias for alias in small.names if alias.evaluated_name == name
                }
    return found


def _without_unused(module: cst.Module, source: str, name: str, asname: str | None) -> cst.Module:
    # imported here: libcst.codemod brings libcst.matchers (a fifth of a second), which only a
    # module that loses an import needs
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    context = CodemodContext()
    RemoveImportsVisitor.remove_unused_import(context, source, name, asname)
    return RemoveImportsVisitor(context).transform_module(module)


def imports_left_unused(
    original: cst.Module, rewritten: cst.Module, imported: tuple[str, str]
) -> frozenset[tuple[str, str, str | None]]:
    """Find the imports of a name that the rewrite left without a use.

    ``from django.utils import timezone`` goes once its only use, ``timezone.utc``, became
    ``datetime.timezone.utc``. An import the original module did not use either is the user's
    business and stays.

    :param original: the module before the rewrite.
    :param rewritten: the module after it.
    :param imported: ``(module, name)`` of the import, e.g. ``("django.utils", "timezone")``.
    :returns: ``(module, name, asname)`` for :class:`RemovePytzImports` to drop.
    """
    source, name = imported
    found = set()
    for asname in _import_names(rewritten, source, name):
        unused_before = _without_unused(original, source, name, asname).code != original.code
        unused_now = _without_unused(rewritten, source, name, asname).code != rewritten.code
        if unused_now and not unused_before:
            found.add((source, name, asname))
    return frozenset(found)
