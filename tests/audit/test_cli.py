"""``redpanda-migrate audit`` on the example project: every rule listed, nothing written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from harness import LEGACY, copy_tree, run_cli, snapshot

from redpanda_migrate.audit.scorecard import all_checks
from redpanda_migrate.registry import all_codemods


def legacy_repo(tmp_path: Path) -> Path:
    project = copy_tree(LEGACY, tmp_path / "legacy")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A", "-f"], cwd=project, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "legacy"],
        cwd=project,
        check=True,
    )
    return project


def test_audit_lists_every_codemod_and_check_and_writes_nothing(tmp_path: Path) -> None:
    project = legacy_repo(tmp_path)
    before = snapshot(project)
    code, stdout, _ = run_cli("audit", str(project), "--format", "json")
    assert code == 0
    card = json.loads(stdout)
    ids = [rule["id"] for rule in card["rules"]]
    assert set(ids) == {c.id for c in all_codemods()} | {c.id for c in all_checks()}
    assert len(ids) == len(set(ids))
    statuses = {rule["id"]: rule["status"] for rule in card["rules"]}
    # every codemod but three has work in the example project
    expected = {c.id: "fail" for c in all_codemods()} | {
        "memcached-backend": "not-applicable",  # no Memcached there
        "modelform-fields": "pass",  # its ModelForms list their fields
        "database-env-vars": "pass",  # its DATABASES read APP_DB_* without dj-database-url
        "text-field-null": "pass",  # no null=True text field there
    }
    assert {c.id: statuses[c.id] for c in all_codemods()} == expected
    assert 0 < card["score"] < 100
    assert snapshot(project) == before


def test_run_then_audit_leaves_no_codemod_rule_failing(tmp_path: Path) -> None:
    project = legacy_repo(tmp_path)
    code, _, stderr = run_cli("run", str(project))
    assert code == 0, stderr
    _, stdout, _ = run_cli("audit", str(project), "--format", "json")
    card = json.loads(stdout)
    codemod_ids = {c.id for c in all_codemods()}
    left = {r["id"]: r["status"] for r in card["rules"] if r["id"] in codemod_ids}
    assert "fail" not in left.values(), left
    first = json.loads(run_cli("audit", str(LEGACY), "--format", "json")[1])
    assert card["score"] > first["score"]


def test_fail_under_exits_1_below_the_score(tmp_path: Path) -> None:
    project = legacy_repo(tmp_path)
    assert run_cli("audit", str(project), "--fail-under", "100")[0] == 1
    assert run_cli("audit", str(project), "--fail-under", "1")[0] == 0


def test_sarif_is_one_run_whose_results_name_its_rules(tmp_path: Path) -> None:
    project = legacy_repo(tmp_path)
    code, stdout, _ = run_cli("audit", str(project), "--format", "sarif")
    assert code == 0
    log = json.loads(stdout)
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert sarif_run["results"]
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        for location in result.get("locations", []):
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert (project / uri).is_file(), uri
    assert any("locations" not in result for result in sarif_run["results"])  # .env.example


def test_text_and_markdown_show_the_score(tmp_path: Path) -> None:
    project = legacy_repo(tmp_path)
    text = run_cli("audit", str(project))[1]
    assert text.splitlines()[-1].startswith("score: ")
    assert all(len(line) < 200 for line in text.splitlines())
    markdown = run_cli("audit", str(project), "--format", "markdown")[1]
    assert markdown.startswith("**Red Panda Approval score: ")
    assert "| `pin-dependencies` |" in markdown


def test_a_missing_path_is_a_one_line_error() -> None:
    code, stdout, stderr = run_cli("audit", "/nonexistent/project")
    assert code == 2
    assert stderr.count("\n") == 1 and "no such file or directory" in stderr


def test_every_check_is_documented() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text()
    for check in all_checks():
        assert f"| `{check.id}` | {check.section} | {check.title} |" in page
