"""Acceptance: model-timestamps on the bundled legacy shop keeps Django's migrations clean.

The codemod runs through the CLI on a copy of ``fixtures/legacy-project``; then Django itself
(``sys.executable``, in the copy's ``project/`` folder) checks that models and migrations agree,
that the migrations run from an empty database and over a database that already has rows,
backwards too, and that the shop's own test suite passes.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from harness import LEGACY, manage, run_codemod

NEW_MIGRATION = "project/shop/migrations/0003_add_timestamps.py"


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture()
def shop(tmp_path: Path) -> Path:
    copy = tmp_path / "legacy-project"
    shutil.copytree(LEGACY, copy, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    return copy


def rows(database: Path, query: str) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def test_codemod_changes_the_legacy_shop_as_expected(shop: Path) -> None:
    code, report = run_codemod(shop, "model-timestamps")

    assert code == 0, report
    changed = {change["path"] for change in report["changes"]}
    assert changed == {"project/shop/models.py", NEW_MIGRATION}
    assert report["refusals"] == [] and report["errors"] == []
    models_text = (shop / "project/shop/models.py").read_text()
    assert models_text.count("created_at = models.DateTimeField(auto_now_add=True)") == 3
    assert models_text.count("updated_at = models.DateTimeField(auto_now=True)") == 4
    migration = (shop / NEW_MIGRATION).read_text()
    assert '("shop", "0002_order_review_and_product_kinds")' in migration
    assert migration.count("preserve_default=False") == 2  # Category and Product created_at
    again, second = run_codemod(shop, "model-timestamps")
    assert again == 0 and second["changes"] == []


def test_makemigrations_finds_nothing_and_fresh_database_migrates(shop: Path) -> None:
    run_codemod(shop, "model-timestamps")

    assert "No changes detected" in ok(manage(shop, "makemigrations", "--check", "--dry-run"))
    ok(manage(shop, "migrate", "--noinput"))
    columns = {
        row[1] for row in rows(shop / "project/db.sqlite3", "PRAGMA table_info(shop_product)")
    }
    assert {"created_at", "updated_at"} <= columns
    ok(manage(shop, "migrate", "shop", "0002", "--noinput"))  # and backwards
    ok(manage(shop, "migrate", "--noinput"))


def test_database_with_rows_migrates(shop: Path) -> None:
    ok(manage(shop, "migrate", "--noinput"))  # the state before the codemod
    database = shop / "project/db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO shop_category (id, name, slug) VALUES (1, 'Tea', 'tea')")
        connection.execute(
            "INSERT INTO shop_product (id, category_id, name, slug, description, price, "
            "is_active) VALUES (1, 1, 'Sencha', 'sencha', '', 4.5, 1)"
        )
        connection.execute(
            "INSERT INTO shop_order (id, email, created) VALUES (1, 'a@example.com', "
            "'2024-01-01 00:00:00')"
        )

    run_codemod(shop, "model-timestamps")
    ok(manage(shop, "migrate", "--noinput"))

    for table in ("shop_category", "shop_product"):
        assert rows(
            database, f"SELECT created_at IS NOT NULL, updated_at IS NOT NULL FROM {table}"
        ) == [(1, 1)]
    assert rows(database, "SELECT created, updated_at IS NOT NULL FROM shop_order") == [
        ("2024-01-01 00:00:00", 1)
    ]


def test_project_test_suite_passes_after_the_codemod(shop: Path) -> None:
    run_codemod(shop, "model-timestamps")

    ok(manage(shop, "test", "--noinput"))
