"""untrack-env with real git: previews touch nothing, runs untrack all or nothing, commits too.

Each test builds a repository that committed ``.env`` (holding a value that must never be shown)
and runs the CLI or the engine's writers on it, then asks git what the index and HEAD hold.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import run_cli

from redpanda_migrate.commits import commit_plan
from redpanda_migrate.runner import apply_plan, plan_project

SECRET = "s3cr3t-value-never-shown"
IDENTITY = ["-c", "user.name=test", "-c", "user.email=test@example.com"]


def git(project: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *IDENTITY, *args], cwd=project, check=True, capture_output=True, text=True
    )
    return result.stdout


def repository(tmp_path: Path, gitignore: str | None = "__pycache__/\n") -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    (project / ".env.example").write_text("SECRET_KEY=\n")
    (project / "app.py").write_text("print('app')\n")
    if gitignore is not None:
        (project / ".gitignore").write_text(gitignore)
    git(project, "init", "-q")
    git(project, "add", "-f", ".")
    git(project, "commit", "-q", "-m", "initial")
    return project


def tracked(project: Path) -> set[str]:
    return set(git(project, "ls-files").split())


def test_dry_run_and_check_change_nothing_and_say_so(tmp_path: Path) -> None:
    project = repository(tmp_path)
    index = (project / ".git" / "index").read_bytes()

    code, stdout, stderr = run_cli("run", str(project), "--select", "untrack-env", "--dry-run")
    check_code, _, _ = run_cli("run", str(project), "--select", "untrack-env", "--check")

    assert code == 0 and check_code == 1
    assert "would untrack: .env [untrack-env] removed from the git index, kept on disk" in stderr
    assert ".env.example" not in stderr.replace("(.env.example documents them)", "")
    assert SECRET not in stdout + stderr
    assert (project / ".git" / "index").read_bytes() == index
    assert "+.env" in stdout  # the .gitignore rule, in the patch


def test_real_run_untracks_keeps_the_file_and_ignores_it(tmp_path: Path) -> None:
    project = repository(tmp_path)

    code, stdout, stderr = run_cli("run", str(project), "--select", "untrack-env")

    assert code == 0, stderr
    assert tracked(project) == {".env.example", ".gitignore", "app.py"}
    assert (project / ".env").read_text() == f"SECRET_KEY={SECRET}\n"
    assert git(project, "check-ignore", ".env").strip() == ".env"
    assert "untracked: .env [untrack-env]" in stderr
    assert SECRET not in stdout + stderr


def test_commit_records_the_removal_and_nothing_else(tmp_path: Path) -> None:
    project = repository(tmp_path)

    code, _, stderr = run_cli("run", str(project), "--select", "untrack-env", "--commit")

    assert code == 0, stderr
    changed = git(project, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert sorted(line for line in changed if line) == ["D\t.env", "M\t.gitignore"]
    assert git(project, "status", "--porcelain") == ""
    assert (project / ".env").read_text() == f"SECRET_KEY={SECRET}\n"
    message = git(project, "log", "-1", "--format=%B")
    assert "Removed from git, kept on disk:\n- .env" in message
    assert SECRET not in message


def test_an_already_ignored_file_is_only_untracked_and_committed(tmp_path: Path) -> None:
    project = repository(tmp_path, gitignore=".env\n")

    code, _, stderr = run_cli("run", str(project), "--select", "untrack-env", "--commit")

    assert code == 0, stderr
    assert git(project, "show", "--name-status", "--format=", "HEAD").split() == ["D", ".env"]
    assert (project / ".gitignore").read_text() == ".env\n"
    assert ".env" not in tracked(project)


def test_a_gitignore_that_cannot_be_written_puts_the_index_back(tmp_path: Path) -> None:
    project = repository(tmp_path)
    plan = plan_project(project, select=["untrack-env"])
    (project / ".gitignore").write_text("edited meanwhile\n")  # the write must now refuse

    errors = apply_plan(plan)

    assert [error.path for error in errors] == [".gitignore"]
    assert ".env" in tracked(project)
    assert git(project, "status", "--porcelain", "--untracked-files=no") == " M .gitignore\n"
    assert plan.untracks == []
    assert any("not applied" in refusal.message for _, refusal in plan.refusals)


def test_git_refusing_to_untrack_leaves_gitignore_unwritten(tmp_path: Path) -> None:
    project = repository(tmp_path)
    plan = plan_project(project, select=["untrack-env"])
    lock = project / ".git" / "index.lock"
    lock.write_text("")  # another git at work

    errors = apply_plan(plan)
    lock.unlink()

    assert errors and "git rm --cached failed" in errors[0].message
    assert (project / ".gitignore").read_text() == "__pycache__/\n"
    assert ".env" in tracked(project)


def test_commit_refused_by_git_writes_nothing(tmp_path: Path) -> None:
    project = repository(tmp_path)
    plan = plan_project(project, select=["untrack-env"])
    lock = project / ".git" / "index.lock"
    lock.write_text("")

    result = commit_plan(plan)
    lock.unlink()

    assert result.commits == [] and result.errors
    assert (project / ".gitignore").read_text() == "__pycache__/\n"
    assert ".env" in tracked(project)


def test_outside_git_nothing_happens(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text(f"SECRET_KEY={SECRET}\n")

    code, stdout, stderr = run_cli("run", str(project), "--select", "untrack-env")

    assert code == 0
    assert "Nothing to change" in stderr
    assert not (project / ".gitignore").exists()


def test_files_the_configuration_excludes_are_left_tracked(tmp_path: Path) -> None:
    project = repository(tmp_path)
    (project / "pyproject.toml").write_text('[tool.redpanda-migrate]\nexclude = [".env"]\n')
    git(project, "add", "pyproject.toml")
    git(project, "commit", "-q", "-m", "exclude .env")

    code, _, stderr = run_cli("run", str(project), "--select", "untrack-env")

    assert code == 0, stderr
    assert "Nothing to change" in stderr
    assert ".env" in tracked(project)
