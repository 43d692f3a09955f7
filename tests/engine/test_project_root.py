"""Where a run starts: the project root found upward, and runs narrowed to some paths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from harness import LEGACY, copy_tree, run_cli

from redpanda_migrate.projectroot import find_project_root, resolve_targets


def legacy(tmp_path: Path) -> Path:
    return copy_tree(LEGACY, tmp_path / "legacy")


def changed_paths(patch: str) -> set[str]:
    return {line[6:] for line in patch.splitlines() if line.startswith("+++ b/")}


def test_nearest_pyproject_or_git_wins_over_a_deeper_manage_py(tmp_path: Path) -> None:
    project = legacy(tmp_path)
    shop = project / "project" / "shop"
    assert (project / "project" / "manage.py").exists()
    assert find_project_root(shop) == project
    bare = tmp_path / "bare" / "app" / "views"
    bare.mkdir(parents=True)
    (tmp_path / "bare" / "app" / "manage.py").write_text("")
    assert find_project_root(bare) == tmp_path / "bare" / "app"  # manage.py as a last resort
    assert find_project_root(tmp_path / "bare") is None


def test_a_run_in_a_subfolder_is_the_run_at_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = legacy(tmp_path)
    monkeypatch.chdir(project)
    code, at_root, _ = run_cli("run", "--dry-run")
    assert code == 0
    monkeypatch.chdir(project / "project" / "shop")
    code, in_subfolder, stderr = run_cli("run", "--dry-run")
    assert code == 0
    assert in_subfolder == at_root  # same patch, paths relative to the root
    assert f"project root: {project}" in stderr
    assert "project/shop/periods.py" in changed_paths(in_subfolder)


def test_a_folder_argument_narrows_the_run_to_it(tmp_path: Path) -> None:
    project = legacy(tmp_path)
    _, whole, _ = run_cli("run", "--dry-run", str(project))
    code, narrowed, stderr = run_cli("run", "--dry-run", str(project / "nginx"))
    assert code == 0
    assert changed_paths(narrowed) == {p for p in changed_paths(whole) if p.startswith("nginx/")}
    assert changed_paths(narrowed)
    assert "narrowed to nginx" in stderr
    assert "left out" not in stderr  # the other codemods had nothing to do there


def test_a_codemod_whose_change_cannot_be_split_is_left_out_with_a_note(tmp_path: Path) -> None:
    project = legacy(tmp_path)
    module = project / "project" / "shop" / "periods.py"
    code, patch, stderr = run_cli(
        "run", "--dry-run", "--select", "pytz-to-zoneinfo,pin-dependencies", str(module)
    )
    assert code == 0
    assert patch == ""  # pytz must change other modules and pyproject.toml too
    assert "left out: this change also needs" in stderr
    assert "run on the whole project" in stderr


def test_a_file_codemod_changes_just_the_files_given(tmp_path: Path) -> None:
    root = tmp_path / "mono"
    for service in ("billing", "catalog"):
        folder = root / "services" / service
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text("Django==5.2.7\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "mono"\ndependencies = ["Django==5.2.7"]\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    code, patch, _ = run_cli("run", "--dry-run", str(root / "pyproject.toml"))
    assert code == 0
    assert changed_paths(patch) == {"pyproject.toml"}
    targets = resolve_targets([root / "services" / "billing", root / "pyproject.toml"])
    assert [(t.root, t.only) for t in targets] == [(root, ("services/billing", "pyproject.toml"))]


def test_a_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    code, _, stderr = run_cli("run", "--dry-run", str(tmp_path / "nope"))
    assert code == 2
    assert stderr == f"redpanda-migrate: error: {tmp_path / 'nope'}: no such file or directory\n"
