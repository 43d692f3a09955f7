"""Writing one codemod's change set all or nothing, and never over an edit made meanwhile.

Guide, "a codemod's change set is all-or-nothing": half a change set breaks a project (``pytz``
dropped from ``pyproject.toml`` while a module still imports it; a Compose literal replaced by
``${VAR}`` while the ``.env`` that was to hold its value could not be written). So every file of
a set is checked first (inside the project, writable, still what the run read), and when a write
fails all the same, the files already written are put back as they were.

A process killed mid-set (SIGKILL, power loss) cannot put anything back, so a set is written in
two steps: every new text is first written to a temporary copy and flushed, then a journal
listing the renames is written, then the renames are made. A run that finds a journal left
behind finishes its renames before it reads the project (see :func:`finish_interrupted`): a set
is then whole, never half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from redpanda_migrate.textio import (
    JOURNAL,
    Fingerprint,
    TempFolders,
    atomic_write,
    changed_since,
    delete_file,
    fingerprint,
    is_inside,
    new_file_mode,
    stage_copy,
)

CHANGED_MESSAGE = (
    "changed on disk since this run read it, so it was left as it is "
    "(run again to migrate the new content)"
)
OUTSIDE_MESSAGE = "a symlink that leaves the project: not written"


@dataclass(frozen=True)
class WriteFailure:
    """A file of a change set that could not be written; nothing of the set was written.

    :param path: project-relative POSIX path.
    :param reason: one line saying why.
    """

    path: str
    reason: str


@dataclass(frozen=True)
class _Backup:
    data: bytes | None  # None: the file did not exist
    mode: int


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _preflight(root: Path, path: str, expected: Mapping[str, Fingerprint | None]) -> str | None:
    target = root / path
    if not is_inside(root, target):
        return OUTSIDE_MESSAGE
    if path in expected and changed_since(target, expected[path]):
        return CHANGED_MESSAGE
    # a file is replaced by renaming into its folder, so the folder must be writable
    folder = _nearest_existing(target.resolve().parent)
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write: folder {folder.relative_to(root).as_posix() or '.'} is read-only"
    return None


def _backup(target: Path) -> _Backup:
    try:
        return _Backup(target.read_bytes(), stat.S_IMODE(target.stat().st_mode))
    except FileNotFoundError:
        return _Backup(None, 0)


def _restore(root: Path, path: str, backup: _Backup, temp_folders: TempFolders) -> None:
    if backup.data is None:
        delete_file(root, path)
    else:
        atomic_write(root, path, backup.data, backup.mode, temp_folders)


def apply_change_set(
    root: Path,
    texts: Mapping[str, str | None],
    expected: MutableMapping[str, Fingerprint | None],
    secret_paths: Collection[str] = (),
) -> list[WriteFailure]:
    """Write every file of a change set, or none of them.

    :param root: the resolved project root.
    :param texts: on-disk text per project-relative path (``None`` deletes).
    :param expected: per path, the fingerprint the run read (``None``: it was absent); a path
        that no longer matches is not overwritten. Updated with what was written.
    :param secret_paths: paths holding secrets, created owner-only (section "Secrets").
    :returns: the files that stopped the set (empty when every file was written).
    """
    failures = [
        WriteFailure(path, reason)
        for path in sorted(texts)
        if (reason := _preflight(root, path, expected)) is not None
    ]
    if failures:
        return failures
    with TempFolders() as temp_folders:
        failure = _write_all(root, texts, secret_paths, temp_folders)
    if failure is not None:
        return [failure]
    for path, text in texts.items():
        target = (root / path).resolve()
        expected[path] = None if text is None else fingerprint(text.encode(), target.stat())
    return []


def _write_all(
    root: Path,
    texts: Mapping[str, str | None],
    secret_paths: Collection[str],
    temp_folders: TempFolders,
) -> WriteFailure | None:
    staged: dict[str, Path] = {}
    for path in sorted(texts):
        text = texts[path]
        if text is None:
            continue
        try:
            mode = new_file_mode(path in secret_paths)
            staged[path] = stage_copy(root, path, text.encode("utf-8"), mode, temp_folders)[0]
        except OSError as error:  # nothing renamed yet: the copies go with their folders
            return WriteFailure(path, f"cannot write: {error.strerror or error}")
    journal = _write_journal(root, texts, staged, temp_folders)
    written: list[tuple[str, _Backup]] = []
    for path in sorted(texts):
        target = (root / path).resolve()
        backup = _backup(target)
        try:
            if path in staged:
                os.replace(staged[path], target)
            else:
                delete_file(root, path)
        except OSError as error:
            journal.unlink(missing_ok=True)
            for done_path, done_backup in reversed(written):
                try:
                    _restore(root, done_path, done_backup, temp_folders)
                except OSError:  # pragma: no cover - the folder was writable a moment ago
                    pass
            return WriteFailure(path, f"cannot write: {error.strerror or error}")
        written.append((path, backup))
    journal.unlink(missing_ok=True)
    return None


def _write_journal(
    root: Path,
    texts: Mapping[str, str | None],
    staged: Mapping[str, Path],
    temp_folders: TempFolders,
) -> Path:
    """Record the renames a set is about to make, flushed to disk before the first one."""
    entries = [
        {
            "target": (root / path).resolve().relative_to(root).as_posix(),
            "copy": staged[path].relative_to(root).as_posix() if path in staged else None,
        }
        for path in sorted(texts)
    ]
    folder = temp_folders.beside(root)
    pending = folder / f"{JOURNAL}.new"
    with pending.open("w", encoding="utf-8") as stream:
        json.dump(entries, stream)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(pending, folder / JOURNAL)
    return folder / JOURNAL


def journals(root: Path, temp_dirs: Collection[str]) -> list[Path]:
    """List the journals interrupted runs left in their temporary folders.

    :param root: the resolved project root.
    :param temp_dirs: project-relative temporary folders found in the project.
    """
    return [root / folder / JOURNAL for folder in temp_dirs if (root / folder / JOURNAL).is_file()]


def finish_interrupted(root: Path, temp_dirs: Collection[str]) -> list[str]:
    """Finish the change sets an interrupted run left half-written, then remove its copies.

    :param root: the resolved project root.
    :param temp_dirs: project-relative temporary folders found in the project.
    :returns: the project-relative paths completed.
    """
    completed = []
    for journal in journals(root, temp_dirs):
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for entry in entries:
            target = root / entry["target"]
            if not is_inside(root, target):
                continue
            if entry["copy"] is None:
                target.unlink(missing_ok=True)
                completed.append(entry["target"])
            elif (root / entry["copy"]).is_file():  # not renamed before the run stopped
                os.replace(root / entry["copy"], target)
                completed.append(entry["target"])
    for folder in temp_dirs:
        shutil.rmtree(root / folder, ignore_errors=True)
    return sorted(set(completed))
