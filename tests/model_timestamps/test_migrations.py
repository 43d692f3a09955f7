"""Unit tests of model-timestamps' migrations: reading the graph, naming and writing."""

from __future__ import annotations

import textwrap

import pytest
from redpanda_migrate.codemods.model_timestamps.migrations import AddedField, write_migration
from redpanda_migrate.codemods.shared.migration_graph import (
    load_app_migrations,
    new_migration_name,
    parse_number,
)
from redpanda_migrate.codemods.shared.migration_reading import MigrationsProblem, read_migration


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def migration(dependencies: str = "", operations: str = "", replaces: str = "") -> str:
    return (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    {replaces}\n"
        f"    dependencies = [{dependencies}]\n"
        f"    operations = [{operations}]\n"
    )


def test_parse_number_like_django() -> None:
    assert parse_number("0004_auto") == 4
    assert parse_number("0001_squashed_0004_auto") == 4
    assert parse_number("initial") is None


def test_squash_replaces_its_migrations_and_takes_their_dependents() -> None:
    texts = {
        "a/migrations/0001_initial.py": migration(),
        "a/migrations/0002_b.py": migration('("a", "0001_initial")'),
        "a/migrations/0001_squashed_0002_b.py": migration(
            replaces='replaces = [("a", "0001_initial"), ("a", "0002_b")]'
        ),
        "a/migrations/0003_c.py": migration('("a", "0002_b"), ("other", "0001_initial")'),
    }
    graph = load_app_migrations("a", texts)
    assert graph.leaves() == ["0003_c"]
    assert [m.name for m in graph.in_order()] == ["0001_squashed_0002_b", "0003_c"]
    assert new_migration_name("0003_c", graph.all_names, "add_timestamps") == "0004_add_timestamps"


def test_new_migration_name_never_overwrites() -> None:
    with pytest.raises(MigrationsProblem):
        new_migration_name("0001_initial", frozenset({"0002_add_timestamps"}), "add_timestamps")


def test_model_state_replays_renames_deletes_and_state_operations() -> None:
    operations = """
        migrations.CreateModel("Old", [("id", models.AutoField(primary_key=True))]),
        migrations.RenameModel("Old", "New"),
        migrations.AddField("new", "created_at", models.DateTimeField()),
        migrations.RenameField(model_name="new", old_name="created_at", new_name="made"),
        migrations.CreateModel(name="Gone", fields=[]),
        migrations.DeleteModel(name="Gone"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.CreateModel(name="Moved", fields=[("x", None)])],
        ),
        migrations.RunPython(migrations.RunPython.noop),
    """
    graph = load_app_migrations("a", {"a/migrations/0001_initial.py": migration("", operations)})
    assert graph.model_fields() == {"new": {"id", "made"}, "moved": {"x"}}


def test_dependencies_that_are_not_literals_are_refused() -> None:
    text = migration().replace("dependencies = []", "dependencies = compute()")
    with pytest.raises(MigrationsProblem):
        read_migration("a/migrations/0002_x.py", text)


def test_dependencies_follow_what_is_literal() -> None:
    """django-helpdesk: [("helpdesk", "0027...")] + helpdesk_settings.X."""
    text = migration('("a", "0001")').replace(
        '("a", "0001")]', '("a", "0001")] + settings.EXTRA + [("a", "0002")]'
    )
    assert "+ settings.EXTRA +" in text
    assert read_migration("a/migrations/0003_x.py", text).dependencies == [
        ("a", "0001"),
        ("a", "0002"),
    ]


def test_swappable_dependencies_are_skipped() -> None:
    text = migration('migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("a", "0001")')
    assert read_migration("a/migrations/0002_x.py", text).dependencies == [("a", "0001")]


def test_written_migration_only_imports_timezone_for_created_at() -> None:
    text = write_migration("shop", "0001_initial", [AddedField("Order", "updated_at")])
    assert "import django.utils.timezone" not in text
    assert '("shop", "0001_initial"),' in text
    compile(text, "migration", "exec")


# -- editing --------------------------------------------------------------------------------
