"""``list``, ``explain`` and ``audit``: the rules, and how far a project is from meeting them."""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Only typer is imported up front: ``--version`` and ``--help`` must answer at once, so each
# command imports the engine (libcst, the codemods, batch machinery) when it runs.
from redpanda_migrate import STANDARD_VERSION

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    pass

from redpanda_migrate.commands.common import (
    EXIT_PENDING,
    OutputFormat,
    app,
    fail,
    write_stdout,
)


@app.command("list")
def list_codemods(
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.text,
) -> None:
    """List every codemod: id, title, section of the standard, files it looks at."""
    from redpanda_migrate.registry import all_codemods

    rows = [
        {
            "id": codemod.id,
            "title": codemod.title,
            "section": codemod.section,
            "files": list(codemod.files),
        }
        for codemod in all_codemods()
    ]
    if output_format is OutputFormat.json:
        write_stdout(json.dumps(rows, indent=2) + "\n")
        return
    for row in rows:
        typer.echo(f"{row['id']}\n  {row['title']}\n  Standard: {row['section']}")
        typer.echo(f"  Files: {', '.join(row['files'])}")


@app.command()
def explain(codemod_id: Annotated[str, typer.Argument(help="A codemod id from `list`.")]) -> None:
    """Explain a codemod: the rule, why the standard wants it, a before/after example."""
    from redpanda_migrate.registry import codemods_by_id

    codemod = codemods_by_id().get(codemod_id)
    if codemod is None:
        fail(f"unknown codemod id: {codemod_id}; valid ids: {', '.join(codemods_by_id())}")
    example = codemod.example
    typer.echo(f"{codemod.id}: {codemod.title}\n")
    typer.echo(f"Standard (Red Panda Approval {STANDARD_VERSION}): {codemod.section}\n")
    typer.echo(f"Why:\n{codemod.rationale.strip()}\n")
    typer.echo(f"Files: {', '.join(codemod.files)}\n")
    typer.echo(f"Before ({example.path}):\n{example.before}")
    typer.echo(f"After ({example.path}):\n{example.after}", nl=False)


class AuditFormat(str, Enum):
    """Output formats of ``audit``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


@app.command()
def audit(
    path: Annotated[Path, typer.Argument(help="Project root. Default: current directory.")] = Path(
        "."
    ),
    output_format: Annotated[
        AuditFormat, typer.Option("--format", help="text, json, markdown or sarif.")
    ] = AuditFormat.text,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every place, not the first few.")
    ] = False,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", min=0.0, max=100.0, help="Exit 1 below this score."),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes; 0: one per CPU.")
    ] = 0,
) -> None:
    """Score the project against every checkable rule of the standard; nothing is written."""
    from redpanda_migrate.audit import audit_project
    from redpanda_migrate.audit.render import (
        scorecard_json,
        scorecard_markdown,
        scorecard_sarif,
        scorecard_text,
    )
    from redpanda_migrate.registry import UnknownCodemod
    from redpanda_migrate.runner import BadInput

    try:
        card = audit_project(path, jobs=jobs or os.cpu_count() or 1)
    except (BadInput, UnknownCodemod) as error:
        fail(str(error))
    if output_format is AuditFormat.json:
        write_stdout(json.dumps(scorecard_json(card), indent=2) + "\n")
    elif output_format is AuditFormat.sarif:
        write_stdout(json.dumps(scorecard_sarif(card), indent=2) + "\n")
    elif output_format is AuditFormat.markdown:
        write_stdout(scorecard_markdown(card))
    else:
        write_stdout(scorecard_text(card, verbose))
    if fail_under is not None and card.score < fail_under:
        raise typer.Exit(EXIT_PENDING)
