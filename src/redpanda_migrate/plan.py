"""What a run found, before anything is written, and the writing of it.

A :class:`Plan` is plain picklable data: the CLI reports it, :mod:`redpanda_migrate.commits`
commits it codemod by codemod, a batch worker sends its figures back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from redpanda_migrate.codemod import Finding
from redpanda_migrate.diffs import DiffStats, unified_diff
from redpanda_migrate.secrets import describe_secret_change, redact
from redpanda_migrate.textio import TextLayout, atomic_write, delete_file, encode_text


@dataclass(frozen=True)
class FileError:
    """A file that could not be processed; the rest of the run went on.

    :param path: project-relative POSIX path.
    :param message: one line saying what is wrong.
    """

    path: str
    message: str


@dataclass(frozen=True)
class Change:
    """One codemod's change to one file, attributable for reports and per-codemod commits.

    :param codemod: the codemod's id.
    :param path: project-relative POSIX path.
    :param before: normalised text before this codemod (``None``: the file did not exist).
    :param after: normalised text after this codemod (``None``: the file is deleted).
    :param stats: lines added and removed by this codemod alone.
    """

    codemod: str
    path: str
    before: str | None
    after: str | None
    stats: DiffStats


@dataclass
class Plan:
    """Everything a run found, before anything is written.

    :param root: the resolved project root.
    :param codemods: ids of the codemods that ran, in order.
    :param changes: every change, in the order it was made.
    :param notes: findings the reviewer must know, per codemod.
    :param refusals: places left alone ("needs review"), per codemod.
    :param errors: files that could not be processed.
    :param final_texts: on-disk text after the whole run, per changed path (``None``: deleted).
    :param original_texts: on-disk text before the run, per changed path (``None``: absent).
    :param modes: permission bits per changed path.
    :param layouts: how each changed path is laid out on disk (see :mod:`textio`).
    :param secret_paths: changed paths whose content must never be shown.
    :param secret_values: values to scrub from every message.
    """

    root: Path
    codemods: tuple[str, ...] = ()
    changes: list[Change] = field(default_factory=list)
    notes: list[tuple[str, Finding]] = field(default_factory=list)
    refusals: list[tuple[str, Finding]] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    final_texts: dict[str, str | None] = field(default_factory=dict)
    original_texts: dict[str, str | None] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    layouts: dict[str, TextLayout] = field(default_factory=dict)
    secret_paths: frozenset[str] = frozenset()
    secret_values: frozenset[str] = frozenset()

    @property
    def changed_paths(self) -> list[str]:
        """Paths whose on-disk text differs after the run, sorted."""
        return sorted(p for p in self.final_texts if self.final_texts[p] != self.original_texts[p])

    def patch(self, prefix: str = "") -> str:
        """Render the whole run as one git-style patch, secret files left out (see :meth:`hidden`).

        :param prefix: a folder put before every path (when several projects run at once).
        :returns: the concatenated diffs of every changed, non-secret file.
        """
        folder = f"{prefix.rstrip('/')}/" if prefix else ""
        return "".join(
            unified_diff(folder + p, self.original_texts[p], self.final_texts[p], self.modes[p])
            for p in self.changed_paths
            if p not in self.secret_paths
        )

    def hidden(self) -> list[str]:
        """Describe the changes to secret files by key counts only.

        :returns: one line per changed secret file.
        """
        return [
            describe_secret_change(p, self.original_texts[p], self.final_texts[p])
            for p in self.changed_paths
            if p in self.secret_paths
        ]

    def disk_text_after(self, change: Change) -> str | None:
        """Return the on-disk text a file has right after one codemod's change.

        :param change: one of :attr:`changes`.
        :returns: the text with the file's BOM and line endings, or ``None`` when deleted.
        """
        if change.after is None:
            return None
        return encode_text(change.after, self.layouts.get(change.path, TextLayout()))

    def scrub(self, message: str) -> str:
        """Remove every secret value from a message before it is shown.

        :param message: any text about to be printed or written.
        :returns: the scrubbed text.
        """
        return redact(message, set(self.secret_values))


def write_texts(root: Path, texts: dict[str, str | None]) -> list[FileError]:
    """Write on-disk texts to the project atomically (``None`` deletes).

    :param root: the resolved project root.
    :param texts: on-disk text per project-relative path.
    :returns: the files that could not be written (the others are written).
    """
    failures = []
    for path, text in sorted(texts.items()):
        try:
            if text is None:
                delete_file(root, path)
            else:
                atomic_write(root, path, text.encode("utf-8"))
        except OSError as error:
            failures.append(FileError(path, f"cannot write: {error.strerror or error}"))
    return failures


def apply_plan(plan: Plan) -> list[FileError]:
    """Write a plan's final texts to the project.

    :param plan: a plan from :func:`plan_project`.
    :returns: the files that could not be written.
    """
    return write_texts(plan.root, {p: plan.final_texts[p] for p in plan.changed_paths})
