"""Rewrite one Python module from pytz to the standard library's ``zoneinfo``.

Only names that libcst's qualified-name and scope metadata bind to pytz (or to
``django.utils.timezone``) are touched. A module either comes out fully rewritten or, when
one pytz use has no safe rewrite, exactly as it was, with every such use refused: a partial
rewrite could leave a ``ZoneInfo`` where later code still calls ``localize()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.pytz_to_zoneinfo import names
from redpanda_migrate.codemods.pytz_to_zoneinfo.attributes import AttributeZones
from redpanda_migrate.codemods.pytz_to_zoneinfo.expressions import is_delta, pytz_member
from redpanda_migrate.codemods.pytz_to_zoneinfo.import_placement import (
    add_imports,
    leading_imports,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.imports import (
    Bindings,
    Imports,
    RemovePytzImports,
    Unsupported,
    imports_left_unused,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.raising import RewriteContext
from redpanda_migrate.codemods.pytz_to_zoneinfo.rewriter import Rewriter
from redpanda_migrate.codemods.pytz_to_zoneinfo.zones import ZoneAssignments, Zones

__all__ = ["ModuleResult", "RewriteContext", "pytz_member", "rewrite_module"]
#: the years pytz has exact rules for: it rounds local mean time before, stops after 2037
PYTZ_EXACT_YEARS = range(1900, 2038)

DJANGO_TIMEZONE_IMPORT = ("django.utils", "timezone")


@dataclass
class ModuleResult:
    """What the rewrite of one module produced.

    :param text: the new text (the input when refused or unchanged).
    :param notes: ``(line, message)`` the reviewer must read.
    :param refusals: ``(line, reason)`` of uses left alone; non-empty means ``text`` is the input.
    :param uses_pytz: whether the module still needs pytz afterwards.
    :param used_zones: qualified names of other modules' pytz zones this module uses.
    :param needs_helper: whether the rewrite uses the generated ``_zoneinfo_tables`` module.
    :param sets_pytz_setting: whether the module sets ``USE_DEPRECATED_PYTZ`` to other than
        ``False``.
    :param django_zone_methods: whether it calls localize()/normalize() on Django's zones.
    :param zone_calls: qualified names of project functions it passes time zones to.
    """

    text: str
    notes: list[tuple[int | None, str]] = field(default_factory=list)
    refusals: list[tuple[int | None, str]] = field(default_factory=list)
    uses_pytz: bool = False
    used_zones: set[str] = field(default_factory=set)
    needs_helper: bool = False
    sets_pytz_setting: bool = False
    django_zone_methods: bool = False
    zone_calls: set[str] = field(default_factory=set)


class _EraDates(cst.CSTVisitor):
    """Lines with a literal ``datetime(1850, ...)`` or ``date(2100, ...)``.

    Those years are outside the ones pytz has exact rules for.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.lines: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        name = cst.helpers.get_full_name_for_node(node.func) or ""
        if name.rsplit(".", 1)[-1] not in ("datetime", "date") or not node.args:
            return
        year = node.args[0].value
        if isinstance(year, cst.Integer) and int(year.evaluated_value) not in PYTZ_EXACT_YEARS:
            self.lines.add(self.get_metadata(PositionProvider, node).start.line)


