"""``run --format sarif`` and ``run --format github``: findings where CI dashboards show them.

SARIF 2.1.0 has one rule per codemod that ran and a result per pending change (``error``: the
standard is not met there yet), place needing review (``warning``) and note (``note``). GitHub
workflow commands (``::error file=...,line=...::``) put the same findings on the pull request's
lines. Messages pass through the plan's scrubber: no ``.env`` value is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from redpanda_migrate.diffs import first_changed_line
from redpanda_migrate.registry import codemods_by_id
from redpanda_migrate.report import LabelledPlan
from redpanda_migrate.sarif import sarif_log, sarif_result, sarif_rule

CHANGE, REVIEW, NOTE, ERROR = "change", "review", "note", "error"
SARIF_LEVELS = {CHANGE: "error", REVIEW: "warning", NOTE: "note"}
GITHUB_COMMANDS = {CHANGE: "error", REVIEW: "warning", NOTE: "notice", ERROR: "error"}


Finding = tuple[str, str, str, int | None, str, bool]


def _findings(plans: Sequence[LabelledPlan]) -> Iterator[Finding]:
    """Yield ``(kind, codemod, path, line, message, file is new)`` for every finding."""
    for item in plans:
        plan = item.plan
        for change in plan.changes:
            added, removed = change.stats.added, change.stats.removed
            message = (
                f"would change (+{added} -{removed}): `redpanda-migrate run --select "
                f"{change.codemod}` applies it"
            )
            line = first_changed_line(change.before, change.after)
            new = change.before is None
            yield CHANGE, change.codemod, item.path(change.path), line, message, new
        for codemod_id, finding in plan.refusals:
            message = plan.scrub(finding.message)
            yield REVIEW, codemod_id, item.path(finding.path), finding.line, message, False
        for codemod_id, finding in plan.notes:
            message = plan.scrub(finding.message)
            yield NOTE, codemod_id, item.path(finding.path), finding.line, message, False
        for error in plan.errors:
            yield ERROR, "", item.path(error.path), None, plan.scrub(error.message), False


def report_sarif(plans: Sequence[LabelledPlan]) -> dict[str, Any]:
    """Build a SARIF 2.1.0 log of the run.

    :param plans: the plans of the run.
    :returns: the log; files that could not be processed are tool notifications.
    """
    known = codemods_by_id()
    ran = list(dict.fromkeys(c for item in plans for c in item.plan.codemods))
    rules = [
        sarif_rule(
            codemod_id,
            known[codemod_id].title if codemod_id in known else codemod_id,
            known[codemod_id].section if codemod_id in known else "",
            f"`redpanda-migrate explain {codemod_id}`; docs/codemods/{codemod_id}.md",
        )
        for codemod_id in ran
    ]
    results = []
    notifications = []
    for kind, codemod_id, path, line, message, new in _findings(plans):
        if kind == ERROR:
            notifications.append({"level": "error", "message": {"text": f"{path}: {message}"}})
            continue
        index = ran.index(codemod_id) if codemod_id in ran else 0
        where = None if new else path  # dashboards can only point into files that exist
        results.append(sarif_result(index, codemod_id, SARIF_LEVELS[kind], message, where, line))
    log = sarif_log(rules, results)
    if notifications:
        log["runs"][0]["invocations"] = [
            {"executionSuccessful": False, "toolExecutionNotifications": notifications}
        ]
    return log


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(plans: Sequence[LabelledPlan]) -> str:
    """Render the run as GitHub Actions workflow commands, one a finding.

    :param plans: the plans of the run.
    :returns: the lines, ending with a newline (empty when there is nothing to say).
    """
    lines = []
    for kind, codemod_id, path, line, message, _ in _findings(plans):
        properties = [f"file={_escape_property(path)}"]
        if line:
            properties.append(f"line={line}")
        title = f"redpanda-migrate [{codemod_id}]" if codemod_id else "redpanda-migrate"
        properties.append(f"title={_escape_property(title)}")
        lines.append(f"::{GITHUB_COMMANDS[kind]} {','.join(properties)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)
