"""Writing one codemod's change set all or nothing, and never over an edit made meanwhile.

Guide, "a codemod's change set is all-or-nothing": half a change set breaks a project (``pytz``
dropped from ``pyproject.toml`` while a module still imports it; a Compose literal replaced by
``${VAR}`` while the ``.env`` that was to hold its value could not be written). So every file of
a set is checked first (inside the project, writable, still what the run read), and when a write
fails all the same, the files already written are put back as they were.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from redpanda_migrate.textio import (
    Fingerprint,
    TempFolders,
    atomic_write,
    changed_since,
    delete_file,
    fingerprint,
    is_inside,
    new_file_mode,
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
    written: list[tuple[str, _Backup]] = []
    for path in sorted(texts):
        text = texts[path]
        backup = _backup((root / path).resolve())
        try:
            if text is None:
                delete_file(root, path)
            else:
                data = text.encode("utf-8")
                mode = new_file_mode(path in secret_paths)
                atomic_write(root, path, data, mode, temp_folders)
        except OSError as error:
            for done_path, done_backup in reversed(written):
                try:
                    _restore(root, done_path, done_backup, temp_folders)
                except OSError:  # pragma: no cover - the folder was writable a moment ago
                    pass
            return WriteFailure(path, f"cannot write: {error.strerror or error}")
        written.append((path, backup))
    return None
