"""Unit tests of model-timestamps' helpers: reading models, migrations, and editing classes."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from redpanda_migrate.codemods.model_timestamps.codemod import (
    app_folder,
    app_label,
    is_models_module,
    source_roots,
)
from redpanda_migrate.codemods.model_timestamps.edit import (
    add_fields,
    datetime_field_callee,
    insert_name,
)
from redpanda_migrate.codemods.model_timestamps.inheritance import ProjectModules
from redpanda_migrate.codemods.model_timestamps.kinds import judge
from redpanda_migrate.codemods.model_timestamps.known_bases import canonical_name, known_not_model
from redpanda_migrate.codemods.model_timestamps.reading import read_module
from redpanda_migrate.codemods.model_timestamps.source import module_dotted_name

from redpanda_migrate.codemod import InputError


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def verdicts(files: dict[str, str], path: str = "app/models.py") -> dict[str, object]:
    modules = ProjectModules({p: dedent(t) for p, t in files.items()}, ("",))
    module = modules.by_path(path)
    return {name: judge(modules, module, info) for name, info in module.classes.items()}


# -- paths, labels, roots -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("shop/models.py", True),
        ("shop/models/order.py", True),
        ("shop/models/__init__.py", True),
        ("shop/migrations/models.py", False),
        ("shop/views.py", False),
        ("models.txt", False),
    ],
)
def test_is_models_module(path: str, expected: bool) -> None:
    assert is_models_module(path) is expected


def test_app_folder() -> None:
    assert app_folder("shop/models.py") == "shop"
    assert app_folder("src/shop/models/order.py") == "src/shop"
    assert app_folder("models.py") == ""


def test_app_label_reads_apps_py_or_uses_the_folder() -> None:
    apps = 'class C(AppConfig):\n    name = "x.shop"\n    label = "store"\n'
    assert app_label("x/shop", {"x/shop/apps.py": apps}, "root") == "store"
    assert app_label("x/shop", {}, "root") == "shop"


def test_source_roots_and_dotted_names() -> None:
    roots = source_roots(("project/manage.py", "manage.py"))
    assert roots == ("", "project", "src")
    assert module_dotted_name("project/shop/models.py", roots) == ("shop.models", False)
    assert module_dotted_name("project/shop/models/__init__.py", roots) == ("shop.models", True)


def test_relative_imports_resolve_against_the_package() -> None:
    module = read_module(
        "shop/models/order.py", "from . import base\nfrom ..core import X as Y\n", ("",)
    )
    assert module.imports == {"base": "shop.models.base", "Y": "shop.core.X"}


def test_syntax_error_is_an_input_error_naming_the_file() -> None:
    with pytest.raises(InputError) as raised:
        read_module("shop/models.py", "class A(:\n", ("",))
    assert raised.value.path == "shop/models.py"
    assert raised.value.line == 1


# -- model kinds ----------------------------------------------------------------------------


def test_plain_model_gets_both_fields_and_non_models_are_ignored() -> None:
    found = verdicts(
        {
            "app/models.py": """
                from django.db import models

                class Status(models.TextChoices):
                    OPEN = "open"

                class Thing(models.Model):
                    status = models.CharField(max_length=4, choices=Status.choices)

                class Helper:
                    pass
            """
        }
    )
    assert found["Status"] is None and found["Helper"] is None
    assert found["Thing"].add == ("created_at", "updated_at")


def test_gis_models_and_contrib_concrete_parents() -> None:
    found = verdicts(
        {
            "app/models.py": """
                from django.contrib.gis.db import models
                from django.contrib.sites.models import Site
                from django.contrib.auth.models import AbstractUser, UserManager

                class Place(models.Model):
                    point = models.PointField()

                class Branch(Site):
                    pass

                class User(AbstractUser):
                    pass

                class Manager(UserManager):
                    pass
            """
        }
    )
    assert found["Place"].add == ("created_at", "updated_at")
    assert "multi-table inheritance" in found["Branch"].notes[0]
    assert found["User"].add == ("updated_at",)
    assert "date_joined (from django.contrib.auth.models.AbstractUser)" in found["User"].notes[0]
    assert found["Manager"] is None


THIRD_PARTY = """
    from django.db import models
    from mezzanine.pages.models import Displayable
    from wagtail import blocks
    from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormSubmission
    from wagtail.core.models import Orderable as OldOrderable
    from wagtail.models import DraftStateMixin, Page, PreviewableMixin
    from wagtail.models.revisions import RevisionMixin

    class Card(blocks.StructBlock):
        title = blocks.CharBlock()

    class Snippet(DraftStateMixin, RevisionMixin, PreviewableMixin, models.Model):
        pass

    class Slide(OldOrderable):
        pass

    class Base(Page):
        class Meta:
            abstract = True

    class News(Base):
        pass

    class Contact(AbstractEmailForm):
        pass

    class Promo(Displayable, Page):
        pass

    class Event(Displayable, OldOrderable):
        pass

    class Submission(AbstractFormSubmission):
        pass
