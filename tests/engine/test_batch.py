"""`redpanda-migrate batch` against real git: bare repositories as remotes."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from harness import run_cli

from redpanda_migrate import __version__
from redpanda_migrate.batch import DEFAULT_BRANCH, fleet_report, run_batch
from redpanda_migrate.batch_worker import RepoJob, run_isolated

PINNED = '[project]\nname = "svc"\ndependencies = ["Django==5.2.7"]\n'
COMPLIANT = '[project]\nname = "svc"\ndependencies = ["Django>=5.2,<6.0"]\n'
UNPINNED = '[project]\nname = "svc"\ndependencies = ["requests"]\n'


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Fleet Bot")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "fleet@example.invalid")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def remote(tmp_path: Path, name: str, pyproject: str) -> Path:
    """A bare repository holding one commit with this pyproject.toml."""
    work = tmp_path / "work" / name
    work.mkdir(parents=True)
    (work / "pyproject.toml").write_text(pyproject)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "initial")
    bare = tmp_path / "remotes" / f"{name}.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def batch(*args: str) -> tuple[int, str]:
    code, _, stderr = run_cli("batch", "--select", "pin-dependencies", *args)
    return code, stderr


def by_name(report_file: Path) -> dict[str, dict]:
    report = json.loads(report_file.read_text())
    assert report["tool_version"] == __version__
    return {entry["name"]: entry for entry in report["repositories"]}


def test_fleet_upgrade_pushes_branches_and_isolates_failures(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    compliant = remote(tmp_path, "catalog", COMPLIANT)
    unpinned = remote(tmp_path, "search", UNPINNED)
    not_git = tmp_path / "plain-folder"
    not_git.mkdir()
    repos_file = tmp_path / "repos.txt"
    repos_file.write_text(f"# the fleet\n{compliant}\n\nfile://{unpinned}\n{not_git}\n")
    main_before = git(pinned, "rev-parse", "main")

    code, stderr = batch(
        str(pinned),
        str(tmp_path / "missing.git"),
        "--repos-file",
        str(repos_file),
        "--push",
        "--jobs",
        "2",
        "--workdir",
        str(tmp_path / "w"),
        "--report",
        str(tmp_path / "report.json"),
        "--markdown",
        str(tmp_path / "report.md"),
    )

    assert code == 3  # some repositories failed; the others were done
    entries = by_name(tmp_path / "report.json")
    assert {name: entry["status"] for name, entry in entries.items()} == {
        "billing": "upgraded",
        "missing": "failed",
        "catalog": "already compliant",
        "search": "refused",
        "plain-folder": "failed",
    }
    billing = entries["billing"]
    assert billing["pushed"] is True and billing["branch"] == DEFAULT_BRANCH
    assert [c["codemod"] for c in billing["commits"]] == ["pin-dependencies"]
    assert (billing["files"], billing["added"], billing["removed"]) == (1, 1, 1)
    assert billing["source_commit"] == main_before
    assert "clone failed" in entries["missing"]["errors"][0]
    assert "requests has no version constraint" in entries["search"]["refusals"][0]
    # The branch is on the remote, one commit above main; main itself never moved.
    assert git(pinned, "rev-parse", "main") == main_before
    assert git(pinned, "rev-parse", f"{DEFAULT_BRANCH}~1") == main_before
    pushed = git(pinned, "show", f"{DEFAULT_BRANCH}:pyproject.toml")
    assert '"Django>=5.2.7,<6.0"' in pushed
    assert git(pinned, "log", "-1", "--format=%s", DEFAULT_BRANCH).startswith("pin-dependencies:")
    assert git(compliant, "branch", "--list", DEFAULT_BRANCH) == ""
    markdown = (tmp_path / "report.md").read_text()
    assert (
        "| [x] | billing | upgraded | `redpanda-approval/v1-02` | 1 | 1 | +1 -1 | 0 |" in markdown
    )
    assert "### search" in markdown and "needs review:" in markdown
    for name in ("billing", "catalog", "search"):
        assert f"{name}: " in stderr  # progress lines


def test_resume_skips_done_repositories_until_their_source_moves(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    compliant = remote(tmp_path, "catalog", COMPLIANT)
    report = tmp_path / "report.json"
    common = ["--workdir", str(tmp_path / "w1"), "--report", str(report), "--push"]
    assert batch(str(pinned), str(compliant), str(tmp_path / "gone.git"), *common)[0] == 3

    (tmp_path / "gone.git").mkdir()  # still not a repository
    second = tmp_path / "second.json"
    code, _ = batch(
        str(pinned),
        str(compliant),
        str(tmp_path / "gone.git"),
        "--resume",
        str(report),
        "--workdir",
        str(tmp_path / "w2"),
        "--report",
        str(second),
    )
    assert code == 3
    entries = by_name(second)
    assert entries["billing"]["resumed"] and entries["catalog"]["resumed"]
    assert not entries["gone"]["resumed"] and entries["gone"]["status"] == "failed"
    assert not (tmp_path / "w2" / "clones" / "billing").exists()

    work = tmp_path / "work" / "catalog"
    (work / "README.md").write_text("moved on\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "more")
    git(work, "push", "-q", str(compliant), "main")
    third = tmp_path / "third.json"
    batch(str(compliant), "--resume", str(report), "--workdir", str(tmp_path / "w3"),
          "--report", str(third))  # fmt: skip
    assert by_name(third)["catalog"]["resumed"] is False


def test_existing_branch_same_content_is_upgraded_other_content_fails(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    assert batch(str(pinned), "--push", "--workdir", str(tmp_path / "w1"))[0] == 0
    report = tmp_path / "again.json"
    code, _ = batch(
        str(pinned), "--push", "--workdir", str(tmp_path / "w2"), "--report", str(report)
    )
    assert code == 0
    again = by_name(report)["billing"]
    assert again["status"] == "already upgraded" and again["pushed"] is False
    assert any("already holds this migration" in note for note in again["notes"])

    other = remote(tmp_path, "orders", PINNED)
    work = tmp_path / "work" / "orders"
    git(work, "switch", "-q", "-c", DEFAULT_BRANCH)
    (work / "pyproject.toml").write_text(COMPLIANT)
    git(work, "commit", "-qam", "someone else's branch")
    git(work, "push", "-q", str(other), DEFAULT_BRANCH)
    report = tmp_path / "other.json"
    code, _ = batch(
        str(other), "--push", "--workdir", str(tmp_path / "w3"), "--report", str(report)
    )
    assert code == 3
    assert (
        "already exists on the remote with other content" in by_name(report)["orders"]["errors"][0]
    )


def test_rejected_push_fails_that_repository(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    hook = pinned / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    report = tmp_path / "r.json"
    code, _ = batch(
        str(pinned), "--push", "--workdir", str(tmp_path / "w"), "--report", str(report)
    )
    assert code == 3
    entry = by_name(report)["billing"]
    assert entry["status"] == "failed" and "push rejected" in entry["errors"][0]
    assert git(pinned, "branch", "--list", DEFAULT_BRANCH) == ""


def test_dry_run_writes_one_patch_per_repository_and_commits_nothing(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    report = tmp_path / "r.json"
    code, _ = batch(
        str(pinned), "--dry-run", "--workdir", str(tmp_path / "w"), "--report", str(report)
    )
    assert code == 0
    entry = by_name(report)["billing"]
    assert entry["status"] == "pending" and entry["commits"] == []
    check = tmp_path / "check"
    subprocess.run(["git", "clone", "-q", str(pinned), str(check)], check=True)
    git(check, "apply", entry["patch"])
    assert '"Django>=5.2.7,<6.0"' in (check / "pyproject.toml").read_text()
    assert git(pinned, "branch", "--list", DEFAULT_BRANCH) == ""


def test_a_repository_over_its_time_limit_fails_alone(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    report = tmp_path / "r.json"
    code, _ = batch(str(pinned), "--timeout", "0.001", "--workdir", str(tmp_path / "w"),
                    "--report", str(report))  # fmt: skip
    assert code == 3
    assert by_name(report)["billing"]["errors"] == ["timed out after 0.001 s"]


def test_relative_paths_and_a_folder_that_is_no_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote(tmp_path, "billing", PINNED)
    (tmp_path / "plain").mkdir()
    monkeypatch.chdir(tmp_path)
    code, stderr = batch("remotes/billing.git", "plain", "--workdir", "w", "--report", "r.json")
    assert code == 3
    reports = by_name(tmp_path / "r.json")
    assert reports["billing"]["status"] == "upgraded"
    assert reports["billing"]["source"] == str(tmp_path / "remotes" / "billing.git")
    assert reports["billing"]["clone"] == str(tmp_path / "w" / "clones" / "billing")
    assert reports["plain"]["errors"] == [
        f"clone failed: {tmp_path / 'plain'} is not a git repository"
    ]
    assert "billing: upgraded (1/2 done)" in stderr or "billing: upgraded (2/2 done)" in stderr


def test_bad_batch_input_exits_2(tmp_path: Path) -> None:
    assert batch()[0] == 2
    assert batch("x", "--executor", "dask")[0] == 2
    code, stderr = batch("x", "--repos-file", str(tmp_path / "none.txt"))
    assert code == 2 and "cannot read --repos-file" in stderr
    code, stderr = run_cli("batch", "x", "--select", "nope")[0::2]
    assert code == 2 and "unknown codemod id(s): nope" in stderr


def _comparable(reports) -> list[dict]:
    volatile = {"duration_seconds", "clone", "patch"}
    rows = []
    for entry in fleet_report(reports)["repositories"]:
        row = {key: value for key, value in entry.items() if key not in volatile}
        row["commits"] = [commit["codemod"] for commit in row["commits"]]
        rows.append(row)
    return rows


def test_dask_cluster_and_local_executor_give_the_same_report(tmp_path: Path) -> None:
    from distributed import LocalCluster

    sources = [
        str(remote(tmp_path, "billing", PINNED)),
        str(remote(tmp_path, "catalog", COMPLIANT)),
        str(tmp_path / "missing.git"),
    ]
    options = {"select": ["pin-dependencies"], "timeout": 300.0}
    local = run_batch(sources, tmp_path / "local", workers=2, **options)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = run_batch(
            sources,
            tmp_path / "dask",
            executor="dask",
            scheduler=cluster.scheduler_address,
            **options,
        )
    assert _comparable(on_dask) == _comparable(local)
    assert [r.status for r in local] == ["upgraded", "already compliant", "failed"]


def test_a_timed_out_repository_leaves_no_git_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clone hangs in its "ssh" command, which records its process id
    pid_file = tmp_path / "ssh.pid"
    monkeypatch.setenv("GIT_SSH_COMMAND", f"sh -c 'echo $$ > {pid_file}; exec sleep 120'")
    # On a busy machine the worker may still be starting when a short timeout fires, before
    # git ever runs "ssh": then nothing was left behind to look for, so the same run is tried
    # again with a longer timeout until "ssh" did start before the timeout.
    for attempt, timeout in enumerate((5, 10, 20, 40)):
        job = RepoJob("ssh://example.invalid/repo.git", "repo", str(tmp_path / f"w{attempt}"), "b")
        report = run_isolated(job, timeout=timeout)
        assert report.status == "failed" and report.errors == [f"timed out after {timeout} s"]
        if pid_file.exists() and pid_file.read_text().strip():
            break
    pid = int(pid_file.read_text())
    # SIGKILL is delivered when the process is next scheduled: on a busy machine it may still
    # show as running for a moment, so it is given a few seconds to die before the test fails
    deadline = time.monotonic() + 15
    while _is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _is_alive(pid)


def _is_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state.rsplit(")", 1)[-1].split()[0] not in {"Z", "X"}


def test_a_reused_workdir_and_a_second_push_say_what_happened(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    workdir = tmp_path / "w"
    first_report, second_report = tmp_path / "1.json", tmp_path / "2.json"
    code, _ = batch(str(pinned), "--push", "--workdir", str(workdir), "--report", str(first_report))
    assert code == 0
    assert by_name(first_report)["billing"]["status"] == "upgraded"
    code, stderr = batch(
        str(pinned), "--push", "--workdir", str(workdir), "--report", str(second_report)
    )
    assert code == 0, stderr
    again = by_name(second_report)["billing"]
    assert again["status"] == "already upgraded" and again["pushed"] is False
    assert any("cloned afresh" in note for note in again["notes"])
    header = next(line for line in stderr.splitlines() if line.startswith("repository"))
    assert header.split() == [
        "repository",
        "status",
        "commits",
        "files",
        "lines",
        "review",
        "error",
    ]
