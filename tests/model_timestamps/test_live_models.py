"""Migrations naming live model classes are found, however they import them."""

from __future__ import annotations

from redpanda_migrate.codemods.model_timestamps.live_models import live_model_uses, may_import

MODELS = {"core.models", "core.models.sleep"}


def uses(text: str) -> set[tuple[str, str]]:
    found = live_model_uses(
        {"core/migrations/0002_x.py": text}, ("",), lambda dotted: dotted in MODELS
    )
    return {(module, use.name) for module, all_uses in found.items() for use in all_uses}


def test_every_spelling_of_a_live_import() -> None:
    text = (
        "from django.db import migrations, models\n"
        "import core.models\n"
        "def forwards(apps, schema_editor):\n"
        "    from core import models\n"
        "    from ..models import Timer\n"
        "    from core.models.sleep import Sleep as S\n"
        "    models.Child.objects.all()\n"
        "    core.models.Note.objects.all()\n"
        "field = models.CharField(default=core.models.random_color)\n"
    )
    assert uses(text) == {
        ("core.models", "Child"),
        ("core.models", "CharField"),  # the caller keeps only the app's model classes
        ("core.models", "Note"),
        ("core.models", "random_color"),
        ("core.models", "Timer"),
        ("core.models.sleep", "Sleep"),
    }


def test_a_bare_models_module_means_every_model() -> None:
    assert uses("def f(apps, e):\n    from core import models\n    run(models)\n") == {
        ("core.models", "*")
    }


def test_apps_get_model_and_other_modules_are_fine() -> None:
    text = (
        "from core.utils import helper\n"
        "def f(apps, e):\n    apps.get_model('core', 'Timer').objects.all()\n"
    )
    assert uses(text) == set()


def test_may_import_is_false_only_when_no_import_can_name_the_app() -> None:
    path = "shop/migrations/0002_x.py"
    header = "from django.db import migrations, models\n"
    only_strings = header + 'dependencies = [("core", "0001_initial")]\nto = "core.Timer"\n'
    assert not may_import(path, only_strings, {"core"})
    assert may_import(path, header + "from core.models import Timer\n", {"core"})
    assert may_import(path, header + "def f():\n    import core.models as m\n", {"core"})
    # a relative import climbs through the migration's own packages
    assert may_import(path, header + "from ..models import Item\n", {"shop"})
    assert not may_import(path, header + "from ..models import Item\n", {"core"})
    # the module may sit on another line than the import keyword: read it
    assert may_import(path, header + "from core.models \\\n    import Timer\n", {"core"})
    assert may_import(path, header + "import \\\n    core.models\n", {"core"})
