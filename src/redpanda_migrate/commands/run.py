"""``redpanda-migrate run``: plan, verify, preview, write or commit a migration."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Only typer is imported up front: ``--version`` and ``--help`` must answer at once, so each
# command imports the engine (libcst, the codemods, batch machinery) when it runs.

if TYPE_CHECKING:
    from redpanda_migrate.commits import CodemodCommit
    from redpanda_migrate.plan import Plan
    from redpanda_migrate.projectroot import Target
    from redpanda_migrate.report import LabelledPlan

if TYPE_CHECKING:
    from redpanda_migrate.verify import Verification

from redpanda_migrate.commands.common import (
    EXIT_FILE_ERRORS,
    EXIT_PENDING,
    ColourChoice,
    OutputFormat,
    app,
    fail,
    split_ids,
    write_stdout,
)


def _refuse_dirty(plans: list[LabelledPlan]) -> None:
    from redpanda_migrate.gitutil import dirty_paths, worktree_top

    for item in plans:
        root = item.plan.root
        if worktree_top(root) is None:
            continue
        dirty = dirty_paths(root, item.plan.changed_paths)
        if dirty:
            fail(
                "uncommitted changes in files this run would rewrite: "
                f"{', '.join(item.path(p) for p in dirty)}; commit or stash them first "
                "(or pass --allow-dirty)"
            )


def _check_flags(
    roots: list[Path],
    dry_run: bool,
    check: bool,
    commit: bool,
    interactive: bool,
    branch: str | None,
) -> None:
    if (commit or interactive) and (dry_run or check):
        fail("--commit and --interactive write files; they cannot go with --dry-run or --check")
    if branch is not None and not commit:
        fail("--branch goes with --commit")
    if (commit or interactive) and len(roots) > 1:
        fail("--commit and --interactive take one project path")
    if interactive and not sys.stdin.isatty():
        fail("--interactive needs a terminal on standard input")


def _prepare_commit(root: Path, branch: str | None) -> Path:
    from redpanda_migrate.commits import GitStateError, check_committable, switch_branch
    from redpanda_migrate.gitutil import is_detached
    from redpanda_migrate.runner import BadInput, resolve_root

    try:
        top = check_committable(resolve_root(root))
        if branch is not None:
            switch_branch(top, branch)
    except (BadInput, GitStateError) as error:
        fail(str(error))
    if is_detached(top):
        typer.echo(
            "warning: HEAD is detached, so the commits will be on no branch; "
            "pass --branch NAME to keep them on one",
            err=True,
        )
    return top


def _echo_commits(commits: list[CodemodCommit], unstaged_secrets: list[str]) -> None:
    for made in commits:
        typer.echo(
            f"committed {made.sha[:10]} [{made.codemod}] {_plural(len(made.paths), 'file')}",
            err=True,
        )
    for path in unstaged_secrets:
        typer.echo(f"not committed: {path} (secret file; review it by hand)", err=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _run_interactive(
    root: Path, select: list[str] | None, skip: list[str] | None, commit_top: Path | None, jobs: int
) -> None:
    from redpanda_migrate.interactive import review_codemod
    from redpanda_migrate.registry import UnknownCodemod
    from redpanda_migrate.runner import BadInput, resolve_run

    try:
        _, _, codemods = resolve_run(root, select, skip)
    except (BadInput, UnknownCodemod) as error:
        fail(str(error))
    errors: list[str] = []
    for codemod in codemods:
        result = review_codemod(root, codemod.id, input, _show, commit_top, jobs)
        errors += [f"{problem.path}: {problem.message}" for problem in result.errors]
        _echo_commits(result.commits, [])
        if result.quit:
            break
    for line in errors:
        typer.echo(f"error: {line}", err=True)
    if errors:
        raise typer.Exit(EXIT_FILE_ERRORS)


def _label(target: Target) -> str:
    """Prefix a project's paths with its root as the user would type it."""
    if target.only is None:
        return target.given
    return os.path.relpath(target.root)


def _show(text: str) -> None:
    from redpanda_migrate.colour import colour_enabled, colour_patch

    coloured = colour_enabled("auto", sys.stdout)
    typer.echo(colour_patch(text) if coloured else text, nl=False, color=coloured)


def _check_verify_flags(verify: bool, python: Path | None) -> None:
    if python is not None and not verify:
        fail("--python goes with --verify")
    if python is not None and not python.is_file():
        fail(f"--python {python}: no such file (give the project's Python interpreter)")


