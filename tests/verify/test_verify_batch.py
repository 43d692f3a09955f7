"""``batch --verify``: a branch whose verification left a codemod out is never pushed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from harness import LEGACY

from redpanda_migrate.batch import DEFAULT_BRANCH, markdown_summary, run_batch, summary_rows
from tests.verify.verify_plugin import install_plugin

PATH = f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def bare_legacy(tmp_path: Path, name: str, without_nginx: bool = False) -> Path:
    work = tmp_path / "work" / name
    shutil.copytree(LEGACY, work, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    if without_nginx:
        shutil.rmtree(work / "nginx")
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A", "--force")
    git(work, "commit", "-qm", "legacy")
    bare = tmp_path / "remotes" / f"{name}.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


@pytest.mark.skipif(not shutil.which("nginx", path=PATH), reason="nginx is needed")
def test_batch_verify_never_pushes_a_branch_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Fleet Bot")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "fleet@example.invalid")
    monkeypatch.setenv("PYTHONPATH", str(install_plugin(tmp_path / "plugin")))
    monkeypatch.setenv("PATH", PATH)
    broken = bare_legacy(tmp_path, "shop")
    sound = bare_legacy(tmp_path, "shop-without-nginx", without_nginx=True)
    reports = run_batch(
        [str(broken), str(sound)],
        tmp_path / "w",
        push=True,
        select=["verify-sound-first", "verify-break-nginx"],
        verify=True,
        timeout=600,
    )
    by_name = {report.name: report for report in reports}
    failing, passing = by_name["shop"], by_name["shop-without-nginx"]
    assert failing.verification == "failed: verify-break-nginx"
    assert failing.pushed is False
    assert [c["codemod"] for c in failing.commits] == ["verify-sound-first"]
    assert any("not pushed: --verify left out a codemod" in note for note in failing.notes)
    assert any("[verify-break-nginx] left out by --verify" in r for r in failing.refusals)
    assert git(broken, "branch", "--list", DEFAULT_BRANCH) == ""  # nothing reached the remote
    assert passing.verification == "passed" and passing.pushed is True
    assert git(sound, "branch", "--list", DEFAULT_BRANCH).strip() == DEFAULT_BRANCH
    rows = summary_rows(reports)
    assert [row[6] for row in rows] == ["failed: verify-break-nginx", "passed"]
    table = markdown_summary(reports)
    assert "| verification |" in table and "| failed: verify-break-nginx |" in table
