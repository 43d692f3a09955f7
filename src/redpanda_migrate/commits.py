"""Applying a plan as one git commit per codemod, reviewably.

Each commit holds only the files of one codemod, in run order, so the history reads as the
migration happened. Secret files (``.env`` and the like) are never staged, whatever happens.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redpanda_migrate import STANDARD_VERSION, __version__
from redpanda_migrate.codemod import Finding
from redpanda_migrate.gitutil import git, worktree_top
from redpanda_migrate.plan import (
    Change,
    FileError,
    Plan,
    change_units,
    is_secret,
    withdraw,
    write_texts,
)
from redpanda_migrate.registry import codemods_by_id
from redpanda_migrate.textio import remove_leftover_temp_dirs
from redpanda_migrate.untrack import IndexEntry, UntrackError, restore_entries, untrack_paths

TRAILER_KEY = "Migrated-by"
IN_PROGRESS_MARKERS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or git am",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


class GitStateError(ValueError):
    """The repository is not in a state where commits can safely be made (exit 2)."""


@dataclass(frozen=True)
class CodemodCommit:
    """A commit made for one codemod.

    :param codemod: the codemod's id.
    :param sha: the commit's hash.
    :param paths: project-relative paths it contains.
    """

    codemod: str
    sha: str
    paths: tuple[str, ...]


@dataclass
class CommitResult:
    """What a commit run did.

    :param commits: the commits made, in order.
    :param unstaged_secrets: secret files written but deliberately not committed.
    :param errors: files that could not be written or committed.
    """

    commits: list[CodemodCommit] = field(default_factory=list)
    unstaged_secrets: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


def check_committable(root: Path) -> Path:
    """Refuse unless ``root`` is in a git work tree that is clean and not mid-operation.

    :param root: the resolved project root.
    :returns: the work tree's top folder.
    :raises GitStateError: outside git, during a merge/rebase/cherry-pick/revert, or with
        uncommitted changes to tracked files.
    """
    top = worktree_top(root)
    if top is None:
        raise GitStateError(f"{root} is not inside a git repository; --commit needs one")
    for marker, operation in IN_PROGRESS_MARKERS.items():
        marker_path = git(top, "rev-parse", "--git-path", marker).stdout.strip()
        if (top / marker_path).exists():
            raise GitStateError(f"{operation} is in progress in {top}; finish or abort it first")
    status = git(top, "status", "--porcelain=v1", "--untracked-files=no").stdout
    if status.strip():
        raise GitStateError(
            "the working tree has uncommitted changes to tracked files; commit or stash them first"
        )
    return top


def switch_branch(top: Path, branch: str) -> None:
    """Switch to ``branch``, creating it from the current commit when it does not exist.

    :param top: the work tree's top folder.
    :param branch: the branch name.
    :raises GitStateError: when git refuses (an invalid name, say).
    """
    exists = git(top, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
    args = ["switch", branch] if exists.returncode == 0 else ["switch", "-c", branch]
    result = git(top, *args, check=False)
    if result.returncode != 0:
        raise GitStateError(f"cannot switch to branch {branch!r}: {result.stderr.strip()}")


def shown_path(path: str) -> str:
    """Make a path fit for a commit message: bytes that are not UTF-8 become U+FFFD.

    :param path: project-relative path (surrogate escapes for a name that is not UTF-8).
    :returns: valid UTF-8 text.
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _bullet(finding: Finding) -> str:
    path = shown_path(finding.path)
    where = f"{path}:{finding.line}" if finding.line else path
    return f"- {where}: {finding.message}"


