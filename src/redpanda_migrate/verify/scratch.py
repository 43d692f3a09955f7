"""The scratch copy a verification runs in: never the user's tree.

The project is copied once (without ``.git``, virtualenvs, ``node_modules`` and caches) to a
private temporary folder; codemods' change sets are written there one after another, and taken
back when a check fails. The copy holds the project's ``.env`` files, so it is private (0700)
and deleted at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from redpanda_migrate.secrets import is_secret_path, redact, secret_values

SKIPPED_FOLDERS = frozenset({".git", ".hg", "node_modules", "__pycache__", ".tox", ".nox"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {
        name
        for name in names
        if name in SKIPPED_FOLDERS
        or name.endswith(SKIPPED_SUFFIXES)
        or _is_virtualenv(Path(folder, name))
    }


def project_files(root: Path) -> Iterator[str]:
    """Walk a tree as the scratch copy holds it.

    :param root: the folder.
    :returns: project-relative POSIX paths of its files, skipping the folders never copied.
    """
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(set(subfolders) - _ignore(folder, subfolders))
        for name in sorted(names):
            yield Path(folder, name).relative_to(root).as_posix()


class ScratchCopy:
    """A private copy of a project that change sets are written to and taken back from.

    :param project: the project root (read only).
    """

    def __init__(self, project: Path) -> None:
        self.project = project
        self.folder = Path(tempfile.mkdtemp(prefix="redpanda-verify-"))
        self.root = self.folder / project.name
        shutil.copytree(project, self.root, symlinks=True, ignore=_ignore)
        self.secrets: set[str] = set()
        for path in project_files(self.root):
            if is_secret_path(path):
                self.remember_secrets(self.read(path))

    def remember_secrets(self, text: str | None) -> None:
        """Add the values of a ``.env`` text to what :meth:`scrub` hides.

        :param text: a dotenv text (``None``: nothing).
        """
        if text:
            self.secrets |= secret_values(text)

    def read(self, path: str) -> str | None:
        """Read a file of the copy.

        :param path: project-relative POSIX path.
        :returns: its text, or ``None`` when absent or not UTF-8.
        """
        try:
            return (self.root / path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def write(self, texts: dict[str, str | None]) -> dict[str, bytes | None]:
        """Write on-disk texts (``None`` deletes) and return what they replaced.

        :param texts: text per project-relative path.
        :returns: the former bytes per path (``None``: the file did not exist), for
            :meth:`restore`.
        """
        former: dict[str, bytes | None] = {}
        for path, text in texts.items():
            target = self.root / path
            former[path] = target.read_bytes() if target.is_file() else None
            if text is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(text.encode("utf-8"))
        return former

    def restore(self, former: dict[str, bytes | None]) -> None:
        """Put back what :meth:`write` replaced.

        :param former: its return value.
        """
        for path, data in former.items():
            target = self.root / path
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(data)

    def scrub(self, text: str) -> str:
        """Make a check's output fit to show: project-relative paths, no secret values.

        :param text: output of a check run in the copy.
        :returns: the text with the copy's folder removed and ``.env`` values hidden.
        """
        text = text.replace(f"{self.root}/", "").replace(str(self.root), ".")
        text = text.replace(f"{self.folder}/", "")
        return redact(text, self.secrets)

    def sandbox(self, name: str) -> Path:
        """Make an empty folder next to the copy, for one check run's own files.

        :param name: a prefix for the folder name.
        :returns: the folder (deleted with the copy).
        """
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.folder))

    def close(self) -> None:
        """Delete the copy and every sandbox."""
        shutil.rmtree(self.folder, ignore_errors=True)