"""


def test_well_known_third_party_bases_are_static_facts() -> None:
    found = verdicts({"app/models.py": THIRD_PARTY})
    assert found["Card"] is None and found["Base"] is None
    assert found["Snippet"].add == found["Slide"].add == ("created_at", "updated_at")
    for name, parent in (
        ("News", "wagtail.models.Page"),
        ("Contact", "wagtail.models.Page (through wagtail.contrib.forms.models.Abstract"),
        ("Promo", "wagtail.models.Page"),
    ):
        assert found[name].refusal is None
        assert f"inherits from the concrete model {parent}" in found[name].notes[0]
    assert found["Event"].refusal.startswith("Event inherits from mezzanine.pages.models.Disp")
    assert "OldOrderable" not in found["Event"].refusal
    assert found["Submission"].add == ("updated_at",)
    assert "submit_time (from wagtail.contrib.forms" in found["Submission"].notes[0]


@pytest.mark.parametrize(
    ("qualified", "expected"),
    [
        ("wagtail.core.models.Page", "wagtail.models.Page"),
        ("wagtail.models.pages.Page", "wagtail.models.Page"),
        ("wagtail.core.models.i18n.TranslatableMixin", "wagtail.models.TranslatableMixin"),
        ("treebeard.mp_tree.MP_Node", "treebeard.mp_tree.MP_Node"),
    ],
)
def test_canonical_name_accepts_both_wagtail_spellings(qualified: str, expected: str) -> None:
    assert canonical_name(qualified) == expected


@pytest.mark.parametrize(
    ("qualified", "expected"),
    [
        ("wagtail.blocks.StructValue", True),
        ("wagtail.core.blocks.StructBlock", True),
        ("wagtail.images.blocks.ImageChooserBlock", True),
        ("wagtail.search.index.Indexed", True),
        ("wagtail.models.Orderable", False),
        ("otherlib.blocks.Thing", False),
    ],
)
def test_known_not_model(qualified: str, expected: bool) -> None:
    assert known_not_model(qualified) is expected


def test_meta_that_is_not_a_literal_is_refused() -> None:
    found = verdicts(
        {
            "app/models.py": """
                from django.conf import settings
                from django.db import models

                class Mirror(models.Model):
                    class Meta:
                        managed = settings.MANAGE_MIRRORS
            """
        }
    )
    assert "Meta.managed is not a literal" in found["Mirror"].refusal


def test_abstract_base_in_another_module_through_a_re_export() -> None:
    files = {
        "core/__init__.py": "from .base import Stamped\n",
        "core/base.py": """
            from django.db import models

            class Stamped(models.Model):
                created_at = models.DateTimeField(auto_now_add=True)
                updated_at = models.DateTimeField(auto_now=True)

                class Meta:
                    abstract = True
        """,
        "app/models.py": """
            from core import Stamped

            class Thing(Stamped):
                pass
        """,
    }
    assert verdicts(files)["Thing"].add == ()


def test_cyclic_bases_are_refused_not_looped_on() -> None:
    found = verdicts({"app/models.py": "from app.models import A\n\nclass A(A):\n    pass\n"})
    assert "cannot tell statically" in found["A"].refusal


# -- migrations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from django.db import models\n", ("models.DateTimeField", None)),
        ("from django.db import models as m\n", ("m.DateTimeField", None)),
        ("from django.contrib.gis.db import models\n", ("models.DateTimeField", None)),
        ("from django.db.models import DateTimeField as DTF\n", ("DTF", None)),
        ("from django.db.models import Model\n", ("DateTimeField", "django.db.models")),
        ("import os\n", ("models.DateTimeField", "django.db")),
        ("from . import models\n", None),
    ],
)
def test_datetime_field_callee(source: str, expected: object) -> None:
    assert datetime_field_callee(read_module("app/models.py", source, ("",))) == expected


def test_insert_name_keeps_a_parenthesised_layout() -> None:
    source = "from django.db.models import (\n    CharField,\n    Model,\n)\n"
    module = cst.parse_module(source)
    statement = module.body[0]
    new = insert_name(statement.body[0], "DateTimeField")
    text = module.with_changes(body=[statement.with_changes(body=[new])]).code
    assert (
        text
        == "from django.db.models import (\n    CharField,\n    DateTimeField,\n    Model,\n)\n"
    )


def test_add_fields_touches_only_top_level_classes() -> None:
    source = dedent(
        """
        from django.db import models


        class Outer(models.Model):
            class Thing:
                pass

            name = models.CharField(max_length=10)  # keep me
        """
    )
    lines = ["created_at = models.DateTimeField(auto_now_add=True)"]
    result = add_fields(cst.parse_module(source), {"Outer": lines, "Thing": lines}, None)
    assert result == source.replace(
        "  # keep me\n", "  # keep me\n    created_at = models.DateTimeField(auto_now_add=True)\n"
    )


def test_contrib_abstract_bases_are_abstract_models() -> None:
    found = verdicts(
        {
            "app/models.py": """
                from django.contrib.sessions.base_session import AbstractBaseSession

                class Session(AbstractBaseSession):
                    pass
            """
        }
    )
    assert found["Session"].add == ("created_at", "updated_at")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("    pass\n", "    created_at = X()\n"),
        ("    ...\n", "    created_at = X()\n"),
        ("    pass  # TODO\n", "    pass  # TODO\n    created_at = X()\n"),
        (
            '    """Doc."""\n\n    def f(self):\n        pass\n',
            '    """Doc."""\n\n    created_at = X()\n\n    def f(self):\n        pass\n',
        ),
        (
            "    def f(self):\n        pass\n",
            "    created_at = X()\n\n    def f(self):\n        pass\n",
        ),
    ],
)
def test_placement_in_bodies_without_fields(body: str, expected: str) -> None:
    source = "class A(models.Model):\n" + body
    result = add_fields(cst.parse_module(source), {"A": ["created_at = X()"]}, None)
    assert result == "class A(models.Model):\n" + expected
