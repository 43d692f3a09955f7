"""The generic fixture harness: before/ -> run through the CLI -> compare with after/.

A case is ``fixtures/<codemod-id>/<case>/`` with a ``before/`` tree, an ``after/`` tree (absent
means "must stay untouched") and an optional ``case.toml`` listing the notes, refusals and
errors the run must report, each as ``{path, line?, contains}``. Unlisted findings fail the case.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from typer.testing import CliRunner

from redpanda_migrate.cli import app

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
LEGACY = FIXTURES / "legacy-project"
NON_CODEMOD_FIXTURES = {"legacy-project"}
FINDING_KINDS = {"notes": "message", "refusals": "reason", "errors": "message"}


@dataclass(frozen=True)
class Case:
    """One fixture case."""

    codemod_id: str
    folder: Path

    @property
    def id(self) -> str:
        return f"{self.codemod_id}/{self.folder.name}"

    @property
    def before(self) -> Path:
        return self.folder / "before"

    @property
    def after(self) -> Path:
        after = self.folder / "after"
        return after if after.exists() else self.before

    def expectations(self) -> dict:
        case_file = self.folder / "case.toml"
        return tomlkit.parse(case_file.read_text()).unwrap() if case_file.exists() else {}


def fixture_codemod_ids() -> set[str]:
    return {p.name for p in FIXTURES.iterdir() if p.is_dir()} - NON_CODEMOD_FIXTURES


def all_cases() -> list[Case]:
    return [
        Case(codemod_dir.name, case_dir)
        for codemod_dir in sorted(FIXTURES.iterdir())
        if codemod_dir.is_dir() and codemod_dir.name not in NON_CODEMOD_FIXTURES
        for case_dir in sorted(codemod_dir.iterdir())
        if (case_dir / "before").is_dir()
    ]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but ``.git/``, with its bytes (symlinks as their target)."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative == ".git" or relative.startswith(".git/"):
            continue
        if path.is_symlink():
            files[relative] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            files[relative] = path.read_bytes()
    return files


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    # Result.stdout folds CRLF into LF; the patch must keep its bytes.
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def run_codemod(project: Path, codemod_id: str, *extra: str) -> tuple[int, dict]:
    code, stdout, _ = run_cli(
        "run", str(project), "--select", codemod_id, "--format", "json", "--jobs", "1", *extra
    )
    return code, json.loads(stdout)


def commit_paths(project: Path, paths: list[str]) -> None:
    """Make ``project`` a git repository that tracks ``paths`` (``case.toml``'s ``git_tracked``).

    Some behaviour depends on what git tracks (a committed ``.env`` must never get a value).
    """
    identity = ["-c", "user.name=fixture", "-c", "user.email=fixture@example.com"]
    for args in (["init", "-q"], ["add", "-f", "--", *paths], ["commit", "-q", "-m", "fixture"]):
        subprocess.run(["git", *identity, *args], cwd=project, check=True, capture_output=True)


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def assert_findings(report: dict, expected: dict, case_id: str) -> None:
    for kind, text_key in FINDING_KINDS.items():
        reported = list(report[kind])
        for wanted in expected.get(kind, []):
            match = next(
                (
                    item
                    for item in reported
                    if item["path"] == wanted["path"]
                    and wanted.get("line", item.get("line")) == item.get("line")
                    and wanted["contains"] in item[text_key]
                ),
                None,
            )
            assert match is not None, f"{case_id}: expected {kind[:-1]} {wanted} in {reported}"
            reported.remove(match)
        assert not reported, f"{case_id}: unexpected {kind}: {reported}"


def manage(
    project: Path, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` of a copy of the example project, as its developers would.

    The caller's ``DJANGO_*`` and ``DB_ENGINE`` variables are dropped so the project's own
    settings decide, and no bytecode is written into the copy.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DB_ENGINE"
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project / "project",
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
