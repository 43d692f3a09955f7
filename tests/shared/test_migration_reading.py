"""Reading migrations with ``ast``: the same declarations, and errors, as a libcst reading."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods.model_timestamps.source import parse_python
from redpanda_migrate.codemods.shared.migration_reading import FieldCall, read_migration

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
    path = "shop/migrations/0002_more.py"
    imports = ("from django.db import models",)

    def field(callee: str) -> FieldCall:
        return FieldCall(f"models.{callee}", (), (), imports, (), path)

    assert migration.operations == [
        (
            "AddField",
            {"model_name": "order", "name": "created_at", "field": field("DateTimeField")},
        ),
        (
            "CreateModel",
            {
                "name": "Line",
                "fields": [("id", field("AutoField")), ("note", field("TextField"))],
            },
        ),
    ]


def test_field_definitions_keep_their_source_and_imports() -> None:
    text = (
        "import django.core.validators\n"
        "from django.db import migrations, models\n"
        "import shop.fields as shop_fields\n\n"
        "def pick():\n    return 'x'\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.AlterField(\n"
        "            model_name='item', name='code',\n"
        "            field=models.CharField(\n"
        "                max_length=9, null=True,\n"
        "                validators=[django.core.validators.MinLengthValidator(2)],\n"
        "                default=pick, help_text=shop_fields.HELP,\n"
        "            ),\n"
        "        ),\n"
        "        migrations.AddField('item', 'other', models.Field(**{'null': True})),\n"
        "    ]\n"
    )
    operations = read_migration("shop/migrations/0003_x.py", text).operations
    call = operations[0][1]["field"]
    assert isinstance(call, FieldCall)
    assert call.callee == "models.CharField"
    assert call.keyword("null") == "True"
    assert call.keyword("validators") == "[django.core.validators.MinLengthValidator(2)]"
    assert call.imports == (
        "from django.db import models",
        "import django.core.validators",
        "import shop.fields as shop_fields",
    )
    assert call.unbound == ("pick",)
    assert operations[1][1]["field"] is None  # ** arguments: not a readable definition


def test_a_migration_that_does_not_parse_gets_the_libcst_message() -> None:
    text = "class Migration(:\n    pass\n"
    with pytest.raises(InputError) as expected:
        parse_python("shop/migrations/0002_x.py", text)
    with pytest.raises(InputError) as raised:
        read_migration("shop/migrations/0002_x.py", text)
    assert raised.value.message == expected.value.message
    assert raised.value.path == "shop/migrations/0002_x.py"  # type: ignore[attr-defined]
