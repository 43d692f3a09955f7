"""The default text report: findings grouped by codemod and reason, for people short of time.

A run over a real project can leave a hundred places that need review. Listed one a line,
nobody reads them; grouped, they say what to do: each codemod's findings are grouped by
reason (the part of the message shared by several places), counted, and shown with the first
few places. ``--verbose`` and ``--format json`` list every place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

PLACES_SHOWN = 3
REASON_WIDTH = 160


@dataclass(frozen=True)
class Place:
    """One finding, as shown: where, and its message (already scrubbed of secrets)."""

    codemod: str
    where: str
    message: str


def _head_and_tail(message: str) -> tuple[str, str]:
    head, separator, tail = message.partition(": ")
    return (head, tail) if separator else (message, message)


def _one_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= REASON_WIDTH else line[: REASON_WIDTH - 1] + "…"


def group_by_reason(places: Sequence[Place]) -> list[tuple[str, str, list[str]]]:
    """Group findings by codemod and reason.

    A message ``"<specifics>: <reason>"`` or ``"<reason>: <specifics>"`` is grouped by the part
    other messages of the same codemod share; a message sharing nothing is its own group.

    :param places: the findings.
    :returns: ``(codemod, reason, places)`` per group, largest groups first within a codemod,
        codemods in the order they first appear.
    """
    heads = Counter((p.codemod, _head_and_tail(p.message)[0]) for p in places)
    tails = Counter((p.codemod, _head_and_tail(p.message)[1]) for p in places)
    groups: dict[tuple[str, str], list[str]] = {}
    for place in places:
        head, tail = _head_and_tail(place.message)
        if heads[(place.codemod, head)] > 1:
            reason = head
        elif tails[(place.codemod, tail)] > 1:
            reason = tail
        else:
            reason = place.message
        groups.setdefault((place.codemod, _one_line(reason)), []).append(place.where)
    order = list(dict.fromkeys(p.codemod for p in places))
    return sorted(
        ((codemod, reason, wheres) for (codemod, reason), wheres in groups.items()),
        key=lambda group: (order.index(group[0]), -len(group[2]), group[1]),
    )


def grouped_lines(title: str, places: Sequence[Place]) -> list[str]:
    """Render one kind of finding (notes, places needing review) grouped by reason.

    :param title: ``needs review`` or ``notes``.
    :param places: the findings of that kind.
    :returns: the lines, or none when there are no findings.
    """
    if not places:
        return []
    lines = [f"{title} ({len(places)}):"]
    current = None
    for codemod, reason, wheres in group_by_reason(places):
        if codemod != current:
            count = sum(1 for p in places if p.codemod == codemod)
            lines.append(f"  [{codemod}] {count} (docs/codemods/{codemod}.md)")
            current = codemod
        shown = ", ".join(wheres[:PLACES_SHOWN])
        more = f", +{len(wheres) - PLACES_SHOWN} more" if len(wheres) > PLACES_SHOWN else ""
        lines.append(f"    {reason} ({len(wheres)}): {shown}{more}")
    return lines