class _Arithmetic(cst.CSTVisitor):
    """Lines with ``+``/``-`` that may be arithmetic on aware datetimes."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.lines: set[int] = set()

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        operands = (node.left, node.right)
        if isinstance(node.operator, cst.Subtract):
            flagged = not any(isinstance(o, cst.BaseNumber | cst.BaseString) for o in operands)
        elif isinstance(node.operator, cst.Add):
            flagged = any(is_delta(o) for o in operands)
        else:
            flagged = False
        if flagged:
            self.lines.add(self.get_metadata(PositionProvider, node).start.line)


def rewrite_module(
    text: str,
    flag_unknown_localize: bool,
    external: Mapping[str, str] | None = None,
    frozen: Mapping[str, str] | None = None,
    package: tuple[str, ...] = (),
    project_roots: frozenset[str] = frozenset(),
    context: RewriteContext | None = None,
) -> ModuleResult:
    """Rewrite pytz (and Django's removed pytz-era API) to zoneinfo in one module.

    Enforces the standard's "Deprecated / Removed" section (pytz: use stdlib zoneinfo).

    :param text: the module's source.
    :param flag_unknown_localize: refuse ``x.localize()`` on receivers not traced to pytz
        (set when the project uses pytz, so a zone imported from another module is not missed).
    :param external: other modules' pytz zones by qualified name (``shop.zones.SHOP_TZ``).
    :param frozen: zones of modules left alone, by qualified name, with the module's path.
    :param package: this module's package (``("project", "shop")``) for relative imports.
    :param project_roots: top-level names the project's own modules can be imported as.
    :param context: what the rewrite needs to know about the project around the module.
    :returns: the rewritten text with notes, or the input with refusals.
    :raises cst.ParserSyntaxError: when the text is not valid Python.
    """
    module = cst.parse_module(text)
    wrapper = MetadataWrapper(module)
    zones = Zones(external or {}, frozen or {}, package, project_roots)
    wrapper.visit(ZoneAssignments(zones))
    wrapper.visit(AttributeZones(zones))
    imports = Imports(Bindings(wrapper))
    rewriter = Rewriter(zones, imports, flag_unknown_localize, context)
    try:
        rewritten = wrapper.visit(rewriter)
    except Unsupported as error:
        return ModuleResult(
            text,
            refusals=[(None, f"{error}: rewrite this module by hand")],
            uses_pytz=True,
            used_zones=zones.used,
        )
    left: list[tuple[int | None, str]] = list(rewriter.pending.values())
    facts = {
        "used_zones": zones.used,
        "sets_pytz_setting": rewriter.sets_pytz_setting,
        "django_zone_methods": rewriter.django_zone_methods,
        "zone_calls": rewriter.zone_calls,
    }
    if rewriter.refusals or left:
        refusals = sorted(dict.fromkeys(rewriter.refusals + left), key=_sort_key)
        return ModuleResult(text, refusals=_one_per_line(refusals), uses_pytz=True, **facts)  # type: ignore[arg-type]
    rewritten = add_imports(rewritten, *imports.statements())
    rewritten = _add_relative_imports(rewritten, sorted(imports.relative))
    rewritten = rewritten.visit(RemovePytzImports())
    unused = imports_left_unused(module, rewritten, DJANGO_TIMEZONE_IMPORT)
    if unused:
        rewritten = rewritten.visit(RemovePytzImports(unused))
    notes = _grouped(rewriter.notes)
    if rewriter.zones_introduced:
        notes.extend(_arithmetic_note(wrapper, rewriter.elapsed_lines))
        notes.extend(_era_note(wrapper))
    if rewritten.code == text:
        return ModuleResult(text, **facts)  # type: ignore[arg-type]
    return ModuleResult(
        rewritten.code,
        notes=sorted(notes, key=_sort_key),
        needs_helper=rewriter.raising.needs_helper,
        **facts,  # type: ignore[arg-type]
    )


def _add_relative_imports(module: cst.Module, lines: list[str]) -> cst.Module:
    """Add ``from . import <name>`` after the module's leading imports (isort: local last)."""
    if not lines:
        return module
    body = list(module.body)
    run = leading_imports(body)
    index = run[-1][0] + 1 if run else 0
    statements = [cst.parse_statement(f"{line}\n") for line in lines]
    last = run[-1][1] if run else None
    if last is not None and not (isinstance(last, cst.ImportFrom) and last.relative):
        # a section of its own, as isort puts local imports after the third-party ones
        first = statements[0].with_changes(leading_lines=[cst.EmptyLine()])
        statements[0] = first
    return module.with_changes(body=[*body[:index], *statements, *body[index:]])


def _era_note(wrapper: MetadataWrapper) -> list[tuple[int | None, str]]:
    visitor = _EraDates()
    wrapper.visit(visitor)
    lines = sorted(visitor.lines)
    if not lines:
        return []
    return [(lines[0], names.ERA_NOTE.format(lines=", ".join(map(str, lines))))]


def _grouped(notes: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Merge the notes a module repeats into one, on its first line, listing the others.

    :param notes: ``(line, message)`` in the order found.
    :returns: one note per message, e.g. ``(12, "... (also lines 30, 41)")``.
    """
    lines: dict[str, list[int | None]] = {}
    for line, message in notes:
        lines.setdefault(message, []).append(line)
    grouped = []
    for message, found in lines.items():
        first, *others = sorted(dict.fromkeys(found), key=lambda line: line or 0)
        also = ", ".join(str(line) for line in others if line is not None)
        grouped.append((first, f"{message} (also line(s) {also})" if also else message))
    return grouped


def _arithmetic_note(wrapper: MetadataWrapper, skip: set[int]) -> list[tuple[int | None, str]]:
    visitor = _Arithmetic()
    wrapper.visit(visitor)
    lines = sorted(visitor.lines - skip)
    if not lines:
        return []
    return [(lines[0], names.ARITHMETIC_NOTE.format(lines=", ".join(map(str, lines))))]


def _sort_key(finding: tuple[int | None, str]) -> tuple[int, str]:
    return (finding[0] or 0, finding[1])


def _one_per_line(
    refusals: list[tuple[int | None, str]],
) -> list[tuple[int | None, str]]:
    seen: set[int | None] = set()
    kept = []
    for line, reason in refusals:
        if line not in seen:
            seen.add(line)
            kept.append((line, reason))
    return kept
