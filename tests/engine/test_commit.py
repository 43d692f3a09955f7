"""`run --commit`, `--branch` and `--interactive` against real git repositories."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_codemods import FAKES
from harness import run_cli, snapshot

from redpanda_migrate import __version__, registry

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
}


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "all_codemods", lambda: FAKES)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def repo(root: Path, files: dict[str, str], ignored: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    for name, text in (ignored or {}).items():
        (root / name).write_text(text)
    return root


def commits(root: Path, revision_range: str = "main") -> list[str]:
    return git(root, "log", "--format=%H", revision_range).split()


def files_of(root: Path, sha: str) -> list[str]:
    return git(root, "show", "--name-status", "--format=", sha).split("\n")[:-1]


def test_one_commit_per_codemod_with_its_files_only(tmp_path: Path, fakes: None) -> None:
    project = repo(
        tmp_path / "p",
        {"a.py": "foo = 1\n", "OLD.txt": "old\n", ".gitignore": ".env\n"},
        ignored={".env": "TOKEN=very-secret-token\n"},
    )
    code, _, stderr = run_cli("run", str(project), "--commit")
    assert code == 0, stderr
    shas = commits(project)[:3][::-1]
    assert len(commits(project)) == 4
    assert [files_of(project, sha) for sha in shas] == [
        ["M\ta.py"],
        ["M\ta.py"],
        ["A\tNEW.txt", "D\tOLD.txt"],
    ]
    message = git(project, "log", "-1", "--format=%B", shas[0])
    assert message.startswith("rename-foo: Rename foo to bar\n")
    assert 'Red Panda Approval V1-02, "Testing".' in message
    assert "- a.py (+1 -1)" in message
    assert "Notes for the reviewer:\n- a.py:1: renamed foo" in message
    trailers = git(project, "log", "-1", "--format=%(trailers:key=Migrated-by,valueonly)", shas[0])
    assert trailers.strip() == f"redpanda-migrate {__version__}"
    # The secret file was written but is neither staged nor committed, and its values hidden.
    assert (project / ".env").read_text().endswith("EXTRA=added-value\n")
    assert git(project, "status", "--porcelain", "--ignored").strip() == "!! .env"
    assert "very-secret-token" not in git(project, "log", "-p", "--all")
    assert "not committed: .env (secret file" in stderr
    assert "token is ***" in git(project, "log", "-1", "--format=%B", shas[2])

    code, _, _ = run_cli("run", str(project), "--commit")
    assert code == 0
    assert len(commits(project)) == 4  # a second run creates no commit


def test_a_file_name_that_is_not_utf8_is_committed(tmp_path: Path, fakes: None) -> None:
    project = repo(tmp_path / "p", {"ok.py": "x = 1\n"})
    (project / "bad\udcffname.py").write_text("foo = 1\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "odd name")
    code, _, stderr = run_cli("run", str(project), "--commit", "--select", "rename-foo")
    assert code == 0, stderr
    assert git(project, "status", "--porcelain") == ""
    assert (project / "bad\udcffname.py").read_text() == "bar = 1\n"
    assert "- bad\ufffdname.py (+1 -1)" in git(project, "log", "-1", "--format=%B")


def test_branch_is_created_and_the_default_branch_is_left_alone(
    tmp_path: Path, fakes: None
) -> None:
    project = repo(tmp_path / "p", {"a.py": "foo = 1\n"})
    initial = commits(project)
    assert run_cli("run", str(project), "--commit", "--branch", "redpanda/v1-02")[0] == 0
    assert git(project, "branch", "--show-current").strip() == "redpanda/v1-02"
    assert commits(project, "main") == initial
    assert len(commits(project, "redpanda/v1-02")) == 3
    git(project, "switch", "-q", "main")
    assert run_cli("run", str(project), "--commit", "--branch", "redpanda/v1-02")[0] == 0
    assert git(project, "branch", "--show-current").strip() == "redpanda/v1-02"
    assert len(commits(project, "redpanda/v1-02")) == 3


def _start_merge_conflict(root: Path) -> None:
    git(root, "switch", "-q", "-c", "other")
    (root / "a.py").write_text("foo = 'other'\n")
    git(root, "commit", "-qam", "other")
    git(root, "switch", "-q", "main")
    (root / "a.py").write_text("foo = 'main'\n")
    git(root, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "other"], cwd=root, capture_output=True)


def _start_cherry_pick_conflict(root: Path) -> None:
    _start_merge_conflict(root)
    git(root, "merge", "--abort")
    subprocess.run(["git", "cherry-pick", "other"], cwd=root, capture_output=True)


def _start_rebase_conflict(root: Path) -> None:
    _start_merge_conflict(root)
    git(root, "merge", "--abort")
    subprocess.run(["git", "rebase", "other"], cwd=root, capture_output=True)


def _make_dirty(root: Path) -> None:
    (root / "b.py").write_text("changed = 1\n")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (_make_dirty, "uncommitted changes to tracked files"),
        (_start_merge_conflict, "a merge is in progress"),
        (_start_cherry_pick_conflict, "a cherry-pick is in progress"),
        (_start_rebase_conflict, "a rebase is in progress"),
    ],
)
def test_commit_refuses_unsafe_repository_states(
    tmp_path: Path, fakes: None, setup, message: str
) -> None:
    project = repo(tmp_path / "p", {"a.py": "foo = 1\n", "b.py": "x = 1\n"})
    setup(project)
    before, head = snapshot(project), commits(project, "HEAD")
    code, _, stderr = run_cli("run", str(project), "--commit")
    assert code == 2
    assert message in stderr and "Traceback" not in stderr
    assert snapshot(project) == before
    assert commits(project, "HEAD") == head


def test_commit_outside_git_and_flag_conflicts_exit_2(tmp_path: Path, fakes: None) -> None:
    (tmp_path / "a.py").write_text("foo = 1\n")
    code, _, stderr = run_cli("run", str(tmp_path), "--commit")
    assert code == 2 and "is not inside a git repository" in stderr
    assert run_cli("run", str(tmp_path), "--commit", "--dry-run")[0] == 2
    assert run_cli("run", str(tmp_path), "--branch", "x")[0] == 2
    assert (tmp_path / "a.py").read_text() == "foo = 1\n"


PYPROJECT = """[project]
name = "shop"
dependencies = [
    "Django==5.2.7",
]

