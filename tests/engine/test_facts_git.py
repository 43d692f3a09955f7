"""Project facts the engine asks git and the file system for: tracked files, links out."""

from __future__ import annotations

import subprocess
from pathlib import Path

from redpanda_migrate.discovery import root_links_out
from redpanda_migrate.gitutil import tracked_paths


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_tracked_paths_lists_committed_files_even_when_ignored(tmp_path: Path) -> None:
    project = tmp_path / "repo" / "project"
    project.mkdir(parents=True)
    (project / ".env").write_text("A=1\n")
    (project / "other.txt").write_text("x\n")
    _git(tmp_path / "repo", "init", "-q")
    _git(tmp_path / "repo", "add", "project/.env")
    _git(tmp_path / "repo", "commit", "-q", "-m", "init")
    (project / ".gitignore").write_text(".env\n")
    assert tracked_paths(project) == frozenset({".env"})


def test_tracked_paths_outside_git_is_none(tmp_path: Path) -> None:
    assert tracked_paths(tmp_path) is None


def test_root_links_out_names_only_links_leaving_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secrets.env").write_text("A=1\n")
    (project / "inside.env").write_text("B=2\n")
    (project / ".env").symlink_to(tmp_path / "secrets.env")
    (project / "local.env").symlink_to("inside.env")
    assert root_links_out(project.resolve()) == [".env"]
