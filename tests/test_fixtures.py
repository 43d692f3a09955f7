"""Every fixture case: exact output, idempotence, reported findings, and the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    REPO,
    Case,
    all_cases,
    assert_findings,
    commit_paths,
    copy_tree,
    fixture_codemod_ids,
    run_codemod,
    snapshot,
)

from redpanda_migrate.registry import all_codemods
from redpanda_migrate.validation import validate_output

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture_case(case: Case, tmp_path: Path) -> None:
    project = copy_tree(case.before, tmp_path / "project")
    expected = case.expectations()
    if expected.get("git_tracked"):
        commit_paths(project, expected["git_tracked"])

    code, report = run_codemod(project, case.codemod_id)

    assert snapshot(project) == snapshot(case.after), f"{case.id}: output differs from after/"
    assert code == (3 if expected.get("errors") else 0), report
    assert_findings(report, expected, case.id)
    if not expected.get("errors"):
        for path, data in snapshot(project).items():
            if path.endswith((".py", ".toml", ".yml", ".yaml", ".json")):
                validate_output(path, None, data.decode("utf-8-sig"))

    second_code, second_report = run_codemod(project, case.codemod_id, "--check")
    assert second_report["changes"] == [], f"{case.id}: second run changed {second_report}"
    assert snapshot(project) == snapshot(case.after), f"{case.id}: not idempotent"
    assert second_code == code


def test_every_codemod_has_fixtures_and_docs() -> None:
    codemod_ids = {codemod.id for codemod in all_codemods()}
    documented = {path.stem for path in (REPO / "docs" / "codemods").glob("*.md")}
    assert codemod_ids == fixture_codemod_ids()
    assert codemod_ids == documented


def test_every_codemod_is_in_the_readme_catalogue() -> None:
    readme = (REPO / "README.md").read_text()
    for codemod in all_codemods():
        assert f"`{codemod.id}`" in readme, codemod.id


def test_every_fixture_folder_has_cases() -> None:
    for codemod_id in fixture_codemod_ids():
        assert [case for case in CASES if case.codemod_id == codemod_id], codemod_id
