"""Which modules can use Django's pytz-era API, told with :mod:`ast` before libcst parses them.

Part of the ``pytz-to-zoneinfo`` codemod (the standard's "Deprecated / Removed": pytz -- use
stdlib zoneinfo). In a project that does not use pytz, the rewrite of a module changes or flags
something only through names that libcst's qualified-name metadata binds to
``django.utils.timezone`` (``utc``, ``make_aware(dt, tz, is_dst)``, and the methods and private
attributes of the zones ``get_current_timezone()``/``get_default_timezone()`` return), or
through a private pytz attribute read off a ``tzinfo`` (``dt.tzinfo._dst``). Parsing with scope
and qualified-name metadata every module that merely contains ``utc`` and ``django.utils``
took minutes on Django's own source, where ``utc`` is nearly always ``datetime.timezone.utc``;
a walk of the :mod:`ast` tree tells them apart in milliseconds. Every test here is a superset:
a name bound to Django anywhere in the module counts in every scope.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from redpanda_migrate.codemods.pytz_to_zoneinfo.import_lines import chain_from, import_trees, parses

#: the module may change or be flagged on its own: parse it
REWRITE = "rewrite"
#: the module only hands Django's zones to calls: it matters only when a module is left alone
#: (see :func:`~redpanda_migrate.codemods.pytz_to_zoneinfo.spreading.rewrite_all`)
PASSES_ZONES = "passes-zones"

# what the rewrite looks for in django.utils.timezone (names.UTC_NAMES, DJANGO_ZONE_FUNCTIONS,
# MAKE_AWARE)
ZONE_FUNCTIONS = frozenset({"get_current_timezone", "get_default_timezone"})
DJANGO_TIMEZONE_NAMES = frozenset({"utc", "make_aware"}) | ZONE_FUNCTIONS
# names that lead to django.utils.timezone when imported from a django package (or relatively)
LEADING_MODULES = frozenset({"timezone", "utils"})
# what the rewrite changes or refuses on a Django zone, whatever holds it
ZONE_ATTRIBUTES = frozenset({"localize", "normalize", "zone"})
# pytz-only attributes read off any tzinfo are refused, whatever the zone (PYTZ_ZONE_ATTRIBUTES)
PRIVATE_ZONE_ATTRIBUTE = re.compile(r"\b_(?:dst|utcoffset|tzname)\b")
# make_aware(dt, tz, is_dst) with is_dst passed by position
MAKE_AWARE_DST_POSITION = 2


def _from_django(node: ast.ImportFrom) -> bool:
    module = node.module or ""
    return bool(node.level) or module == "django" or module.startswith("django.")


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Bindings:
    """The names a module binds to ``django.utils.timezone`` and its members, in any scope."""

    def __init__(self, tree: ast.AST) -> None:
        self.modules: set[str] = set()  # django, django.utils or django.utils.timezone
        self.members: dict[str, str] = {}  # local name -> member of django.utils.timezone
        self.star = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "django" or alias.name.startswith("django."):
                        self.modules.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and _from_django(node):
                for alias in node.names:
                    self.star |= alias.name == "*"
                    if alias.name in DJANGO_TIMEZONE_NAMES:
                        self.members[alias.asname or alias.name] = alias.name
                    elif alias.name in LEADING_MODULES:
                        self.modules.add(alias.asname or alias.name)

    def member(self, node: ast.expr) -> str | None:
        """Return the member of ``django.utils.timezone`` an expression may name."""
        if isinstance(node, ast.Name):
            return self.members.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr in DJANGO_TIMEZONE_NAMES:
            return node.attr if _root_name(node.value) in self.modules else None
        return None


def _zone_holders(assignments: Iterable[ast.AST], bindings: _Bindings) -> set[str]:
    """Names and attributes assigned a Django zone, or a name or attribute holding one."""
    holders: set[str] = set()
    pending = list(assignments)
    changed = True
    while changed:
        changed = False
        for node in pending:
            value = getattr(node, "value", None)
            if value is None or not _holds_zone(value, bindings, holders):
                continue
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            for target in targets:
                for part in ast.walk(target) if target is not None else ():
                    name = part.id if isinstance(part, ast.Name) else getattr(part, "attr", None)
                    if isinstance(name, str) and name not in holders:
                        holders.add(name)
                        changed = True
    return holders


def _holds_zone(value: ast.expr, bindings: _Bindings, holders: set[str]) -> bool:
    """Tell whether an assigned value is a Django zone (the kinds zones.expression_kind reads)."""
    if isinstance(value, ast.Call):
        return bindings.member(value.func) in ZONE_FUNCTIONS
    if isinstance(value, ast.Name):
        return value.id in holders
    return isinstance(value, ast.Attribute) and value.attr in holders


def _cannot_use(text: str) -> bool:
    """Tell, parsing only its import statements, that a valid module binds nothing of Django's.

    A superset of the module's bindings (see
    :mod:`~redpanda_migrate.codemods.pytz_to_zoneinfo.import_lines`) that imports no member of
    ``django.utils.timezone`` and starts no attribute chain ending in one leaves every name and
    attribute of the module unbound to it: :func:`django_pytz_era_use` would find none.
    """
    trees = import_trees(text)
    if trees is None:
        return False
    bindings = _Bindings(ast.Module(body=[node for tree in trees for node in tree.body]))
    if bindings.star or bindings.members:
        return False
    return not chain_from(bindings.modules, DJANGO_TIMEZONE_NAMES, text) and parses(text)


def django_pytz_era_use(text: str) -> str | None:
    """Tell how a module may use Django's pytz-era API (for a project without pytz).

    :param text: the module's text.
    :returns: :data:`REWRITE` when the rewrite may change or flag it (and for any module
        :mod:`ast` cannot parse: the rewrite reports it), :data:`PASSES_ZONES` when it only
        calls ``get_current_timezone()``/``get_default_timezone()`` (it may hand the zone to a
        function of a module left alone), ``None`` when rewriting it would leave it untouched
        and unflagged.
    """
    if "tzinfo" in text and PRIVATE_ZONE_ATTRIBUTE.search(text):
        return REWRITE
    if _cannot_use(text):
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return REWRITE
    bindings = _Bindings(tree)
    if bindings.star or "utc" in bindings.members.values():
        return REWRITE  # the import of utc itself goes
    used: set[str] = set()
    calls: list[ast.Call] = []
    assignments: list[ast.AST] = []
    privates: list[ast.Attribute] = []
    zone_attributes = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            member = bindings.member(node)
            if member is not None:
                used.add(member)
            elif isinstance(node, ast.Attribute):
                zone_attributes |= node.attr in ZONE_ATTRIBUTES
                if node.attr.startswith("_"):
                    privates.append(node)
        elif isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            assignments.append(node)
    if "utc" in used:
        return REWRITE
    if "make_aware" in used and any(
        bindings.member(call.func) == "make_aware" and len(call.args) > MAKE_AWARE_DST_POSITION
        for call in calls
    ):
        return REWRITE  # is_dst passed by position
    if not used & ZONE_FUNCTIONS:
        return None
    if zone_attributes:
        return REWRITE
    holders = _zone_holders(assignments, bindings)
    if any(_holds_zone(node.value, bindings, holders) for node in privates):
        return REWRITE  # a private attribute of a Django zone has no zoneinfo equivalent
    return PASSES_ZONES


def uses_django_pytz_era_api(text: str) -> bool:
    """Tell whether a module may use Django's pytz-era API at all (see :func:`django_pytz_era_use`).

    :param text: the module's text.
    :returns: ``False`` only when rewriting the module would leave it untouched and unflagged.
    """
    return django_pytz_era_use(text) is not None