[tool.other]
one = 1
two = 2
three = 3
four = 4

[project.optional-dependencies]
dev = ["pytest==8.0.0"]
"""


def drive_terminal(argv: list[str], cwd: Path, answers: list[str]) -> tuple[int, str]:
    """Run a command in a real pseudo-terminal, answering each prompt in turn."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command, with the pty as its terminal
        os.chdir(cwd)
        os.execvpe(argv[0], argv, {**os.environ, "TERM": "dumb"})
    output, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if pending and output.rstrip().endswith(b"[q]uit:"):
            os.write(fd, pending.pop(0).encode() + b"\r")
            output += b"<answered>"
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_interactive_review_in_a_real_terminal_applies_only_accepted_hunks(
    tmp_path: Path,
) -> None:
    project = repo(tmp_path / "p", {"pyproject.toml": PYPROJECT})
    command = [str(Path(sys.executable).parent / "redpanda-migrate")]
    code, screen = drive_terminal(
        [*command, "run", "--interactive", "--commit", "--select", "pin-dependencies"],
        project,
        ["y", "n"],
    )
    assert code == 0, screen
    assert "[pin-dependencies] pyproject.toml (hunk 1/2)" in screen
    assert '-    "Django==5.2.7",' in screen
    text = (project / "pyproject.toml").read_text()
    assert '"Django>=5.2.7,<6.0"' in text and '"pytest==8.0.0"' in text
    assert len(commits(project)) == 2
    assert files_of(project, "HEAD") == ["M\tpyproject.toml"]

    code, screen = drive_terminal([*command, "run", "--interactive"], project, ["q"])
    assert code == 0 and "(hunk 1/1)" in screen
    assert '"pytest==8.0.0"' in (project / "pyproject.toml").read_text()


def test_interactive_needs_a_terminal(tmp_path: Path) -> None:
    code, _, stderr = run_cli("run", str(tmp_path), "--interactive")
    assert code == 2 and "--interactive needs a terminal" in stderr


def test_interactive_offers_a_change_over_several_files_as_one_unit(tmp_path: Path) -> None:
    settings = (
        "CACHES = {'default': {'BACKEND': "
        "'django.core.cache.backends.memcached.MemcachedCache', 'LOCATION': 'cache:11211'}}\n"
    )
    pyproject = '[project]\nname = "p"\ndependencies = ["python-memcached>=1.59,<2.0"]\n'
    project = repo(tmp_path / "p", {"pyproject.toml": pyproject, "config/settings.py": settings})
    command = [str(Path(sys.executable).parent / "redpanda-migrate")]
    code, screen = drive_terminal(
        [*command, "run", "--interactive", "--select", "memcached-backend"], project, ["x", "y"]
    )
    assert code == 0, screen
    # the findings come before the change, and the two files are one answer
    assert screen.index("note: config/settings.py") < screen.index("diff --git")
    assert "unknown answer 'x': the keys are n (no), q (quit" in screen
    assert "(2 files that go together)" in screen
    assert "PyMemcacheCache" in (project / "config" / "settings.py").read_text()
    assert "pymemcache>=4.0,<5.0" in (project / "pyproject.toml").read_text()
