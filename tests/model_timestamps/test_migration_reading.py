"""Reading migrations with ``ast``: the same declarations, and errors, as a libcst reading."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods.model_timestamps.migration_reading import read_migration
from redpanda_migrate.codemods.model_timestamps.source import parse_python

from redpanda_migrate.codemod import InputError

MIGRATION = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_" "initial"), migrations.swappable_dependency("auth.User")]
    operations = [
        migrations.AddField("order", name="created_at", field=models.DateTimeField()),
        migrations.CreateModel(
            "Line", fields=[("id", models.AutoField()), ("note", models.TextField())]
        ),
        migrations.RunSQL("SELECT 1"),
    ]
"""


def test_what_a_migration_declares_is_read() -> None:
    migration = read_migration("shop/migrations/0002_more.py", MIGRATION)
    assert migration.name == "0002_more"
    assert migration.dependencies == [("shop", "0001_initial")]
    assert migration.operations == [
        ("AddField", {"model_name": "order", "name": "created_at", "field": None}),
        ("CreateModel", {"name": "Line", "fields": ["id", "note"]}),
    ]


def test_a_migration_that_does_not_parse_gets_the_libcst_message() -> None:
    text = "class Migration(:\n    pass\n"
    with pytest.raises(InputError) as expected:
        parse_python("shop/migrations/0002_x.py", text)
    with pytest.raises(InputError) as raised:
        read_migration("shop/migrations/0002_x.py", text)
    assert raised.value.message == expected.value.message
    assert raised.value.path == "shop/migrations/0002_x.py"  # type: ignore[attr-defined]
