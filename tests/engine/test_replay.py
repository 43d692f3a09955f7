"""A preview of an unchanged project is answered from the stored plan, never wrongly."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from harness import FIXTURES, LEGACY, copy_tree, run_cli

import redpanda_migrate.runner
from redpanda_migrate.replay import RACY_SECONDS

SECRET_VALUES = ("legacy-demo-secret-4f9a1c", "legacy-demo-db-password-77")
HIDDEN_LITERAL = "django-insecure-old-fixture-key-0123456789abcdef"


def age(root: Path, seconds: float = 3600) -> None:
    """Date every file back, as a project nobody edited in the last hour."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (then, then), follow_symlinks=False)


def preview(project: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli("run", str(project), "--dry-run", *extra)


class Recorder:
    """Counts the runs that really read the project (facts are built from its files)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs = 0
        build = redpanda_migrate.runner.build_facts

        def counting(*args, **kwargs):
            self.runs += 1
            return build(*args, **kwargs)

        monkeypatch.setattr(redpanda_migrate.runner, "build_facts", counting)


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    project = copy_tree(LEGACY, tmp_path / "legacy")
    age(project)
    return project


def test_an_unchanged_project_is_answered_from_the_stored_plan(
    legacy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch)
    first = preview(legacy)
    assert first[0] == 0 and "+++ b/" in first[1]
    assert preview(legacy) == first
    assert preview(legacy, "--format", "json")[1] == preview(legacy, "--format", "json")[1]
    # --check answers from it too: changes pending, exit 1
    assert run_cli("run", str(legacy), "--check")[0] == 1
    # text, JSON and --check are rendered from the same stored plan
    assert recorder.runs == 1


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda p: (p / "project/config/settings.py").write_text("X = 1\n"), id="edited"
        ),
        pytest.param(lambda p: (p / "project/extra.py").write_text("Y = 2\n"), id="added"),
        pytest.param(lambda p: (p / "requirements.txt").unlink(), id="deleted"),
        pytest.param(
            lambda p: (p / "pyproject.toml").write_text(
                (p / "pyproject.toml").read_text()
                + '\n[tool.redpanda-migrate]\nskip = ["nginx-resolver"]\n'
            ),
            id="configured",
        ),
    ],
)
def test_any_change_to_what_the_plan_depends_on_runs_again(
    legacy: Path, monkeypatch: pytest.MonkeyPatch, edit
) -> None:
    recorder = Recorder(monkeypatch)
    preview(legacy)
    edit(legacy)
    age(legacy)  # even dated back: size, inode or change time tell
    fresh = run_cli("run", str(legacy), "--dry-run", "--no-cache")
    assert preview(legacy) == fresh
    assert recorder.runs == 3


def test_a_same_size_edit_dated_back_is_seen(legacy: Path, monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch)
    settings = legacy / "project" / "config" / "settings.py"
    preview(legacy)
    status = settings.stat()
    text = settings.read_text()
    settings.write_text(text.replace('"False") == "True"', '"True") == "False"'))  # same size
    os.utime(settings, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert settings.stat().st_size == status.st_size
    assert preview(legacy) == run_cli("run", str(legacy), "--dry-run", "--no-cache")
    assert recorder.runs == 3  # the change time differs


def test_a_project_edited_just_now_is_not_stored(legacy: Path, monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch)
    # as good as just now: a file system with coarse times may change it again unseen
    age(legacy, -RACY_SECONDS * 30)
    preview(legacy)
    preview(legacy)
    assert recorder.runs == 2


def test_writing_runs_and_sarif_never_replay(legacy: Path, monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch)
    preview(legacy)
    run_cli("run", str(legacy), "--check", "--format", "sarif")
    run_cli("run", str(legacy), "--allow-dirty")
    assert recorder.runs == 3


def test_no_secret_reaches_the_stored_plan(
    tmp_path: Path, private_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_tree(LEGACY, tmp_path / "legacy")
    single = FIXTURES / "settings-secrets" / "single-settings" / "before"
    copy_tree(single / "config", project / "config")
    age(project)
    assert all(value in (project / ".env").read_text() for value in SECRET_VALUES)
    recorder = Recorder(monkeypatch)
    first = preview(project)
    second = preview(project)
    assert recorder.runs == 1 and second == first
    # the literal the settings-secrets codemod moves out is shown hidden, on replay too
    assert "SECRET_KEY" in second[1] and HIDDEN_LITERAL not in second[1] + second[2]
    stored = b"".join(p.read_bytes() for p in private_cache_folder.rglob("*.json")).decode()
    assert '"reads"' in stored
    assert not any(value in stored for value in (*SECRET_VALUES, HIDDEN_LITERAL))