def _verify(
    plan: Plan, python: Path | None, workers: int, only: Sequence[str] | None
) -> tuple[Plan, Verification]:
    from redpanda_migrate.verify import VerifyOptions, verify_plan

    typer.echo("verifying each codemod in a scratch copy of the project...", err=True)
    options = VerifyOptions(str(python.absolute()) if python else None)
    return verify_plan(plan, options, workers, only)


def _verify_then_select(
    root: Path,
    select: list[str] | None,
    skip: list[str] | None,
    python: Path | None,
    only: Sequence[str] | None,
) -> tuple[list[str] | None, list[str] | None]:
    """Verify first, then let a person review only the codemods that passed."""
    from redpanda_migrate.registry import UnknownCodemod
    from redpanda_migrate.runner import BadInput, plan_project

    try:
        plan = plan_project(root, select, skip, only=only)
    except (BadInput, UnknownCodemod) as error:
        fail(str(error))
    plan, verification = _verify(plan, python, 1, only)
    _echo_verification([("", verification)])
    for codemod_id, refusal in plan.refusals:
        if codemod_id in {item.codemod for item in verification.dropped}:
            typer.echo(f"needs review: [{codemod_id}] {refusal.message}", err=True)
    dropped = [item.codemod for item in verification.dropped]
    if not dropped:
        return select, skip
    return [*plan.codemods, *dropped], dropped


def _echo_verification(verified: list[tuple[str, Verification]]) -> None:
    from redpanda_migrate.verify import verification_lines

    for label, verification in verified:
        for line in verification_lines(verification, label):
            typer.echo(line, err=True)


def _verification_json(verified: list[tuple[str, Verification]]) -> list[dict]:
    from redpanda_migrate.verify import verification_json

    return [verification_json(verification, label) for label, verification in verified]


@app.command()
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Project roots, or folders and files inside one. Default: the current "
            "directory's project.",
            show_default=False,
            metavar="[PATH]...",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "--diff", help="Write nothing; print the patch on stdout."),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when changes are pending.")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="With --check: exit 0 even when changes pend.")
    ] = False,
    diff_file: Annotated[
        Path | None,
        typer.Option("--diff-file", metavar="FILE", help="Also write the patch to FILE."),
    ] = None,
    select: Annotated[
        str | None,
        typer.Option("--select", metavar="IDS", help="Comma-separated codemod ids to run."),
    ] = None,
    skip: Annotated[
        str | None,
        typer.Option("--skip", metavar="IDS", help="Comma-separated codemod ids to leave out."),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", help="text (stderr), or json, sarif, github (stdout)."),
    ] = OutputFormat.text,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the patch and one summary line.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Every note and place needing review.")
    ] = False,
    colour: Annotated[
        ColourChoice, typer.Option("--color", help="Colour: auto (terminals only), always, never.")
    ] = ColourChoice.auto,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=0, metavar="N", help="Worker processes; 0: one per CPU."),
    ] = 0,
    allow_dirty: Annotated[
        bool,
        typer.Option("--allow-dirty", help="Rewrite files that have uncommitted changes."),
    ] = False,
    commit: Annotated[
        bool, typer.Option("--commit", help="Commit each codemod's changes on its own.")
    ] = False,
    branch: Annotated[
        str | None,
        typer.Option("--branch", metavar="NAME", help="With --commit: create or switch to NAME."),
    ] = None,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Review and pick changes hunk by hunk.")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Neither read nor store outcomes in the user's cache."),
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Check each codemod's change in a scratch copy (Django, compose, nginx -t); "
            "leave out the ones that break the project.",
        ),
    ] = False,
    python: Annotated[
        Path | None,
        typer.Option("--python", help="With --verify: the project's Python (default: .venv)."),
    ] = None,
) -> None:
    """Apply the codemods to the project(s) at PATH (or preview them with --dry-run).

    PATH may be a project root, a folder or files inside a project (the run is narrowed to
    them), or nothing: the project of the current directory, found upward as black does.
    """
    from redpanda_migrate.progress import progress_bar
    from redpanda_migrate.projectroot import RootError, resolve_targets
    from redpanda_migrate.registry import UnknownCodemod
    from redpanda_migrate.report import LabelledPlan
    from redpanda_migrate.runner import BadInput, apply_plan, plan_project

    try:
        targets = resolve_targets(paths or [])
    except RootError as error:
        fail(str(error))
    _check_flags([t.root for t in targets], dry_run, check, commit, interactive, branch)
    if quiet and verbose:
        fail("--quiet and --verbose go separately")
    _check_verify_flags(verify, python)
    workers = jobs or os.cpu_count() or 1
    for target in targets:
        if target.found_upward:
            narrowed = f", narrowed to {', '.join(target.only)}" if target.only else ""
            typer.echo(f"project root: {target.root}{narrowed}", err=True)
    commit_top = _prepare_commit(targets[0].root, branch) if commit else None
    verified: list[tuple[str, Verification]] = []
    if interactive:
        select_ids, skip_ids = split_ids(select), split_ids(skip)
        if verify:
            select_ids, skip_ids = _verify_then_select(
                targets[0].root, select_ids, skip_ids, python, targets[0].only
            )
        _run_interactive(targets[0].root, select_ids, skip_ids, commit_top, workers)
        return
    writes = not (dry_run or check)
    show_progress = output_format is OutputFormat.text and not quiet and sys.stderr.isatty()
    try:
        with progress_bar(show_progress) as progress:
            labelled = []
            for target in targets:
                label = _label(target) if len(targets) > 1 else ""
                plan = plan_project(
                    target.root,
                    split_ids(select),
                    split_ids(skip),
                    workers,
                    finish_interrupted=writes,
                    only=target.only,
                    progress=progress,
                    cache=not no_cache,
                    # a preview's report needs no codemod's intermediate texts (SARIF does)
                    replay=not writes
                    and not verify
                    and output_format in (OutputFormat.text, OutputFormat.json),
                )
                if verify:
                    plan, verification = _verify(plan, python, workers, target.only)
                    verified.append((label, verification))
                labelled.append(LabelledPlan(label, plan))
    except (BadInput, UnknownCodemod) as error:
        fail(str(error))
    patch = "".join(item.plan.patch(item.label) for item in labelled)
    if writes and not allow_dirty and not commit:
        _refuse_dirty(labelled)
    if diff_file is not None:
        try:
            diff_file.write_bytes(patch.encode("utf-8"))
        except OSError as error:
            fail(f"cannot write --diff-file {diff_file}: {error.strerror or error}")
    if commit:
        from redpanda_migrate.commits import commit_plan

        result = commit_plan(labelled[0].plan)
        labelled[0].plan.errors.extend(result.errors)
        _echo_commits(result.commits, result.unstaged_secrets)
    elif writes:
        for item in labelled:
            item.plan.errors.extend(apply_plan(item.plan))
    style = ReportStyle(quiet, verbose, colour.value)
    _report(labelled, output_format, dry_run, writes, patch, style, verified if verify else None)
    if any(item.plan.errors for item in labelled):
        raise typer.Exit(EXIT_FILE_ERRORS)
    if (
        check
        and not exit_zero
        and any(item.plan.changed_paths or item.plan.untracks for item in labelled)
    ):
        raise typer.Exit(EXIT_PENDING)


