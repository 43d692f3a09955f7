"""The audit's data: rules, their places and statuses, and the scorecard of one project.

Plain picklable dataclasses, so that a batch worker can send a project's scorecard back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

PASS = "pass"
FAIL = "fail"
NEEDS_REVIEW = "needs-review"
NOT_APPLICABLE = "not-applicable"
# worst first: a rule checked by a codemod and a check takes the worse of the two statuses
STATUS_ORDER = (FAIL, NEEDS_REVIEW, PASS, NOT_APPLICABLE)


@dataclass(frozen=True)
class Place:
    """Where a rule is not met.

    :param path: project-relative POSIX path.
    :param line: 1-based line, or ``None`` for the whole file or project.
    :param message: what is wrong there, in words a person acts on.
    :param absent: the file does not exist (yet): the place is where it belongs.
    """

    path: str
    line: int | None
    message: str
    absent: bool = False


@dataclass(frozen=True)
class CheckOutcome:
    """What a check found.

    :param failures: places that break the rule.
    :param reviews: places a person must judge (the rule may or may not be broken).
    :param applicable: ``False`` when nothing in the project can concern the rule.
    """

    failures: tuple[Place, ...] = ()
    reviews: tuple[Place, ...] = ()
    applicable: bool = True

    @property
    def status(self) -> str:
        """Return the status these findings give the rule."""
        if self.failures:
            return FAIL
        if self.reviews:
            return NEEDS_REVIEW
        return PASS if self.applicable else NOT_APPLICABLE


class AuditInput:
    """The project as a check sees it: its files, their texts and Python trees, read once.

    :param files: every file the run considers (``.gitignore`` and ``exclude`` honoured).
    :param read_text: returns a file's text, or ``None`` when it cannot be read.
    :param tracked: files git tracks, or ``None`` outside a git repository.
    """

    def __init__(
        self,
        files: tuple[str, ...],
        read_text: Callable[[str], str | None],
        tracked: frozenset[str] | None,
    ) -> None:
        self.files = files
        self.tracked = tracked
        self._read_text = read_text
        self._texts: dict[str, str | None] = {}
        self._trees: dict[str, Any] = {}
        self._shared: dict[str, Any] = {}

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        """Return a value several checks use (the project's models, say), computed once.

        :param key: names the value.
        :param compute: computes it on first use.
        """
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    def text(self, path: str) -> str | None:
        """Return a file's text (read once), or ``None`` when it cannot be read."""
        if path not in self._texts:
            self._texts[path] = self._read_text(path)
        return self._texts[path]

    def python_tree(self, path: str) -> Any:
        """Return a Python file's ``ast`` tree (parsed once), or ``None`` when it does not parse.

        :param path: a ``.py`` file of the project.
        """
        if path not in self._trees:
            import ast

            text = self.text(path)
            try:
                self._trees[path] = None if text is None else ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[path] = None
        return self._trees[path]

    @cached_property
    def python_files(self) -> tuple[str, ...]:
        """Return the project's Python files, migrations and virtualenvs left out."""
        return tuple(
            p for p in self.files if p.endswith(".py") and "migrations" not in p.split("/")[:-1]
        )

    @cached_property
    def migration_files(self) -> tuple[str, ...]:
        """Return the Django migration modules of the project."""
        return tuple(
            p
            for p in self.files
            if p.endswith(".py")
            and PurePosixPath(p).parent.name == "migrations"
            and PurePosixPath(p).name != "__init__.py"
        )

    @cached_property
    def template_files(self) -> tuple[str, ...]:
        """Return the Django templates of the project (``.html`` files under ``templates/``)."""
        return tuple(
            p
            for p in self.files
            if p.endswith((".html", ".htm")) and "templates" in p.split("/")[:-1]
        )

    def named(self, *names: str) -> tuple[str, ...]:
        """Return the files whose base name is one of ``names``."""
        return tuple(p for p in self.files if PurePosixPath(p).name in names)


@dataclass(frozen=True)
class Check:
    """A rule of the standard the audit checks statically, without changing anything.

    :param id: a short id (the id of the codemod that fixes it, when there is one).
    :param section: the section of the standard.
    :param title: one line saying what the rule wants.
    :param run: the check itself.
    """

    id: str
    section: str
    title: str
    run: Callable[[AuditInput], CheckOutcome]


@dataclass(frozen=True)
class RuleResult:
    """One rule's status for one project.

    :param id: the rule's id.
    :param section: the section of the standard.
    :param title: what the rule wants.
    :param status: ``pass``, ``fail``, ``needs-review`` or ``not-applicable``.
    :param places: where it is not met.
    :param fixable: ``True`` when a codemod of this tool fixes it (``redpanda-migrate run``).
    """

    id: str
    section: str
    title: str
    status: str
    places: tuple[Place, ...] = ()
    fixable: bool = False

    @property
    def family(self) -> str:
        """Return the rule's family for fleet tables: the section's first word group."""
        return self.section.split("(")[0].split("—")[0].strip()


@dataclass(frozen=True)
class Scorecard:
    """The audit of one project.

    :param rules: one result per rule, in catalogue order.
    :param errors: files or steps that could not be read, one line each.
    """

    rules: tuple[RuleResult, ...]
    errors: tuple[str, ...] = field(default=())

    @property
    def score(self) -> float:
        """Return the share of applicable rules that pass, in percent (100 when none apply)."""
        applicable = [rule for rule in self.rules if rule.status != NOT_APPLICABLE]
        if not applicable:
            return 100.0
        passed = sum(1 for rule in applicable if rule.status == PASS)
        return round(100.0 * passed / len(applicable), 1)

    def counts(self) -> Mapping[str, int]:
        """Return how many rules have each status."""
        return {status: sum(1 for r in self.rules if r.status == status) for status in STATUS_ORDER}


def worst(statuses: Iterable[str]) -> str:
    """Return the worst of several statuses (``fail`` before ``needs-review`` before ``pass``)."""
    found = set(statuses)
    for status in STATUS_ORDER:
        if status in found:
            return status
    return NOT_APPLICABLE
