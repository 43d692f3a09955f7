"""What a run found, before anything is written, and the writing of it.

A :class:`Plan` is plain picklable data: the CLI reports it, :mod:`redpanda_migrate.commits`
commits it codemod by codemod, a batch worker sends its figures back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from redpanda_migrate.changeset import apply_change_set
from redpanda_migrate.codemod import Finding
from redpanda_migrate.diffs import DiffStats, unified_diff
from redpanda_migrate.secrets import describe_secret_change, is_secret_path, redact
from redpanda_migrate.textio import (
    Fingerprint,
    TextLayout,
    encode_text,
    remove_leftover_temp_dirs,
)
from redpanda_migrate.untrack import (
    IndexEntry,
    Untrack,
    UntrackError,
    restore_entries,
    untrack_paths,
)


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
    :param fingerprints: per changed path, what it was when read (``None``: absent), so that a
        write never overwrites an edit made during the run.
    :param skipped: files and folders left alone on purpose (over the size limit, another git
        repository, a symlink out of the project), each with a one-line reason.
    :param temp_dirs: temporary folders a killed earlier run left behind; a writing run removes
        them.
    :param file_codemods: the codemods with a file transform, whose change to one file does not
        depend on their changes to others.
    :param recovered: files whose half-done write, left by a killed run, this run finished.
    :param untracks: files to remove from the git index and keep on disk, per codemod.
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
    fingerprints: dict[str, Fingerprint | None] = field(default_factory=dict)
    skipped: list[FileError] = field(default_factory=list)
    temp_dirs: tuple[str, ...] = ()
    file_codemods: frozenset[str] = frozenset()
    recovered: list[str] = field(default_factory=list)
    untracks: list[Untrack] = field(default_factory=list)

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
            self.scrub(
                unified_diff(folder + p, self.original_texts[p], self.final_texts[p], self.modes[p])
            )
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


def is_secret(plan: Plan, path: str) -> bool:
    """Tell whether a path of a plan holds secrets (section "Secrets").

    :param plan: the plan.
    :param path: project-relative POSIX path.
    """
    return path in plan.secret_paths or is_secret_path(path)


def write_texts(
    root: Path,
    texts: dict[str, str | None],
    expected: dict[str, Fingerprint | None] | None = None,
    secret_paths: frozenset[str] = frozenset(),
) -> list[FileError]:
    """Write on-disk texts to the project atomically (``None`` deletes), all or nothing.

    :param root: the resolved project root.
    :param texts: on-disk text per project-relative path.
    :param expected: per path, the fingerprint the run read; a file edited since is not
        overwritten (see :func:`~redpanda_migrate.changeset.apply_change_set`).
    :param secret_paths: paths holding secrets (created owner-only).
    :returns: the files that stopped the writes (empty: every file was written).
    """
    known = expected if expected is not None else {}
    failures = apply_change_set(root, texts, known, secret_paths | _secret_names(texts))
    return [FileError(failure.path, failure.reason) for failure in failures]


def _secret_names(paths) -> frozenset[str]:
    return frozenset(path for path in paths if is_secret_path(path))


def withdraw(
    plan: Plan, changes: list[Change], failures: list[FileError], why: str | None = None
) -> None:
    """Take changes out of a plan because their change set could not be written.

    They and the notes about their files leave the report (which lists only what was written),
    their files keep the text they had, and each codemod concerned is reported under "needs
    review".

    :param plan: the plan.
    :param changes: the changes none of which were written.
    :param failures: the files that stopped them.
    :param why: the reason given instead of the failures' own (for changes that build on them).
    """
    gone = {id(change) for change in changes}
    plan.changes = [change for change in plan.changes if id(change) not in gone]
    touched = {(change.codemod, change.path) for change in changes}
    left = {change.codemod for change in plan.changes}
    # a codemod's untracking belongs to its change set: it goes when the set goes
    plan.untracks = [
        u
        for u in plan.untracks
        if u.codemod in left or u.codemod not in {change.codemod for change in changes}
    ]
    plan.notes = [
        (codemod_id, note)
        for codemod_id, note in plan.notes
        if (codemod_id, note.path) not in touched
        and (codemod_id in left or codemod_id not in {cid for cid, _ in touched})
    ]
    for path in {change.path for change in changes}:
        # the file keeps the text of the last change still written to it, or its own
        kept = [change for change in plan.changes if change.path == path]
        plan.final_texts[path] = (
            plan.disk_text_after(kept[-1]) if kept else plan.original_texts.get(path)
        )
    codemods = {change.codemod for change in changes}
    for codemod_id in sorted(codemods, key=plan.codemods.index):
        for failure in failures:
            reason = why or f"{failure.path}: {failure.message}"
            message = (
                f"not applied: {reason}; the other files of this change were not written "
                "either, so the project stays consistent"
            )
            plan.refusals.append((codemod_id, Finding(failure.path, None, message)))


def change_units(plan: Plan, changes: list[Change]) -> list[list[Change]]:
    """Split changes into the sets that must be written all or nothing.

    A project codemod's changes are one set (its files depend on each other); a file codemod's
    change to one file is a set of its own. Sets that change the same file build on each
    other, so they are joined.

    :param plan: the plan.
    :param changes: changes of the plan, in run order.
    :returns: the sets, in run order.
    """
    units: list[tuple[list[Change], set[str]]] = []
    by_key: dict[tuple[str, str], tuple[list[Change], set[str]]] = {}
    for change in changes:
        key = (change.codemod, change.path if change.codemod in plan.file_codemods else "")
        unit = by_key.get(key)
        if unit is None:
            unit = by_key[key] = ([], set())
            units.append(unit)
        unit[0].append(change)
        unit[1].add(change.path)
    groups: list[tuple[list[Change], set[str]]] = []
    for members, paths in units:
        merged: tuple[list[Change], set[str]] = (list(members), set(paths))
        for group in [group for group in groups if group[1] & paths]:
            merged = (group[0] + merged[0], group[1] | merged[1])
            groups.remove(group)
        groups.append(merged)
    order = {id(change): index for index, change in enumerate(changes)}
    return [sorted(group, key=lambda change: order[id(change)]) for group, _ in groups]


def apply_plan(plan: Plan) -> list[FileError]:
    """Write a plan's final texts to the project, each change set all or nothing.

    A set (see :func:`change_units`) with a file that cannot be written, or that changed on
    disk during the run, is not written at all and is withdrawn from the plan (see
    :func:`withdraw`).

    :param plan: a plan from :func:`plan_project`.
    :returns: the files that could not be written.
    """
    remove_leftover_temp_dirs(plan.root, plan.temp_dirs)
    expected = dict(plan.fingerprints)
    errors: list[FileError] = []
    changed = set(plan.changed_paths)
    for unit in change_units(plan, list(plan.changes)):
        paths = sorted({change.path for change in unit} & changed)
        codemods = {change.codemod for change in unit}
        untracked, failures = _untrack(
            plan, [u.path for u in plan.untracks if u.codemod in codemods]
        )
        if not failures:
            failures = write_texts(
                plan.root, {p: plan.final_texts[p] for p in paths}, expected, plan.secret_paths
            )
            if failures:  # all or nothing: the index gets its entries back
                restore_entries(plan.root, untracked)
        if failures:
            errors.extend(failures)
            withdraw(plan, unit, failures)
    with_changes = {change.codemod for change in plan.changes}
    for codemod_id in dict.fromkeys(u.codemod for u in plan.untracks):
        if codemod_id not in with_changes:
            errors.extend(_untrack_alone(plan, codemod_id))
    return errors


def _untrack(plan: Plan, paths: list[str]) -> tuple[list[IndexEntry], list[FileError]]:
    try:
        return untrack_paths(plan.root, paths), []
    except UntrackError as error:
        return [], [FileError(paths[0], str(error))]


def _untrack_alone(plan: Plan, codemod_id: str) -> list[FileError]:
    """Untrack the files of a codemod that writes nothing (its ignore rule already exists)."""
    paths = [u.path for u in plan.untracks if u.codemod == codemod_id]
    failures = _untrack(plan, paths)[1]
    if failures:
        plan.untracks = [u for u in plan.untracks if u.codemod != codemod_id]
        message = f"not applied: {failures[0].message}"
        plan.refusals.append((codemod_id, Finding(failures[0].path, None, message)))
    return failures
