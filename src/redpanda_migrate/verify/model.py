"""What verification records: one probe of one check, the verdict on a codemod, the summary.

Everything here is plain picklable data, so a batch worker can send it back as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# How many lines of a failing check's output a report shows.
OUTPUT_LINES = 6
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Warning)(: |$)")


@dataclass(frozen=True)
class Probe:
    """One check run on one state of the scratch copy.

    :param name: what ran, as shown to people (``manage.py check``, ``nginx -t nginx/x.conf``).
    :param ok: whether it passed.
    :param output: its output (already made project-relative; scrubbed later).
    :param facts: data a check compares before and after (a compose file's environments).
    :param path: the project file the probe is about (``.`` for the whole project).
    """

    name: str
    ok: bool
    output: str = ""
    facts: Any = None
    path: str = "."


class Check(Protocol):
    """One kind of check (Python, compose, nginx): what it looks at and how it runs.

    ``probe`` returns the probes of the scratch copy's current state, keyed by something stable
    across states (the file a probe is about). ``regression`` says why ``after`` is worse than
    ``before`` (a passing ``before``), or ``None``.
    """

    kind: str
    cacheable: bool

    def concerns(self, changed: Sequence[str]) -> bool:
        """Tell whether a change to these paths can change this check's outcome."""

    def probe(self, scratch: Any, changed: Sequence[str]) -> dict[str, Probe]:
        """Run the check on the scratch copy."""

    def regression(self, before: Probe, after: Probe) -> str | None:
        """Say why ``after`` is a regression from a passing ``before``, or ``None``."""


def default_regression(before: Probe, after: Probe) -> str | None:
    """Judge a check that only passes or fails: it passed, now it fails.

    :param before: the probe before the change (it passed).
    :param after: the probe after it.
    :returns: the output of ``after`` when it fails, else ``None``.
    """
    return None if after.ok else after.output or "failed without output"


def first_lines(output: str, count: int = OUTPUT_LINES) -> list[str]:
    """Pick the lines of a check's output that tell what failed.

    A Python traceback says what went wrong in its exception lines (the cause first), anything
    else at its start.

    :param output: the output.
    :param count: how many lines.
    :returns: up to ``count`` non-blank lines.
    """
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        # chained exceptions: the first one raised is the cause, the last one the symptom
        raised = [line for line in lines if EXCEPTION_LINE.match(line)]
        return raised[:count] if raised else lines[-count:]
    return lines[:count]


@dataclass(frozen=True)
class Dropped:
    """A codemod whose change set failed a check that passed before it: none of it applies.

    :param codemod: the codemod id.
    :param check: the check that failed (``manage.py check``, ...).
    :param path: the file the check is about (``.``: the project).
    :param output: the first lines of the failing output, scrubbed of secret values.
    """

    codemod: str
    check: str
    path: str
    output: tuple[str, ...]

    def message(self) -> str:
        """Say, for the "needs review" line, why the codemod was left out.

        :returns: one line, then the output's first lines indented.
        """
        head = (
            f"left out by --verify: `{self.check}` passed before this codemod and fails after "
            "it, so none of its changes apply"
        )
        return "\n    ".join([head + (":" if self.output else ""), *self.output])


@dataclass
class Verification:
    """What ``--verify`` did for one project.

    :param ran: names of the checks that ran at least once (sorted when reported).
    :param skipped: why a check did not run or did not count, one line each.
    :param dropped: the codemods left out.
    :param sound: the codemods whose changes passed every check that ran.
    :param seconds: wall time spent verifying.
    """

    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    sound: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def note_ran(self, name: str) -> None:
        """Record that a check ran.

        :param name: the probe's name.
        """
        if name not in self.ran:
            self.ran.append(name)

    def note_skipped(self, line: str) -> None:
        """Record why a check was skipped (once per distinct reason).

        :param line: ``check: reason``.
        """
        if line not in self.skipped:
            self.skipped.append(line)

    @property
    def failed(self) -> bool:
        """Whether some codemod was left out."""
        return bool(self.dropped)

    def status(self) -> str:
        """One word or phrase for a fleet report's verification column.

        :returns: ``passed``, ``failed: <ids>`` or ``nothing checked``.
        """
        if self.dropped:
            return "failed: " + ", ".join(item.codemod for item in self.dropped)
        return "passed" if self.ran else "nothing checked"
