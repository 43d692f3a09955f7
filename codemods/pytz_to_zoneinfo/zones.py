"""Which expressions of a module are pytz time zones, for the ``pytz-to-zoneinfo`` codemod.

A zone is recognised by what libcst's metadata binds it to: a ``pytz.timezone()`` call, the
UTC singleton, ``pytz.FixedOffset()``, Django's current or default zone, a name assigned only
such values in its scope, or another module's module-level zone imported by qualified name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import GlobalScope, MetadataWrapper, QualifiedNameProvider, ScopeProvider
from redpanda_migrate.codemods.pytz_to_zoneinfo import names

UTC = "utc"  # the UTC singleton: localize/normalize are exact
ZONE = "zone"  # a pytz zone with transitions: localize/normalize change at DST edges
FIXED = "fixed"  # pytz.FixedOffset: no transitions
DJANGO = "django"  # django.utils.timezone.get_current_timezone() and friends
FROZEN = "frozen"  # a pytz zone of another module that is left alone


@dataclass
class Zones:
    """What is known about names bound to pytz zones.

    :param external: qualified names of other modules' zones (``shop.zones.SHOP_TZ``).
    :param frozen: qualified names of zones of modules left alone, with the module's path.
    :param package: the dotted package of this module, for relative imports.
    :param project_roots: top-level names the project's own modules can be imported as.
    :param local: assignment targets (``SHOP_TZ = pytz.timezone(...)``) and their kind.
    :param used: the external qualified names this module uses.
    :param attributes: reads of class or instance attributes (``self.tz``) traced to a kind.
    :param placeholders: assignment targets given ``False`` (``tz = False`` before
        ``tz = pytz.timezone(...)``): a zone method on ``False`` raised before and still raises
        (``replace(tzinfo=False)`` is a TypeError), so they do not hide the zone.
    """

    external: Mapping[str, str] = field(default_factory=dict)
    frozen: Mapping[str, str] = field(default_factory=dict)
    package: tuple[str, ...] = ()
    project_roots: frozenset[str] = frozenset()
    local: dict[cst.CSTNode, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    attributes: dict[cst.CSTNode, str] = field(default_factory=dict)
    placeholders: set[cst.CSTNode] = field(default_factory=set)

    def absolute(self, qualified_name: str) -> str:
        """Resolve a relative qualified name (``..zones.SHOP_TZ``) against the package.

        :param qualified_name: a name from QualifiedNameProvider.
        :returns: the absolute dotted name (unchanged when already absolute).
        """
        rest = qualified_name.lstrip(".")
        level = len(qualified_name) - len(rest)
        if not level:
            return qualified_name
        base = self.package[: len(self.package) - (level - 1)] if level > 1 else self.package
        return ".".join((*base, rest))

    def kind_of(self, qualified: set[str]) -> str | None:
        """Return the kind of another module's zone among these qualified names.

        :param qualified: the qualified names of a reference.
        :returns: the kind, ``FROZEN`` for a zone of a module left alone, or ``None``.
        """
        for name in sorted(self.absolute(q) for q in qualified):
            if name in self.external:
                self.used.add(name)
                return self.external[name]
            if name in self.frozen:
                self.used.add(name)
                return FROZEN
        return None


class ZoneAssignments(cst.CSTVisitor):
    """First pass: names assigned a pytz zone (``SHOP_TZ = pytz.timezone(...)``)."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)

    def __init__(self, zones: Zones) -> None:
        super().__init__()
        self.zones = zones
        self.candidates: dict[str, str] = {}
        self.global_scope: GlobalScope | None = None

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        target = node.targets[0].target
        if isinstance(node.value, cst.Name) and node.value.value == "False":
            self.zones.placeholders.add(target)
            return
        kind = expression_kind(self, node.value, self.zones)
        if kind is None:
            return
        self.zones.local[target] = kind
        scope = self.get_metadata(ScopeProvider, node)
        if isinstance(scope, GlobalScope):
            self.global_scope = scope
            self.candidates[target.value] = kind

    def module_level(self) -> dict[str, str]:
        """Return the module-level names bound only to zones of one kind.

        :returns: ``{name: kind}``.
        """
        if self.global_scope is None:
            return {}
        return {
            name: kind
            for name, kind in self.candidates.items()
            if {self.zones.local.get(getattr(a, "node", None)) for a in self.global_scope[name]}  # type: ignore[arg-type]
            == {kind}
        }


def qualified_names(visitor: cst.MetadataDependent, node: cst.CSTNode) -> set[str]:
    """Return the qualified names libcst resolves a reference to.

    :param visitor: a visitor that declares QualifiedNameProvider.
    :param node: an original node.
    :returns: e.g. ``{"pytz.timezone"}``.
    """
    return {q.name for q in visitor.get_metadata(QualifiedNameProvider, node, set())}


def expression_kind(
    visitor: cst.MetadataDependent, node: cst.BaseExpression, zones: Zones
) -> str | None:
    """Tell which kind of time zone an (original) expression evaluates to, if any.

    :param visitor: a visitor that declares QualifiedNameProvider and ScopeProvider.
    :param node: an original node.
    :param zones: what is known about names bound to zones.
    :returns: ``UTC``, ``ZONE``, ``FIXED``, ``DJANGO``, ``FROZEN`` or ``None``.
    """
    if isinstance(node, cst.Call):
        called = qualified_names(visitor, node.func)
        if names.TIMEZONE_FUNCTION in called:
            return UTC if _is_utc_literal(node) else ZONE
        if names.FIXED_OFFSET_FUNCTION in called:
            return FIXED
        if called & names.DJANGO_ZONE_FUNCTIONS:
            return DJANGO
        return None
    if not isinstance(node, cst.Name | cst.Attribute):
        return None
    qualified = qualified_names(visitor, node)
    if qualified & names.UTC_NAMES:
        return UTC
    external = zones.kind_of(qualified)
    if external is not None:
        return external
    if node in zones.attributes:
        return zones.attributes[node]
    if isinstance(node, cst.Name):
        scope = visitor.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return None
        found = {
            zones.local.get(getattr(a, "node", None))  # type: ignore[arg-type]
            for a in scope[node.value]
            if getattr(a, "node", None) not in zones.placeholders
        }
        if len(found) == 1 and None not in found:
            return found.pop()
    return None


def _is_utc_literal(call: cst.Call) -> bool:
    if len(call.args) != 1 or not isinstance(call.args[0].value, cst.SimpleString):
        return False
    return call.args[0].value.evaluated_value in ("UTC", "utc")


def module_zones(text: str) -> dict[str, str]:
    """List a module's module-level names bound to pytz zones, for the modules importing them.

    :param text: the module's source.
    :returns: ``{name: kind}``; empty when the module does not parse.
    """
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except cst.ParserSyntaxError:
        return {}
    visitor = ZoneAssignments(Zones())
    wrapper.visit(visitor)
    return visitor.module_level()