def commit_message(
    codemod_id: str,
    changes: Sequence[Change],
    notes: Sequence[Finding],
    refusals: Sequence[Finding],
    scrub=lambda text: text,
    untracked: Sequence[str] = (),
) -> str:
    """Write the commit message for one codemod's changes.

    :param codemod_id: the codemod's id.
    :param changes: its changes.
    :param notes: its notes (what the reviewer must know).
    :param refusals: its refusals (left unchanged, needs review).
    :param scrub: removes secret values from text.
    :param untracked: paths it removed from the git index (kept on disk).
    :returns: subject, body and the ``Migrated-by`` trailer.
    """
    codemod = codemods_by_id()[codemod_id]
    lines = [
        f"{codemod_id}: {codemod.title}",
        "",
        f'Red Panda Approval {STANDARD_VERSION}, "{codemod.section}".',
        "",
        "Files:",
        *[f"- {shown_path(c.path)} (+{c.stats.added} -{c.stats.removed})" for c in changes],
    ]
    if untracked:
        lines += ["", "Removed from git, kept on disk:", *[f"- {shown_path(p)}" for p in untracked]]
    if notes:
        lines += ["", "Notes for the reviewer:", *[scrub(_bullet(note)) for note in notes]]
    if refusals:
        lines += ["", "Needs review (left unchanged):", *[scrub(_bullet(r)) for r in refusals]]
    lines += ["", f"{TRAILER_KEY}: redpanda-migrate {__version__}"]
    return "\n".join(lines) + "\n"


def commit_paths(
    top: Path, root: Path, paths: Sequence[str], message: str, untracked: Sequence[str] = ()
) -> str:
    """Stage exactly ``paths`` (additions, changes, deletions) and commit them.

    :param top: the work tree's top folder.
    :param root: the project root (paths are relative to it).
    :param paths: project-relative paths; never secret files.
    :param message: the commit message.
    :param untracked: project-relative paths already removed from the index, kept on disk;
        the commit records their removal.
    :returns: the new commit's hash.
    :raises subprocess.CalledProcessError: when git fails (a hook refused, say).
    """
    absolute = [str(root / path) for path in paths]
    if absolute:
        git(top, "add", "--all", "--", *absolute)
    if not untracked:
        git(top, "commit", "--quiet", "--file", "-", "--", *absolute, input_text=message)
        return git(top, "rev-parse", "HEAD").stdout.strip()
    # "git commit -- <path>" would take an untracked file back from the disk: commit the
    # index instead, once it is known to hold nothing but this codemod's changes
    staged = git(top, "diff", "--cached", "--name-only", "-z").stdout.split("\0")
    expected = {str((root / p).resolve().relative_to(top)) for p in [*paths, *untracked]}
    stray = sorted(name for name in staged if name and name not in expected)
    if stray:
        raise subprocess.CalledProcessError(
            1, "git commit", stderr=f"other changes are staged ({', '.join(stray[:3])})"
        )
    git(top, "commit", "--quiet", "--file", "-", input_text=message)
    return git(top, "rev-parse", "HEAD").stdout.strip()


