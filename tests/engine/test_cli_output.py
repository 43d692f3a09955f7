"""The command line users already know: --diff, --exit-zero, -q/-v, formats, colour, progress.

The real ``redpanda-migrate`` runs in subprocesses: through pipes (no colour unless asked) and
through a pseudo-terminal (colour and the progress bar), as a person would see it.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "redpanda-migrate"
ANSI = "\x1b["
# three requirements with no version: three refusals sharing one reason, one with a version
PYPROJECT = (
    '[project]\nname = "svc"\ndependencies = ["requests", "celery", "redis", "Django==5.2.7"]\n'
)


def project(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        env=environment | (env or {}),
        timeout=300,
        check=False,
    )


def test_diff_is_dry_run_and_exit_zero_keeps_check_advisory(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert cli("--diff", str(root)).stdout == cli("--dry-run", str(root)).stdout != ""
    assert cli("--check", str(root)).returncode == 1
    assert cli("--check", "--exit-zero", str(root)).returncode == 0
    assert (root / "pyproject.toml").read_text() == PYPROJECT


def test_quiet_summary_and_verbose_reports(tmp_path: Path) -> None:
    root = project(tmp_path)
    quiet = cli("--dry-run", "-q", str(root))
    assert quiet.stdout.startswith("diff --git")
    assert quiet.stderr == "Would change 1 file; 1 note, 3 needing review, 0 errors.\n"
    summary = cli("--dry-run", str(root)).stderr.splitlines()
    assert "needs review (3):" in summary
    grouped = [line for line in summary if line.startswith("    ") and "(3): " in line]
    assert len(grouped) == 1, summary  # one reason, three places
    assert "pyproject.toml:3" in grouped[0]
    assert "(--verbose or --format json list every place)" in summary
    verbose = cli("--dry-run", "-v", str(root)).stderr.splitlines()
    assert sum(line.startswith("needs review: pyproject.toml:3") for line in verbose) == 3
    both = cli("--dry-run", "-q", "-v", str(root))
    assert both.returncode == 2 and "--quiet and --verbose" in both.stderr


def test_github_annotations_point_at_lines(tmp_path: Path) -> None:
    root = project(tmp_path)
    lines = cli("--dry-run", "--format", "github", str(root)).stdout.splitlines()
    assert lines[0].startswith(
        "::error file=pyproject.toml,line=3,title=redpanda-migrate [pin-dependencies]::"
    )
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(warnings) == 3
    assert all("%0A" not in line or "\n" not in line for line in lines)


def test_sarif_has_a_rule_per_codemod_and_located_results(tmp_path: Path) -> None:
    root = project(tmp_path)
    log = json.loads(cli("--check", "--format", "sarif", str(root)).stdout)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "pin-dependencies" in rule_ids and len(rule_ids) == len(set(rule_ids))
    levels = sorted(result["level"] for result in run["results"])
    assert levels == ["error", "note", "warning", "warning", "warning"]  # the == note
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "pyproject.toml"
        assert location["region"]["startLine"] == 3


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),  # a pipe: never by default
        (("--color", "always"), {}, True),
        ((), {"FORCE_COLOR": "1"}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),  # the flag wins
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_in_pipes_only_when_asked(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], coloured: bool
) -> None:
    root = project(tmp_path)
    result = cli("--dry-run", *args, str(root), env=env)
    assert (ANSI in result.stdout) is coloured
    assert (ANSI in result.stderr) is coloured
    plain = cli("--dry-run", str(root)).stdout
    stripped = result.stdout
    for code in ("\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[36m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain  # colour adds codes, never changes the patch


def run_in_terminal(args: list[str]) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return what it showed."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment |= {"TERM": "xterm-256color", "COLUMNS": "100"}
    process = subprocess.Popen(
        [str(CLI), *args],
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=environment,
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    process.wait(timeout=120)
    os.close(leader)
    return shown.decode("utf-8", "replace")


def test_a_terminal_gets_colour_and_a_progress_bar(tmp_path: Path) -> None:
    root = project(tmp_path)
    shown = run_in_terminal(["--dry-run", str(root)])
    assert ANSI in shown
    assert "planning" in shown  # the bar names the codemod it is planning
    assert "Would change 1 file" in shown


def test_python_m_and_shell_completion() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "redpanda_migrate", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.startswith("redpanda-migrate ")
    completion = cli("--show-completion", "bash")
    assert completion.returncode == 0
    assert "_redpanda_migrate_completion" in completion.stdout
    help_text = cli("run", "--help").stdout
    assert "<bool>" not in help_text and "--diff-file FILE" in help_text
