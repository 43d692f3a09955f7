"""SARIF 2.1.0 logs, for code-scanning dashboards: one run, one rule per rule of the standard.

Used by ``run --format sarif`` (pending changes, notes, places needing review) and by
``audit --format sarif`` (rules that fail or need review).
"""

from __future__ import annotations

from typing import Any

from redpanda_migrate import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_rule(rule_id: str, title: str, section: str, help_text: str) -> dict[str, Any]:
    """Describe one rule of the standard as a SARIF reporting descriptor.

    :param rule_id: the codemod's or check's id.
    :param title: one line saying what the rule wants.
    :param section: the section of the standard.
    :param help_text: what to do about it (where its docs page is).
    """
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": title},
        "help": {"text": help_text},
        "properties": {"section": section},
    }


def sarif_result(
    rule_index: int,
    rule_id: str,
    level: str,
    message: str,
    path: str | None,
    line: int | None = None,
) -> dict[str, Any]:
    """Describe one finding as a SARIF result.

    :param rule_index: the index of its rule in the run's rules.
    :param rule_id: its rule's id.
    :param level: ``error``, ``warning`` or ``note``.
    :param message: what is wrong, for a person.
    :param path: the project-relative file, or ``None`` when there is none to point at (a file
        that does not exist yet, the project as a whole).
    :param line: the 1-based line, when known.
    """
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": message},
    }
    if path is not None and path != ".":
        location: dict[str, Any] = {"artifactLocation": {"uri": path}}
        if line:
            location["region"] = {"startLine": line}
        result["locations"] = [{"physicalLocation": location}]
    return result


def sarif_log(rules: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Wrap rules and results into a SARIF 2.1.0 log of one run of redpanda-migrate."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "redpanda-migrate", "version": __version__, "rules": rules}
                },
                "results": results,
            }
        ],
    }
