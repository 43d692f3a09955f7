"""pytz-to-zoneinfo: the generated ``_zoneinfo_tables`` module equals pytz's tables exactly.

Both read the same IANA files (``zone.tab``, ``iso3166.tab``), so on the same database version
every list and mapping must be equal, item for item and in order. The helper runs in a
subprocess where pytz cannot be imported, reading pytz's own copy of the database through
``PYTHONTZPATH``, and then the ``tzdata`` package (its fallback) when that is the same version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytz
import tzdata
from redpanda_migrate.codemods.pytz_to_zoneinfo.helper import helper_text

DUMP = """
import json, sys
sys.modules["pytz"] = None
sys.path.insert(0, sys.argv[1])
import _zoneinfo_tables as tables
print(json.dumps({
    "common_timezones": list(tables.common_timezones),
    "common_timezones_set": sorted(tables.common_timezones_set),
    "all_timezones": list(tables.all_timezones),
    "country_timezones": {c: tables.country_timezones[c] for c in tables.country_timezones},
    "country_names": dict(tables.country_names),
    "nz": tables.country_timezones("nz"),
}))
"""


def pytz_tables() -> dict[str, object]:
    return {
        "common_timezones": list(pytz.common_timezones),
        "common_timezones_set": sorted(pytz.common_timezones),
        "all_timezones": list(pytz.all_timezones),
        "country_timezones": {
            code: pytz.country_timezones[code] for code in pytz.country_timezones
        },
        "country_names": dict(pytz.country_names),
        "nz": pytz.country_timezones("nz"),
    }


def helper_tables(tmp_path: Path, tzpath: str) -> dict[str, object]:
    (tmp_path / "_zoneinfo_tables.py").write_text(helper_text())
    completed = subprocess.run(
        [sys.executable, "-c", DUMP, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONTZPATH": tzpath},
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_tables_equal_pytz_on_pytz_database(tmp_path: Path) -> None:
    database = str(Path(pytz.__file__).parent / "zoneinfo")
    assert helper_tables(tmp_path, database) == pytz_tables()


@pytest.mark.skipif(
    tzdata.IANA_VERSION != pytz.OLSON_VERSION, reason="tzdata and pytz ship other versions"
)
def test_tables_equal_pytz_from_the_tzdata_package(tmp_path: Path) -> None:
    empty = tmp_path / "no-system-database"
    empty.mkdir()
    assert helper_tables(tmp_path, str(empty)) == pytz_tables()
