"""Upgrading a fleet of repositories: one branch per repository, on one machine or on dask.

Each repository runs as an isolated job (see :mod:`redpanda_migrate.batch_worker`) with its own
time limit; a failure is recorded and the others go on. The fleet report is JSON for scripts and
Markdown for a tracking issue.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, replace
from pathlib import Path
from typing import TypeGuard

from redpanda_migrate import DEFAULT_BRANCH, STANDARD_VERSION, __version__
from redpanda_migrate.batch_worker import (
    ALREADY_UPGRADED,
    COMPLIANT,
    FAILED,
    UPGRADED,
    RepoJob,
    RepoReport,
    run_isolated,
)

DONE_STATUSES = (UPGRADED, ALREADY_UPGRADED, COMPLIANT)
Progress = Callable[[str, str], None]


class BatchInputError(ValueError):
    """The batch cannot start (no repositories, unreadable files): exit 2."""


def read_repos_file(path: Path) -> list[str]:
    """Read repository entries from a file: one per line, ``#`` comments and blanks ignored.

    :param path: the file.
    :returns: the entries.
    :raises BatchInputError: when the file cannot be read.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BatchInputError(f"cannot read --repos-file {path}: {error}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def job_names(sources: Sequence[str]) -> list[str]:
    """Give every repository a unique, filesystem-safe folder name.

    :param sources: paths or URLs.
    :returns: names such as ``billing``, ``billing-2``.
    """
    names: list[str] = []
    for source in sources:
        stem = re.sub(r"\.git$", "", source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
        base = re.sub(r"[^A-Za-z0-9._-]", "-", stem) or "repo"
        name, counter = base, 2
        while name in names:
            name, counter = f"{base}-{counter}", counter + 1
        names.append(name)
    return names


def absolute_source(source: str) -> str:
    """Make a local repository path absolute (clones run in the work folder); URLs stay.

    :param source: a local path or a git URL.
    :returns: the absolute path of an existing local folder, else ``source`` unchanged.
    """
    folder = Path(source).expanduser()
    return str(folder.resolve()) if "://" not in source and folder.is_dir() else source


def current_commit(source: str) -> str | None:
    """Ask a repository for its default branch's commit without cloning it.

    :param source: a local path or a git URL.
    :returns: the commit hash, or ``None`` when it cannot be reached.
    """
    try:
        result = subprocess.run(
            ["git", "ls-remote", source, "HEAD"], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        return None
    first = result.stdout.split()
    return first[0] if result.returncode == 0 and first else None


def load_resume(path: Path) -> dict[str, RepoReport]:
    """Load an earlier fleet report for ``--resume``.

    :param path: the JSON report.
    :returns: reports keyed by source.
    :raises BatchInputError: when the file is not a fleet report.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["source"]: RepoReport(**entry) for entry in data["repositories"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BatchInputError(f"cannot resume from {path}: not a fleet report ({error})") from None


def resumable(previous: RepoReport | None) -> TypeGuard[RepoReport]:
    """Tell whether an earlier report shows a repository done with this tool version.

    :param previous: the repository's earlier report, if any.
    :returns: ``True`` when it is done, same version, and its source has not moved since.
    """
    return (
        previous is not None
        and previous.status in DONE_STATUSES
        and previous.tool_version == __version__
        and previous.source_commit is not None
        and current_commit(previous.source) == previous.source_commit
    )


def _local_results(
    jobs: Sequence[RepoJob], timeout: float, workers: int, progress: Progress
) -> Iterator[RepoReport]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {}
        for job in jobs:
            futures[pool.submit(run_isolated, job, timeout)] = job
            progress(job.name, "queued")
        for future in as_completed(futures):
            yield future.result()


def _dask_results(
    jobs: Sequence[RepoJob], timeout: float, scheduler: str, progress: Progress
) -> Iterator[RepoReport]:
    from distributed import Client
    from distributed import as_completed as dask_as_completed

    with Client(scheduler) as client:
        futures = [
            client.submit(run_isolated, job, timeout, pure=False, key=f"redpanda-{job.name}")
            for job in jobs
        ]
        for job in jobs:
            progress(job.name, "queued")
        for future in dask_as_completed(futures):
            yield future.result()


def run_batch(
    sources: Sequence[str],
    workdir: Path,
    branch: str = DEFAULT_BRANCH,
    *,
    push: bool = False,
    dry_run: bool = False,
    select: list[str] | None = None,
    skip: list[str] | None = None,
    workers: int = 1,
    timeout: float = 900.0,
    executor: str = "local",
    scheduler: str | None = None,
    resume: dict[str, RepoReport] | None = None,
    progress: Progress = lambda name, state: None,
    audit: bool = False,
    verify: bool = False,
    python: str | None = None,
) -> list[RepoReport]:
    """Upgrade every repository, each on its own branch, and report on each.

    :param sources: local paths or git URLs.
    :param workdir: where clones and patch files go.
    :param branch: the branch created in every repository.
    :param push: push each branch to its source.
    :param dry_run: write one patch per repository, commit nothing.
    :param select: codemod ids to run (``None``: each repository's configuration).
    :param skip: codemod ids to leave out.
    :param workers: repositories processed at once (local executor).
    :param timeout: seconds one repository may take.
    :param executor: ``local`` (processes on this machine) or ``dask``.
    :param scheduler: the dask scheduler address (with ``executor="dask"``).
    :param resume: an earlier report's entries; done repositories are skipped.
    :param progress: called with ``(name, state)`` whenever a repository changes state.
    :param audit: score each repository against the standard after its migration.
    :param verify: verify each codemod in a scratch copy (``--verify``); never push a branch
        whose verification left a codemod out.
    :param python: the interpreter for the Django checks of ``--verify``.
    :returns: one report per repository, in the order of ``sources`` (local paths made
        absolute).
    """
    sources = [absolute_source(source) for source in sources]
    workdir = workdir.expanduser().resolve()  # jobs run git in other folders
    names = job_names(sources)
    jobs: list[RepoJob] = []
    reports: dict[str, RepoReport] = {}
    for source, name in zip(sources, names, strict=True):
        previous = (resume or {}).get(source)
        if not dry_run and not audit and resumable(previous):
            reports[name] = replace(previous, name=name, resumed=True, duration_seconds=0.0)
            progress(name, f"{previous.status} (resumed)")
            continue
        jobs.append(
            RepoJob(
                source,
                name,
                str(workdir),
                branch,
                push,
                dry_run,
                select,
                skip,
                audit,
                verify=verify,
                python=python,
            )
        )
    if executor == "dask":
        if not scheduler:
            raise BatchInputError("--executor dask needs --scheduler ADDRESS")
        results: Iterable[RepoReport] = _dask_results(jobs, timeout, scheduler, progress)
    else:
        results = _local_results(jobs, timeout, max(1, workers), progress)
    for done, report in enumerate(results, start=len(reports) + 1):
        reports[report.name] = report
        progress(report.name, f"{report.status} ({done}/{len(names)} done)")
    return [reports[name] for name in names]


def fleet_report(reports: Sequence[RepoReport]) -> dict:
    """Build the JSON fleet report.

    :param reports: one report per repository.
    :returns: a JSON-serialisable object.
    """
    return {
        "tool_version": __version__,
        "standard": STANDARD_VERSION,
        "repositories": [asdict(report) for report in reports],
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(reports: Sequence[RepoReport]) -> str:
    """Write the fleet summary as Markdown, fit for a tracking issue.

    :param reports: one report per repository.
    :returns: a heading, counts, a table and the findings that need attention.
    """
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    lines = [
        f"# Red Panda Approval {STANDARD_VERSION} upgrade (redpanda-migrate {__version__})",
        "",
        ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) + ".",
        "",
        "| | repository | status | branch | commits | files | lines | needs review |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    verified = any(report.verification for report in reports)
    if verified:
        lines[-2:] = [lines[-2] + " verification |", lines[-1] + " --- |"]
    for report in reports:
        done = "x" if report.status in DONE_STATUSES else " "
        lines.append(
            f"| [{done}] | {_cell(report.name)} | {report.status} | `{report.branch}` | "
            f"{len(report.commits)} | {report.files} | +{report.added} -{report.removed} | "
            f"{len(report.refusals)} |" + (f" {_cell(report.verification)} |" if verified else "")
        )
    if any(report.audit for report in reports):
        lines += ["", *audit_table(reports)]
    attention = [r for r in reports if r.errors or r.refusals]
    if attention:
        lines += ["", "## Needs attention"]
        for report in attention:
            lines += ["", f"### {report.name}", ""]
            lines += [f"- error: {_cell(error)}" for error in report.errors]
            lines += [f"- needs review: {_cell(refusal)}" for refusal in report.refusals]
    return "\n".join(lines) + "\n"


def audit_families(reports: Sequence[RepoReport]) -> list[str]:
    """Return the rule families (sections of the standard) of the audited repositories.

    :param reports: one report per repository.
    :returns: the families, in the order the audit lists their rules.
    """
    families: dict[str, None] = {}
    for report in reports:
        for rule_id in report.audit:
            families.setdefault(report.audit_sections.get(rule_id, rule_id), None)
    return list(families)


def family_status(report: RepoReport, family: str) -> str:
    """Return a repository's worst status over one family's rules (``-`` when not audited).

    :param report: the repository's report.
    :param family: a section of the standard.
    """
    from redpanda_migrate.audit.model import worst

    statuses = [
        status
        for rule_id, status in report.audit.items()
        if report.audit_sections.get(rule_id, rule_id) == family
    ]
    return worst(statuses) if statuses else "-"


def audit_table(reports: Sequence[RepoReport]) -> list[str]:
    """Build the fleet's audit table: one row per repository, one column per rule family.

    :param reports: one report per repository.
    :returns: Markdown lines (heading and table).
    """
    families = audit_families(reports)
    lines = [
        "## Audit",
        "",
        "| repository | score | " + " | ".join(_cell(f) for f in families) + " |",
        "| --- | --- | " + " | ".join("---" for _ in families) + " |",
    ]
    for report in reports:
        score = "-" if report.audit_score is None else f"{report.audit_score:g}%"
        cells = " | ".join(family_status(report, family) for family in families)
        lines.append(f"| {_cell(report.name)} | {score} | {cells} |")
    return lines


def summary_rows(reports: Sequence[RepoReport]) -> list[tuple[str, ...]]:
    """Rows of the end-of-run summary table.

    :param reports: one report per repository.
    :returns: ``(name, status, commits, files, lines, needs review, first error)`` per
        repository, with
        the verification before the error when ``--verify`` ran.
    """
    verified = any(report.verification for report in reports)
    return [
        (
            report.name,
            report.status + (" (resumed)" if report.resumed else ""),
            str(len(report.commits)),
            str(report.files),
            f"+{report.added} -{report.removed}",
            str(len(report.refusals)),
            *((report.verification,) if verified else ()),
            report.errors[0] if report.errors else "",
        )
        for report in reports
    ]


def exit_code(reports: Sequence[RepoReport]) -> int:
    """Exit code of a batch: 3 when any repository failed, else 0.

    :param reports: one report per repository.
    """
    return 3 if any(report.status == FAILED for report in reports) else 0
