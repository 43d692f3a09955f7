"""`batch --audit`: each repository scored after its migration, one fleet table of families."""

from __future__ import annotations

import json
from pathlib import Path

from engine.test_batch import COMPLIANT, PINNED, git_identity, remote  # noqa: F401
from harness import run_cli


def test_batch_audit_scores_each_repository_after_its_migration(tmp_path: Path) -> None:
    pinned = remote(tmp_path, "billing", PINNED)
    compliant = remote(tmp_path, "catalog", COMPLIANT)
    report_file, markdown_file = tmp_path / "fleet.json", tmp_path / "fleet.md"
    code, _, stderr = run_cli(
        "batch",
        "--select",
        "pin-dependencies",
        "--audit",
        str(pinned),
        str(compliant),
        "--workdir",
        str(tmp_path / "w"),
        "--report",
        str(report_file),
        "--markdown",
        str(markdown_file),
    )
    assert code == 0, stderr
    entries = {e["name"]: e for e in json.loads(report_file.read_text())["repositories"]}
    assert entries["billing"]["status"] == "upgraded"
    for entry in entries.values():
        assert entry["audit"]["pin-dependencies"] == "pass"  # audited after the migration
        assert entry["audit"]["pyproject-dependencies"] == "pass"
        assert entry["audit"]["gitignore"] == "fail"  # neither repository has one
        assert 0 < entry["audit_score"] < 100
    assert "score" in stderr.splitlines()[-3]
    markdown = markdown_file.read_text()
    table = markdown[markdown.index("## Audit") :].splitlines()
    header = table[2]
    assert "| repository | score | Dependency Pinning |" in header
    assert "Settings Structure" in header
    rows = [line for line in table[4:] if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows] == ["| billing", "| catalog"]
    assert all(" fail " in row and " pass " in row for row in rows)
