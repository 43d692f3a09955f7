"""text-field-null's decisions on small projects: what converts, what is refused and why."""

from __future__ import annotations

import textwrap

import pytest
from redpanda_migrate.codemods.text_field_null.codemod import transform
from redpanda_migrate.codemods.text_field_null.edit import rewrite_fields

from redpanda_migrate.codemod import ProjectInput, ProjectOutcome
from redpanda_migrate.facts import ProjectFacts

INITIAL = """\
from django.db import migrations, models
import shop.defaults


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("note", models.CharField(max_length=20, null=True)),
                ("code", models.CharField(default="1", max_length=2, null=True)),
                ("other", models.CharField(default=shop.defaults.pick, max_length=2, null=True)),
            ],
        ),
    ]
"""
RENAMED = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RenameField("item", "note", "remark"),
        migrations.AlterField("item", "remark", models.TextField(null=True)),
    ]
"""


def _path(name: str) -> str:
    """``shop__views_py`` -> ``shop/views.py``."""
    folder, _, suffix = name.rpartition("_")
    return f"{folder.replace('__', '/')}.{suffix}"


def project(models: str, **more: str) -> ProjectInput:
    files = {
        "shop/__init__.py": "",
        "shop/models.py": textwrap.dedent(models),
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": INITIAL,
        **{_path(name): text for name, text in more.items()},
    }
    return ProjectInput(files, ProjectFacts("site", tuple(sorted(files))))


def refusal(outcome: ProjectOutcome) -> str:
    (found,) = outcome.refusals
    return found.message


def test_a_field_renamed_and_altered_in_migrations_is_converted_from_its_latest_state() -> None:
    outcome = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                remark = models.TextField(null=True)
                code = models.CharField(max_length=2, null=True, default="1")
            """,
            shop__migrations__0002_rename_py=RENAMED,
        )
    )
    assert outcome.refusals == ()
    migration = outcome.writes["shop/migrations/0003_text_fields_not_null.py"]
    assert migration is not None
    assert '("shop", "0002_rename"),' in migration
    assert 'field=models.TextField(blank=True, default=""),' in migration
    # a string default is kept on both sides
    assert 'field=models.CharField(blank=True, default="1", max_length=2),' in migration
    assert outcome.writes["shop/models.py"] == textwrap.dedent(
        """\
        from django.db import models


        class Item(models.Model):
            remark = models.TextField(blank=True, default="")
            code = models.CharField(max_length=2, blank=True, default="1")
        """
    )


@pytest.mark.parametrize(
    ("declaration", "reason"),
    [
        ("models.CharField(max_length=20, null=NULLABLE)", "null=NULLABLE is not a literal True"),
        ("models.CharField(max_length=20, null=True, unique=True)", "unique=True with null=True"),
        (
            "models.CharField(max_length=2, null=True, default=shop.defaults.pick)",
            "its default is not a string in the migrations (shop.defaults.pick)",
        ),
    ],
    ids=["null-variable", "unique", "callable-default"],
)
def test_unsafe_declarations_are_refused(declaration: str, reason: str) -> None:
    name = "other" if "pick" in declaration else "note"
    outcome = transform(
        project(
            f"""\
            from django.db import models
            import shop.defaults


            class Item(models.Model):
                {name} = {declaration}
            """
        )
    )
    assert outcome.writes == {}
    assert reason in refusal(outcome)


@pytest.mark.parametrize(
    ("code", "place"),
    [
        ("Item.objects.filter(note__isnull=False)", "shop/views.py:3 (note__isnull=)"),
        ("Q(**{'order__note__isnull': True})", "shop/views.py:3 ('order__note__isnull')"),
        ("item.note is None", "shop/views.py:3 (.note compared with None)"),
        ("item.note = None", "shop/views.py:3 (.note = None)"),
        ("Item.objects.create(note=None)", "shop/views.py:3 (note=None)"),
        ("Item(note=None)", "shop/views.py:3 (note=None)"),
        (
            "def make(note=None):\n    return Item(note=note)",
            "shop/views.py:4 (note=note, a parameter defaulting to None)",
        ),
        (
            "def make(data):\n    item.note = data.get('note')",
            "shop/views.py:4 (note=data.get('note'), None when the key is missing)",
        ),
        (
            "def make(x):\n    Item.objects.create(note=x if x else None)",
            "shop/views.py:4 (note=a conditional that may give None)",
        ),
        (
            "def copy(item):\n    Item(note=item.due)",
            "shop/views.py:4 (note=item.due, a field that takes NULL)",
        ),
    ],
    ids=[
        "lookup",
        "string-lookup",
        "is-none",
        "assign-none",
        "create-none",
        "constructor",
        "none-parameter",
        "dict-get",
        "conditional",
        "nullable-field",
    ],
)
def test_code_treating_the_field_as_nullable_is_named(code: str, place: str) -> None:
    outcome = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)
                due = models.DateField(null=True)
            """,
            shop__views_py=f"from shop.models import Item\n\n{code}\n",
        )
    )
    assert outcome.writes == {}
    assert f"code treats it as nullable: {place}" in refusal(outcome)


def test_unrelated_none_keywords_and_migrations_are_not_uses() -> None:
    outcome = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)
            """,
            shop__views_py="def render(note=None):\n    return format(note=None)\n",
        )
    )
    assert outcome.refusals == ()
    assert "shop/models.py" in outcome.writes


