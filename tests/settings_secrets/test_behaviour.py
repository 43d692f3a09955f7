"""settings-secrets: old secrets never shown, and the policy holds under real Django.

The fixture trees' settings (``after/`` is the codemod's output, see ``tests/test_fixtures.py``)
are loaded by Django 5.2 in a subprocess; the CLI's outputs (patch, reports, commit messages)
and the outcome cache are searched for the old literals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness import FIXTURES, copy_tree, run_cli

CASES = FIXTURES / "settings-secrets"
OLD_SECRETS = (
    "django-insecure-old-fixture-key-0123456789abcdef",
    "fixture-db-password-42",
    "fixture-mail-password-42",
)
PROBE = """
import json, os, sys
import django
from django.conf import settings
try:
    django.setup()
    answer = {"debug": settings.DEBUG, "key": settings.SECRET_KEY}
except Exception as error:
    answer = {"error": type(error).__name__, "message": str(error)}
print(json.dumps(answer))
"""


def load(root: Path, module: str, environment: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if "SECRET_KEY" not in k and k != "DEBUG"}
    env |= {"DJANGO_SETTINGS_MODULE": module, "PYTHONPATH": str(root)} | environment
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_single_settings_need_the_key_and_keep_debug_off() -> None:
    after = CASES / "single-settings" / "after"
    missing = load(after, "config.settings", {})
    assert missing["error"] == "KeyError" and "SECRET_KEY" in missing["message"]
    assert load(after, "config.settings", {"SECRET_KEY": "k1"}) == {"debug": False, "key": "k1"}
    on = load(after, "config.settings", {"SECRET_KEY": "k1", "DEBUG": "True"})
    assert on["debug"] is True
    before = load(CASES / "single-settings" / "before", "config.settings", {})
    assert before["debug"] is True  # what the project did: DEBUG on everywhere


def test_split_settings_keep_development_working_and_production_strict() -> None:
    after = CASES / "split-settings" / "after"
    dev = load(after, "shop.settings.dev", {})
    assert dev == {"debug": True, "key": "django-insecure-development-only"}
    production = load(after, "shop.settings.production", {})
    assert production["error"] == "ImproperlyConfigured"
    assert "SECRET_KEY setting must not be empty" in production["message"]
    assert load(after, "shop.settings.production", {"SECRET_KEY": "k2"}) == {
        "debug": False,
        "key": "k2",
    }


def git(root: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@t"]
    return subprocess.run(
        ["git", *identity, *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def test_old_secrets_never_appear_in_any_output(tmp_path: Path) -> None:
    project = copy_tree(CASES / "single-settings" / "before", tmp_path / "project")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "start")
    outputs = []
    for args in (
        ("--dry-run",),
        ("--dry-run", "--format", "json"),
        ("--dry-run", "--format", "sarif"),
        ("--dry-run", "--verbose"),
        ("--check",),
    ):
        code, stdout, stderr = run_cli("run", str(project), "--select", "settings-secrets", *args)
        outputs.append(stdout + stderr)
    assert "***" in outputs[0]  # the patch shows where a secret left
    code, stdout, stderr = run_cli("run", str(project), "--select", "settings-secrets", "--commit")
    assert code == 0, stderr
    outputs.append(stdout + stderr)
    outputs.append(git(project, "log", "-1", "--format=%B"))
    audit = run_cli("audit", str(tmp_path / "project"), "--format", "json", "-v")
    outputs.append(audit[1] + audit[2])
    cache = Path(os.environ["XDG_CACHE_HOME"])
    outputs += [p.read_text(errors="replace") for p in cache.rglob("*") if p.is_file()]
    for output in outputs:
        for secret in OLD_SECRETS:
            assert secret not in output
    # the settings module itself no longer holds them either
    settings = (project / "config" / "settings.py").read_text()
    assert not any(secret in settings for secret in OLD_SECRETS)
