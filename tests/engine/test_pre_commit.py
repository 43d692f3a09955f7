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


def test_the_documented_hook_works_from_a_tagged_clean_clone(tmp_path: Path) -> None:
    """The README's configuration, with a release tag, installs and gates a real project."""
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    tool = tmp_path / "redpanda-migrate"  # what a user's pre-commit fetches: committed code
    subprocess.run(["git", "clone", "-q", str(REPO), str(tool)], check=True, env=env)
    subprocess.run(["git", "tag", "v0.1.0"], cwd=tool, check=True, env=env)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["Django==5.2.7"]\n'
    )
    readme = (REPO / "README.md").read_text()
    config = readme[
        readme.index("# .pre-commit-config.yaml") : readme.index(
            "```", readme.index("# .pre-commit-config.yaml")
        )
    ]
    (project / ".pre-commit-config.yaml").write_text(
        config.replace("<this repository's URL>", str(tool))
    )
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "i"]):
        subprocess.run(command, cwd=project, check=True, env=env)

    def hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "run", "--all-files"],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )

    failing = hook()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "would change: pyproject.toml [pin-dependencies]" in failing.stdout
    subprocess.run(["redpanda-migrate", "run"], cwd=project, check=True, env=env)
    subprocess.run(["git", "commit", "-qam", "migrate"], cwd=project, check=True, env=env)
    passing = hook()
    assert passing.returncode == 0, passing.stdout + passing.stderr