@pytest.mark.parametrize(
    ("models", "reason"),
    [
        (
            """\
            from django.db import models


            class Base(models.Model):
                note = models.CharField(max_length=20, null=True)

                class Meta:
                    abstract = True
            """,
            "abstract model Base",
        ),
        (
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)

                class Meta:
                    managed = False
            """,
            "Item is not managed by Django",
        ),
        (
            """\
            from django.db import models


            class Item(models.Model):
                code = models.CharField(max_length=2, null=True)

                class Meta:
                    unique_together = [("id", "code")]
            """,
            "part of a unique_together or UniqueConstraint",
        ),
        (
            """\
            from django.db import models


            class Gadget(models.Model):
                note = models.CharField(max_length=20, null=True)
            """,
            "no migration creates Gadget: run makemigrations first",
        ),
        (
            """\
            from django.db import models


            class Item(models.Model):
                label = models.CharField(max_length=20, null=True)
            """,
            "no migration adds Item.label: run makemigrations first",
        ),
    ],
    ids=["abstract", "unmanaged", "unique-together", "model-unknown", "field-unknown"],
)
def test_models_and_migrations_that_do_not_allow_it_are_refused(models: str, reason: str) -> None:
    outcome = transform(project(models))
    assert outcome.writes == {}
    assert reason in refusal(outcome)


def test_several_leaves_are_refused() -> None:
    second = INITIAL.replace("initial = True\n    dependencies = []", "dependencies = []")
    outcome = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)
            """,
            shop__migrations__0002_other_py=second,
        )
    )
    assert "has several leaf migrations (0001_initial, 0002_other)" in refusal(outcome)


def test_fields_named_through_imports_and_aliases_are_text_fields() -> None:
    outcome = transform(
        project(
            """\
            from django.db import models as m
            from django.db.models import TextField, IntegerField


            class Item(m.Model):
                note = TextField(null=True)
                count = IntegerField(null=True)
            """
        )
    )
    # note is a text field however named; count is not one and keeps null=True
    assert outcome.refusals == ()
    assert outcome.writes["shop/models.py"].count("null=True") == 1  # type: ignore[union-attr]


def test_a_second_run_changes_nothing() -> None:
    first = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)
            """
        )
    )
    files = {**project("").files, **{p: t for p, t in first.writes.items() if t is not None}}
    second = transform(ProjectInput(files, ProjectFacts("site", tuple(sorted(files)))))
    assert second.writes == {} and second.refusals == ()


def test_a_null_argument_alone_on_its_line_leaves_the_layout_whole() -> None:
    text = (
        "class A(models.Model):\n    x = models.CharField(\n"
        "        default=X,\n        null=True,\n    )\n"
    )
    assert rewrite_fields(text, {("A", "x"): (False, False)}) == (
        "class A(models.Model):\n    x = models.CharField(\n        default=X,\n    )\n"
    )


def test_a_yaml_fixture_giving_the_field_null_refuses_it() -> None:
    outcome = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)
            """,
            shop__fixtures__items_yaml="- model: shop.item\n  pk: 1\n  fields:\n    note: null\n",
        )
    )
    assert outcome.writes == {}
    assert "the YAML fixture shop/fixtures/items.yaml gives it null" in refusal(outcome)


def test_json_fixture_nulls_of_converted_fields_become_empty_strings() -> None:
    fixture = '[{"model": "shop.item", "pk": 1, "fields": {"note": null, "count": null}}]\n'
    outcome = transform(
        project(
            """\
            from django.db import models


            class Item(models.Model):
                note = models.CharField(max_length=20, null=True)
            """,
            shop__fixtures__items_json=fixture,
        )
    )
    assert outcome.writes["shop/fixtures/items.json"] == fixture.replace(
        '"note": null', '"note": ""'
    )
