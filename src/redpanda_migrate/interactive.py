"""Reviewing a migration hunk by hunk, as Bowler's interactive mode did.

Codemods are reviewed one at a time, each planned on the files as the earlier reviews left
them, so a rejected hunk never leaves a later codemod working on text that is not on disk.
Answers: ``y`` apply this hunk, ``n`` skip it, ``a`` apply it and the rest of this file, ``d``
skip the rest of this file, ``q`` quit (what was accepted so far is kept).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redpanda_migrate.commits import CodemodCommit, commit_message, commit_paths
from redpanda_migrate.diffs import diff_stats, split_keeping_ends, unified_diff
from redpanda_migrate.plan import Change, FileError, Plan, write_texts
from redpanda_migrate.runner import plan_project
from redpanda_migrate.secrets import describe_secret_change
from redpanda_migrate.textio import decode
from redpanda_migrate.validation import validate_output

PROMPT = "Apply this hunk? [y]es [n]o [a]ll in this file [d]one with this file [q]uit: "
SECRET_PROMPT = "Apply this change? [y]es [n]o [q]uit: "
UNIT_PROMPT = "Apply this change ({files} files that go together)? [y]es [n]o [q]uit: "
ANSWERS = {"y", "n", "a", "d", "q"}
KEY_HELP = {
    "y": "yes",
    "n": "no",
    "a": "all in this file",
    "d": "done with this file",
    "q": "quit, keeping what was accepted",
}
Ask = Callable[[str], str]
Show = Callable[[str], None]
Group = list[tuple[str, int, int, int, int]]


@dataclass
class ReviewResult:
    """What an interactive review kept.

    :param written: project-relative paths written.
    :param commits: commits made (with ``--commit``).
    :param errors: files left unchanged because the picked hunks did not parse, or unwritable.
    :param quit: the user quit before the end.
    """

    written: list[str] = field(default_factory=list)
    commits: list[CodemodCommit] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    quit: bool = False


def hunk_groups(before: Sequence[str], after: Sequence[str]) -> list[Group]:
    """Split a change into hunks, as a unified diff with three lines of context would.

    :param before: lines before (with endings).
    :param after: lines after.
    :returns: one opcode group per hunk.
    """
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [list(group) for group in matcher.get_grouped_opcodes(3)]


def apply_hunks(
    before: Sequence[str], after: Sequence[str], groups: Sequence[Group], accepted: set[int]
) -> str:
    """Rebuild the text with only the accepted hunks applied.

    :param before: lines before.
    :param after: lines after.
    :param groups: the hunks from :func:`hunk_groups`.
    :param accepted: indexes of the accepted hunks.
    :returns: the resulting text.
    """
    chosen = {
        (i1, i2): (j1, j2)
        for index, group in enumerate(groups)
        if index in accepted
        for tag, i1, i2, j1, j2 in group
        if tag != "equal"
    }
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    pieces: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal" and (i1, i2) in chosen:
            pieces.extend(after[j1:j2])
        else:
            pieces.extend(before[i1:i2])
    return "".join(pieces)


def render_hunk(group: Group, before: Sequence[str], after: Sequence[str]) -> str:
    """Show one hunk as unified-diff lines.

    :param group: the hunk's opcodes.
    :param before: lines before.
    :param after: lines after.
    :returns: the hunk text, ``@@`` header first.
    """
    first, last = group[0], group[-1]
    header = f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@\n"
    lines = [header]
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            lines.extend(" " + line for line in before[i1:i2])
            continue
        lines.extend("-" + line for line in before[i1:i2])
        lines.extend("+" + line for line in after[j1:j2])
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _ask(ask: Ask, prompt: str, allowed: set[str], show: Show | None = None) -> str:
    while True:
        answer = ask(prompt).strip().lower()[:1]
        if answer == "a" and "a" not in allowed and "y" in allowed:
            return "y"  # "all" where there is one change only: yes
        if answer in allowed:
            return answer
        if show is not None:
            keys = ", ".join(f"{key} ({KEY_HELP[key]})" for key in sorted(allowed))
            show(f"unknown answer {answer or '(empty)'!r}: the keys are {keys}\n")


def _review_file(
    codemod_id: str, path: str, before: str, after: str, ask: Ask, show: Show
) -> tuple[str, bool]:
    before_lines, after_lines = split_keeping_ends(before), split_keeping_ends(after)
    groups = hunk_groups(before_lines, after_lines)
    accepted: set[int] = set()
    take_rest = False
    for index, group in enumerate(groups):
        show(f"\n[{codemod_id}] {path} (hunk {index + 1}/{len(groups)})\n")
        show(render_hunk(group, before_lines, after_lines))
        answer = "y" if take_rest else _ask(ask, PROMPT, ANSWERS, show)
        if answer == "q":
            return apply_hunks(before_lines, after_lines, groups, accepted), True
        if answer == "d":
            break
        if answer in ("y", "a"):
            accepted.add(index)
            take_rest = take_rest or answer == "a"
    return apply_hunks(before_lines, after_lines, groups, accepted), False


def _review_change(plan: Plan, change: Change, ask: Ask, show: Show) -> tuple[str | None, bool]:
    path = change.path
    before, after = plan.original_texts.get(path), plan.final_texts.get(path)
    if path in plan.secret_paths or before is None or after is None:
        description = (
            describe_secret_change(path, before, after)
            if path in plan.secret_paths
            else plan.scrub(unified_diff(path, before, after, plan.modes[path]))
        )
        show(f"\n[{change.codemod}] {description}\n")
        answer = _ask(ask, SECRET_PROMPT, {"y", "n", "q"}, show)
        return (after if answer == "y" else before), answer == "q"
    return _review_file(change.codemod, path, before, after, ask, show)


def _show_findings(plan: Plan, codemod_id: str, show: Show) -> None:
    """Show what the reviewer must know before the hunks: notes and places needing review."""
    if not plan.changes and not plan.notes and not plan.refusals and not plan.untracks:
        return
    show(f"\n== {codemod_id}: {len(plan.changed_paths)} file(s) to change\n")
    for untrack in plan.untracks:  # a change to the index, not a hunk: never half-offered
        show(
            f"not offered here: untrack {untrack.path} (removed from the git index, kept on "
            f"disk); run `redpanda-migrate run --select {codemod_id}` to do it\n"
        )
    for _, note in plan.notes:
        where = f"{note.path}:{note.line}" if note.line else note.path
        show(f"note: {where}: {plan.scrub(note.message)}\n")
    for _, refusal in plan.refusals:
        where = f"{refusal.path}:{refusal.line}" if refusal.line else refusal.path
        show(f"needs review: {where}: {plan.scrub(refusal.message)}\n")


def _review_unit(plan: Plan, ask: Ask, show: Show, accepted: dict[str, str | None]) -> bool:
    """Offer a codemod's change over several files as one answer; return whether to quit."""
    for path in plan.changed_paths:
        before, after = plan.original_texts.get(path), plan.final_texts.get(path)
        if path in plan.secret_paths:
            show(describe_secret_change(path, before, after) + "\n")
        else:
            show(plan.scrub(unified_diff(path, before, after, plan.modes.get(path, 0o644))))
    prompt = UNIT_PROMPT.format(files=len(plan.changed_paths))
    answer = _ask(ask, prompt, {"y", "n", "q"}, show)
    if answer == "y":
        accepted.update({path: plan.final_texts.get(path) for path in plan.changed_paths})
    return answer == "q"


