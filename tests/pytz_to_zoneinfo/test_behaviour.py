"""pytz-to-zoneinfo: the rewritten code behaves like the original, except where a note says so.

Each snippet is real pytz code. It runs in a subprocess with pytz; its rewrite runs in another
subprocess where ``import pytz`` fails. Both evaluate the same table of wall times around every
DST transition of several zones (Europe/Dublin has negative DST; Australia/Lord_Howe moves by
30 minutes; Pacific/Apia skipped a whole day). Every difference must be one the codemod
announces with a note; a rewrite announced as exact must show none.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from redpanda_migrate.codemods.pytz_to_zoneinfo import names
from redpanda_migrate.codemods.pytz_to_zoneinfo.helper import helper_text
from redpanda_migrate.codemods.pytz_to_zoneinfo.module import RewriteContext, rewrite_module

ZONES = (
    "Europe/Dublin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kolkata",
    "UTC",
)
YEARS = (2011, 2018, 2024)
#: outside pytz's exact years: it rounds local mean time before ~1900 and has no rules after 2037
ERA_YEARS = (1850, 2100)
STEP = datetime.timedelta(minutes=15)
UTC = datetime.timezone.utc

RUNNER = textwrap.dedent(
    """
    import importlib.util, json, os, sys
    if sys.argv[1] == "without-pytz":
        sys.modules["pytz"] = None  # import pytz now raises ImportError
    sys.path.insert(0, os.path.dirname(sys.argv[2]))  # the generated helper, if any
    spec = importlib.util.spec_from_file_location("snippet", sys.argv[2])
    snippet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snippet)
    table = json.loads(open(sys.argv[3]).read())
    results = {}
    for zone, walls in table.items():
        row = []
        for wall in walls:
            try:
                row.append(repr(snippet.run(zone, wall)))
            except Exception as error:
                row.append(f"raised {type(error).__name__}")
        results[zone] = row
    print(json.dumps(results))
    """
)


def transitions(zone: str, year: int) -> list[datetime.datetime]:
    """UTC instants in ``year`` at which ``zone``'s offset changes (15-minute resolution)."""
    tz = ZoneInfo(zone)
    instant = datetime.datetime(year, 1, 1, tzinfo=UTC)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=UTC)
    found = []
    previous = instant.astimezone(tz).utcoffset()
    while instant < end:
        instant += STEP
        offset = instant.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(instant)
            previous = offset
    return found


def wall_times(zone: str) -> list[str]:
    """Naive wall times from 2 hours before to 2 hours after each transition, plus a quiet day."""
    tz = ZoneInfo(zone)
    walls = {"2024-05-15T12:00:00", "1850-07-01T12:00:00", "2100-07-01T12:00:00"}
    for year in YEARS + ERA_YEARS:
        for instant in transitions(zone, year):
            centre = instant.astimezone(tz).replace(tzinfo=None)
            for step in range(-8, 9):
                walls.add((centre + step * STEP).isoformat())
    return sorted(walls)


def classify(zone: str, wall: str) -> str:
    """Say whether a wall time is ``ambiguous``, ``missing`` (in a gap) or ``plain``."""
    tz = ZoneInfo(zone)
    naive = datetime.datetime.fromisoformat(wall)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "plain"
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "ambiguous" if back == naive else "missing"


def crosses_transition(zone: str, wall: str, hours: int) -> bool:
    """Tell whether ``zone`` changes offset in the ``hours`` after the UTC instant ``wall``."""
    tz = ZoneInfo(zone)
    start = datetime.datetime.fromisoformat(wall).replace(tzinfo=UTC)
    end = start + datetime.timedelta(hours=hours)
    return start.astimezone(tz).utcoffset() != end.astimezone(tz).utcoffset() or any(
        start < instant <= end for instant in transitions(zone, start.year)
    )


@dataclass(frozen=True)
class Snippet:
    """pytz code, the note its rewrite must carry, and which differences that note covers."""

    id: str
    source: str
    note: str | None
    allowed: Callable[[str, str], bool]


def outside_pytz_years(wall: str) -> bool:
    """Tell whether pytz's answer at this wall time is not the database's (documented)."""
    return not 1900 <= int(wall[:4]) <= 2037


