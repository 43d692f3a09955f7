"""Breakages found on real projects (issues 15 and 17 of this round), as regression cases for
``--verify``: whether the codemod is fixed or not, what ``--verify`` lets through works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from redpanda_migrate.verify.nginx import NginxCheck, nginx_binary
from redpanda_migrate.verify.scratch import ScratchCopy

CLI = Path(sys.executable).parent / "redpanda-migrate"
PATH = f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin"
SERVER = """server {
    listen 80;
    access_log /var/log/nginx/access.log;
    location / {
        proxy_pass http://web:8000;
    }
}
"""
SETTINGS = """SECRET_KEY = "test"
INSTALLED_APPS = ["django.contrib.contenttypes", "shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "prod"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""
MANAGE = """import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""
MODELS = """from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=50)
"""
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50)),
            ],
        ),
    ]
"""
# a data migration that imports the live model, as babybuddy's do
SEED = """from django.db import migrations


def seed(apps, schema_editor):
    from shop.models import Product

    Product.objects.create(name="first")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": PATH},
        timeout=600,
        check=False,
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is needed")
def test_alternative_nginx_configs_stay_valid_each_on_its_own(tmp_path: Path) -> None:
    # issue 15: nginx/a.conf and nginx/b.conf are alternatives; the $loggable map went into
    # one and `if=$loggable` into both, and b.conf alone no longer started
    project = write(tmp_path / "p", {"nginx/a.conf": SERVER, "nginx/b.conf": SERVER})
    result = cli("run", str(project), "--select", "nginx-probe-logging", "--verify")
    assert result.returncode == 0, result.stderr
    scratch = ScratchCopy(project)
    try:
        binary = nginx_binary()
        assert binary is not None
        probes = NginxCheck(binary, 60).probe(scratch, [])
    finally:
        scratch.close()
    assert sorted(probes) == ["nginx/a.conf", "nginx/b.conf"]
    assert all(probe.ok for probe in probes.values()), probes


def test_timestamps_never_break_a_data_migration_using_live_models(tmp_path: Path) -> None:
    # issue 17: with created_at added, 0002 (live model import) fails on a fresh database
    project = write(
        tmp_path / "p",
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/settings.py": SETTINGS,
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": INITIAL,
            "shop/migrations/0002_seed.py": SEED,
        },
    )
    result = cli(
        "run", str(project), "--select", "model-timestamps", "--verify",
        "--python", sys.executable, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (verification,) = report["verification"]
    # model-timestamps now refuses the model a data migration imports live (issue 17); were it
    # to change it anyway, the fresh migrate check would drop it
    refused = [r for r in report["refusals"] if r["codemod"] == "model-timestamps"]
    assert refused or "manage.py migrate (fresh SQLite)" in verification["ran"]
    for dropped in verification["dropped"]:
        assert dropped["check"] == "manage.py migrate (fresh SQLite)"
        assert any("created_at" in line for line in dropped["output"])
    # what was written still builds a fresh database (the settings' postgres is not used)
    database = tmp_path / "fresh.sqlite3"
    (project / "proj" / "settings.py").write_text(
        SETTINGS.replace('"django.db.backends.postgresql", "NAME": "prod"',
                         f'"django.db.backends.sqlite3", "NAME": "{database}"')
    )  # fmt: skip
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