def review_codemod(
    root: Path, codemod_id: str, ask: Ask, show: Show, commit_top: Path | None, jobs: int = 1
) -> ReviewResult:
    """Plan one codemod on the project as it is now, review its hunks, write what is accepted.

    :param root: the project root.
    :param codemod_id: the codemod to review.
    :param ask: asks the user a question and returns the answer.
    :param show: prints text for the user.
    :param commit_top: the git work tree's top to commit in, or ``None`` not to commit.
    :param jobs: worker processes.
    :returns: what was written and committed.
    """
    plan = plan_project(root, select=[codemod_id], skip=[], jobs=jobs, finish_interrupted=True)
    result = ReviewResult(errors=list(plan.errors))
    _show_findings(plan, codemod_id, show)
    accepted: dict[str, str | None] = {}
    if len(plan.changed_paths) > 1:
        # a change over several files is one unit: a model without its migration, a module
        # without the dependency drop it allows, would leave the project broken
        result.quit = _review_unit(plan, ask, show, accepted)
    else:
        for change in plan.changes:
            text, quit_now = _review_change(plan, change, ask, show)
            if text != plan.original_texts.get(change.path):
                accepted[change.path] = text
            if quit_now:
                result.quit = True
                break
    valid = _keep_valid(accepted, plan, result)
    result.errors.extend(write_texts(plan.root, valid, dict(plan.fingerprints), plan.secret_paths))
    result.written = sorted(valid)
    committable = [p for p in result.written if p not in plan.secret_paths]
    if commit_top is not None and committable:
        changes = [
            Change(codemod_id, p, plan.original_texts[p], valid[p], _stats(plan, p, valid[p]))
            for p in committable
        ]
        notes = [n for _, n in plan.notes]
        refusals = [r for _, r in plan.refusals]
        message = commit_message(codemod_id, changes, notes, refusals, plan.scrub)
        sha = commit_paths(commit_top, plan.root, committable, message)
        result.commits.append(CodemodCommit(codemod_id, sha, tuple(committable)))
    return result


def _stats(plan: Plan, path: str, text: str | None):
    return diff_stats(unified_diff(path, plan.original_texts[path], text, plan.modes[path]))


def _keep_valid(
    accepted: dict[str, str | None], plan: Plan, result: ReviewResult
) -> dict[str, str | None]:
    valid = {}
    for path, text in accepted.items():
        if text is not None:
            try:
                validate_output(path, plan.original_texts[path], decode(text.encode())[0])
            except ValueError as error:
                result.errors.append(
                    FileError(
                        path,
                        f"the hunks picked leave the file invalid, so it was left "
                        f"unchanged: {error}",
                    )
                )
                continue
        valid[path] = text
    return valid
