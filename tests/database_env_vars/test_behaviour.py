"""database-env-vars: the new DATABASES equal what dj-database-url built, under real Django.

Each fixture's settings module is run before (with dj-database-url 2.x installed) and after
(the fixture's ``after/`` tree, which ``tests/test_fixtures.py`` proves is the codemod's
output) in a subprocess; Django's ``ConnectionHandler`` fills the defaults of both, and the
connection settings must be equal: with no variable set, and with the URL on one side and the
individual variables on the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES

CASES = FIXTURES / "database-env-vars"
PROBE = """
import json, runpy, sys
import django
from django.conf import settings
settings.configure()
django.setup()
from django.db.utils import ConnectionHandler
namespace = runpy.run_path(sys.argv[1], run_name="settings")
handler = ConnectionHandler(namespace["DATABASES"])
databases = handler.settings
for alias in databases.values():
    alias["PORT"] = str(alias["PORT"])
    # dj-database-url writes False; Django's backends read a missing key as False too
    alias.setdefault("DISABLE_SERVER_SIDE_CURSORS", False)
print(json.dumps(databases, sort_keys=True, default=str))
"""
URL = "postgres://shop%40admin:p%3Ass@DB.example:5433/shop"
VARIABLES = {
    "DB_ENGINE": "postgresql",
    "APP_DB_NAME": "shop",
    "APP_DB_USER": "shop@admin",
    "APP_DB_PASSWORD": "p:ss",
    "DB_HOST": "db.example",
    "DB_PORT": "5433",
}
URL_VARIABLES = ("DATABASE_URL", "REPLICA_DATABASE_URL", *VARIABLES)


def databases(settings: Path, environment: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in URL_VARIABLES} | environment
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(settings)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.parent,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    tree = settings.parents[len(settings.relative_to(CASES).parts) - 3]  # .../<case>/<tree>
    return json.loads(result.stdout.replace(str(tree), "<tree>"))


def settings_module(case: str, tree: str) -> Path:
    found = sorted((CASES / case / tree).rglob("settings*.py")) or sorted(
        (CASES / case / tree).rglob("base.py")
    )
    return found[0]


@pytest.mark.parametrize("case", ["config-with-default", "guarded-config", "fstring-default"])
def test_same_databases_without_variables(case: str) -> None:
    before = databases(settings_module(case, "before"), {})
    after = databases(settings_module(case, "after"), {})
    assert after == before


@pytest.mark.parametrize("case", ["config-with-default", "guarded-config", "fstring-default"])
def test_the_variables_give_what_the_url_gave(case: str) -> None:
    before = databases(settings_module(case, "before"), {"DATABASE_URL": URL})
    after = databases(settings_module(case, "after"), VARIABLES)
    assert after == before
    assert after["default"]["PASSWORD"] == "p:ss" and after["default"]["PORT"] == "5433"


def test_parse_of_required_and_defaulted_urls() -> None:
    replica = "postgres://reader:secret@replica.example:6000/reports"
    before = databases(
        settings_module("parse-required", "before"),
        {"DATABASE_URL": URL, "REPLICA_DATABASE_URL": replica},
    )
    replica_variables = {
        "REPLICA_DB_NAME": "reports",
        "REPLICA_DB_USER": "reader",
        "REPLICA_DB_PASSWORD": "secret",
        "REPLICA_DB_HOST": "replica.example",
        "REPLICA_DB_PORT": "6000",
    }
    after = databases(settings_module("parse-required", "after"), VARIABLES | replica_variables)
    assert after == before
    # only the default alias's URL is required; the replica's default URL is the fallback
    fallback_before = databases(settings_module("parse-required", "before"), {"DATABASE_URL": URL})
    fallback_after = databases(settings_module("parse-required", "after"), VARIABLES)
    assert fallback_after == fallback_before


def test_an_empty_variable_keeps_the_fallback_as_an_empty_url_did() -> None:
    """Compose sets ``${DB_ENGINE}`` to "" when ``.env`` lacks it: SQLite stays SQLite."""
    empty = dict.fromkeys(VARIABLES, "")
    after = databases(settings_module("config-with-default", "after"), empty)
    assert after["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert after["default"]["NAME"].endswith("db.sqlite3")
