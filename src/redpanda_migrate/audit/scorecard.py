"""Building a project's scorecard: the codemods' pending work plus the static checks.

:func:`audit_project` is a plain module-level function over picklable data, so a batch worker
or a dask worker can run it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from redpanda_migrate.audit.model import (
    FAIL,
    NEEDS_REVIEW,
    NOT_APPLICABLE,
    PASS,
    AuditInput,
    Check,
    Place,
    RuleResult,
    Scorecard,
    worst,
)
from redpanda_migrate.codemod import Codemod
from redpanda_migrate.diffs import first_changed_line
from redpanda_migrate.discovery import compile_patterns, iter_project_files
from redpanda_migrate.plan import Plan
from redpanda_migrate.runner import plan_project, resolve_run
from redpanda_migrate.textio import UnreadableFile, decode

CHECKS_PACKAGE = "redpanda_migrate.audit.checks"
# a file larger than this is not one a person wrote by hand; the checks pass over it
MAX_CHECKED_BYTES = 2_000_000


@cache
def all_checks() -> tuple[Check, ...]:
    """Return every static check, discovered from the modules of the checks package.

    :returns: the checks, in module then declaration order.
    """
    package = importlib.import_module(CHECKS_PACKAGE)
    found: list[Check] = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{CHECKS_PACKAGE}.{module_info.name}")
        found.extend(getattr(module, "CHECKS", ()))
    return tuple(found)


def _tracked_files(root: Path) -> frozenset[str] | None:
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z"],
            cwd=root,
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return frozenset(p for p in result.stdout.decode("utf-8", "replace").split("\0") if p)


def _read_text(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_CHECKED_BYTES:
            return None
        return decode(path.read_bytes())[0]
    except (OSError, UnreadableFile):
        return None


def _concerns(codemod: Codemod, project: AuditInput) -> bool:
    """Tell whether any file of the project can concern a codemod (its globs and needles)."""
    spec = compile_patterns(codemod.files)
    return any(
        spec.match_file(path) and codemod.wants(project.text(path) or "") for path in project.files
    )


def _codemod_rule(codemod: Codemod, plan: Plan, project: AuditInput) -> RuleResult:
    run = f"`redpanda-migrate run --select {codemod.id}`"
    failures = tuple(
        Place(
            change.path,
            first_changed_line(change.before, change.after),
            f"{run} creates this file" if change.before is None else f"{run} changes this",
            absent=change.before is None,
        )
        for change in plan.changes
        if change.codemod == codemod.id
    ) + tuple(
        Place(untrack.path, None, f"{run} removes this from git (kept on disk)")
        for untrack in plan.untracks
        if untrack.codemod == codemod.id
    )
    reviews = tuple(
        Place(finding.path, finding.line, plan.scrub(finding.message))
        for codemod_id, finding in plan.refusals
        if codemod_id == codemod.id
    )
    applicable = bool(failures or reviews) or _concerns(codemod, project)
    if failures:
        status = FAIL
    elif reviews:
        status = NEEDS_REVIEW
    else:
        status = PASS if applicable else NOT_APPLICABLE
    return RuleResult(
        codemod.id, codemod.section, codemod.title, status, failures + reviews, fixable=True
    )


def _check_rule(check: Check, project: AuditInput) -> RuleResult:
    outcome = check.run(project)
    places = outcome.failures + outcome.reviews
    return RuleResult(check.id, check.section, check.title, outcome.status, places)


def _merge(codemod_rule: RuleResult, check_rule: RuleResult) -> RuleResult:
    # a place the codemod refused is listed once, with its reason (the check only saw it)
    refused = {
        (p.path, p.line)
        for p in codemod_rule.places
        if p.line is not None and not p.message.startswith("`redpanda-migrate run")
    }
    places = codemod_rule.places + tuple(
        p
        for p in check_rule.places
        if p not in codemod_rule.places and (p.path, p.line) not in refused
    )
    return RuleResult(
        codemod_rule.id,
        codemod_rule.section,
        codemod_rule.title,
        worst([codemod_rule.status, check_rule.status]),
        places,
        fixable=True,
    )


def audit_project(
    path: str | os.PathLike[str],
    select: Sequence[str] | None = None,
    skip: Sequence[str] | None = None,
    jobs: int = 1,
) -> Scorecard:
    """Audit a project against every mechanically checkable rule of the standard.

    :param path: the project root.
    :param select: codemod ids whose rules are audited (``None``: the project's configuration).
    :param skip: codemod ids left out.
    :param jobs: worker processes for the codemods' planning.
    :returns: the scorecard: one result per rule, codemods first, then the static checks.
    :raises redpanda_migrate.runner.BadInput: for a bad path or configuration.
    :raises redpanda_migrate.registry.UnknownCodemod: for an unknown id.
    """
    root, config, codemods = resolve_run(path, select, skip)
    plan = plan_project(root, select, skip, jobs)
    files = tuple(iter_project_files(root, config.exclude))

    def read(relative: str) -> str | None:
        return _read_text(root / relative)

    project = AuditInput(files, read, _tracked_files(root))
    checked = {check.id: _check_rule(check, project) for check in all_checks()}
    rules: list[RuleResult] = []
    for codemod in codemods:
        rule = _codemod_rule(codemod, plan, project)
        if codemod.id in checked:
            rule = _merge(rule, checked.pop(codemod.id))
        rules.append(rule)
    rules.extend(checked.values())
    errors = tuple(f"{error.path}: {plan.scrub(error.message)}" for error in plan.errors)
    return Scorecard(tuple(rules), errors)