def never(zone: str, wall: str) -> bool:
    return False


SNIPPETS = [
    Snippet(
        "localize-default",
        """
        import datetime
        import pytz

        def run(zone, wall):
            return pytz.timezone(zone).localize(datetime.datetime.fromisoformat(wall)).isoformat()
        """,
        names.LOCALIZE_NOTE,
        lambda zone, wall: classify(zone, wall) == "ambiguous",
    ),
    Snippet(
        "localize-is-dst-true",
        """
        import datetime
        import pytz

        def run(zone, wall):
            naive = datetime.datetime.fromisoformat(wall)
            return pytz.timezone(zone).localize(naive, is_dst=True).isoformat()
        """,
        names.LOCALIZE_DST_TRUE_NOTE,
        lambda zone, wall: classify(zone, wall) != "plain",
    ),
    Snippet(
        "utc-conversions-zone-names",
        """
        import datetime
        import pytz

        def run(zone, wall):
            aware = pytz.utc.localize(datetime.datetime.fromisoformat(wall))
            local = aware.astimezone(pytz.timezone(zone))
            back = pytz.utc.normalize(local)
            return [local.isoformat(), local.tzname(), back.isoformat(),
                    pytz.timezone(zone).zone, zone in pytz.all_timezones_set]
        """,
        names.ALL_TIMEZONES_SET_NOTE,
        never,
    ),
    Snippet(
        "normalize-after-arithmetic",
        """
        import datetime
        import pytz

        def run(zone, wall):
            tz = pytz.timezone(zone)
            start = pytz.utc.localize(datetime.datetime.fromisoformat(wall)).astimezone(tz)
            return [
                tz.normalize(start + datetime.timedelta(hours=2)).isoformat(),
                tz.normalize(datetime.timedelta(minutes=90) + start).isoformat(),
                tz.normalize(start - datetime.timedelta(hours=2)).isoformat(),
            ]
        """,
        None,
        never,
    ),
    Snippet(
        "normalize-of-a-value",
        """
        import datetime
        import pytz

        def run(zone, wall):
            tz = pytz.timezone(zone)
            start = pytz.utc.localize(datetime.datetime.fromisoformat(wall)).astimezone(tz)
            moved = start + datetime.timedelta(hours=2)
            return tz.normalize(moved).isoformat()
        """,
        names.NORMALIZE_NOTE,
        lambda zone, wall: crosses_transition(zone, wall, 2),
    ),
    Snippet(
        "subtraction-across-dst",
        """
        import datetime
        import pytz

        def run(zone, wall):
            tz = pytz.timezone(zone)
            start = pytz.utc.localize(datetime.datetime.fromisoformat(wall))
            first = start.astimezone(tz)
            later = (start + datetime.timedelta(hours=3)).astimezone(tz)
            return str(later - first)
        """,
        "arithmetic on datetimes in a zoneinfo zone is wall-clock arithmetic",
        lambda zone, wall: crosses_transition(zone, wall, 3),
    ),
    Snippet(
        "tzinfo-constructor-lmt",
        """
        import datetime
        import pytz

        def run(zone, wall):
            naive = datetime.datetime.fromisoformat(wall)
            return naive.replace(tzinfo=pytz.timezone(zone)).utcoffset()
        """,
        names.LMT_NOTE,
        lambda zone, wall: True,
    ),
    Snippet(
        "fixed-offset",
        """
        import datetime
        import pytz

        def run(zone, wall):
            naive = datetime.datetime.fromisoformat(wall)
            return naive.replace(tzinfo=pytz.FixedOffset(-150)).isoformat()
        """,
        names.FIXED_OFFSET_NOTE,
        never,
    ),
    Snippet(
        "unknown-zone-error",
        """
        import pytz

        def run(zone, wall):
            try:
                return pytz.timezone(zone + "x").zone
            except pytz.UnknownTimeZoneError:
                return "unknown"
        """,
        names.EXCEPTION_NOTE,
        never,
    ),
    Snippet(
        "zones-on-attributes",
        """
        import datetime
        import pytz

        class Clock:
            UTC = pytz.utc

            def __init__(self, zone):
                self.tz = pytz.timezone(zone)

            def later(self, wall):
                start = self.tz.localize(datetime.datetime.fromisoformat(wall))
                moved = self.tz.normalize(start + datetime.timedelta(hours=1))
                back = Clock.UTC.normalize(moved)
                return [start.isoformat(), moved.isoformat(), back.isoformat(), self.tz.zone]

        def run(zone, wall):
            return Clock(zone).later(wall)
        """,
        names.LOCALIZE_NOTE,
        lambda zone, wall: classify(zone, wall) == "ambiguous",
    ),
    Snippet(
        "utc-localize-in-try",
        """
        import datetime
        import pytz

        def run(zone, wall):
            naive = datetime.datetime.fromisoformat(wall)
            aware = naive.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=5)))
            results = []
            for value in (naive, aware):
                try:
                    results.append(pytz.utc.localize(value).isoformat())
                except ValueError:
                    results.append(value.astimezone(pytz.utc).isoformat())
            return results
        """,
        names.AWARE_GUARD_NOTE.split("{")[0],
        never,
    ),
    Snippet(
        "zone-localize-in-try",
        """
        import datetime
        import pytz

        def run(zone, wall):
            tz = pytz.timezone(zone)
            naive = datetime.datetime.fromisoformat(wall)
            results = []
            for value in (naive, pytz.utc.localize(naive)):
                try:
                    results.append(tz.localize(value).isoformat())
                except ValueError:
                    results.append("aware")
            return results
        """,
        names.AWARE_GUARD_NOTE.split("{")[0],
        lambda zone, wall: classify(zone, wall) == "ambiguous",
    ),
    Snippet(
        "zone-name-through-tzinfo",
        """
        import datetime
        import pytz

        def run(zone, wall):
            tz = pytz.timezone(zone)
            naive = datetime.datetime.fromisoformat(wall)
            return [
                tz.localize(naive).tzinfo.zone,
                pytz.utc.localize(naive).tzinfo.zone,
                pytz.utc.localize(naive).astimezone(tz).tzinfo.zone,
                datetime.datetime.now(tz).tzinfo.zone,
            ]
        """,
        None,
        never,
    ),
    Snippet(
        "strict-localize-handlers",
        """
        import datetime
        import pytz

        def run(zone, wall):
            tz = pytz.timezone(zone)
            try:
                return tz.localize(datetime.datetime.fromisoformat(wall), is_dst=None).isoformat()
            except pytz.NonExistentTimeError:
                return "gap"
            except pytz.AmbiguousTimeError:
                return "fold"
        """,
        names.STRICT_LOCALIZE_NOTE.split("{")[0],
        never,
    ),
    Snippet(
        "zone-tables",
        """
        import pytz

        def run(zone, wall):
            countries = sorted(c for c, zones in pytz.country_timezones.items() if zone in zones)
            return [
                zone in pytz.common_timezones,
                zone in pytz.common_timezones_set,
                countries,
                [pytz.country_timezones(c.lower()) for c in countries],
                [pytz.country_names[c] for c in countries],
            ]
        """,
        "pytz's zone tables",
        never,
    ),
    Snippet(
        "utc-comparison",
        """
        import datetime
        import pytz

        def run(zone, wall):
            parsed = datetime.datetime.fromisoformat(wall + "+00:00")
            return parsed.tzinfo == pytz.utc
        """,
        names.UTC_COMPARISON_NOTE,
        lambda zone, wall: True,
    ),
]


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pytz-table") / "table.json"
    path.write_text(json.dumps({zone: wall_times(zone) for zone in ZONES}))
    return path


