"""model-timestamps on a small project run by real Django: what broke real projects' suites.

The project is made by Django itself (``makemigrations`` writes its first migration), then
given what babybuddy, wger and django-helpdesk have: data migrations using the live models
(``from core import models``, ``from core.models import Sleep``), fixtures loaded raw by
``loaddata``, a django-simple-history ``HistoricalRecords()``, and a migration whose
dependencies are ``[...] + setting``. After the codemod, a fresh ``migrate`` must work, the
fixtures must load, saving a model with history must work, and ``makemigrations --check``
must see no drift.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import run_codemod

pytest.importorskip("simple_history")

SETTINGS = """\
SECRET_KEY = "test"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "simple_history",
    "core",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""
MANAGE = """\
import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
execute_from_command_line(sys.argv)
"""
MODELS = """\
from django.db import models
from simple_history.models import HistoricalRecords


class Child(models.Model):
    name = models.CharField(max_length=50)


class Timer(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE)
    active = models.BooleanField(default=True)


class Sleep(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE)
    nap = models.BooleanField(default=False)

    def save(self, *args, **kwargs):
        self.nap = True
        super().save(*args, **kwargs)


class Alias(models.Model):
    alias = models.CharField(max_length=50)
    history = HistoricalRecords()
"""
LIVE_TIMERS = """\
from django.db import migrations


def delete_inactive_timers(apps, schema_editor):
    from core import models

    for timer in models.Timer.objects.filter(active=False):
        timer.delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(delete_inactive_timers, migrations.RunPython.noop)]
"""
LIVE_SLEEP = """\
from django.db import migrations

EXTRA_DEPENDENCIES = []


def set_naps(apps, schema_editor):
    # the live model, so that its save() runs
    from core.models import Sleep

    for sleep in Sleep.objects.all():
        sleep.save()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_live_timers")] + EXTRA_DEPENDENCIES

    operations = [migrations.RunPython(set_naps, migrations.RunPython.noop)]
"""
ROWS = [
    {"model": "core.child", "pk": 1, "fields": {"name": "Ada"}},
    {"model": "core.timer", "pk": 1, "fields": {"child": 1, "active": True}},
    {"model": "core.sleep", "pk": 1, "fields": {"child": 1, "nap": False}},
    {"model": "core.alias", "pk": 1, "fields": {"alias": "ada"}},
]


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


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    project = tmp_path_factory.mktemp("babyproject")
    (project / "settings.py").write_text(SETTINGS)
    (project / "manage.py").write_text(MANAGE)
    (project / "core/migrations").mkdir(parents=True)
    (project / "core/fixtures").mkdir()
    for init in ("core/__init__.py", "core/migrations/__init__.py"):
        (project / init).write_text("")
    (project / "core/models.py").write_text(MODELS)
    made = manage(project, "makemigrations", "core")
    assert made.returncode == 0, made.stderr
    (project / "core/migrations/0002_live_timers.py").write_text(LIVE_TIMERS)
    (project / "core/migrations/0003_live_sleep.py").write_text(LIVE_SLEEP)
    (project / "core/fixtures/family.json").write_text(json.dumps(ROWS, indent=4) + "\n")
    before = manage(project, "migrate")
    assert before.returncode == 0, before.stderr
    (project / "db.sqlite3").unlink()
    code, report = run_codemod(project, "model-timestamps")
    assert code == 0, report
    return project, report


def test_models_used_live_by_migrations_are_refused(migrated: tuple[Path, dict]) -> None:
    project, report = migrated
    reasons = {r["line"]: r["reason"] for r in report["refusals"]}
    assert sorted(reasons) == [9, 14]  # Timer, Sleep
    assert "core/migrations/0002_live_timers.py:5 (from core import models)" in reasons[9]
    assert "core/migrations/0003_live_sleep.py:8 (from core.models import Sleep)" in reasons[14]
    models = (project / "core/models.py").read_text()
    assert models.count("created_at = models.DateTimeField(auto_now_add=True)") == 2


def test_fresh_migrate_fixtures_history_and_no_drift(migrated: tuple[Path, dict]) -> None:
    project, _ = migrated
    for command in (
        ["migrate"],
        ["loaddata", "family"],
        ["makemigrations", "--check", "--dry-run"],
        ["shell", "-c", "from core.models import Alias; Alias.objects.create(alias='b')"],
    ):
        result = manage(project, *command)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    check = manage(
        project,
        "shell",
        "-c",
        "from core.models import Alias, Child; "
        "print(Alias.history.count(), Child.objects.get().created_at.isoformat())",
    )
    # the last line: Django 5.2's shell first says how many objects it imported
    assert check.stdout.splitlines()[-1].split() == ["1", "2000-01-01T00:00:00+00:00"]


def test_fixture_keeps_its_layout(migrated: tuple[Path, dict]) -> None:
    project, _ = migrated
    text = (project / "core/fixtures/family.json").read_text()
    stamps = {"created_at": "2000-01-01T00:00:00Z", "updated_at": "2000-01-01T00:00:00Z"}
    changed = ("core.child", "core.alias")
    expected = [
        {**row, "fields": {**row["fields"], **stamps}} if row["model"] in changed else row
        for row in ROWS
    ]
    assert text == json.dumps(expected, indent=4) + "\n"
