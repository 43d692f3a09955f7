"""pytz-to-zoneinfo on the example shop: its suite passes before and after, without pytz."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from harness import REPO, run_codemod

LEGACY = REPO / "fixtures" / "legacy-project"
CODEMOD = "pytz-to-zoneinfo"


def run_suite(project: Path, block_pytz: bool) -> subprocess.CompletedProcess[str]:
    """Run the shop's own Django test suite, optionally with ``import pytz`` failing."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    if block_pytz:
        blocker = project.parent / "no-pytz"
        blocker.mkdir(exist_ok=True)
        (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['pytz'] = None\n")
        env["PYTHONPATH"] = str(blocker)
    return subprocess.run(
        [sys.executable, "manage.py", "test", "--noinput"],
        cwd=project / "project",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_legacy_project_migrates_and_its_suite_still_passes(tmp_path: Path) -> None:
    project = tmp_path / "legacy"
    shutil.copytree(LEGACY, project, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    assert "import pytz" in (project / "project/shop/timeutils.py").read_text()
    before = run_suite(project, block_pytz=False)
    assert before.returncode == 0, before.stderr[-3000:]

    code, report = run_codemod(project, CODEMOD)

    assert code == 0, report
    assert report["refusals"] == [] and report["errors"] == [], report
    leftovers = [
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.suffix in (".py", ".toml", ".txt") and "pytz" in path.read_text()
    ]
    assert leftovers == []
    noted = {(note["path"], note["message"].split(":")[0]) for note in report["notes"]}
    assert ("project/shop/timeutils.py", "localize() became replace(tzinfo=...)") in noted
    assert ("pyproject.toml", "pytz removed") in noted
    after = run_suite(project, block_pytz=True)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "Ran " in after.stderr

    second_code, second = run_codemod(project, CODEMOD, "--check")
    assert second["changes"] == [] and second_code == 0


def test_blocking_pytz_really_blocks_it(tmp_path: Path) -> None:
    """Guard the guard: with the blocker on the path, the unmigrated shop cannot import pytz."""
    project = tmp_path / "legacy"
    shutil.copytree(LEGACY, project, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    blocked = run_suite(project, block_pytz=True)
    assert blocked.returncode != 0
    assert "pytz" in blocked.stderr