def pytz_database() -> str:
    """pytz's own copy of the database: the rewrite then runs on the same version as pytz."""
    import pytz  # noqa: PLC0415 (pytz is a test dependency only)

    return str(Path(pytz.__file__).parent / "zoneinfo")


def evaluate(source: str, table: Path, folder: Path, mode: str) -> dict[str, list[str]]:
    module = folder / f"{mode}.py"
    module.write_text(source)
    environment = {**os.environ, "PYTHONTZPATH": pytz_database()}
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, mode, str(module), str(table)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_rewrite_matches_pytz_except_where_noted(
    snippet: Snippet, table: Path, tmp_path: Path
) -> None:
    before = textwrap.dedent(snippet.source).lstrip()
    result = rewrite_module(before, True, context=RewriteContext(in_package=False))
    assert not result.refusals, result.refusals
    assert "pytz" not in result.text
    if result.needs_helper:
        (tmp_path / f"{names.HELPER_MODULE}.py").write_text(helper_text())
    messages = [message for _, message in result.notes]
    if snippet.note is not None:
        assert any(snippet.note in message for message in messages), messages

    with_pytz = evaluate(before, table, tmp_path, "with-pytz")
    without_pytz = evaluate(result.text, table, tmp_path, "without-pytz")

    walls = json.loads(table.read_text())
    unexplained = [
        (zone, wall, old, new)
        for zone in ZONES
        for wall, old, new in zip(walls[zone], with_pytz[zone], without_pytz[zone], strict=True)
        if old != new and not snippet.allowed(zone, wall) and not outside_pytz_years(wall)
    ]
    assert not unexplained, unexplained[:10]


