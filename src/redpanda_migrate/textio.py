"""Reading and writing project files byte-faithfully.

Codemods see text with ``\\n`` newlines and no BOM; the file keeps its CRLF line endings and
its UTF-8 BOM on write. A file with mixed line endings is handed over as it is, so no line a
codemod does not touch can change.

A write goes through a temporary copy in a private folder beside the file, named
:data:`TEMP_DIR_PREFIX` ``*``, holding a ``.gitignore`` of ``*``: a copy a killed run leaves
behind (of a ``.env`` too) can never be committed by ``git add -A``, and the next writing run
recognises the folder and removes it (see :func:`remove_leftover_temp_dirs`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BOM = "\ufeff"
DEFAULT_NEW_FILE_MODE = 0o644
# new files holding secrets: owner only, whatever else the umask would allow
SECRET_FILE_MODE = 0o600
TEMP_DIR_PREFIX = ".redpanda-migrate-tmp-"
# the renames a change set is making (see redpanda_migrate.changeset)
JOURNAL = "journal.json"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(Exception):
    """A file that cannot be read as UTF-8 text; the message is one line for the user."""


class BinaryFile(UnreadableFile):
    """A file with NUL bytes: an image, an archive, a compiled program, not text at all."""


@dataclass(frozen=True)
class TextLayout:
    """How a file's text is laid out on disk, to restore it on write.

    :param bom: the file started with a UTF-8 byte order mark.
    :param crlf: every newline was ``\\r\\n`` (and there was at least one).
    """

    bom: bool = False
    crlf: bool = False


def decode(raw: bytes) -> tuple[str, TextLayout]:
    """Decode file bytes into codemod text and the layout to restore later.

    :param raw: the file's bytes.
    :returns: the normalised text and its layout.
    :raises UnreadableFile: when the bytes are not UTF-8 or contain NUL bytes.
    """
    if raw.startswith(UTF16_BOMS) or _looks_like_utf16(raw):
        raise UnreadableFile(
            "UTF-16 text: only UTF-8 is read (convert it, e.g. iconv -f UTF-16 -t UTF-8)"
        )
    if b"\x00" in raw:
        raise BinaryFile("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"not UTF-8 text (undecodable byte at offset {error.start})") from None
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    # most files hold no carriage return at all: no need to count their newlines
    crlf = "\r" in text and 0 < text.count("\n") == text.count("\r\n")
    if crlf:
        text = text.replace("\r\n", "\n")
    return text, TextLayout(bom=bom, crlf=crlf)


def read_bytes(path: str) -> bytes:
    """Read a whole file (cheaper than :meth:`pathlib.Path.read_bytes` for thousands of files).

    :param path: the file's path.
    :returns: its bytes.
    :raises OSError: when it cannot be read.
    """
    with open(path, "rb") as stream:
        return stream.read()


def _looks_like_utf16(raw: bytes) -> bool:
    """Tell UTF-16 text without a BOM from binary data: ASCII characters with a NUL byte each."""
    sample = raw[:4096]
    if len(sample) < 4 or len(sample) % 2 or b"\x00" not in sample:
        return False
    for nul_half, text_half in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if not nul_half.strip(b"\x00") and all(9 <= byte < 127 for byte in text_half):
            return True
    return False


@dataclass(frozen=True)
class Fingerprint:
    """What a file was when a run read it, to tell whether someone changed it since.

    :param size: its size in bytes.
    :param mtime_ns: its modification time.
    :param sha256: the hash of its bytes.
    """

    size: int
    mtime_ns: int
    sha256: str


def fingerprint(raw: bytes, status: os.stat_result) -> Fingerprint:
    """Describe a file's content and modification time.

    :param raw: the bytes read.
    :param status: the file's ``stat`` taken with the read.
    :returns: the fingerprint.
    """
    return Fingerprint(len(raw), status.st_mtime_ns, hashlib.sha256(raw).hexdigest())


def changed_since(path: Path, expected: Fingerprint | None) -> bool:
    """Tell whether a file is no longer what a run read (``None``: it did not exist).

    Size and modification time are compared first; the hash decides when they agree.

    :param path: the file (symlinks followed).
    :param expected: the fingerprint taken when it was read, or ``None`` when it was absent.
    :returns: ``True`` when it was created, deleted or edited since.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        return expected is not None
    if expected is None:
        return True
    if (status.st_size, status.st_mtime_ns) != (expected.size, expected.mtime_ns):
        return True
    return hashlib.sha256(path.read_bytes()).hexdigest() != expected.sha256


