"""Engine behaviour through the CLI, with fake codemods that exercise every path."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from fake_codemods import FAKES
from harness import run_cli, snapshot

from redpanda_migrate import registry, workspace
from redpanda_migrate.diffs import DiffStats, diff_stats, unified_diff
from redpanda_migrate.runner import MIN_FILES_FOR_POOL


@pytest.fixture(autouse=True)
def fake_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "all_codemods", lambda: FAKES)


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def run_json(*args: str) -> tuple[int, dict]:
    code, stdout, stderr = run_cli("run", *args, "--format", "json")
    assert "Traceback" not in stderr
    return code, json.loads(stdout)


def git_init(root: Path) -> None:
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"],
    ):
        subprocess.run(command, cwd=root, check=True)


def test_codemods_compose_in_order_and_changes_are_attributed(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "foo = 1\n", "OLD.txt": "old\n"})
    code, report = run_json(str(tmp_path))
    assert code == 0
    assert (tmp_path / "a.py").read_text() == "baz = 1\n"
    assert not (tmp_path / "OLD.txt").exists()
    assert (tmp_path / "NEW.txt").read_text() == "created\n"
    assert [(c["codemod"], c["path"], c["added"], c["removed"]) for c in report["changes"]] == [
        ("rename-foo", "a.py", 1, 1),
        ("bar-to-baz", "a.py", 1, 1),
        ("create-delete", "OLD.txt", 0, 1),
        ("create-delete", "NEW.txt", 1, 0),
    ]
    assert report["notes"] == [
        {"codemod": "rename-foo", "path": "a.py", "line": 1, "message": "renamed foo"}
    ]


def test_dry_run_patch_applies_to_exactly_what_run_writes(tmp_path: Path) -> None:
    files = {
        "a.py": "foo = 1\r\nx = 2\r\n",
        "bom.py": b"\xef\xbb\xbffoo = 1\n",
        "no_newline.py": "y = foo",
        "OLD.txt": "old\n",
    }
    dry = write(tmp_path / "dry", files)
    real = write(tmp_path / "real", files)
    git_init(dry)
    code, patch, _ = run_cli("run", str(dry), "--dry-run")
    assert code == 0
    assert snapshot(dry) == snapshot(real)  # dry run wrote nothing
    subprocess.run(["git", "apply", "-"], cwd=dry, input=patch.encode(), check=True)
    assert run_cli("run", str(real))[0] == 0
    assert snapshot(dry) == snapshot(real)
    assert (real / "a.py").read_bytes() == b"baz = 1\r\nx = 2\r\n"
    assert (real / "bom.py").read_bytes() == b"\xef\xbb\xbfbaz = 1\n"
    assert (real / "no_newline.py").read_bytes() == b"y = bar"


def test_check_exits_1_then_0_and_second_run_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "foo = 1\n"})
    assert run_cli("run", str(tmp_path), "--check")[0] == 1
    assert (tmp_path / "a.py").read_text() == "foo = 1\n"
    assert run_cli("run", str(tmp_path))[0] == 0
    before = snapshot(tmp_path)
    assert run_cli("run", str(tmp_path), "--check")[0] == 0
    assert run_cli("run", str(tmp_path))[0] == 0
    assert snapshot(tmp_path) == before


def test_diff_file_is_written_even_in_check_mode(tmp_path: Path) -> None:
    project = write(tmp_path / "p", {"a.py": "foo = 1\n"})
    code, stdout, _ = run_cli(
        "run", str(project), "--check", "--diff-file", str(tmp_path / "x.diff")
    )
    assert code == 1 and stdout == ""
    assert "-foo = 1\n+baz = 1\n" in (tmp_path / "x.diff").read_text()


def test_bad_files_are_reported_and_the_rest_is_done(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "good.py": "foo = 1\n",
            "latin1.py": b"foo = '\xe9'\n",
            "binary.py": b"foo\x00\x01",
            "syntax.py": "def foo(:\n",
            "crash.py": "foo_crash = 1\n",
            "invalid_output.py": "foo_invalid = 1\n",
            "refused.py": "foo_refuse = 1\n",
        },
    )
    originals = snapshot(tmp_path)
    code, report = run_json(str(tmp_path))
    assert code == 3
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert errors["latin1.py"].startswith("not UTF-8 text")
    assert errors["binary.py"] == "binary file (contains NUL bytes)"
    assert errors["syntax.py"].startswith("line 1: invalid Python syntax")
    assert "RuntimeError: boom" in errors["crash.py"]
    assert "does not parse" in errors["invalid_output.py"]
    assert all("\n" not in message for message in errors.values())
    assert report["refusals"] == [
        {"codemod": "rename-foo", "path": "refused.py", "line": 1, "reason": "foo_refuse found"}
    ]
    after = snapshot(tmp_path)
    assert after["good.py"] == b"baz = 1\n"
    for name in ("latin1.py", "binary.py", "syntax.py", "crash.py", "invalid_output.py"):
        assert after[name] == originals[name]


def test_project_transform_reports_a_file_error_and_goes_on(tmp_path: Path) -> None:
    write(tmp_path, {"BAD.txt": "x\n", "OLD.txt": "old\n"})
    code, report = run_json(str(tmp_path), "--select", "create-delete")
    assert code == 3
    assert report["errors"] == [{"path": "BAD.txt", "message": "line 2: cannot read this one"}]
    assert (tmp_path / "NEW.txt").exists() and not (tmp_path / "OLD.txt").exists()


def test_project_transform_learns_which_matching_files_it_could_not_read(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"OLD.txt": "old\n", "latin1.txt": b"caf\xe9\n", "x.py": b"\xff"})
    code, report = run_json(str(tmp_path), "--select", "create-delete")
    assert code == 3
    assert report["errors"] == [
        {"path": "latin1.txt", "message": "not UTF-8 text (undecodable byte at offset 3)"}
    ]
    assert report["notes"] == [
        {"codemod": "create-delete", "path": ".", "line": None, "message": "not seen: latin1.txt"}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "does-not-exist"], "does-not-exist: no such file or directory"),
        (
            ["run", ".", "--select", "rename-foo", "--skip", "rename-foo"],
            "--select and --skip leave no codemod to run",
        ),
        (["run", ".", "--select", "nope"], "unknown codemod id(s): nope; valid ids: rename-foo"),
        (["run", ".", "--skip", "nope"], "unknown codemod id(s): nope"),
        (["explain", "nope"], "unknown codemod id: nope"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    write(tmp_path, {"file.txt": "x\n", "a.py": "foo = 1\n"})
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run_cli(*args)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "a.py").read_text() == "foo = 1\n"


def test_configuration_select_skip_exclude_and_flags_win(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.redpanda-migrate]\nskip = ["bar-to-baz"]\n'
            'exclude = ["legacy/**"]\n',
            "a.py": "foo = 1\n",
            "legacy/b.py": "foo = 1\n",
        },
    )
    assert run_cli("run", str(tmp_path), "--select", "rename-foo,bar-to-baz", "--skip", "")[0] == 0
    assert (tmp_path / "a.py").read_text() == "baz = 1\n"
    assert (tmp_path / "legacy/b.py").read_text() == "foo = 1\n"
    (tmp_path / "a.py").write_text("foo = 1\n")
    assert run_cli("run", str(tmp_path))[0] == 0
    assert (tmp_path / "a.py").read_text() == "bar = 1\n"  # configuration's skip applies


def test_bad_configuration_exits_2(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.redpanda-migrate]\nselect = "x"\n'})
    code, _, stderr = run_cli("run", str(tmp_path))
    assert code == 2 and "select must be a list of strings" in stderr
    write(tmp_path, {"pyproject.toml": "[tool.redpanda-migrate.rename-fo]\nto = 'x'\n"})
    code, _, stderr = run_cli("run", str(tmp_path))
    assert code == 2
    assert "options for unknown codemod id(s): rename-fo; valid ids: rename-foo" in stderr


def test_per_codemod_options_reach_the_codemod(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": '[tool.redpanda-migrate.rename-foo]\nto = "qux"\n', "a.py": "foo = 1\n"},
    )
    assert run_cli("run", str(tmp_path), "--select", "rename-foo", "--jobs", "1")[0] == 0
    assert (tmp_path / "a.py").read_text() == "qux = 1\n"


def test_a_codemod_can_exclude_files_of_its_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.redpanda-migrate.rename-foo]\nexclude = ["vendored/**"]\n',
            "a.py": "foo = 1\n",
            "vendored/b.py": "foo = 1\n",
        },
    )
    assert run_cli("run", str(tmp_path), "--select", "rename-foo", "--jobs", "1")[0] == 0
    assert (tmp_path / "a.py").read_text() == "bar = 1\n"
    assert (tmp_path / "vendored/b.py").read_text() == "foo = 1\n"
    write(tmp_path, {"pyproject.toml": '[tool.redpanda-migrate.rename-foo]\nexclude = "x"\n'})
    code, _, stderr = run_cli("run", str(tmp_path))
    assert code == 2 and "[tool.redpanda-migrate.rename-foo] exclude must be a list" in stderr


def test_gitignore_virtualenvs_and_node_modules_are_skipped(tmp_path: Path) -> None:
    files = {
        ".gitignore": "generated/\n*.gen.py\n",
        "app/.gitignore": "local.py\n",
        "generated/x.py": "foo = 1\n",
        "a.gen.py": "foo = 1\n",
        "app/local.py": "foo = 1\n",
        "app/kept.py": "foo = 1\n",
        "env/pyvenv.cfg": "home = /usr\n",
        "env/lib/site.py": "foo = 1\n",
        "node_modules/x.py": "foo = 1\n",
        ".git/hooks/x.py": "foo = 1\n",
    }
    write(tmp_path, files)
    code, report = run_json(str(tmp_path), "--select", "rename-foo")
    assert code == 0
    assert [c["path"] for c in report["changes"]] == ["app/kept.py"]


def test_file_mode_kept_and_symlinks_out_of_the_project_never_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"target.py": "foo = 1\n"})
    project = write(tmp_path / "project", {"script.py": "foo = 1\n", "real.py": "foo = 2\n"})
    (project / "script.py").chmod(0o750)
    (project / "link_out.py").symlink_to(outside / "target.py")
    (project / "link_in.py").symlink_to(project / "real.py")
    (project / "linked_dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(project / "pipe.py")  # reading a FIFO would block forever
    code, report = run_json(str(project), "--select", "rename-foo")
    assert code == 3  # the user learns which file was left alone, and why
    assert report["errors"] == [
        {
            "path": "link_out.py",
            "message": "symlink to a file outside the project: not followed, left unchanged",
        }
    ]
    assert [c["path"] for c in report["changes"]] == ["real.py", "script.py"]
    assert (outside / "target.py").read_text() == "foo = 1\n"
    assert (project / "link_out.py").is_symlink()
    assert (project / "link_in.py").is_symlink()
    assert (project / "real.py").read_text() == "bar = 2\n"
    assert (project / "script.py").stat().st_mode & 0o777 == 0o750


def test_links_out_matter_only_to_codemods_that_look_at_them(tmp_path: Path) -> None:
    write(tmp_path / "outside", {"target.txt": "x\n"})
    project = write(tmp_path / "project", {"a.py": "foo = 1\n", ".gitignore": "ignored.py\n"})
    (project / "notes.txt").symlink_to(tmp_path / "outside" / "target.txt")
    (project / "ignored.py").symlink_to(tmp_path / "outside" / "target.txt")
    (project / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    code, report = run_json(str(project), "--select", "rename-foo")
    assert (code, report["errors"]) == (0, [])
    code, report = run_json(str(project), "--select", "create-delete", "--dry-run")
    assert code == 3 and [e["path"] for e in report["errors"]] == ["notes.txt"]


def test_an_unreadable_file_is_reported_and_the_rest_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod 000 does not stop root, so the read itself is made to fail
    write(tmp_path, {"locked.py": "foo = 1\n", "open.py": "foo = 2\n"})
    real_read_bytes = workspace.read_bytes

    def read_bytes(path: str) -> bytes:
        if path.endswith("/locked.py"):
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(workspace, "read_bytes", read_bytes)
    code, report = run_json(str(tmp_path), "--select", "rename-foo")
    assert code == 3
    assert report["errors"] == [{"path": "locked.py", "message": "cannot read: Permission denied"}]
    assert (tmp_path / "open.py").read_bytes() == b"bar = 2\n"
    assert (tmp_path / "locked.py").read_bytes() == b"foo = 1\n"


ODD_NAMES = ["my file.py", "new\nline.py", "tab\tx.py", 'q"b\\s.py', "café.py", "bad\udcffname.py"]


def test_odd_file_names_survive_dry_run_and_git_apply(tmp_path: Path) -> None:
    files = {name: "foo = 1\n" for name in ODD_NAMES}
    dry = write(tmp_path / "dry", files)
    real = write(tmp_path / "real", files)
    git_init(dry)
    code, patch, stderr = run_cli("run", str(dry), "--dry-run", "--select", "rename-foo")
    assert code == 0 and "Traceback" not in stderr
    assert '--- "a/bad\\377name.py"\n' in patch  # quoted the way git quotes it
    assert "--- a/my file.py\t\n" in patch
    subprocess.run(["git", "apply", "-"], cwd=dry, input=patch.encode(), check=True)
    assert run_cli("run", str(real), "--select", "rename-foo")[0] == 0
    assert snapshot(dry) == snapshot(real)
    assert (real / "bad\udcffname.py").read_bytes() == b"bar = 1\n"
    assert json.loads(run_cli("run", str(real), "--format", "json")[1])["errors"] == []


def test_dirty_files_are_not_rewritten_unless_allowed(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "x = 1\n", "b.py": "foo = 1\n"})
    git_init(tmp_path)
    (tmp_path / "a.py").write_text("foo = 2\n")
    code, _, stderr = run_cli("run", str(tmp_path))
    assert code == 2 and "uncommitted changes in files this run would rewrite: a.py" in stderr
    assert (tmp_path / "b.py").read_text() == "foo = 1\n"
    assert run_cli("run", str(tmp_path), "--dry-run")[0] == 0
    assert run_cli("run", str(tmp_path), "--allow-dirty")[0] == 0
    assert (tmp_path / "a.py").read_text() == "baz = 2\n"


def test_secret_values_never_shown(tmp_path: Path) -> None:
    write(tmp_path, {"x.txt": "x\n", ".env": "TOKEN=very-secret-token\n", ".gitignore": ".env\n"})
    code, stdout, stderr = run_cli("run", str(tmp_path), "--dry-run", "--select", "create-delete")
    assert code == 0
    assert "very-secret-token" not in stdout + stderr
    assert "added-value" not in stdout + stderr
    assert "a/.env" not in stdout
    assert ".env: 1 keys added (values hidden)" in stderr
    assert "token is ***" in stderr
    code, report = run_json(str(tmp_path), "--select", "create-delete")
    assert "very-secret-token" not in json.dumps(report)
    assert (tmp_path / ".env").read_text() == "TOKEN=very-secret-token\nEXTRA=added-value\n"


def test_parallel_jobs_give_the_same_result(tmp_path: Path) -> None:
    files = {f"pkg/m{index}.py": f"foo = {index}\n" for index in range(MIN_FILES_FOR_POOL + 2)}
    serial = write(tmp_path / "serial", files)
    parallel = write(tmp_path / "parallel", files)
    assert run_json(str(serial), "--jobs", "1")[0] == 0
    code, report = run_json(str(parallel), "--jobs", "2")
    assert code == 0 and len(report["changes"]) == 2 * len(files)
    assert snapshot(serial) == snapshot(parallel)


def test_no_subcommand_means_run_on_the_current_directory(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["Django==5.2.7"]\n'})
    result = subprocess.run(
        ["redpanda-migrate", "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{Path(os.sys.executable).parent}:{os.environ['PATH']}"},
    )
    assert result.returncode == 0, result.stderr
    assert '+dependencies = ["Django>=5.2.7,<6.0"]' in result.stdout
    assert "would change: pyproject.toml [pin-dependencies]" in result.stderr
    assert not list(tmp_path.glob("**/__pycache__"))
    assert snapshot(tmp_path) == {
        "pyproject.toml": b'[project]\nname = "x"\ndependencies = ["Django==5.2.7"]\n'
    }


def test_several_projects_prefix_their_paths(tmp_path: Path) -> None:
    write(tmp_path, {"one/a.py": "foo = 1\n", "two/b.py": "foo = 1\n"})
    os.chdir(tmp_path)
    code, patch, _ = run_cli("run", "one", "two", "--dry-run", "--select", "rename-foo")
    assert code == 0
    assert "diff --git a/one/a.py b/one/a.py" in patch
    assert "diff --git a/two/b.py b/two/b.py" in patch


def test_diff_stats_count_lines_that_look_like_headers() -> None:
    before = "-- a comment\n++x\nsame\n"
    after = "--- a comment\n+++x\nsame\n"
    patch = unified_diff("q.sql", before, after)
    assert "@@\n--- a comment\n-++x\n+--- a comment\n++++x\n same\n" in patch
    assert diff_stats(patch) == DiffStats(added=2, removed=2)
    assert diff_stats(unified_diff("new.txt", None, "a\nb")) == DiffStats(added=2, removed=0)
    assert diff_stats("") == DiffStats(0, 0)
