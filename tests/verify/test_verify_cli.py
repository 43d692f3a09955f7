"""``--verify`` end to end: plug-in codemods break the legacy project on purpose, each in one
way, next to sound ones; real Django, real ``docker-compose config``, real ``nginx -t``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import LEGACY, snapshot

from tests.verify.verify_plugin import install_plugin

CLI = Path(sys.executable).parent / "redpanda-migrate"
PATH = f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin"
needs_tools = pytest.mark.skipif(
    not (shutil.which("nginx", path=PATH) and shutil.which("docker-compose", path=PATH)),
    reason="nginx and docker-compose are needed",
)
BREAKERS = {
    "verify-break-check": "manage.py check",
    "verify-break-makemigrations": "manage.py makemigrations --check --dry-run",
    "verify-break-migrate": "manage.py migrate (fresh SQLite)",
    "verify-break-compose": "docker-compose config docker-compose.yml",
    "verify-break-nginx": "nginx -t nginx/shop.conf",
}
SOUND = ("verify-sound-first", "verify-sound-last")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def plugin_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    folder = install_plugin(tmp_path / "plugin")
    monkeypatch.setenv("PYTHONPATH", str(folder))
    monkeypatch.setenv("PATH", PATH)
    return {**os.environ}


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    copy = tmp_path / "legacy"
    shutil.copytree(LEGACY, copy, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    git(copy, "init", "-q")
    git(copy, "add", "-A", "--force")
    git(copy, "commit", "-qm", "legacy")
    return copy


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


@needs_tools
def test_dry_run_verify_leaves_out_every_breaking_codemod(
    legacy: Path, plugin_env: dict[str, str]
) -> None:
    before = snapshot(legacy)
    ids = ",".join([*SOUND, *BREAKERS])
    result = cli(
        plugin_env, "run", str(legacy), "--select", ids, "--dry-run", "--verify",
        "--python", sys.executable, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert snapshot(legacy) == before  # nothing written, not even by the checks
    (verification,) = report["verification"]
    dropped = {item["codemod"]: item["check"] for item in verification["dropped"]}
    assert dropped == BREAKERS
    assert verification["sound"] == list(SOUND)
    assert {change["codemod"] for change in report["changes"]} == set(SOUND)
    reasons = {r["codemod"]: r["reason"] for r in report["refusals"]}
    assert "fields.E300" in reasons["verify-break-check"]  # Django's own message
    assert "VerifyUnmigrated" in reasons["verify-break-makemigrations"]
    assert "no_such_table" in reasons["verify-break-migrate"]
    assert "SECRET_KEY changes value" in reasons["verify-break-compose"]
    assert 'duplicate location "/static/"' in reasons["verify-break-nginx"]
    assert "nginx/shop.conf:" in reasons["verify-break-nginx"]  # the project's own path
    # the patch holds exactly the sound codemods' changes, re-planned without the others
    patch = cli(
        plugin_env, "run", str(legacy), "--select", ids, "--dry-run", "--verify",
        "--python", sys.executable,
    ).stdout  # fmt: skip
    assert "checked by verify-sound-last" in patch and "VerifyBroken" not in patch
    assert "VerifyUnmigrated" not in patch and "0099_verify_broken" not in patch
    subprocess.run(["git", "apply", "--check", "-"], cwd=legacy, input=patch, text=True, check=True)


@needs_tools
def test_run_verify_writes_only_the_sound_codemods(
    legacy: Path, plugin_env: dict[str, str]
) -> None:
    ids = ",".join([*SOUND, "verify-break-check", "verify-break-compose", "verify-break-nginx"])
    before = snapshot(legacy)
    result = cli(
        plugin_env,
        "run",
        str(legacy),
        "--select",
        ids,
        "--verify",
        "--python",
        sys.executable,
        "--verbose",
    )
    assert result.returncode == 0, result.stderr
    after = snapshot(legacy)
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert changed == ["project/config/urls.py", "project/shop/models.py"]
    assert after["project/shop/models.py"].endswith(b"# checked by verify-sound-last\n")
    assert b"VerifyBroken" not in after["project/shop/models.py"]
    assert "[verify-break-check] left out by --verify: `manage.py check` passed" in result.stderr
    assert "[verify-break-nginx] left out by --verify: `nginx -t nginx/shop.conf`" in result.stderr
    assert "verify: ran byte-compile (" in result.stderr
    assert "verify: left out verify-break-check, verify-break-compose, verify-break-nginx" in (
        result.stderr
    )
    # the project's own suite still passes on what was written
    suite = subprocess.run(
        [sys.executable, "manage.py", "test", "--noinput"],
        cwd=legacy / "project",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert suite.returncode == 0, suite.stderr


def test_without_verify_the_run_stays_static(legacy: Path, plugin_env: dict[str, str]) -> None:
    result = cli(plugin_env, "run", str(legacy), "--select", "verify-break-check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "VerifyBroken" in result.stdout and "verify:" not in result.stderr


def test_verify_flags_are_checked(legacy: Path, plugin_env: dict[str, str]) -> None:
    result = cli(plugin_env, "run", str(legacy), "--python", sys.executable)
    assert result.returncode == 2 and "--python goes with --verify" in result.stderr
    result = cli(plugin_env, "run", str(legacy), "--verify", "--python", "/nonexistent/python")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--python /nonexistent/python: no such file" in result.stderr


def test_django_checks_are_skipped_without_an_interpreter(
    legacy: Path, plugin_env: dict[str, str]
) -> None:
    result = cli(
        plugin_env, "run", str(legacy), "--select", "verify-break-check", "--dry-run", "--verify"
    )
    assert result.returncode == 0, result.stderr
    assert "verify: skipped Django checks: no interpreter for the project" in result.stderr
    # byte-compile still ran, and passed: the broken model is valid Python
    assert "VerifyBroken" in result.stdout


def test_project_test_command_output_is_scrubbed_of_env_values(
    tmp_path: Path, plugin_env: dict[str, str]
) -> None:
    project = tmp_path / "small"
    project.mkdir()
    secret = "s3cr3t-value-from-dotenv"
    (project / ".env").write_text(f"API_TOKEN={secret}\n")
    (project / "notes.txt").write_text("a file for the plug-in to look at\n")
    (project / "check_env.py").write_text(
        "import os, sys\nprint(open('.env').read())\nsys.exit(os.path.exists('BROKEN.txt'))\n"
    )
    (project / "pyproject.toml").write_text(
        '[tool.redpanda-migrate]\nverify-command = "python check_env.py"\n'
    )
    result = cli(
        plugin_env, "run", str(project), "--select", "verify-break-command", "--verify",
        "--python", sys.executable, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not (project / "BROKEN.txt").exists()
    (refusal,) = json.loads(result.stdout)["refusals"]
    assert "verify-command `python check_env.py`" in refusal["reason"]
    assert "API_TOKEN=***" in refusal["reason"]
    assert secret not in result.stdout + result.stderr


@needs_tools
def test_commit_and_check_with_verify(legacy: Path, plugin_env: dict[str, str]) -> None:
    ids = "verify-sound-first,verify-break-nginx"
    check = cli(plugin_env, "run", str(legacy), "--select", ids, "--check", "--verify", "-v")
    assert check.returncode == 1, check.stderr  # the sound codemod is pending
    assert "[verify-break-nginx] left out by --verify" in check.stderr
    env = {**plugin_env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    result = cli(env, "run", str(legacy), "--select", ids, "--commit", "--verify")
    assert result.returncode == 0, result.stderr
    log = git(legacy, "log", "--format=%s", "-n", "2").splitlines()
    assert "verify-sound-first" in log[0] and log[1] == "legacy"
    assert git(legacy, "status", "--porcelain") == ""
    assert b"location /static/ {\n    }" not in (legacy / "nginx/shop.conf").read_bytes()


@needs_tools
def test_interactive_verify_offers_only_the_sound_codemods(
    legacy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redpanda_migrate import registry
    from redpanda_migrate.commands import run as cli_module
    from tests.verify import verify_plugin

    fakes = (verify_plugin.SOUND_FIRST, verify_plugin.BREAK_NGINX)
    monkeypatch.setattr(registry, "all_codemods", lambda: fakes)
    monkeypatch.setenv("PATH", PATH)
    ids = ["verify-sound-first", "verify-break-nginx"]
    select, skip = cli_module._verify_then_select(legacy, ids, None, None, None)
    assert skip == ["verify-break-nginx"]
    assert select is not None and set(select) == set(ids)
    assert [c.id for c in registry.select_codemods(select, skip)] == ["verify-sound-first"]
