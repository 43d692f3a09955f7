"""The parts of the ``pytz-to-zoneinfo`` rewrite that keep what pytz raised or exposed.

``localize()`` raised on aware datetimes and, with ``is_dst=None``, at ambiguous or skipped wall
times; pytz zones exposed ``.zone``; pytz's UTC compared equal to itself only; Django's zones
were pytz zones before 4.0. Each is kept exactly (through the generated ``_zoneinfo_tables``
module), traced, noted or refused here (the standard's "Deprecated / Removed": pytz -- use
stdlib zoneinfo).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.pytz_to_zoneinfo import names
from redpanda_migrate.codemods.pytz_to_zoneinfo.imports import Imports
from redpanda_migrate.codemods.pytz_to_zoneinfo.zones import (
    DJANGO,
    UTC,
    ZONE,
    qualified_names,
)


@dataclass(frozen=True)
class RewriteContext:
    """What a module's rewrite needs to know about the project around it.

    :param in_package: whether the module sits in a package, so that the generated helper
        module next to it is imported as ``from . import _zoneinfo_tables`` (else, the folder
        being on ``sys.path``, as ``import _zoneinfo_tables``).
    :param django_pytz_reason: why Django's current/default time zone may still be a pytz zone
        (Django < 4.0 allowed, or undeclared), or ``None`` when it is a ``ZoneInfo``.
    """

    in_package: bool = True
    django_pytz_reason: str | None = None


@dataclass
class RaisingState:
    """What the rewrite found about raising and helper use in one module.

    :param needs_helper: whether the rewrite uses the generated helper module.
    :param try_bodies: one entry per enclosing ``try`` body: does a handler catch ValueError;
        did the body get a strict localize (whose exceptions the handlers may then name).
    :param strict_tries: ``try`` statements whose body got a strict localize.
    :param handler_tries: the ``try`` statements whose handlers are being visited.
    """

    needs_helper: bool = False
    try_bodies: list[list[bool]] = field(default_factory=list)
    strict_tries: set[cst.Try] = field(default_factory=set)
    handler_tries: list[cst.Try] = field(default_factory=list)


class RaisingRewrites(cst.CSTTransformer):
    """Mixin of :class:`Rewriter`: helper use, ``try`` tracking, tzinfo attributes."""

    imports: Imports
    context: RewriteContext
    raising: RaisingState
    flag_unknown_localize: bool

    def note(self, node: cst.CSTNode, message: str) -> None:
        raise NotImplementedError

    def refuse(self, node: cst.CSTNode, message: str) -> None:
        raise NotImplementedError

    def kind(self, node: cst.BaseExpression) -> str | None:
        raise NotImplementedError

    def django_still_pytz(self, node: cst.CSTNode, what: str) -> bool:
        """Refuse a rewrite of Django's zone when the project may still get a pytz zone."""
        why = self.context.django_pytz_reason
        if why is not None:
            self.refuse(node, names.DJANGO_ZONE_REASON.format(method=what, why=why))
        return why is not None

    def helper(self, member: str) -> cst.BaseExpression:
        """Return ``_zoneinfo_tables.<member>``, importing the generated module."""
        self.raising.needs_helper = True
        self.imports.helper_module(names.HELPER_MODULE, self.context.in_package)
        return cst.Attribute(value=cst.Name(names.HELPER_MODULE), attr=cst.Name(member))

    # -- try statements: handlers that catch what localize() raised --------------------------

    def visit_Try_body(self, node: cst.Try) -> None:
        self.raising.try_bodies.append([_catches_value_error(node), False])

    def leave_Try_body(self, node: cst.Try) -> None:
        _, strict = self.raising.try_bodies.pop()
        if strict:
            self.raising.strict_tries.add(node)

    def visit_Try_handlers(self, node: cst.Try) -> None:
        self.raising.handler_tries.append(node)

    def leave_Try_handlers(self, node: cst.Try) -> None:
        self.raising.handler_tries.pop()

    def in_value_error_try(self) -> bool:
        return any(catches for catches, _ in self.raising.try_bodies)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left, *(target.comparator for target in node.comparisons)]
        if any(qualified_names(self, o) & names.UTC_NAMES for o in operands):
            self.note(node, names.UTC_COMPARISON_NOTE)

    def tzinfo_attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        """``<aware>.tzinfo.zone``: a pytz-only attribute read through a datetime's tzinfo."""
        assert isinstance(original.value, cst.Attribute)
        kind = self.aware_kind(original.value.value)
        attribute = original.attr.value
        if attribute == "zone" and kind == DJANGO and self.django_still_pytz(original, ".zone"):
            return updated
        if attribute == "zone" and kind in (ZONE, DJANGO):
            return updated.with_changes(attr=cst.Name("key"))
        if attribute == "zone" and kind == UTC:
            return cst.Call(func=cst.Name("str"), args=[cst.Arg(updated.value)])
        if kind is not None or self.flag_unknown_localize or attribute.startswith("_"):
            self.refuse(original, names.TZINFO_ATTRIBUTE_REASON.format(attribute=attribute))
        return updated

    def aware_kind(self, node: cst.BaseExpression) -> str | None:
        """Return the zone kind of a datetime made with a traced zone ``Z``.

        That is ``Z.localize()``, ``Z.normalize()``, ``x.astimezone(Z)`` or ``now(Z)``.
        """
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return None
        method = node.func.attr.value
        if method in ("localize", "normalize"):
            return self.kind(node.func.value)
        if method == "astimezone" and len(node.args) == 1 and not node.args[0].keyword:
            return self.kind(node.args[0].value)
        if method in ("now", "fromtimestamp"):  # datetime.now(tz), fromtimestamp(ts, tz)
            position = 0 if method == "now" else 1
            for index, arg in enumerate(node.args):
                if (arg.keyword and arg.keyword.value == "tz") or (
                    arg.keyword is None and index == position
                ):
                    return self.kind(arg.value)
        return None

    def strict_localize(
        self,
        original: cst.Call,
        zone: cst.BaseExpression,
        value: cst.BaseExpression,
        note: str,
        function_name: str = "localize_strict",
    ) -> cst.BaseExpression:
        """Build ``helper.localize_strict(zone, value)`` (or ``attach``).

        Both raise where ``localize()`` raised.
        """
        function = self.helper(function_name)
        if self.raising.try_bodies:
            self.raising.try_bodies[-1][1] = True
        self.note(original, note.format(helper=names.HELPER_MODULE))
        return cst.Call(func=function, args=[cst.Arg(bare_value(zone)), cst.Arg(value)])


def bare_value(expression: cst.BaseExpression) -> cst.BaseExpression:
    """Drop the parentheses an expression needed as a method's receiver."""
    return expression.with_changes(lpar=[], rpar=[]) if expression.lpar else expression


def is_tzinfo_read(node: cst.BaseExpression) -> bool:
    """Tell whether an expression reads ``<something>.tzinfo``.

    :param node: the object of an attribute access such as ``.zone``.
    :returns: ``True`` for ``x.tzinfo``.
    """
    return isinstance(node, cst.Attribute) and node.attr.value == "tzinfo"


def _catches_value_error(node: cst.Try) -> bool:
    """Tell whether a handler of ``node`` catches ValueError (bare, Exception, a tuple...)."""
    catching = {"ValueError", "Exception", "BaseException"}
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = (
            [element.value for element in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        if any(cst.helpers.get_full_name_for_node(t) in catching for t in types):
            return True
    return False
