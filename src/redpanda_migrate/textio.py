"""Reading and writing project files byte-faithfully.

Codemods see text with ``\\n`` newlines and no BOM; the file keeps its CRLF line endings and
its UTF-8 BOM on write. A file with mixed line endings is handed over as it is, so no line a
codemod does not touch can change.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"
DEFAULT_NEW_FILE_MODE = 0o644


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
    if b"\x00" in raw:
        raise BinaryFile("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"not UTF-8 text (undecodable byte at offset {error.start})") from None
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    newline_count = text.count("\n")
    crlf = newline_count > 0 and text.count("\r\n") == newline_count
    if crlf:
        text = text.replace("\r\n", "\n")
    return text, TextLayout(bom=bom, crlf=crlf)


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


def atomic_write(root: Path, relative_path: str, data: bytes) -> None:
    """Write a file atomically, keeping its mode, never through a symlink out of the project.

    A symlink inside the project is followed, so its target is updated rather than replaced by
    a regular file.

    :param root: the resolved project root.
    :param relative_path: project-relative POSIX path.
    :param data: the bytes to write.
    :raises OSError: when the write fails or would leave the project.
    """
    target = root / relative_path
    if not is_inside(root, target):
        raise OSError(f"refusing to write through a symlink that leaves the project: {target}")
    real_target = target.resolve()
    try:
        mode = stat.S_IMODE(real_target.stat().st_mode)
    except FileNotFoundError:
        mode = DEFAULT_NEW_FILE_MODE
    real_target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=real_target.parent, prefix=f".{real_target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, real_target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


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
