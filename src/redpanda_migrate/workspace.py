"""The project's files as one run sees them: originals from disk plus earlier codemods' output.

Only this module and :mod:`redpanda_migrate.textio` read project files. Nothing here writes.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from redpanda_migrate.secrets import is_secret_path, secret_values
from redpanda_migrate.textio import (
    DEFAULT_NEW_FILE_MODE,
    BinaryFile,
    Fingerprint,
    TextLayout,
    UnreadableFile,
    decode,
    encode_text,
    fingerprint,
    is_inside,
    read_bytes,
)

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
OUTSIDE_LINK_MESSAGE = "symlink to a file outside the project: not followed, left unchanged"

# formats that are text by definition: a NUL byte in one of these is worth reporting
TEXT_SUFFIXES = frozenset(
    {".py", ".pyi", ".toml", ".yml", ".yaml", ".json", ".conf", ".txt", ".in", ".cfg", ".ini"}
    | {".sh", ".bash", ".env", ".html", ".md"}
)


@dataclass(frozen=True)
class DiskFile:
    """A file as it was on disk when the run started.

    :param text: normalised text (what codemods see).
    :param layout: BOM and line endings to restore.
    :param mode: permission bits.
    """

    text: str
    layout: TextLayout
    mode: int

    @property
    def disk_text(self) -> str:
        """The text exactly as on disk (BOM and CRLF included)."""
        return encode_text(self.text, self.layout)


def check_relative_path(path: str) -> None:
    """Reject a path a codemod may not write: absolute, with ``..``, or not normalised.

    :param path: the path a codemod returned.
    :raises ValueError: when the path could leave the project.
    """
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or str(pure) != path or path in ("", "."):
        raise ValueError(f"codemod wrote to an invalid path {path!r}")


def size_text(size: int) -> str:
    """Write a size in bytes for people (``5.2 MB``).

    :param size: bytes.
    """
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB" if size >= 1024 else f"{size} bytes"
    return f"{size / 1024 / 1024:.1f} MB"


class Workspace:
    """Originals and current texts of the project's files during one run.

    :param root: the resolved project root.
    :param files: the discovered project-relative paths.
    :param max_file_size: files larger than this many bytes are skipped, never read whole.
    :param nested_repos: folders that are other git repositories, never read nor written.
    """

    def __init__(
        self,
        root: Path,
        files: tuple[str, ...],
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        nested_repos: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self._discovered = frozenset(files)
        #: the files discovered at the start, sorted (created ones are not among them)
        self.discovered = tuple(sorted(self._discovered))
        self._originals: dict[str, DiskFile | None] = {}
        self._current: dict[str, str | None] = {}
        self.max_file_size = max_file_size
        self.nested_repos = nested_repos
        self.errors: dict[str, str] = {}
        self.skipped: dict[str, str] = {}
        self.fingerprints: dict[str, Fingerprint | None] = {}
        self.secret_values: set[str] = set()
        self.secret_paths: set[str] = set()
        # literal secrets codemods moved out of committed code: hidden even though committed
        self.hidden_literals: set[str] = set()
        self._root_text = str(root)
        # folder -> whether it resolves inside the root: files share their folder's answer
        self._inside_folders: dict[str, bool] = {}

    def original(self, path: str) -> DiskFile | None:
        """Load a file as it was on disk (once), recording why when it cannot be read.

        :param path: project-relative POSIX path; git-ignored files may be read too.
        :returns: the file, or ``None`` when it is absent or unreadable.
        """
        if path not in self._originals:
            self._originals[path] = self._load(path)
        return self._originals[path]

    def read_paths(self) -> list[str]:
        """List every path this run looked for on disk, read or not (absent, unreadable).

        :returns: project-relative POSIX paths, sorted.
        """
        return sorted(self._originals)

    def original_text(self, path: str) -> str | None:
        """Return a file's normalised text as it was on disk (``None``: absent or unreadable).

        :param path: project-relative POSIX path.
        """
        original = self.original(path)
        return original.text if original is not None else None

    def in_nested_repo(self, path: str) -> bool:
        """Tell whether a path lies in another git repository inside the project.

        :param path: project-relative POSIX path.
        """
        return any(path.startswith(folder + "/") for folder in self.nested_repos)

    def _load(self, path: str) -> DiskFile | None:
        self.fingerprints[path] = None
        if self.in_nested_repo(path):
            return None
        status = self._status(path)
        if status is None or not stat.S_ISREG(status.st_mode):
            return None
        try:
            if status.st_size > self.max_file_size:
                self.skipped[path] = (
                    f"{size_text(status.st_size)}, over the max-file-size limit of "
                    f"{size_text(self.max_file_size)}: left unchanged "
                    "(raise [tool.redpanda-migrate] max-file-size to include it)"
                )
                return None
            raw = read_bytes(os.path.join(self._root_text, path))
            self.fingerprints[path] = fingerprint(raw, status)
            text, layout = decode(raw)
        except BinaryFile as error:
            # broad patterns (``**/start*``, ``**/bin/*``) also match images and programs: only
            # a binary file where text is expected is worth an error
            if PurePosixPath(path).suffix in TEXT_SUFFIXES:
                self.errors[path] = str(error)
            return None
        except UnreadableFile as error:
            self.errors[path] = str(error)
            return None
        except OSError as error:
            self.errors[path] = f"cannot read: {error.strerror or error}"
            return None
        if is_secret_path(path):
            self.mark_secret(path, text)
        return DiskFile(text=text, layout=layout, mode=stat.S_IMODE(status.st_mode))

    def _status(self, path: str) -> os.stat_result | None:
        """Return a file's ``stat`` (symlinks followed), ``None`` when it is absent or leaves.

        A plain file costs one ``lstat``; its folder is resolved once for all its files. A
        symlink to a file outside the project is recorded as skipped.
        """
        full = os.path.join(self._root_text, path)
        try:
            status = os.lstat(full)
        except OSError:
            return None
        if stat.S_ISLNK(status.st_mode) or ".." in path.split("/"):
            target = Path(full)
            if not is_inside(self.root, target):
                if stat.S_ISLNK(status.st_mode) and target.is_file():  # a .env kept elsewhere
                    self.skipped[path] = OUTSIDE_LINK_MESSAGE
                return None
            try:
                return os.stat(full)
            except OSError:
                return None
        folder = os.path.dirname(full)
        if folder not in self._inside_folders:
            self._inside_folders[folder] = is_inside(self.root, Path(folder))
        return status if self._inside_folders[folder] else None

    def mark_secret(self, path: str, text: str) -> None:
        """Treat a file as holding secrets: hide its diff and scrub its values from output.

        :param path: project-relative POSIX path.
        :param text: its text, whose values are collected for redaction.
        """
        self.secret_paths.add(path)
        self.secret_values |= secret_values(text)

    def read(self, path: str) -> str | None:
        """Return a file's current text (after earlier codemods).

        :param path: project-relative POSIX path.
        :returns: the text, or ``None`` when absent, deleted or unreadable.
        """
        if path in self._current:
            return self._current[path]
        original = self.original(path)
        return original.text if original is not None else None

    def write(self, path: str, text: str | None) -> None:
        """Record a codemod's new text for a file (``None`` deletes it); nothing touches disk.

        :param path: project-relative POSIX path.
        :param text: the normalised new text.
        """
        self.original(path)
        self._current[path] = text
        if text is not None and (path in self.secret_paths or is_secret_path(path)):
            self.mark_secret(path, text)

    def paths(self) -> list[str]:
        """List the files that exist now: discovered or created, minus deleted.

        :returns: sorted project-relative paths.
        """
        present = set(self._discovered)
        for path, text in self._current.items():
            if text is None:
                present.discard(path)
            elif path in self._discovered or self.original(path) is None:
                present.add(path)
        return sorted(present)

    def changed_paths(self) -> list[str]:
        """List the files whose current text differs from the original.

        :returns: sorted project-relative paths.
        """
        return sorted(p for p in self._current if self.disk_text(p) != self.original_disk_text(p))

    def layout(self, path: str) -> TextLayout:
        """Return the layout a file is written with (its own, or plain for a new file).

        :param path: project-relative POSIX path.
        """
        original = self.original(path)
        return original.layout if original is not None else TextLayout()

    def mode(self, path: str) -> int:
        """Return the permission bits a file has or will get.

        :param path: project-relative POSIX path.
        """
        original = self.original(path)
        return original.mode if original is not None else DEFAULT_NEW_FILE_MODE

    def original_disk_text(self, path: str) -> str | None:
        """Return the on-disk text the file had, or ``None`` when it did not exist.

        :param path: project-relative POSIX path.
        """
        original = self.original(path)
        return original.disk_text if original is not None else None

    def disk_text(self, path: str) -> str | None:
        """Return the on-disk text the file has now (``None`` when absent).

        :param path: project-relative POSIX path.
        """
        text = self.read(path)
        return encode_text(text, self.layout(path)) if text is not None else None
