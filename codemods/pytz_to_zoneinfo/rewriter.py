"""The rewrite pass of the ``pytz-to-zoneinfo`` codemod: one module's pytz uses, in place.

A use with no safe rewrite is recorded as a refusal (the caller then keeps the module as it
was); the others are rewritten, with a note where zoneinfo behaves differently.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import GlobalScope, PositionProvider, QualifiedNameProvider, ScopeProvider
from redpanda_migrate.codemods.pytz_to_zoneinfo import names
from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import REMOVED_NAMES, requirement_name
from redpanda_migrate.codemods.pytz_to_zoneinfo.expressions import (
    DOTTED_PYTZ_NAME,
    bare,
    datetime_side,
    keyword,
    literal_bool,
    method_call,
    pytz_member,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.imports import Imports
from redpanda_migrate.codemods.pytz_to_zoneinfo.raising import (
    RaisingRewrites,
    RaisingState,
    RewriteContext,
    is_tzinfo_read,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.zones import (
    DJANGO,
    FIXED,
    FROZEN,
    UTC,
    ZONE,
    Zones,
    expression_kind,
    qualified_names,
)


class Rewriter(RaisingRewrites):
    """Second pass: the rewrite itself, on a module whose zone assignments are known."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, PositionProvider)

    def __init__(
        self,
        zones: Zones,
        imports: Imports,
        flag_unknown_localize: bool,
        context: RewriteContext | None = None,
    ) -> None:
        super().__init__()
        self.zones = zones
        self.imports = imports
        self.flag_unknown_localize = flag_unknown_localize
        self.context = context or RewriteContext()
        self.raising = RaisingState()
        self.sets_pytz_setting = False
        self.django_zone_methods = False
        self.zone_calls: set[str] = set()
        self.notes: list[tuple[int | None, str]] = []
        self.refusals: list[tuple[int | None, str]] = []
        self.zones_introduced = False
        self.elapsed_lines: set[int] = set()
        self.pending: dict[cst.CSTNode, tuple[int, str]] = {}

    # -- helpers ------------------------------------------------------------------------------

    def line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def note(self, node: cst.CSTNode, message: str) -> None:
        self.notes.append((self.line(node), message))

    def refuse(self, node: cst.CSTNode, message: str) -> None:
        self.refusals.append((self.line(node), message))

    def untraceable(self, receiver: cst.BaseExpression) -> bool:
        """Tell whether a ``.localize()`` receiver could be a pytz zone this tool cannot see.

        Locals, parameters, attributes and names of the project's own modules could be;
        names imported from elsewhere (``django.utils.formats.localize``) are not.
        """
        qualified = {self.zones.absolute(q) for q in qualified_names(self, receiver)}
        if not qualified:
            return True
        for name in qualified:
            root = name.split(".")[0]
            if "<locals>" in name or root in self.zones.project_roots:
                return True
            bindings = self.imports.bindings
            if not bindings.free(root) and not bindings.only_imported(root):
                return True  # a module-level variable or class of this module
        return False

    def kind(self, node: cst.BaseExpression) -> str | None:
        return expression_kind(self, node, self.zones)

    # -- import statements are edited afterwards, by _pytz_imports ------------------------------

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = cst.helpers.get_full_name_for_node(node.module) if node.module else None
        if isinstance(node.names, cst.ImportStar) and (module or "").split(".")[0] == "pytz":
            self.refuse(node, "from pytz import * hides which names come from pytz")
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if not isinstance(value, str) or "pytz" not in value.lower():
            return
        # a dotted name ('pytz.utc', for mock.patch or import_module) or a requirement; prose
        # that merely mentions pytz ('pytz.timezone() was called') is neither
        if DOTTED_PYTZ_NAME.fullmatch(value) or requirement_name(value) in REMOVED_NAMES:
            self.refuse(
                node, f"the string {value!r} (a dynamic import or a requirement?): edit it by hand"
            )

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # a whole dotted reference (pytz.exceptions.UnknownTimeZoneError) is handled at once
        return not any(
            pytz_member(q) is not None or q in names.UTC_NAMES for q in qualified_names(self, node)
        )

    # -- references -----------------------------------------------------------------------------

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.reference(original, updated)

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        attribute = original.attr.value
        if attribute in names.PYTZ_ZONE_ATTRIBUTES and is_tzinfo_read(original.value):
            return self.tzinfo_attribute(original, updated)
        if attribute == "zone" or attribute.startswith("_"):
            kind = self.kind(original.value)
            if attribute == "zone" and kind == UTC:
                return cst.SimpleString('"UTC"')
            if attribute == "zone" and kind == DJANGO and self.django_still_pytz(original, ".zone"):
                return updated
            if attribute == "zone" and kind in (ZONE, DJANGO):
                return updated.with_changes(attr=cst.Name("key"))
            if kind == FROZEN:
                self.refuse(original, names.FROZEN_REASON)
            elif kind is not None:
                self.refuse(
                    original, f".{attribute} of a pytz time zone has no zoneinfo equivalent"
                )
        return self.reference(original, updated)

    def reference(
        self, original: cst.Name | cst.Attribute, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        qualified = qualified_names(self, original)
        if qualified & names.UTC_NAMES:
            return self.imports.utc()
        if qualified & names.UNKNOWN_ZONE_ERRORS:
            self.note(original, names.EXCEPTION_NOTE)
            return self.imports.from_zoneinfo("ZoneInfoNotFoundError")
        members = {pytz_member(q) for q in qualified} - {None}
        if "all_timezones" in members:
            self.note(original, names.ALL_TIMEZONES_NOTE)
            call = cst.Call(func=self.imports.from_zoneinfo("available_timezones"))
            return cst.Call(func=cst.Name("sorted"), args=[cst.Arg(call)])
        if "all_timezones_set" in members:
            self.note(original, names.ALL_TIMEZONES_SET_NOTE)
            return cst.Call(func=self.imports.from_zoneinfo("available_timezones"))
        helper_members = members & names.HELPER_MEMBERS
        if helper_members:
            member = sorted(helper_members)[0]
            replacement = self.helper(member)
            self.note(original, names.HELPER_NOTE.format(helper=names.HELPER_MODULE))
            return replacement
        errors = members & names.TIME_ERRORS
        handlers = self.raising.handler_tries
        if errors and handlers and handlers[-1] in self.raising.strict_tries:
            return cst.Attribute(value=cst.Name(names.HELPER_MODULE), attr=cst.Name(errors.pop()))
        if members:
            # unhandled unless the enclosing call handles it (see leave_Call)
            reason = names.refusal_for_member(sorted(members)[0])  # type: ignore[type-var]
            self.pending[original] = (self.line(original), reason)
        return updated

    # -- calls ----------------------------------------------------------------------------------

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        called = qualified_names(self, original.func)
        if names.TIMEZONE_FUNCTION in called:
            self.pending.pop(original.func, None)
            return self.zone_call(original, updated)
        if names.FIXED_OFFSET_FUNCTION in called:
            self.pending.pop(original.func, None)
            return self.fixed_offset(original, updated)
        if names.MAKE_AWARE in called:
            return self.make_aware(original, updated)
        if any(self.kind(arg.value) is not None for arg in original.args):
            self.zone_calls |= {
                self.zones.absolute(name)
                for name in called
                if self.zones.absolute(name).split(".")[0] in self.zones.project_roots
            }
        for arg in original.args:
            if arg.keyword is not None and arg.keyword.value == "tzinfo":
                if self.kind(arg.value) == ZONE:
                    self.note(arg, names.LMT_NOTE)
        if isinstance(original.func, cst.Attribute) and original.func.attr.value in (
            "utcoffset",
            "dst",
            "tzname",
        ):
            if self.kind(original.func.value) == ZONE and len(original.args) > 1:
                self.refuse(original, "ZoneInfo methods take no is_dst: choose a fold by hand")
            elif self.kind(original.func.value) == ZONE and original.args:
                self.note(original, names.TZINFO_METHOD_NOTE)
        if isinstance(original.func, cst.Attribute) and original.func.attr.value in (
            "localize",
            "normalize",
        ):
            assert isinstance(updated.func, cst.Attribute)
            kind = self.kind(original.func.value)
            if kind == FROZEN:
                self.refuse(original, names.FROZEN_REASON)
                return updated
            if kind == DJANGO:
                self.django_zone_methods = True
                if self.django_still_pytz(original, f"{original.func.attr.value}()"):
                    return updated
            if kind is not None:
                return self.zone_method(original, updated, kind)
            if (
                self.flag_unknown_localize
                and original.func.attr.value == "localize"
                and self.untraceable(original.func.value)
            ):
                self.refuse(
                    original,
                    "localize() on an object this tool cannot trace to pytz: if it is a pytz "
                    "time zone (now a ZoneInfo), write dt.replace(tzinfo=...) by hand",
                )
        return updated

    def zone_call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if len(original.args) != 1 or original.args[0].keyword or original.args[0].star:
            self.refuse(original, "pytz.timezone() called with unusual arguments")
            return updated
        argument = updated.args[0].value
        if isinstance(argument, cst.SimpleString):
            name = argument.evaluated_value
            if not isinstance(name, str) or names.canonical_zone_name(name) is None:
                self.refuse(original, f"{name!r} is not a time-zone name zoneinfo knows")
                return updated
            canonical = names.canonical_zone_name(name)
            if canonical != name:
                self.note(
                    original,
                    f"time-zone name {name!r} spelled {canonical!r}: zoneinfo lookups are "
                    "case-sensitive",
                )
                quote = argument.prefix + argument.quote
                argument = argument.with_changes(value=f"{quote}{canonical}{argument.quote}")
            if canonical != "UTC":
                self.zones_introduced = True
        else:
            self.zones_introduced = True
            self.note(original, names.DYNAMIC_NAME_NOTE)
        return cst.Call(func=self.imports.from_zoneinfo("ZoneInfo"), args=[cst.Arg(argument)])

    def fixed_offset(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if len(original.args) != 1 or original.args[0].keyword or original.args[0].star:
            self.refuse(original, "pytz.FixedOffset() called with unusual arguments")
            return updated
        self.note(original, names.FIXED_OFFSET_NOTE)
        delta = cst.Call(
            func=self.imports.datetime_attr("timedelta"),
            args=[keyword("minutes", updated.args[0].value)],
        )
        return cst.Call(func=self.imports.datetime_attr("timezone"), args=[cst.Arg(delta)])

    def make_aware(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        positional = [a for a in original.args if a.keyword is None and not a.star]
        dst_index = next(
            (i for i, a in enumerate(original.args) if a.keyword and a.keyword.value == "is_dst"),
            2 if len(positional) >= 3 and len(positional) == len(original.args) else None,
        )
        if dst_index is None:
            zone = next(
                (a.value for a in original.args if a.keyword and a.keyword.value == "timezone"),
                positional[1].value if len(positional) > 1 else None,
            )
            if zone is not None and self.kind(zone) == ZONE:
                self.note(original, names.MAKE_AWARE_ZONE_NOTE)
            return updated
        value = literal_bool(original.args[dst_index].value)
        raise_part = (
            "; it used to raise AmbiguousTimeError/NonExistentTimeError there"
            if value is None
            else ""
        )
        value_text = cst.Module([]).code_for_node(original.args[dst_index].value)
        self.note(original, names.MAKE_AWARE_NOTE.format(value=value_text, raise_part=raise_part))
        args = [a for i, a in enumerate(updated.args) if i != dst_index]
        args[-1] = bare(args[-1])
        return updated.with_changes(args=args)

    def zone_method(self, original: cst.Call, updated: cst.Call, kind: str) -> cst.BaseExpression:
        assert isinstance(updated.func, cst.Attribute)
        zone = updated.func.value
        self.zones_introduced |= kind in (ZONE, DJANGO)
        if original.func.attr.value == "localize":  # type: ignore[attr-defined]
            return self.localize(original, updated, zone, kind)
        if len(original.args) != 1 or original.args[0].keyword or original.args[0].star:
            self.refuse(original, "normalize() called with unusual arguments")
            return updated
        value = updated.args[0].value
        if kind in (UTC, FIXED):
            return method_call(value, "astimezone", [cst.Arg(zone)])
        side = datetime_side(value)
        if side is not None:
            # pytz added elapsed time, then normalize() fixed the offset: do it through UTC
            assert isinstance(value, cst.BinaryOperation)
            self.elapsed_lines.add(self.line(original))
            start = method_call(getattr(value, side), "astimezone", [cst.Arg(self.imports.utc())])
            moved = value.with_changes(
                **{side: start}, lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
            )
            return method_call(moved, "astimezone", [cst.Arg(zone)])
        self.note(original, names.NORMALIZE_NOTE)
        return method_call(value, "astimezone", [cst.Arg(zone)])

    def localize(
        self, original: cst.Call, updated: cst.Call, zone: cst.BaseExpression, kind: str
    ) -> cst.BaseExpression:
        args = original.args
        if not args or args[0].keyword or args[0].star or len(args) > 2:
            self.refuse(original, "localize() called with unusual arguments")
            return updated
        is_dst: bool | None | str = False
        if len(args) == 2:
            if args[1].star or (args[1].keyword and args[1].keyword.value != "is_dst"):
                self.refuse(original, "localize() called with unusual arguments")
                return updated
            is_dst = literal_bool(args[1].value)
        value = updated.args[0].value
        if kind not in (UTC, FIXED) and is_dst is None:
            return self.strict_localize(original, zone, value, names.STRICT_LOCALIZE_NOTE)
        if self.in_value_error_try():
            if kind not in (UTC, FIXED):
                fold_note = names.LOCALIZE_DST_TRUE_NOTE if is_dst else names.LOCALIZE_FOLD_NOTE
                self.note(original, fold_note)
            return self.strict_localize(original, zone, value, names.AWARE_GUARD_NOTE, "attach")
        if kind not in (UTC, FIXED):
            if is_dst == "dynamic":
                self.refuse(
                    original,
                    "localize() with a computed is_dst: choose fold=0 or fold=1 by hand "
                    "(zoneinfo has no is_dst)",
                )
                return updated
            self.note(original, names.LOCALIZE_DST_TRUE_NOTE if is_dst else names.LOCALIZE_NOTE)
        return method_call(value, "replace", [keyword("tzinfo", zone)])

    # -- settings -------------------------------------------------------------------------------

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        # the statement itself is dropped by RemovePytzImports, which keeps the blank lines
        if len(node.body) != 1 or not isinstance(node.body[0], cst.Assign):
            return
        assign = node.body[0]
        targets = [t.target for t in assign.targets]
        if len(targets) != 1 or not isinstance(targets[0], cst.Name):
            return
        if targets[0].value != names.SETTING:
            return
        if not isinstance(self.get_metadata(ScopeProvider, node), GlobalScope):
            return
        if literal_bool(assign.value) is not False:
            self.sets_pytz_setting = True
            value_text = cst.Module([]).code_for_node(assign.value)
            self.note(node, names.SETTING_NOTE.format(value=value_text))
