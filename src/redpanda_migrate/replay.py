"""Answering a re-run on an unchanged project from the plan the last run stored.

A preview (``--dry-run``, ``--check``) of a project nobody touched since the last preview
finds exactly what that one found. This module stores each preview's plan in the user's cache
with what its answer depended on: the files discovered, the ``stat`` of every file read (size,
times, inode), the git index, the configuration and codemods. A later preview whose every one
of these is the same gets that plan back without reading, parsing or hashing the project (as
git trusts its index). A file changed within :data:`RACY_SECONDS` of the store is not trusted
to ``stat`` alone, and such a plan is not stored.

No secret is ever stored: a plan is stored only when none of its stored texts and messages
holds a value of a secret file or a literal a codemod hid. Those values are found again on
replay, from the files themselves: the secret files are read again, hidden literals are
stored as positions in the files they came from, and the original texts of the changed files
are read again rather than stored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redpanda_migrate.cache import OutcomeCache, text_digest
from redpanda_migrate.codemod import Finding
from redpanda_migrate.diffs import DiffStats
from redpanda_migrate.plan import Change, FileError, Plan
from redpanda_migrate.run_cache import hidden_spans
from redpanda_migrate.secrets import shown_in_the_clear
from redpanda_migrate.textio import Fingerprint, TextLayout
from redpanda_migrate.untrack import Untrack
from redpanda_migrate.workspace import Workspace

# a file changed this recently may change again within its file system's time resolution
RACY_SECONDS = 2
REPLAY_KEY = "replay"
# (size, mtime_ns, ctime_ns, inode), or None when absent
Signature = tuple[int, int, int, int] | None


@dataclass(frozen=True)
class ReplayKey:
    """What a preview's answer depends on, besides the texts of the files it read.

    :param root: the resolved project root.
    :param codemods: the ids of the codemods run, in order.
    :param config: the project's configuration, rendered stably.
    :param discovered: the project's files, in discovery order.
    :param tracked: the files in the git index (``None``: not a git repository).
    :param found: what discovery left alone and why (links out, nested repositories...).
    """

    root: Path
    codemods: tuple[str, ...]
    config: str
    discovered: tuple[str, ...]
    tracked: frozenset[str] | None
    found: str

    def digest(self) -> str:
        """Hash the key for the cache.

        :returns: a hex digest.
        """
        tracked = "\0".join(sorted(self.tracked)) if self.tracked is not None else "\x01"
        return OutcomeCache.key(
            REPLAY_KEY,
            str(self.root),
            "\0".join(self.codemods),
            self.config,
            text_digest("\0".join(self.discovered)),
            text_digest(tracked),
            self.found,
        )


def signature(root: Path, path: str) -> Signature:
    """Describe a file as ``stat`` sees it (symlinks followed).

    :param root: the project root.
    :param path: project-relative POSIX path.
    :returns: ``(size, mtime_ns, ctime_ns, inode)``, or ``None`` when absent.
    """
    try:
        status = os.stat(os.path.join(root, path))
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def load_plan(cache: OutcomeCache, key: ReplayKey) -> Plan | None:
    """Return the stored plan of a preview with the same key, when no file it read changed.

    Section "Tooling": a warm re-run costs discovery and a ``stat`` per file read.

    :param cache: the user's cache.
    :param key: this run's key.
    :returns: the plan, or ``None`` when there is none or anything it depended on changed.
    """
    entry = cache.load(key.digest())
    if not isinstance(entry, dict):
        return None
    try:
        reads: dict[str, Any] = entry["reads"]
        for path, stored in reads.items():
            if signature(key.root, path) != (tuple(stored) if stored is not None else None):
                return None
        return _plan_from(key.root, entry)
    except (KeyError, TypeError, ValueError, IndexError):  # damaged on disk: not an answer
        return None


def store_plan(cache: OutcomeCache, key: ReplayKey, plan: Plan, workspace: Workspace) -> None:
    """Store a preview's plan for :func:`load_plan`, unless it would hold a secret or is racy.

    :param cache: the user's cache.
    :param key: the run's key.
    :param plan: the finished plan.
    :param workspace: the run's workspace (what was read, and its secrets).
    """
    if not cache.enabled or plan.temp_dirs or plan.recovered:
        return
    reads = {path: signature(key.root, path) for path in workspace.read_paths()}
    racy = (time.time() - RACY_SECONDS) * 1e9
    if any(stored is not None and stored[1] >= racy for stored in reads.values()):
        return
    if any(path in plan.secret_paths for path in plan.changed_paths):
        return
    originals = {path: workspace.original_text(path) for path in workspace.read_paths()}
    read = {path: text for path, text in originals.items() if text is not None}
    hidden = hidden_spans(sorted(workspace.hidden_literals), read)
    if hidden is None:
        return
    entry = _plan_entry(plan)
    # the values the output hides (a secret file's value a committed file shows is not one)
    if any(value in text for value in plan.secret_values for text in _stored_texts(entry)):
        return
    entry |= {"reads": reads, "hidden": hidden, "secret_files": sorted(workspace.secret_paths)}
    cache.store(key.digest(), entry)


def _stored_texts(entry: dict[str, Any]) -> Iterable[str]:
    yield from (text for text in entry["final"].values() if text is not None)
    for _, path, _, message in entry["notes"] + entry["refusals"]:
        yield path
        yield message
    for path, message in entry["errors"] + entry["skipped"]:
        yield path
        yield message


def _plan_entry(plan: Plan) -> dict[str, Any]:
    def findings(found: list[tuple[str, Finding]]) -> list[list[Any]]:
        return [[codemod, f.path, f.line, f.message] for codemod, f in found]

    def fingerprint(found: Fingerprint | None) -> list[Any] | None:
        return [found.size, found.mtime_ns, found.sha256] if found is not None else None

    changed = plan.final_texts
    return {
        "codemods": list(plan.codemods),
        "changes": [
            [c.codemod, c.path, c.before is None, c.after is None, c.stats.added, c.stats.removed]
            for c in plan.changes
        ],
        "notes": findings(plan.notes),
        "refusals": findings(plan.refusals),
        "errors": [[e.path, e.message] for e in plan.errors],
        "skipped": [[e.path, e.message] for e in plan.skipped],
        "final": changed,
        "modes": plan.modes,
        "layouts": {p: [layout.bom, layout.crlf] for p, layout in plan.layouts.items()},
        "fingerprints": {p: fingerprint(plan.fingerprints.get(p)) for p in changed},
        "secret_paths": sorted(plan.secret_paths),
        "file_codemods": sorted(plan.file_codemods),
        "untracks": [[u.codemod, u.path] for u in plan.untracks],
    }


def _plan_from(root: Path, entry: dict[str, Any]) -> Plan | None:
    workspace = Workspace(root, ())
    for path in entry["secret_files"]:
        text = workspace.original_text(path)
        if text is not None:
            workspace.mark_secret(path, text)
    literals = set()
    for path, start, end in entry["hidden"]:
        text = workspace.original_text(path)
        if text is None:
            return None
        literals.add(text[start:end])
    originals = {path: workspace.original_disk_text(path) for path in entry["final"]}

    def findings(stored: list[list[Any]]) -> list[tuple[str, Finding]]:
        return [(codemod, Finding(path, line, message)) for codemod, path, line, message in stored]

    plan = Plan(
        root=root,
        codemods=tuple(entry["codemods"]),
        # texts are not kept: a preview shows patches and figures, never a codemod's steps
        changes=[
            Change(codemod, path, None if new else "", None if gone else "", DiffStats(a, r))
            for codemod, path, new, gone, a, r in entry["changes"]
        ],
        notes=findings(entry["notes"]),
        refusals=findings(entry["refusals"]),
        errors=[FileError(path, message) for path, message in entry["errors"]],
        skipped=[FileError(path, message) for path, message in entry["skipped"]],
        final_texts=dict(entry["final"]),
        original_texts=originals,
        modes={path: int(mode) for path, mode in entry["modes"].items()},
        layouts={
            p: TextLayout(bool(bom), bool(crlf)) for p, (bom, crlf) in entry["layouts"].items()
        },
        secret_paths=frozenset(entry["secret_paths"]),
        fingerprints={
            p: Fingerprint(*found) if found is not None else None
            for p, found in entry["fingerprints"].items()
        },
        file_codemods=frozenset(entry["file_codemods"]),
        untracks=[Untrack(codemod, path) for codemod, path in entry["untracks"]],
    )
    plan.secret_values = secrets_to_hide(plan, workspace, literals)
    return plan


def secrets_to_hide(plan: Plan, workspace: Workspace, literals: set[str]) -> frozenset[str]:
    """Return the values a plan's output must hide: secret files' values and hidden literals.

    A secret file's value that a committed file the output talks about shows as it is stays
    shown (see :func:`~redpanda_migrate.secrets.shown_in_the_clear`).

    :param plan: the plan, its final texts complete.
    :param workspace: the files as read (secret files among them).
    :param literals: literal secrets codemods moved out of committed code.
    """
    values = workspace.secret_values
    if not values:
        return frozenset(literals)
    paths = {change.path for change in plan.changes}
    paths |= {finding.path for _, finding in plan.notes + plan.refusals}
    texts = []
    for path in sorted(paths - workspace.secret_paths):
        before = workspace.original_disk_text(path)
        after = plan.final_texts[path] if path in plan.final_texts else before
        texts += [text for text in (before, after) if text is not None]
    return frozenset((values - shown_in_the_clear(values, texts)) | literals)
