"""``redpanda-migrate batch``: upgrade many repositories, one branch and one report each."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Only typer is imported up front: ``--version`` and ``--help`` must answer at once, so each
# command imports the engine (libcst, the codemods, batch machinery) when it runs.
from redpanda_migrate import DEFAULT_BRANCH

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    pass

from redpanda_migrate.commands.common import (
    app,
    fail,
    split_ids,
)
from redpanda_migrate.commands.run import _check_verify_flags


def _batch_progress(count: int) -> Callable[[str, str], None]:
    """Report each repository's state: a line each, and a count of finished ones on terminals."""
    from redpanda_migrate.colour import colour_enabled, colour_report

    finished: set[str] = set()
    coloured = colour_enabled("auto", sys.stderr)

    def report(name: str, state: str) -> None:
        if "done)" in state or state.endswith("(resumed)"):
            finished.add(name)
        line = f"{name}: {state}"
        if coloured:  # a terminal: the line says how far the fleet is
            line = f"[{len(finished)}/{count}] {line}"
        typer.echo(colour_report(line) if coloured else line, err=True, color=coloured)

    return report


class Executor(str, Enum):
    """Where batch jobs run."""

    local = "local"
    dask = "dask"


def _format_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


@app.command()
def batch(
    repos: Annotated[
        list[str] | None, typer.Argument(help="Repositories: local paths or git URLs.")
    ] = None,
    repos_file: Annotated[
        Path | None, typer.Option("--repos-file", help="A file listing repositories, one a line.")
    ] = None,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Where clones and patches go (default: temp).")
    ] = None,
    branch: Annotated[str, typer.Option("--branch", help="Branch created in each repository.")] = (
        DEFAULT_BRANCH
    ),
    push: Annotated[bool, typer.Option("--push", help="Push each branch to its remote.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write one patch per repository; commit nothing.")
    ] = False,
    select: Annotated[str | None, typer.Option("--select", help="Codemod ids to run.")] = None,
    skip: Annotated[str | None, typer.Option("--skip", help="Codemod ids to leave out.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Repositories at once.")] = 1,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.0, help="Seconds one repository may take.")
    ] = 900.0,
    executor: Annotated[Executor, typer.Option("--executor")] = Executor.local,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="dask scheduler address.")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the JSON report.")] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Write the Markdown summary.")
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Skip repositories this report shows done.")
    ] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Verify each codemod first; never push a failing branch."),
    ] = False,
    python: Annotated[
        Path | None, typer.Option("--python", help="With --verify: Python for Django checks.")
    ] = None,
    audit: Annotated[
        bool, typer.Option("--audit", help="Score each repository against the standard too.")
    ] = False,
) -> None:
    """Upgrade many repositories: one branch per repository, one commit per codemod."""
    from redpanda_migrate.batch import (
        BatchInputError,
        exit_code,
        fleet_report,
        load_resume,
        markdown_summary,
        read_repos_file,
        run_batch,
        summary_rows,
    )
    from redpanda_migrate.registry import codemods_by_id

    _check_verify_flags(verify, python)
    try:
        sources = list(repos or []) + (read_repos_file(repos_file) if repos_file else [])
        if not sources:
            raise BatchInputError("no repositories given (REPO arguments or --repos-file)")
        if executor is Executor.dask and not scheduler:
            raise BatchInputError("--executor dask needs --scheduler ADDRESS")
        previous = load_resume(resume) if resume else None
        folder = workdir or Path(tempfile.mkdtemp(prefix="redpanda-batch-"))
        select_ids, skip_ids = split_ids(select), split_ids(skip)
        known = codemods_by_id()
        unknown = sorted((set(select_ids or []) | set(skip_ids or [])) - set(known))
        if unknown:
            raise BatchInputError(
                f"unknown codemod id(s): {', '.join(unknown)}; valid ids: {', '.join(known)}"
            )
    except BatchInputError as error:
        fail(str(error))
    typer.echo(f"work folder: {folder}", err=True)
    reports = run_batch(
        sources,
        folder,
        branch,
        push=push,
        dry_run=dry_run,
        select=select_ids,
        skip=skip_ids,
        workers=jobs,
        timeout=timeout,
        executor=executor.value,
        scheduler=scheduler,
        resume=previous,
        progress=_batch_progress(len(sources)),
        audit=audit,
        verify=verify,
        python=str(python.absolute()) if python else None,
    )
    header: tuple[str, ...] = (
        "repository",
        "status",
        "commits",
        "files",
        "lines",
        "review",
        "error",
    )
    rows = summary_rows(reports)
    if any(item.verification for item in reports):
        header = (*header[:-1], "verification", "error")
    if audit:
        header = (*header[:-1], "score", header[-1])
        rows = [
            (*row[:-1], "-" if r.audit_score is None else f"{r.audit_score:g}%", row[-1])
            for row, r in zip(rows, reports, strict=True)
        ]
    typer.echo("\n" + _format_table(rows, header), err=True)
    if report is not None:
        report.write_text(json.dumps(fleet_report(reports), indent=2) + "\n", encoding="utf-8")
    if markdown is not None:
        markdown.write_text(markdown_summary(reports), encoding="utf-8")
    raise typer.Exit(exit_code(reports))