@dataclass(frozen=True)
class ReportStyle:
    """How the text report looks: ``--quiet``, ``--verbose``, ``--color``."""

    quiet: bool = False
    verbose: bool = False
    colour: str = "auto"


def _report(
    labelled: list[LabelledPlan],
    output_format: OutputFormat,
    dry_run: bool,
    writes: bool,
    patch: str,
    style: ReportStyle,
    verified: list[tuple[str, Verification]] | None,
) -> None:
    """Print the run's outcome in the format asked for."""
    from redpanda_migrate.colour import colour_enabled, colour_patch, colour_report
    from redpanda_migrate.report import report_json, report_text

    if output_format is OutputFormat.json:
        document: dict = report_json(labelled)
        if verified is not None:
            document["verification"] = _verification_json(verified)
        write_stdout(json.dumps(document, indent=2) + "\n")
        return
    if output_format is OutputFormat.sarif:
        from redpanda_migrate.annotations import report_sarif

        write_stdout(json.dumps(report_sarif(labelled), indent=2) + "\n")
        return
    if output_format is OutputFormat.github:
        from redpanda_migrate.annotations import report_github

        write_stdout(report_github(labelled))
        return
    if dry_run:
        write_stdout(colour_patch(patch) if colour_enabled(style.colour, sys.stdout) else patch)
    if verified is not None and not style.quiet:
        _echo_verification(verified)
    detail = "quiet" if style.quiet else "verbose" if style.verbose else "summary"
    text = report_text(labelled, "changed" if writes else "would change", detail)
    coloured = colour_enabled(style.colour, sys.stderr)
    # click strips ANSI codes on streams that are not terminals unless told otherwise
    typer.echo(colour_report(text) if coloured else text, err=True, nl=False, color=coloured)
