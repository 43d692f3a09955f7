"""Rendering a run for people (text on stderr) and for scripts (one JSON object).

Every message passes through the plan's scrubber, so no value read from a secret file is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redpanda_migrate.plan import Plan
from redpanda_migrate.summary import Place, grouped_lines


@dataclass(frozen=True)
class LabelledPlan:
    """A plan and the prefix its paths get in output (empty for a single project).

    :param label: the project path as given, when several projects run at once.
    :param plan: the plan.
    """

    label: str
    plan: Plan

    def path(self, path: str) -> str:
        """Return a path as shown to the user.

        :param path: project-relative path.
        """
        return f"{self.label.rstrip('/')}/{path}" if self.label else path


def _location(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def report_json(plans: Sequence[LabelledPlan]) -> dict[str, list[dict[str, Any]]]:
    """Build the JSON report: changes, notes, refusals, errors, skipped files and untracked ones.

    ``untracked`` lists the files removed from the git index (kept on disk).

    ``changes`` lists only what was written (or would be, for a preview): a change set that
    could not be written is withdrawn from the plan and its codemod listed under ``refusals``.

    :param plans: the plans of the run.
    :returns: a JSON-serialisable object.
    """
    report: dict[str, list[dict[str, Any]]] = {
        "changes": [],
        "notes": [],
        "refusals": [],
        "errors": [],
        "skipped": [],
        "untracked": [],
    }
    for item in plans:
        plan = item.plan
        for change in plan.changes:
            report["changes"].append(
                {
                    "codemod": change.codemod,
                    "path": item.path(change.path),
                    "added": change.stats.added,
                    "removed": change.stats.removed,
                }
            )
        for codemod_id, note in plan.notes:
            report["notes"].append(
                {
                    "codemod": codemod_id,
                    "path": item.path(note.path),
                    "line": note.line,
                    "message": plan.scrub(note.message),
                }
            )
        for codemod_id, refusal in plan.refusals:
            report["refusals"].append(
                {
                    "codemod": codemod_id,
                    "path": item.path(refusal.path),
                    "line": refusal.line,
                    "reason": plan.scrub(refusal.message),
                }
            )
        for error in plan.errors:
            report["errors"].append(
                {"path": item.path(error.path), "message": plan.scrub(error.message)}
            )
        for left in plan.skipped:
            report["skipped"].append({"path": item.path(left.path), "message": left.message})
        for untrack in plan.untracks:
            report["untracked"].append(
                {"codemod": untrack.codemod, "path": item.path(untrack.path)}
            )
    return report


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report_text(plans: Sequence[LabelledPlan], verb: str, detail: str = "summary") -> str:
    """Build the human report: changed files, findings, totals.

    :param plans: the plans of the run.
    :param verb: ``would change`` for previews, ``changed`` after writing.
    :param detail: ``summary`` (changes one a line, findings grouped by codemod and reason),
        ``verbose`` (every finding on its own line) or ``quiet`` (the totals line alone).
    :returns: the text, ending with a newline.
    """
    lines: list[str] = []
    notes: list[Place] = []
    reviews: list[Place] = []
    changed_files = 0
    untracked = 0
    totals = {"notes": 0, "refusals": 0, "errors": 0}
    for item in plans:
        plan = item.plan
        for change in plan.changes:
            stats = f"+{change.stats.added} -{change.stats.removed}"
            lines.append(f"{verb}: {item.path(change.path)} [{change.codemod}] {stats}")
        lines.extend(f"{verb}: {item.path(line)}" for line in plan.hidden())
        untrack_verb = "untracked" if verb == "changed" else "would untrack"
        lines.extend(
            f"{untrack_verb}: {item.path(u.path)} [{u.codemod}] removed from the git index, "
            "kept on disk"
            for u in plan.untracks
        )
        untracked += len(plan.untracks)
        for codemod_id, note in plan.notes:
            where = _location(item.path(note.path), note.line)
            notes.append(Place(codemod_id, where, plan.scrub(note.message)))
            if detail == "verbose":
                lines.append(f"note: {where} [{codemod_id}] {notes[-1].message}")
        for codemod_id, refusal in plan.refusals:
            where = _location(item.path(refusal.path), refusal.line)
            reviews.append(Place(codemod_id, where, plan.scrub(refusal.message)))
            if detail == "verbose":
                lines.append(f"needs review: {where} [{codemod_id}] {reviews[-1].message}")
        for error in plan.errors:
            lines.append(f"error: {item.path(error.path)}: {plan.scrub(error.message)}")
        lines.extend(f"skipped: {item.path(left.path)}: {left.message}" for left in plan.skipped)
        lines.extend(
            f"finished: {item.path(path)} (an interrupted run had left it half-written)"
            for path in plan.recovered
        )
        changed_files += len(plan.changed_paths)
        totals["notes"] += len(plan.notes)
        totals["refusals"] += len(plan.refusals)
        totals["errors"] += len(plan.errors)
    if detail == "summary":
        lines += grouped_lines("notes", notes) + grouped_lines("needs review", reviews)
        if notes or reviews:
            lines.append("(--verbose or --format json list every place)")
    summary = (
        f"{verb[0].upper()}{verb[1:]} {_plural(changed_files, 'file')}; "
        f"{_plural(totals['notes'], 'note')}, {totals['refusals']} needing review, "
        f"{_plural(totals['errors'], 'error')}."
    )
    if untracked:
        untracking = "untracked" if verb == "changed" else "untrack"
        summary = summary.replace(";", f", {untracking} {_plural(untracked, 'file')};", 1)
    if not changed_files and not untracked and not any(totals.values()):
        summary = "Nothing to change: the project already meets every selected rule."
    if detail == "quiet":
        lines = [line for line in lines if line.startswith("error: ")]
    return "\n".join([*lines, summary]) + "\n"
