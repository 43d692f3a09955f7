"""Showing a scorecard: a text table, Markdown for a tracking issue, JSON, SARIF 2.1.0.

Messages come from the plan's scrubber or from code and file names, never from ``.env`` values.
"""

from __future__ import annotations

from typing import Any

from redpanda_migrate.audit.model import FAIL, NEEDS_REVIEW, NOT_APPLICABLE, PASS, Scorecard
from redpanda_migrate.sarif import sarif_log, sarif_result, sarif_rule

PLACES_SHOWN = 3
MESSAGE_WIDTH = 140
DOCS_PAGE = "docs/codemods/{id}.md"
SARIF_LEVELS = {FAIL: "error", NEEDS_REVIEW: "warning"}
MARKS = {PASS: "pass", FAIL: "FAIL", NEEDS_REVIEW: "review", NOT_APPLICABLE: "n/a"}


def _short(message: str) -> str:
    """Cut a message to one line: its first sentence, at most ``MESSAGE_WIDTH`` characters."""
    first = message.split("\n", 1)[0]
    first = first.split(". ", 1)[0] if len(first) > MESSAGE_WIDTH else first
    return first if len(first) <= MESSAGE_WIDTH else first[: MESSAGE_WIDTH - 1] + "…"


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    """Build the JSON form: ``{"rules": [...], "score": ..., "counts": ..., "errors": [...]}``.

    :param card: the scorecard.
    :returns: a JSON-serialisable object.
    """
    return {
        "rules": [
            {
                "id": rule.id,
                "section": rule.section,
                "title": rule.title,
                "status": rule.status,
                "fixable": rule.fixable,
                "places": [
                    {"path": p.path, "line": p.line, "message": p.message} for p in rule.places
                ],
            }
            for rule in card.rules
        ],
        "score": card.score,
        "counts": dict(card.counts()),
        "errors": list(card.errors),
    }


def scorecard_text(card: Scorecard, verbose: bool = False) -> str:
    """Render the scorecard as a table for a terminal, the first places of each failing rule.

    :param card: the scorecard.
    :param verbose: list every place instead of the first few.
    :returns: the text, ending with a newline.
    """
    width = max(len(rule.id) for rule in card.rules) if card.rules else 0
    lines = []
    for rule in card.rules:
        fix = "  (fixable: redpanda-migrate run)" if rule.fixable and rule.status == FAIL else ""
        lines.append(f"{MARKS[rule.status]:<6}  {rule.id:<{width}}  {rule.title}{fix}")
        shown = rule.places if verbose else rule.places[:PLACES_SHOWN]
        for place in shown:
            message = place.message if verbose else _short(place.message)
            lines.append(f"{'':<6}    {_where(place.path, place.line)}: {message}")
        if len(rule.places) > len(shown):
            lines.append(f"{'':<6}    ... {len(rule.places) - len(shown)} more (--verbose)")
    counts = card.counts()
    lines.append(
        f"score: {card.score:g}% ({counts[PASS]} pass, {counts[FAIL]} fail, "
        f"{counts[NEEDS_REVIEW]} need review, {counts[NOT_APPLICABLE]} not applicable)"
    )
    lines.extend(f"error: {error}" for error in card.errors)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def scorecard_markdown(card: Scorecard) -> str:
    """Render the scorecard as Markdown, fit for a tracking issue.

    :param card: the scorecard.
    :returns: the Markdown text.
    """
    lines = [
        f"**Red Panda Approval score: {card.score:g}%**",
        "",
        "| rule | section | status | places |",
        "| --- | --- | --- | --- |",
    ]
    for rule in card.rules:
        places = "<br>".join(
            _cell(f"`{_where(p.path, p.line)}` {_short(p.message)}")
            for p in rule.places[:PLACES_SHOWN]
        )
        if len(rule.places) > PLACES_SHOWN:
            places += f"<br>... {len(rule.places) - PLACES_SHOWN} more"
        lines.append(f"| `{rule.id}` | {_cell(rule.section)} | {rule.status} | {places} |")
    return "\n".join(lines) + "\n"


def scorecard_sarif(card: Scorecard) -> dict[str, Any]:
    """Render the scorecard as SARIF 2.1.0 for code-scanning dashboards.

    :param card: the scorecard.
    :returns: one SARIF log with one run: a rule per rule of the standard, a result per place.
    """
    rules = []
    results = []
    for index, rule in enumerate(card.rules):
        fix = (
            f"Fixed by `redpanda-migrate run --select {rule.id}`; see "
            f"{DOCS_PAGE.format(id=rule.id)}."
            if rule.fixable
            else "See docs/audit.md."
        )
        descriptor = sarif_rule(rule.id, rule.title, rule.section, fix)
        descriptor["properties"]["fixable"] = rule.fixable
        rules.append(descriptor)
        if rule.status not in SARIF_LEVELS:
            continue
        for place in rule.places:
            # dashboards can only point into files that exist
            path = None if place.absent else place.path
            level = SARIF_LEVELS[rule.status]
            results.append(sarif_result(index, rule.id, level, place.message, path, place.line))
    return sarif_log(rules, results)
