"""What the ``pytz-to-zoneinfo`` codemod knows about pytz names, and the messages it gives.

Kept apart from the rewrite itself so that the tables and the wording of every note and refusal
can be read (and reviewed) in one place. The standard's "Deprecated / Removed" section says:
``pytz`` -- use the standard library's ``zoneinfo``.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

#: Qualified names that are the UTC singleton (``django.utils.timezone.utc`` was removed in
#: Django 5.0; it was ``pytz.utc`` or ``datetime.timezone.utc`` before).
UTC_NAMES = frozenset({"pytz.utc", "pytz.UTC", "django.utils.timezone.utc"})
TIMEZONE_FUNCTION = "pytz.timezone"
FIXED_OFFSET_FUNCTION = "pytz.FixedOffset"
MAKE_AWARE = "django.utils.timezone.make_aware"
DJANGO_ZONE_FUNCTIONS = frozenset(
    {"django.utils.timezone.get_current_timezone", "django.utils.timezone.get_default_timezone"}
)
UNKNOWN_ZONE_ERRORS = frozenset(
    {"pytz.UnknownTimeZoneError", "pytz.exceptions.UnknownTimeZoneError"}
)
SETTING = "USE_DEPRECATED_PYTZ"
FROZEN_REASON = (
    "this pytz time zone comes from a module that is left alone (see the refusal there): "
    "rewrite the two together by hand"
)

#: pytz members rebuilt by the generated helper module (see ``helper_template.py``)
HELPER_MEMBERS = frozenset(
    {"common_timezones", "common_timezones_set", "country_timezones", "country_names"}
)
#: pytz's exceptions for wall times that occur twice or never; the helper has the same classes
TIME_ERRORS = frozenset({"AmbiguousTimeError", "NonExistentTimeError", "InvalidTimeError"})
#: the module generated next to a module that needs it, and the attributes read through tzinfo
HELPER_MODULE = "_zoneinfo_tables"
PYTZ_ZONE_ATTRIBUTES = frozenset({"zone", "_dst", "_utcoffset", "_tzname"})

#: pytz members that have no standard-library equivalent, with the reason shown to the user.
NO_EQUIVALENT = {
    "AmbiguousTimeError": "zoneinfo never raises AmbiguousTimeError (ambiguous wall times are "
    "resolved with fold): only a handler around localize(..., is_dst=None) is converted; "
    "decide how this code should treat them, then remove the handler",
    "NonExistentTimeError": "zoneinfo never raises NonExistentTimeError (non-existent wall "
    "times are resolved with fold): only a handler around localize(..., is_dst=None) is "
    "converted; decide how this code should treat them, then remove the handler",
    "InvalidTimeError": "zoneinfo never raises InvalidTimeError (ambiguous and non-existent "
    "wall times are resolved with fold): only a handler around localize(..., is_dst=None) is "
    "converted; decide how this code should treat them, then remove the handler",
}
HELPER_NOTE = (
    "pytz's zone tables (common_timezones, country_timezones, country_names) now come from "
    "{helper}.py, generated next to this module: it reads the "
    "IANA tables (zone.tab, iso3166.tab) of the database zoneinfo uses (the system's, else the "
    "tzdata package), so it equals pytz's for the same database version"
)
STRICT_LOCALIZE_NOTE = (
    "localize(..., is_dst=None) became {helper}.localize_strict(zone, value), generated next to "
    "this module: it raises {helper}.AmbiguousTimeError / NonExistentTimeError (found with fold "
    "and a round trip through UTC) where pytz raised its own, and the except clauses name them"
)
AWARE_GUARD_NOTE = (
    "localize() inside a try that catches ValueError became {helper}.attach(zone, value), "
    "generated next to this module: replace(tzinfo=...) that raises ValueError on an aware "
    "datetime as localize() did"
)
TZINFO_ATTRIBUTE_REASON = (
    ".{attribute} read through a datetime's tzinfo is pytz-only (a ZoneInfo has .key, and "
    "str(tzinfo) gives the name): this value cannot be traced to a zone here, rewrite it by "
    "hand"
)
UTC_COMPARISON_NOTE = (
    "a comparison with pytz's UTC became one with datetime.timezone.utc, which also equals "
    "(and, from fromisoformat('...+00:00'), is) every zero-offset datetime.timezone: the "
    "condition is now true for '+00:00' values where it was false; compare "
    "value.utcoffset() == datetime.timedelta(0) if any UTC offset is meant"
)
ERA_NOTE = (
    "pytz has no rules after 2037 (it repeats the 2037 offset) and rounds local mean time to "
    "whole minutes; zoneinfo follows the database: instants before about 1900 and after 2037, "
    "such as the literal date(s) on line(s) {lines}, get other offsets than with pytz (New "
    "York on 2100-07-01: EST before, EDT now)"
)
DJANGO_ZONE_REASON = (
    "{method} on Django's current/default time zone: {why}, and for a pytz zone the "
    "rewrite (replace(tzinfo=...), .key) gives local mean time or fails; declare Django>=4.0 "
    "(and drop USE_DEPRECATED_PYTZ), then run again"
)
PASSED_ZONE_REASON = (
    "left alone: it passes time zones to {callee} in {owner}, which is left alone (see the "
    "refusal there) and expects pytz zones; rewrite the two together by hand"
)
DEPRECATED_SETTING_REASON = (
    "left alone: USE_DEPRECATED_PYTZ stays on in {owner}, which is left alone, so Django's "
    "current/default time zones are still pytz zones here; rewrite the two together by hand"
)

LOCALIZE_FOLD_NOTE = (
    "localize() became replace(tzinfo=...): at a wall time that occurs twice (the autumn "
    "change), replace() takes the first occurrence (fold=0) where pytz's default is_dst=False "
    "took the standard-time one, which in zones with summer time such as Europe/London or "
    "America/New_York is the second, one hour later in UTC (add fold=1 to keep that); "
    "non-existent spring times keep the pre-transition offset as before"
)
LOCALIZE_NOTE = LOCALIZE_FOLD_NOTE + "; replace() does not raise on an already aware datetime"
LOCALIZE_DST_TRUE_NOTE = (
    "localize(..., is_dst=True) became replace(tzinfo=...): at a wall time that occurs twice "
    "replace() takes the first occurrence (fold=0), the summer-time one in most zones, as "
    "is_dst=True did (Europe/Dublin, with negative DST, differs); at a non-existent spring "
    "time it keeps the pre-transition offset where is_dst=True took the post-transition one "
    "(add fold=1 for that)"
)
TZINFO_METHOD_NOTE = (
    "a pytz zone's utcoffset()/dst()/tzname() localized a naive argument with is_dst=None, "
    "raising AmbiguousTimeError or NonExistentTimeError at DST changes; a ZoneInfo never "
    "raises and uses the argument's fold (fold=0: the first occurrence)"
)
NORMALIZE_NOTE = (
    "normalize() became astimezone(): zoneinfo datetimes need no normalising, but if this "
    "value comes from adding a timedelta to an aware datetime, that sum is now wall-clock "
    "arithmetic where pytz measured elapsed time across a DST change; to keep elapsed time, "
    "add the timedelta to dt.astimezone(datetime.timezone.utc)"
)
LMT_NOTE = (
    "tzinfo=<pytz zone> gave the zone's first (local mean time) offset, a pytz bug "
    "(for Europe/Dublin -00:25); the zoneinfo zone gives the real offset: stored values "
    "and test expectations built from this expression change"
)
DYNAMIC_NAME_NOTE = (
    "ZoneInfo(name) is case-sensitive where pytz.timezone() was not ('europe/dublin' no "
    "longer works); an unknown name raises ZoneInfoNotFoundError (a KeyError, like "
    "UnknownTimeZoneError), but an empty, absolute or '..' name raises ValueError and None "
    "raises TypeError"
)
EXCEPTION_NOTE = (
    "UnknownTimeZoneError became ZoneInfoNotFoundError (both KeyError subclasses), but "
    "ZoneInfo() raises ValueError for empty, absolute or '..' names and TypeError for None, "
    "which this handler no longer catches"
)
ALL_TIMEZONES_NOTE = (
    "pytz.all_timezones became sorted(available_timezones()): the names now come from the "
    "system time-zone database or the tzdata package, whose version and extra entries "
    "(such as 'localtime' or 'Factory') can differ from pytz's bundled list"
)
ALL_TIMEZONES_SET_NOTE = (
    "pytz.all_timezones_set became available_timezones(), a fresh unordered set built from "
    "the system time-zone database or the tzdata package: its version and extra entries "
    "(such as 'localtime' or 'Factory') can differ from pytz's"
)
FIXED_OFFSET_NOTE = (
    "FixedOffset(minutes) became datetime.timezone(timedelta(minutes=...)): tzname() and %Z "
    "now give 'UTC+HH:MM' where pytz gave None, and FixedOffset(0) is no longer the UTC "
    "singleton"
)
ARITHMETIC_NOTE = (
    "arithmetic on datetimes in a zoneinfo zone is wall-clock arithmetic: dt + timedelta "
    "keeps the wall time across a DST change and subtracting two datetimes of the same zone "
    "ignores the change, where pytz (fixed offsets) measured elapsed time; check the "
    "arithmetic on line(s) {lines} and convert through UTC where elapsed time is meant"
)
MAKE_AWARE_NOTE = (
    "make_aware(..., is_dst={value}) lost is_dst (removed in Django 5.0): an ambiguous or "
    "non-existent wall time is resolved with fold=0 (first occurrence, pre-transition "
    "offset){raise_part}"
)
MAKE_AWARE_ZONE_NOTE = (
    "make_aware() with a pytz zone called localize(value, is_dst=None), which raised "
    "AmbiguousTimeError/NonExistentTimeError for a wall time that occurs twice or never; with "
    "a ZoneInfo it never raises and takes fold=0 (first occurrence, pre-transition offset)"
)
SETTING_NOTE = (
    "USE_DEPRECATED_PYTZ = {value} removed (the setting is gone in Django 5.0): Django's "
    "current and default time zones are zoneinfo objects, without localize() or normalize()"
)


def refusal_for_member(member: str) -> str:
    """Say why a pytz member left in the code cannot be rewritten.

    :param member: the name after ``pytz.`` (``common_timezones``, ``timezone``...).
    :returns: the reason shown as "needs review".
    """
    if member in NO_EQUIVALENT:
        return f"pytz.{member}: {NO_EQUIVALENT[member]}"
    if member == "":
        return "the pytz module itself is used as a value: rewrite this use by hand"
    return f"pytz.{member} is used in a way that has no safe zoneinfo rewrite"


@cache
def known_zone_names() -> frozenset[str]:
    """List the time-zone names zoneinfo knows on this machine (system database or tzdata).

    :returns: the names, case-sensitive.
    """
    return frozenset(zoneinfo.available_timezones())


def canonical_zone_name(name: str) -> str | None:
    """Find the spelling zoneinfo accepts for a name pytz looked up case-insensitively.

    :param name: the literal name given to ``pytz.timezone()``.
    :returns: the exact name, or ``None`` when zoneinfo does not know it.
    """
    names = known_zone_names()
    if name in names:
        return name
    matches = [known for known in names if known.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None
