"""The pre-commit hook manifest, exercised by the real pre-commit against this repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness import REPO
from ruamel.yaml import YAML


def test_manifest_runs_check_mode_on_the_whole_project() -> None:
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["redpanda-migrate"]
    hook = hooks[0]
    assert hook["entry"] == "redpanda-migrate run --check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True


def test_real_pre_commit_fails_while_changes_are_pending(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["Django==5.2.7"]\n'
    )
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "i"]):
        subprocess.run(command, cwd=project, check=True, env=env)

    def hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(REPO), "redpanda-migrate", "--all-files"],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    failing = hook()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "would change: pyproject.toml [pin-dependencies]" in failing.stdout
    subprocess.run(["redpanda-migrate", "run"], cwd=project, check=True, env=env)
    subprocess.run(["git", "commit", "-qam", "migrate"], cwd=project, check=True, env=env)
    passing = hook()
    assert passing.returncode == 0, passing.stdout + passing.stderr