def commit_plan(plan: Plan) -> CommitResult:
    """Write a plan codemod by codemod, committing each codemod's files on its own.

    :param plan: a plan of a project inside a clean git work tree (see
        :func:`check_committable`).
    :returns: the commits made, secret files left uncommitted, and errors.
    """
    top = check_committable(plan.root)
    remove_leftover_temp_dirs(plan.root, plan.temp_dirs)
    result = CommitResult()
    expected = dict(plan.fingerprints)
    withdrawn: dict[str, str] = {}  # path -> the codemod whose change to it was not written
    for index, codemod_id in enumerate(plan.codemods):
        changes = [c for c in plan.changes if c.codemod == codemod_id]
        if not changes and not _untracked_by(plan, codemod_id):
            continue
        saved = _untrack_first(plan, codemod_id, changes, result, withdrawn)
        if saved is None:
            continue
        for unit in change_units(plan, changes):
            result.errors.extend(_write_unit(plan, unit, expected, withdrawn))
        if not _untracked_by(plan, codemod_id):  # its change set was withdrawn
            restore_entries(plan.root, saved)
        changes = [c for c in plan.changes if c.codemod == codemod_id]
        texts = {c.path: plan.disk_text_after(c) for c in changes}
        secret = sorted(p for p in texts if is_secret(plan, p))
        result.unstaged_secrets.extend(p for p in secret if p not in result.unstaged_secrets)
        paths = [p for p in texts if p not in secret]
        untracked = _untracked_by(plan, codemod_id)
        if not _has_staged_difference(top, plan.root, paths + untracked):
            continue
        message = commit_message(
            codemod_id,
            [c for c in changes if c.path in paths],
            [n for cid, n in plan.notes if cid == codemod_id],
            [r for cid, r in plan.refusals if cid == codemod_id],
            plan.scrub,
            untracked,
        )
        try:
            sha = commit_paths(top, plan.root, paths, message, untracked)
        except subprocess.CalledProcessError as error:
            detail = (error.stderr or error.stdout or "").strip().splitlines()
            result.errors.append(
                FileError(".", f"git commit for {codemod_id} failed: {' '.join(detail)[:300]}")
            )
            _withdraw_rest(plan, plan.codemods[index + 1 :], codemod_id)
            break
        result.commits.append(CodemodCommit(codemod_id, sha, tuple(paths + untracked)))
    return result


def _untracked_by(plan: Plan, codemod_id: str) -> list[str]:
    return [u.path for u in plan.untracks if u.codemod == codemod_id]


def _untrack_first(
    plan: Plan,
    codemod_id: str,
    changes: list[Change],
    result: CommitResult,
    withdrawn: dict[str, str],
) -> list[IndexEntry] | None:
    """Untrack a codemod's files before writing its others; ``None`` when git refused.

    Its change set is then withdrawn whole (all or nothing), as a write failure would.
    """
    untracked = _untracked_by(plan, codemod_id)
    try:
        return untrack_paths(plan.root, untracked)
    except UntrackError as error:
        failure = FileError(untracked[0], str(error))
        result.errors.append(failure)
        plan.untracks = [u for u in plan.untracks if u.codemod != codemod_id]
        if changes:
            withdraw(plan, changes, [failure])
            withdrawn.update(dict.fromkeys((c.path for c in changes), codemod_id))
        else:
            message = f"not applied: {failure.message}"
            plan.refusals.append((codemod_id, Finding(failure.path, None, message)))
        return None


def _write_unit(
    plan: Plan, unit: list[Change], expected: dict, withdrawn: dict[str, str]
) -> list[FileError]:
    """Write one change set of a codemod, or withdraw it when it cannot be written whole."""
    texts = {c.path: plan.disk_text_after(c) for c in unit}
    # a change made on top of one that was not written cannot be written either
    blocked = sorted(p for p in texts if p in withdrawn)
    if blocked:
        why = f"builds on changes of {withdrawn[blocked[0]]} that were not written"
        withdraw(plan, unit, [FileError(blocked[0], "")], why)
        withdrawn.update(dict.fromkeys(texts, unit[0].codemod))
        return []
    failures = write_texts(plan.root, texts, expected, plan.secret_paths)
    if failures:
        withdraw(plan, unit, failures)
        withdrawn.update(dict.fromkeys(texts, unit[0].codemod))
    return failures


def _withdraw_rest(plan: Plan, codemod_ids: Sequence[str], failed: str) -> None:
    for codemod_id in codemod_ids:
        paths = sorted({c.path for c in plan.changes if c.codemod == codemod_id})
        if paths:
            why = f"not written: the commit of {failed} failed first"
            changes = [c for c in plan.changes if c.codemod == codemod_id]
            withdraw(plan, changes, [FileError(paths[0], "")], why)


def _has_staged_difference(top: Path, root: Path, paths: Sequence[str]) -> bool:
    if not paths:
        return False
    absolute = [str(root / path) for path in paths]
    status = git(top, "status", "--porcelain=v1", "--", *absolute).stdout
    return bool(status.strip())
