"""text-field-null on the fixture project run by real Django, with rows holding NULL.

The project is migrated and given rows with NULL text before the codemod. After it, the
project's own ``migrate`` must turn those NULLs into ``""`` (and leave other values alone),
``makemigrations --check`` must see no drift (the migration matches the models), the columns
must refuse NULL, the fixture (whose null the codemod made "") must load, and migrating
backwards must work and give the columns NULL back.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES, copy_tree, run_codemod

CASE = FIXTURES / "text-field-null" / "converts"
ROWS = """
from library.models import Author, Book
first = Author.objects.create(name="A", email=None, website=None, nickname=None)
Author.objects.create(name="B", email="b@example.org", website="")
Book.objects.create(author=first, title="T", subtitle=None, summary=None, slug=None)
Book.objects.create(author=first, title="U", subtitle="kept", summary="s", slug="u", code="c")
"""


def manage(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def rows(project: Path, query: str) -> list[tuple]:
    with sqlite3.connect(project / "db.sqlite3") as connection:
        return connection.execute(query).fetchall()


def nullable(project: Path, table: str) -> dict[str, bool]:
    return {row[1]: not row[3] for row in rows(project, f"PRAGMA table_info({table})")}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("django")
    project = copy_tree(CASE / "before", tmp_path_factory.mktemp("text-field-null") / "p")
    assert manage(project, "migrate", "-v0").returncode == 0
    created = manage(project, "shell", "-c", ROWS)
    assert created.returncode == 0, created.stderr
    code, report = run_codemod(project, "text-field-null")
    assert code == 0, report
    assert [c["path"] for c in report["changes"]] == [
        "library/models.py",
        "library/migrations/0002_text_fields_not_null.py",
        "library/fixtures/authors.json",
    ]
    result = manage(project, "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    return project


def test_nulls_become_empty_strings_and_other_values_stay(migrated: Path) -> None:
    authors = rows(migrated, "SELECT name, email, website, nickname FROM library_author")
    books = rows(migrated, "SELECT title, subtitle, slug, summary FROM library_book")
    # nickname (abstract parent) and summary (code uses summary__isnull) were refused
    assert sorted(authors) == [("A", "", "", None), ("B", "b@example.org", "", None)]
    assert sorted(books) == [("T", "", "", None), ("U", "kept", "u", "s")]


def test_the_migration_matches_the_models(migrated: Path) -> None:
    check = manage(migrated, "makemigrations", "--check", "--dry-run")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No changes detected" in check.stdout


def test_the_columns_refuse_null_and_the_models_save_empty_text(migrated: Path) -> None:
    assert nullable(migrated, "library_book")["subtitle"] is False
    assert nullable(migrated, "library_author")["email"] is False
    saved = manage(
        migrated,
        "shell",
        "-c",
        "import json\nfrom library.models import Author\n"
        "author = Author.objects.create(name='C')\n"
        "print(json.dumps([author.email, author.website]))",
    )
    assert saved.returncode == 0, saved.stderr
    assert json.loads(saved.stdout.strip().splitlines()[-1]) == ["", ""]


def test_migrating_backwards_and_forwards_again_works(migrated: Path) -> None:
    back = manage(migrated, "migrate", "library", "0001", "-v0")
    assert back.returncode == 0, back.stderr
    assert nullable(migrated, "library_book")["subtitle"] is True
    # the reverse function keeps the empty strings
    assert ("T", "") in rows(migrated, "SELECT title, subtitle FROM library_book")
    forward = manage(migrated, "migrate", "-v0")
    assert forward.returncode == 0, forward.stderr
    assert nullable(migrated, "library_book")["subtitle"] is False


def test_the_fixture_loads_into_the_not_null_columns(migrated: Path) -> None:
    loaded = manage(migrated, "loaddata", "authors", "-v0")
    assert loaded.returncode == 0, loaded.stderr
    assert rows(migrated, "SELECT email, nickname FROM library_author WHERE id = 1") == [("", None)]
