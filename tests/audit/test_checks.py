"""The audit's static checks on small projects: each rule fails where the standard is broken."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from harness import run_cli

FILES_BREAKING = {
    "pyproject.toml": (
        '[project]\nname = "shop"\ndependencies = ["Django>=5.2,<6.0", "Pillow>=10,<12"]\n'
    ),
    "requirements.txt": "Django==5.2.7\n",
    ".gitignore": "__pycache__/\n",
    "Dockerfile": "FROM python:3.12\n",
    ".env": "SECRET_KEY=do-not-show-me\n",
    "config/settings.py": (
        "import dj_database_url\n"
        'SECRET_KEY = "literal-key"\n'
        "DEBUG = True\n"
        "DATABASES = {'default': {'PASSWORD': 'hunter2'}}\n"
        "CACHES = {'default': {'BACKEND': "
        "'django.core.cache.backends.memcached.MemcachedCache'}}\n"
    ),
    "shop/models.py": (
        "from django.db import models\n"
        "\n"
        "\n"
        "class Product(models.Model):\n"
        "    name = models.CharField(max_length=20, null=True)\n"
        "    sku = models.CharField(max_length=20, null=True, unique=True)\n"
        "    owner = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
        "\n"
        "    class Meta:\n"
        "        ordering = ['name']\n"
    ),
    "shop/forms.py": (
        "from django import forms\n"
        "from shop.models import Product\n"
        "\n"
        "\n"
        "class ProductForm(forms.ModelForm):\n"
        "    class Meta:\n"
        "        model = Product\n"
        '        fields = "__all__"\n'
        "\n"
        "\n"
        "class OtherForm(forms.ModelForm):\n"
        "    class Meta:\n"
        "        model = Product\n"
        "        exclude = ['sku']\n"
    ),
    "shop/utils.py": (
        "from os.path import *\n"
        "from django.utils.safestring import mark_safe\n"
        "\n"
        "\n"
        "def render(value, seen=[]):\n"
        "    try:\n"
        "        return mark_safe(value)\n"
        "    except:\n"
        "        return mark_safe('<b>ok</b>')\n"
    ),
    "shop/long.py": "x = 1\n" * 1001,
    "shop/migrations/0002_fill.py": (
        "from django.db import migrations\n"
        "\n"
        "\n"
        "def fill(apps, schema_editor):\n"
        "    pass\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(fill)]\n"
    ),
    "shop/templates/shop/page.html": (
        "<html>\n"
        "<style>p {}</style>\n"
        '<p style="color: red" onclick="go()">hi</p>\n'
        "<script>go()</script>\n"
        '<script src="/static/app.js"></script>\n'
        '<form method="post">\n'
        "  <input name=q>\n"
        "</form>\n"
        '<form method="post">{% csrf_token %}</form>\n'
        '<form method="get"></form>\n'
        "</html>\n"
    ),
}

FILES_COMPLIANT = {
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["Django>=5.2,<6.0"]\n',
    ".gitignore": ".env\n",
    "Dockerfile": "FROM python:3.12\n",
    ".dockerignore": ".env\n.git\n",
    ".env.example": "SECRET_KEY=\n",
    "docker-compose.yml": "services:\n  app:\n    environment:\n      - SECRET_KEY=${SECRET_KEY}\n",
    "config/settings.py": (
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\nDEBUG = os.environ.get("DEBUG") == "1"\n'
    ),
    "shop/models.py": (
        "from django.db import models\n"
        "\n"
        "\n"
        "class Product(models.Model):\n"
        '    name = models.CharField(max_length=20, blank=True, default="")\n'
        "    owner = models.ForeignKey(\n"
        "        'auth.User', on_delete=models.CASCADE, related_name='products'\n"
        "    )\n"
        "\n"
        "    def __str__(self):\n"
        "        return self.name\n"
    ),
    "shop/migrations/0002_fill.py": (
        "from django.db import migrations\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(lambda a, s: None, migrations.RunPython.noop)]\n"
    ),
    "shop/templates/shop/page.html": (
        '<link rel="stylesheet" href="/static/app.css">\n'
        '<form method="post">{% csrf_token %}<input name=q></form>\n'
    ),
}

EXPECTED_BREAKING = {
    "bare-except": ("fail", [("shop/utils.py", 8)]),
    "import-star": ("fail", [("shop/utils.py", 1)]),
    "mutable-defaults": ("fail", [("shop/utils.py", 5)]),
    "mark-safe": ("needs-review", [("shop/utils.py", 7)]),
    "file-length": ("fail", [("shop/long.py", None)]),
    "related-name": ("fail", [("shop/models.py", 7)]),
    "model-str": ("fail", [("shop/models.py", 4)]),
    "text-field-null": ("fail", [("shop/models.py", 5), ("shop/models.py", 6)]),
    "meta-ordering": ("needs-review", [("shop/models.py", 10)]),
    "modelform-fields": ("fail", [("shop/forms.py", 8), ("shop/forms.py", 14)]),
    "runpython-reverse": ("fail", [("shop/migrations/0002_fill.py", 9)]),
    "settings-secrets": (
        "fail",
        [("config/settings.py", 2), ("config/settings.py", 3), ("config/settings.py", 4)],
    ),
    "database-env-vars": ("fail", [("config/settings.py", 1)]),
    "memcached-backend": ("fail", [("config/settings.py", 5)]),
    "gitignore": ("fail", [(".gitignore", None)]),
    "dockerignore": ("fail", [("Dockerfile", None)]),
    "env-example": ("fail", [(".env.example", None)]),
    "untrack-env": ("fail", [(".env", None)]),
    "pyproject-dependencies": ("fail", [("requirements.txt", None)]),
    "pillow-only-for-imagefield": ("fail", [("pyproject.toml", None)]),
    "inline-assets": (
        "fail",
        [("shop/templates/shop/page.html", n) for n in (2, 3, 3, 4)],
    ),
    "csrf-token": ("fail", [("shop/templates/shop/page.html", 6)]),
}


def make_project(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A", "-f"], cwd=root, check=True)
    return root


def audit_json(root: Path) -> dict:
    code, stdout, stderr = run_cli("audit", str(root), "--format", "json")
    assert code == 0, stderr
    return json.loads(stdout)


@pytest.fixture(scope="module")
def breaking(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_project(tmp_path_factory.mktemp("breaking"), FILES_BREAKING)
    return {rule["id"]: rule for rule in audit_json(root)["rules"]}


@pytest.fixture(scope="module")
def compliant(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_project(tmp_path_factory.mktemp("compliant"), FILES_COMPLIANT)
    return {rule["id"]: rule for rule in audit_json(root)["rules"]}


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_BREAKING))
def test_each_check_finds_its_places(rule_id: str, breaking: dict) -> None:
    status, places = EXPECTED_BREAKING[rule_id]
    rule = breaking[rule_id]
    assert rule["status"] == status
    found = [p for p in rule["places"] if not p["message"].startswith("`redpanda-migrate run")]
    assert sorted((p["path"], p["line"]) for p in found) == sorted(places)


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_BREAKING))
def test_each_check_passes_a_compliant_project(rule_id: str, compliant: dict) -> None:
    assert compliant[rule_id]["status"] in ("pass", "not-applicable"), compliant[rule_id]


def test_secret_values_never_appear_in_the_scorecard(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES_BREAKING)
    for output_format in ("text", "json", "markdown", "sarif"):
        code, stdout, stderr = run_cli("audit", str(root), "--format", output_format, "-v")
        assert code == 0
        assert "do-not-show-me" not in stdout + stderr