@cache
def process_umask() -> int:
    """Return the umask of this process (read once; setting it back straight away)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(secret: bool = False) -> int:
    """Return the permission bits a file the tool creates gets, as any program's would.

    Section "Secrets": a new file holding secrets is readable by its owner only, and never more
    open than the umask allows.

    :param secret: the file holds secrets (``.env`` and the like).
    :returns: ``0o666`` (``0o600`` for secrets) less the umask.
    """
    return (SECRET_FILE_MODE if secret else 0o666) & ~process_umask()


def encode_text(text: str, layout: TextLayout) -> str:
    """Turn codemod text back into the text as it stands on disk (BOM and CRLF restored).

    :param text: normalised text.
    :param layout: the layout the file had.
    :returns: the on-disk text (encode it as UTF-8 to get the bytes).
    """
    if layout.crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return BOM + text if layout.bom else text


def is_inside(root: Path, path: Path) -> bool:
    """Tell whether ``path``, with every symlink resolved, lies inside ``root``.

    :param root: the resolved project root.
    :param path: the path to check (need not exist).
    :returns: ``True`` when writing to ``path`` cannot leave the project.
    """
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


class TempFolders:
    """Private, git-ignored folders for temporary copies: one per folder written to.

    Used as a context manager around a set of writes; the folders are removed on exit. Each is
    made by :func:`tempfile.mkdtemp` (mode ``0o700``, so no one else reads a copy of a secret)
    and holds a ``.gitignore`` of ``*``.
    """

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def beside(self, parent: Path) -> Path:
        """Return the temporary folder inside ``parent``, making it on first use.

        :param parent: the folder of the file to write.
        """
        if parent not in self._folders:
            folder = Path(tempfile.mkdtemp(dir=parent, prefix=TEMP_DIR_PREFIX))
            self._folders[parent] = folder
            (folder / ".gitignore").write_bytes(b"*\n")
        return self._folders[parent]

    def __enter__(self) -> TempFolders:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for folder in self._folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def atomic_write(
    root: Path,
    relative_path: str,
    data: bytes,
    new_mode: int | None = None,
    temp_folders: TempFolders | None = None,
) -> None:
    """Write a file atomically, keeping its mode, never through a symlink out of the project.

    A symlink inside the project is followed, so its target is updated rather than replaced by
    a regular file. The temporary copy lives in a private, git-ignored folder beside the file
    (see the module's docstring), so a run killed mid-write leaves nothing git would commit.

    :param root: the resolved project root.
    :param relative_path: project-relative POSIX path.
    :param data: the bytes to write.
    :param new_mode: permission bits of a file that does not exist yet (default: as any new
        file under the umask).
    :param temp_folders: the temporary folders of a set of writes (default: one of its own).
    :raises OSError: when the write fails or would leave the project.
    """
    if temp_folders is None:
        with TempFolders() as own:
            return atomic_write(root, relative_path, data, new_mode, own)
    temp_file, real_target = stage_copy(root, relative_path, data, new_mode, temp_folders)
    try:
        os.replace(temp_file, real_target)
    except BaseException:
        temp_file.unlink(missing_ok=True)
        raise


def stage_copy(
    root: Path, relative_path: str, data: bytes, new_mode: int | None, temp_folders: TempFolders
) -> tuple[Path, Path]:
    """Write the temporary copy of a file, flushed to disk, ready to be renamed into place.

    :param root: the resolved project root.
    :param relative_path: project-relative POSIX path.
    :param data: the bytes to write.
    :param new_mode: permission bits of a file that does not exist yet (``None``: the umask's).
    :param temp_folders: the temporary folders of the set of writes.
    :returns: the copy and the real file it replaces.
    :raises OSError: when the copy cannot be written or the file lies outside the project.
    """
    target = root / relative_path
    if not is_inside(root, target):
        raise OSError(f"refusing to write through a symlink that leaves the project: {target}")
    real_target = target.resolve()
    try:
        mode = stat.S_IMODE(real_target.stat().st_mode)
    except FileNotFoundError:
        mode = new_file_mode() if new_mode is None else new_mode
    real_target.parent.mkdir(parents=True, exist_ok=True)
    # ".new": never the folder's own .gitignore
    temp_file = temp_folders.beside(real_target.parent) / f"{real_target.name}.new"
    try:
        handle = os.open(temp_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_file, mode)
    except BaseException:
        temp_file.unlink(missing_ok=True)
        raise
    return temp_file, real_target


def remove_leftover_temp_dirs(root: Path, relative_dirs: Iterable[str]) -> None:
    """Remove the temporary folders a killed run left behind (see :func:`atomic_write`).

    :param root: the resolved project root.
    :param relative_dirs: project-relative paths of folders named :data:`TEMP_DIR_PREFIX` ``*``.
    """
    for relative in relative_dirs:
        folder = root / relative
        if folder.name.startswith(TEMP_DIR_PREFIX) and not folder.is_symlink():
            if not (folder / JOURNAL).exists():  # a journal is finished, never dropped
                shutil.rmtree(folder, ignore_errors=True)


def delete_file(root: Path, relative_path: str) -> None:
    """Delete a project file, refusing to follow a symlink out of the project.

    :param root: the resolved project root.
    :param relative_path: project-relative POSIX path.
    :raises OSError: when the deletion fails or would leave the project.
    """
    target = root / relative_path
    if not is_inside(root, target):
        raise OSError(f"refusing to delete through a symlink that leaves the project: {target}")
    target.unlink(missing_ok=True)
