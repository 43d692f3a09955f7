"""Hostile inputs and interrupted runs: nothing lost, never a crash, no secret left readable."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fake_codemods import FAKES
from harness import FIXTURES, copy_tree, run_cli, snapshot

from redpanda_migrate import registry, runner, textio
from redpanda_migrate.plan import apply_plan
from redpanda_migrate.report import LabelledPlan, report_json
from redpanda_migrate.runner import plan_project
from redpanda_migrate.textio import TEMP_DIR_PREFIX

COMMAND = str(Path(sys.executable).parent / "redpanda-migrate")
LITERAL_SECRETS = FIXTURES / "compose-env-scoping" / "literal-secrets" / "before"


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "all_codemods", lambda: FAKES)


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def cli(*args: str, cwd: Path | None = None, umask: int | None = None):
    """Run the real command in its own process (a crash there cannot hide behind pytest)."""
    return subprocess.run(
        [COMMAND, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def git_repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


# -- 1. an edit made during the run ----------------------------------------------------------


def test_an_edit_made_during_the_run_is_kept_and_reported(tmp_path: Path, fakes: None) -> None:
    write(tmp_path, {"a.py": "foo = 1\n", "b.py": "foo = 2\n"})
    plan = plan_project(tmp_path, select=["rename-foo"], jobs=1)
    with (tmp_path / "a.py").open("a") as stream:  # the user saves while the run works
        stream.write("user_line = 1\n")
    errors = apply_plan(plan)
    assert (tmp_path / "a.py").read_text() == "foo = 1\nuser_line = 1\n"
    assert (tmp_path / "b.py").read_text() == "bar = 2\n"  # a file change of its own: written
    assert [(e.path, "changed on disk since this run read it" in e.message) for e in errors] == [
        ("a.py", True)
    ]
    report = report_json([LabelledPlan("", plan)])
    assert [c["path"] for c in report["changes"]] == ["b.py"]
    assert [n["path"] for n in report["notes"]] == ["b.py"]
    assert [r["path"] for r in report["refusals"]] == ["a.py"]


def test_an_edit_of_the_same_size_within_the_same_second_is_caught(
    tmp_path: Path, fakes: None
) -> None:
    write(tmp_path, {"a.py": "foo = 1\n"})
    plan = plan_project(tmp_path, select=["rename-foo"], jobs=1)
    status = (tmp_path / "a.py").stat()
    (tmp_path / "a.py").write_text("foo = 2\n")
    os.utime(tmp_path / "a.py", ns=(status.st_atime_ns, status.st_mtime_ns))
    assert [e.path for e in apply_plan(plan)] == ["a.py"]
    assert (tmp_path / "a.py").read_text() == "foo = 2\n"


def test_a_file_created_during_the_run_is_not_replaced(tmp_path: Path, fakes: None) -> None:
    write(tmp_path, {"x.txt": "x\n"})
    plan = plan_project(tmp_path, select=["create-delete"], jobs=1)
    (tmp_path / "NEW.txt").write_text("mine\n")
    assert [e.path for e in apply_plan(plan)] == ["NEW.txt"]
    assert (tmp_path / "NEW.txt").read_text() == "mine\n"


# -- 2. a change set is written whole or not at all ------------------------------------------


def test_a_project_codemod_is_not_half_written_when_one_file_cannot_be(
    tmp_path: Path, fakes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"OLD.txt": "old\n", "x.txt": "x\n", ".env": "TOKEN=abcdefghijkl\n"})
    before = snapshot(tmp_path)
    real_replace = os.replace

    def replace(source, target, *args, **kwargs):  # an immutable .env (chattr +i, as root)
        if Path(target).name == ".env":
            raise PermissionError(1, "Operation not permitted")
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    code, stdout, stderr = run_cli("run", str(tmp_path), "--format", "json")
    assert "Traceback" not in stderr
    report = json.loads(stdout)
    assert code == 3
    assert snapshot(tmp_path) == before  # NEW.txt created then taken back, OLD.txt kept
    assert [c["codemod"] for c in report["changes"]] == []
    assert report["errors"] == [
        {"path": ".env", "message": "cannot write: Operation not permitted"}
    ]
    assert [(r["codemod"], r["path"]) for r in report["refusals"]] == [("create-delete", ".env")]
    assert "so the project stays consistent" in report["refusals"][0]["reason"]
    assert not list(tmp_path.rglob(f"{TEMP_DIR_PREFIX}*"))


def test_a_read_only_folder_stops_the_codemod_before_anything_is_written(
    tmp_path: Path, fakes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"OLD.txt": "old\n", "x.txt": "x\n", "a.py": "foo = 1\n"})
    real_access = os.access
    root = tmp_path.resolve()
    # root ignores permission bits, so the folder's read-only state is what os.access reports
    monkeypatch.setattr(
        os, "access", lambda p, m: not (Path(p) == root and m & os.W_OK) and real_access(p, m)
    )
    code, stdout, _ = run_cli("run", str(tmp_path), "--format", "json")
    report = json.loads(stdout)
    assert code == 3
    assert (tmp_path / "OLD.txt").exists() and not (tmp_path / "NEW.txt").exists()
    assert (tmp_path / "a.py").read_text() == "foo = 1\n"
    assert {e["path"] for e in report["errors"]} == {"a.py", "NEW.txt", "OLD.txt"}
    assert all("folder . is read-only" in e["message"] for e in report["errors"])
    assert report["changes"] == []


def test_compose_literal_is_kept_when_its_env_file_links_out_of_the_project(
    tmp_path: Path,
) -> None:
    project = copy_tree(LITERAL_SECRETS, tmp_path / "project")
    write(tmp_path, {"elsewhere/env": "OTHER=1\n"})
    (project / ".env").symlink_to(tmp_path / "elsewhere" / "env")
    before = snapshot(project)
    result = cli("run", str(project), "--select", "compose-env-scoping", "--format", "json")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert result.returncode == 0  # nothing went wrong: a person has something to review
    assert snapshot(project) == before  # the literal stays: its value is not lost
    assert (tmp_path / "elsewhere" / "env").read_text() == "OTHER=1\n"
    assert report["changes"] == [] and report["notes"] == [] and report["errors"] == []
    assert report["skipped"] == [
        {
            "path": ".env",
            "message": "symlink to a file outside the project: not followed, left unchanged",
        }
    ]
    # the codemod itself sees the link (or, failing that, the engine withdraws its change set)
    assert report["refusals"]
    assert all(
        "symlink leaving the project" in r["reason"] or "symlink to a file outside" in r["reason"]
        for r in report["refusals"]
    ), report["refusals"]


# -- 3. huge files ---------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_skipped_with_one_line(tmp_path: Path, fakes: None) -> None:
    big = "foo = 1\n" + "# padding\n" * 300_000  # 3 MB
    write(tmp_path, {"big.py": big, "small.py": "foo = 2\n"})
    code, stdout, stderr = run_cli("run", str(tmp_path), "--format", "json")
    report = json.loads(stdout)
    assert code == 0
    assert (tmp_path / "big.py").read_text() == big
    assert (tmp_path / "small.py").read_text() == "baz = 2\n"
    assert report["skipped"] == [
        {
            "path": "big.py",
            "message": "2.9 MB, over the max-file-size limit of 2.0 MB: left unchanged "
            "(raise [tool.redpanda-migrate] max-file-size to include it)",
        }
    ]
    write(tmp_path, {"pyproject.toml": '[tool.redpanda-migrate]\nmax-file-size = "4 MiB"\n'})
    assert run_cli("run", str(tmp_path))[0] == 0
    assert (tmp_path / "big.py").read_text().startswith("baz = 1\n")


@pytest.mark.parametrize("value", ['"many"', "0", "-3", "true", '"5 parsecs"'])
def test_a_bad_size_limit_is_a_one_line_error(tmp_path: Path, fakes: None, value: str) -> None:
    write(tmp_path, {"pyproject.toml": f"[tool.redpanda-migrate]\nmax-file-size = {value}\n"})
    code, _, stderr = run_cli("run", str(tmp_path))
    assert code == 2 and "max-file-size must be a number of bytes or a size" in stderr


# -- 4. deep nesting -------------------------------------------------------------------------


def _deep(levels: int) -> str:
    return "import pytz\nx = " + "[" * levels + "1" + "]" * levels + "\n"


@pytest.mark.parametrize("levels", [150, 1500])
def test_a_deeply_nested_module_is_reported_alone_and_the_others_migrate(
    tmp_path: Path, levels: int
) -> None:
    write(
        tmp_path,
        {
            "app/deep.py": _deep(levels),
            "app/chained.py": "import pytz\ny = " + " + ".join(["a"] * 400) + "\n",
            "app/tz.py": "import pytz\n\nUTC = pytz.utc\n",
        },
    )
    result = cli("run", str(tmp_path), "--select", "pytz-to-zoneinfo", "--format", "json")
    assert result.returncode == 3, result.stderr  # not 139: no segfault
    report = json.loads(result.stdout)
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert errors == {
        "app/deep.py": "nested more than 100 levels deep (brackets and blocks): too deep to "
        "parse safely, left unchanged",
        "app/chained.py": "an expression chains more than 200 operations: too deep to parse "
        "safely, left unchanged",
    }
    assert (tmp_path / "app/deep.py").read_text() == _deep(levels)
    assert "pytz" not in (tmp_path / "app/tz.py").read_text()


# -- 5. temporary files ----------------------------------------------------------------------


def test_a_leftover_temporary_folder_is_git_ignored_and_removed_by_the_next_run(
    tmp_path: Path, fakes: None
) -> None:
    write(tmp_path, {"a.py": "foo = 1\n", ".gitignore": ".env\n"})
    git_repo(tmp_path)
    # what a run killed between writing the copy and renaming it leaves behind
    leftover = tmp_path / f"{TEMP_DIR_PREFIX}k2j4"
    write(leftover, {".gitignore": "*\n", ".env": "TOKEN=leaked-if-committed\n"})
    git(tmp_path, "add", "-A")
    assert git(tmp_path, "status", "--porcelain") == ""  # git add -A cannot pick it up
    assert run_cli("run", str(tmp_path), "--dry-run")[0] == 0
    assert leftover.exists()  # a preview writes nothing, not even clean-ups
    assert run_cli("run", str(tmp_path))[0] == 0
    assert not leftover.exists()


def test_a_write_interrupted_before_the_rename_leaves_no_file_git_would_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {".gitignore": ".env\n", ".env": "A=1\n"})
    git_repo(tmp_path)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as far as the temporary copy is concerned, a kill

    monkeypatch.setattr(os, "replace", killed)
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)  # a kill runs no clean-up
    monkeypatch.setattr(Path, "unlink", lambda *a, **k: None)
    with pytest.raises(KeyboardInterrupt):
        textio.atomic_write(tmp_path.resolve(), ".env", b"A=1\nSECRET=hunter2hunter2\n")
    (copy,) = tmp_path.glob(f"{TEMP_DIR_PREFIX}*/.env.new")
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700  # no one else can read the copy
    git(tmp_path, "add", "-A")
    assert git(tmp_path, "status", "--porcelain") == ""


# -- 6. submodules ---------------------------------------------------------------------------


def test_a_submodule_is_left_alone_and_commit_works(tmp_path: Path) -> None:
    library = write(tmp_path / "library", {"tz.py": "import pytz\n\nUTC = pytz.utc\n"})
    git_repo(library)
    project = write(tmp_path / "project", {"app/tz.py": "import pytz\n\nUTC = pytz.utc\n"})
    git_repo(project)
    git(project, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    git(project, "commit", "-qm", "add lib")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    result = subprocess.run(
        [COMMAND, "run", str(project), "--commit"] + ["--select", "pytz-to-zoneinfo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "skipped: lib: another git repository (a submodule or a nested clone)" in result.stderr
    assert "pytz" in (project / "lib/tz.py").read_text()
    assert "pytz" not in (project / "app/tz.py").read_text()
    assert git(project, "status", "--porcelain") == ""
    assert git(project / "lib", "status", "--porcelain") == ""


# -- 8. permissions of new files -------------------------------------------------------------


@pytest.mark.parametrize(
    ("umask", "env_mode", "example_mode"), [(0o077, 0o600, 0o600), (0o022, 0o600, 0o644)]
)
def test_new_files_honour_the_umask_and_a_new_env_is_owner_only(
    tmp_path: Path, umask: int, env_mode: int, example_mode: int
) -> None:
    project = copy_tree(LITERAL_SECRETS, tmp_path / "project")
    result = cli("run", str(project), "--select", "compose-env-scoping", umask=umask)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((project / ".env").stat().st_mode) == env_mode
    assert stat.S_IMODE((project / ".env.example").stat().st_mode) == example_mode


# -- 9. messages -----------------------------------------------------------------------------


def test_utf16_is_named_as_such_not_as_binary(tmp_path: Path, fakes: None) -> None:
    write(
        tmp_path,
        {"bom.py": "foo = 1\n".encode("utf-16"), "nobom.py": "foo = 1\n".encode("utf-16-le")},
    )
    code, stdout, _ = run_cli("run", str(tmp_path), "--format", "json")
    assert code == 3
    for error in json.loads(stdout)["errors"]:
        assert error["message"].startswith("UTF-16 text: only UTF-8 is read"), error


def test_a_folder_symlink_out_of_the_project_is_mentioned(tmp_path: Path, fakes: None) -> None:
    write(tmp_path / "outside", {"x.py": "foo = 1\n"})
    project = write(tmp_path / "project", {"a.py": "foo = 1\n"})
    (project / "shared").symlink_to(tmp_path / "outside", target_is_directory=True)
    code, _, stderr = run_cli("run", str(project))
    assert code == 0
    assert (
        "skipped: shared: symlink to a folder outside the project: not followed, left unchanged"
        in stderr
    )
    assert (tmp_path / "outside/x.py").read_text() == "foo = 1\n"


def test_commit_on_a_detached_head_warns(tmp_path: Path, fakes: None) -> None:
    write(tmp_path, {"a.py": "foo = 1\n"})
    git_repo(tmp_path)
    git(tmp_path, "switch", "-q", "--detach")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        code, _, stderr = run_cli("run", str(tmp_path), "--commit")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert code == 0
    assert "warning: HEAD is detached, so the commits will be on no branch" in stderr


def test_an_empty_batch_repository_gets_a_plain_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    report_file = tmp_path / "report.json"
    code, _, _ = run_cli(
        "batch", str(empty), "--workdir", str(tmp_path / "work"), "--report", str(report_file)
    )
    (entry,) = json.loads(report_file.read_text())["repositories"]
    assert entry["status"] == "failed"
    assert entry["errors"] == ["empty repository: it has no commit to branch from"]


def test_nesting_measured_on_the_worker_processes_reports_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"app/tz{index}.py": "import pytz\n\nUTC = pytz.utc\n" for index in range(6)}
    files |= {"app/tz3.py": _deep(150), "app/tz5.py": "import pytz\ny = " + " + ".join(["a"] * 400)}
    write(tmp_path, files)
    monkeypatch.setattr(runner, "MIN_FILES_FOR_NESTING_POOL", 2)
    plan = runner.plan_project(tmp_path, ["pytz-to-zoneinfo"], jobs=2, cache=False)
    assert {error.path: error.message.split(":")[0] for error in plan.errors} == {
        "app/tz3.py": "nested more than 100 levels deep (brackets and blocks)",
        "app/tz5.py": "an expression chains more than 200 operations",
    }
    assert sorted(plan.changed_paths) == [f"app/tz{index}.py" for index in (0, 1, 2, 4)]