def test_the_table_has_the_hard_cases(table: Path) -> None:
    walls = json.loads(table.read_text())
    kinds = {zone: {classify(zone, wall) for wall in walls[zone]} for zone in ZONES}
    for zone in ("Europe/Dublin", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia"):
        assert {"ambiguous", "missing", "plain"} <= kinds[zone] or zone == "Pacific/Apia"
    assert "missing" in kinds["Pacific/Apia"]
    assert kinds["Asia/Kolkata"] == {"plain"}


def test_default_localize_differs_where_documented(table: Path, tmp_path: Path) -> None:
    """The note is not hypothetical: London differs at ambiguous times, Dublin does not."""
    snippet = SNIPPETS[0]
    before = textwrap.dedent(snippet.source).lstrip()
    after = rewrite_module(before, flag_unknown_localize=True).text
    with_pytz = evaluate(before, table, tmp_path, "with-pytz")
    without_pytz = evaluate(after, table, tmp_path, "without-pytz")
    walls = json.loads(table.read_text())

    def differences(zone: str) -> list[str]:
        pairs = zip(walls[zone], with_pytz[zone], without_pytz[zone], strict=True)
        return [wall for wall, old, new in pairs if old != new and not outside_pytz_years(wall)]

    london = differences("Europe/London")
    assert london and all(classify("Europe/London", wall) == "ambiguous" for wall in london)
    assert differences("Europe/Dublin") == []
    assert all(classify("Europe/London", wall) != "missing" for wall in london)


def test_pytz_differs_outside_its_years(table: Path, tmp_path: Path) -> None:
    """1850 and 2100 are in the table because pytz is not exact there: the docs say so."""
    snippet = SNIPPETS[0]
    before = textwrap.dedent(snippet.source).lstrip()
    after = rewrite_module(before, flag_unknown_localize=True).text
    with_pytz = evaluate(before, table, tmp_path, "with-pytz")
    without_pytz = evaluate(after, table, tmp_path, "without-pytz")
    walls = json.loads(table.read_text())
    index = walls["America/New_York"].index("2100-07-01T12:00:00")
    assert with_pytz["America/New_York"][index].endswith("-05:00'")  # EST: no rules after 2037
    assert without_pytz["America/New_York"][index].endswith("-04:00'")  # EDT
    index = walls["Europe/Dublin"].index("1850-07-01T12:00:00")
    assert with_pytz["Europe/Dublin"][index] != without_pytz["Europe/Dublin"][index]  # LMT


def test_rewritten_module_notes_literal_dates_outside_pytz_years() -> None:
    source = textwrap.dedent(
        """
        import datetime
        import pytz

        TZ = pytz.timezone("America/New_York")
        CENTENARY = TZ.localize(datetime.datetime(2100, 7, 1, 12))
        """
    )
    result = rewrite_module(source, flag_unknown_localize=True)
    assert any("no rules after 2037" in message for _, message in result.notes)
