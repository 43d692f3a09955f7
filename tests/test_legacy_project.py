"""End to end on the bundled example project: every codemod, real git, real Django."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import LEGACY, REPO, manage, run_cli, snapshot


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def legacy_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "legacy"
    shutil.copytree(LEGACY, copy, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    git(copy, "init", "-q")
    git(copy, "add", "-A", "--force")
    git(copy, "commit", "-qm", "legacy")
    return copy


def test_quick_start_dry_run_writes_nothing() -> None:
    before = snapshot(LEGACY)
    result = subprocess.run(
        [Path(sys.executable).parent / "redpanda-migrate", "--dry-run", str(LEGACY)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"},
    )
    assert result.returncode == 0, result.stderr
    assert "diff --git a/pyproject.toml b/pyproject.toml" in result.stdout
    assert "Traceback" not in result.stderr
    assert snapshot(LEGACY) == before


def test_the_legacy_suite_passes_before_migration(legacy_copy: Path) -> None:
    result = manage(legacy_copy, "test", "--noinput")
    assert result.returncode == 0, result.stderr


def test_migration_end_to_end(legacy_copy: Path) -> None:
    code, patch, _ = run_cli("run", str(legacy_copy), "--dry-run")
    assert code == 0 and patch
    assert git(legacy_copy, "status", "--porcelain") == ""  # the dry run wrote nothing
    # settings-secrets moves the literal SECRET_KEY fallback out: the patch shows *** there, so
    # that file's hunks cannot apply; every other file's can
    settings = "project/config/settings.py"
    old_key = re.search(r'"SECRET_KEY", "([^"]+)"', (legacy_copy / settings).read_text())[1]
    assert old_key not in patch and "***" in patch
    subprocess.run(
        ["git", "apply", f"--exclude={settings}", "-"],
        cwd=legacy_copy,
        input=patch,
        text=True,
        check=True,
    )
    applied = snapshot(legacy_copy)
    git(legacy_copy, "checkout", "-q", ".")
    git(legacy_copy, "clean", "-qfd")

    assert run_cli("run", str(legacy_copy), "--check")[0] == 1
    code, stdout, stderr = run_cli("run", str(legacy_copy), "--format", "json")
    assert code == 0, stdout + stderr
    report = json.loads(stdout)
    assert set(report) == {"changes", "notes", "refusals", "errors", "skipped", "untracked"}
    assert report["errors"] == []
    migrated = snapshot(legacy_copy)
    visible = {
        p: data for p, data in migrated.items() if not p.startswith(".env") and p != settings
    }
    assert visible == {
        p: data for p, data in applied.items() if not p.startswith(".env") and p != settings
    }

    assert run_cli("run", str(legacy_copy), "--check")[0] == 0
    assert run_cli("run", str(legacy_copy))[0] == 0
    assert snapshot(legacy_copy) == migrated

    # settings-secrets: SECRET_KEY has no fallback any more, as in a deployment
    missing = manage(legacy_copy, "check")
    assert missing.returncode != 0 and "KeyError: 'SECRET_KEY'" in missing.stderr
    key = {"SECRET_KEY": "test-only-key"}
    tests = manage(legacy_copy, "test", "--noinput", extra_env=key)
    assert tests.returncode == 0, tests.stderr
    check = manage(legacy_copy, "makemigrations", "--check", "--dry-run", extra_env=key)
    assert check.returncode == 0, check.stdout + check.stderr
    migrate = manage(legacy_copy, "migrate", "--noinput", extra_env=key)
    assert migrate.returncode == 0, migrate.stderr


def test_the_tool_repository_passes_its_own_rules() -> None:
    code, stdout, stderr = run_cli("run", str(REPO), "--check", "--format", "json")
    assert code == 0, stdout + stderr
    report = json.loads(stdout)
    assert report == {
        "changes": [],
        "notes": [],
        "refusals": [],
        "errors": [],
        "skipped": [],
        "untracked": [],
    }
