"""pytz-to-zoneinfo on whole projects: the migrated project runs as the original did.

Each fixture project runs in a subprocess before the migration (with pytz) and after it, with
pytz made unimportable unless a module was left alone (then pytz stays a dependency), at the
hard instants: a DST gap and fold in Europe/Paris, Europe/Dublin's negative DST and
Australia/Lord_Howe's half-hour change. The results must be equal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import copy_tree, run_codemod

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pytz-to-zoneinfo"
WALLS = (
    "2024-03-31T02:30:00",  # Paris: skipped
    "2024-10-27T02:30:00",  # Paris: twice
    "2024-10-27T01:30:00",  # Dublin: twice (negative DST in tzdata)
    "2024-04-07T01:45:00",  # Lord_Howe: twice (half an hour)
    "2024-05-15T12:00:00",
)
RUNNER = """
import datetime, importlib, json, sys
if sys.argv[1] == "without-pytz":
    sys.modules["pytz"] = None
sys.path.insert(0, sys.argv[2])
module = importlib.import_module(sys.argv[3])
results = []
if sys.argv[6] == "none":  # a function without arguments (literal dates inside)
    results.append(getattr(module, sys.argv[4])().isoformat())
for wall in json.loads(sys.argv[5]) if sys.argv[6] != "none" else []:
    naive = datetime.datetime.fromisoformat(wall)
    values = [naive, naive.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=5)))]
    for value in values[: int(sys.argv[6]) + 1]:
        try:
            result = getattr(module, sys.argv[4])(value)
            results.append(result.isoformat() if hasattr(result, "isoformat") else repr(result))
        except Exception as error:
            results.append(f"raised {type(error).__name__}")
print(json.dumps(results))
"""


def run(project: Path, mode: str, module: str, function: str, aware: int | None) -> list[str]:
    values = "none" if aware is None else str(aware)
    arguments = [mode, str(project), module, function, json.dumps(WALLS), values]
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize(
    ("case", "module", "function", "aware"),
    [
        pytest.param("zone-passed-to-refused", "shop.views", "opening", 1, id="zone-into-refused"),
        pytest.param("utc-localize-value-error", "shop.stamps", "to_utc", 1, id="utc-try-except"),
        pytest.param(
            "utc-localize-value-error", "shop.stamps", "to_paris", 1, id="zone-try-except"
        ),
        pytest.param("exceptions-strict-localize", "shop.lookup", "checked", 1, id="strict"),
        pytest.param("exceptions-strict-localize", "shop.lookup", "strict", 1, id="strict-london"),
        pytest.param("tzinfo-zone-attribute", "shop.names", "zone_name", 0, id="tzinfo-zone"),
        pytest.param("tzinfo-zone-attribute", "shop.names", "utc_name", 0, id="tzinfo-utc"),
        pytest.param("era-dates", "shop.history", "founding", None, id="era-1850"),
        pytest.param("era-dates", "shop.history", "centenary", None, id="era-2100"),
    ],
)
def test_migrated_project_runs_as_before(
    case: str, module: str, function: str, aware: int | None, tmp_path: Path
) -> None:
    before = copy_tree(FIXTURES / case / "before", tmp_path / "before")
    after = copy_tree(FIXTURES / case / "before", tmp_path / "after")
    code, report = run_codemod(after, "pytz-to-zoneinfo")
    assert code == 0, report
    mode = "with-pytz" if report["refusals"] else "without-pytz"
    old = run(before, "with-pytz", module, function, aware)
    new = run(after, mode, module, function, aware)
    if case == "era-dates":
        # documented: pytz rounds local mean time (1850) and has no rules after 2037
        assert old != new, old
        return
    if case == "utc-localize-value-error" and function == "to_paris":
        # documented (localize note): the Paris fold now takes the first occurrence
        fold = WALLS.index("2024-10-27T02:30:00") * 2
        assert old[:fold] + old[fold + 1 :] == new[:fold] + new[fold + 1 :]
        return
    assert old == new
