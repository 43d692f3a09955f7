"""A run killed with SIGKILL mid-write: every file is old or new, and the next run cleans up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fake_codemods import FAKES
from harness import run_cli, snapshot

from redpanda_migrate import registry
from redpanda_migrate.plan import apply_plan
from redpanda_migrate.runner import plan_project
from redpanda_migrate.textio import JOURNAL, TEMP_DIR_PREFIX

COMMAND = str(Path(sys.executable).parent / "redpanda-migrate")
MODULES = 120
OLD = b"import pytz\n\nUTC = pytz.utc\n"


def project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    for index in range(MODULES):
        (root / "app" / f"m{index}.py").write_bytes(OLD)
    (root / ".env").write_bytes(b"SECRET_KEY=do-not-leak-this-value\n")
    return root


def run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, "run", str(root), "--select", "pytz-to-zoneinfo", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def kill_mid_write(root: Path) -> bool:
    """Start a run and SIGKILL it a quarter of the way through its writes; tell if it was."""
    process = subprocess.Popen(
        [COMMAND, "run", str(root), "--select", "pytz-to-zoneinfo", "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # files are written in sorted order: kill once a quarter of them is
    watched = root / "app" / sorted(f"m{index}.py" for index in range(MODULES))[MODULES // 4]
    try:
        while process.poll() is None:
            if watched.read_bytes() != OLD:
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.wait()
    return process.returncode == -signal.SIGKILL


def test_sigkill_leaves_every_file_old_or_new_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    expected = snapshot(project(tmp_path / "reference"))
    assert run(tmp_path / "reference").returncode == 0
    new = snapshot(tmp_path / "reference")
    assert new != expected
    for attempt in range(5):  # the run may, rarely, finish before the first poll sees it
        root = project(tmp_path / f"killed{attempt}")
        if kill_mid_write(root):
            break
        shutil.rmtree(root)
    else:
        raise AssertionError("the run always finished before it could be killed")
    killed = snapshot(root)
    leftovers = {path for path in killed if TEMP_DIR_PREFIX in path}
    # what a kill may leave: private folders with their .gitignore of "*", staged copies and
    # the journal of the renames
    endings = ("/.gitignore", ".py.new", f"/{JOURNAL}", f"/{JOURNAL}.new")
    assert all(path.endswith(endings) for path in leftovers), leftovers
    assert set(killed) - leftovers == set(expected)
    for path in expected:
        assert killed[path] in (expected[path], new[path]), path  # never half a file
    assert any(killed[path] == new[path] != expected[path] for path in expected)  # mid-run
    result = run(root)
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == new  # finished, and no temporary copy survives
    assert "do-not-leak-this-value" not in result.stdout + result.stderr


def test_a_change_set_killed_between_two_renames_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "all_codemods", lambda: FAKES)
    root = tmp_path.resolve()
    (root / "OLD.txt").write_text("old\n")
    (root / "x.txt").write_text("x\n")
    (root / ".env").write_text("TOKEN=abcdefghijkl\n")
    plan = plan_project(root, select=["create-delete"], jobs=1)
    real_replace = os.replace
    renames = []

    def killed_after_the_first_rename(source, target):
        if Path(target).name != JOURNAL and not Path(source).name.startswith(JOURNAL):
            renames.append(target)
            if len(renames) == 2:
                raise KeyboardInterrupt  # SIGKILL: nothing after this line runs
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", killed_after_the_first_rename)
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)
    with pytest.raises(KeyboardInterrupt):
        apply_plan(plan)
    monkeypatch.undo()
    monkeypatch.setattr(registry, "all_codemods", lambda: FAKES)
    # half-written: .env is new, NEW.txt not there yet, OLD.txt still there
    assert "EXTRA" in (root / ".env").read_text()
    assert not (root / "NEW.txt").exists() and (root / "OLD.txt").exists()
    code, _, stderr = run_cli("run", str(root), "--dry-run", "--select", "create-delete")
    assert code == 3 and "an interrupted run left a change half-written" in stderr
    code, _, stderr = run_cli("run", str(root), "--select", "create-delete")
    assert code == 0, stderr
    assert "finished: " in stderr
    assert snapshot(root) == {
        ".env": b"TOKEN=abcdefghijkl\nEXTRA=added-value\n",
        "NEW.txt": b"created\n",
        "x.txt": b"x\n",
    }
