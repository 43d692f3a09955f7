"""Configuration from the target project's ``pyproject.toml`` ``[tool.redpanda-migrate]``.

Example::

    [tool.redpanda-migrate]
    select = ["pin-dependencies"]
    skip = []
    exclude = ["legacy/**"]
    max-file-size = "2 MB"   # larger files are skipped with a message (bytes, or kB/MB)

    verify-command = "python manage.py test"   # run by --verify before and after

    [tool.redpanda-migrate.pin-dependencies]
    zero-major-ceiling = "minor"

Command-line flags win over these values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ImportError:  # Python 3.10: tomlkit reads it, more slowly
    tomllib = None  # type: ignore[assignment]

TOOL_KEY = "redpanda-migrate"
LIST_KEYS = ("select", "skip", "exclude")
VERIFY_COMMAND = "verify-command"
MAX_FILE_SIZE_KEY = "max-file-size"
SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2}
SIZE_PATTERN = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)


class ConfigError(ValueError):
    """The project's configuration cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class ProjectConfig:
    """The settings a project asks for.

    :param select: codemod ids to run (empty: all).
    :param skip: codemod ids to leave out.
    :param exclude: gitignore-style patterns of files to leave alone.
    :param options: per-codemod option tables, keyed by codemod id.
    :param verify_command: the project's own test command, run by ``--verify``.
    :param max_file_size: files larger than this many bytes are skipped (``None``: default).
    """

    select: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    verify_command: str | None = None
    max_file_size: int | None = None


def parse_size(value: Any) -> int:
    """Read a ``max-file-size`` value: a number of bytes, or a text such as ``"5 MB"``.

    :param value: the TOML value.
    :returns: bytes.
    :raises ConfigError: when it is not a positive size.
    """
    match = SIZE_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if match and match.group(2).lower() in SIZE_UNITS and float(match.group(1)) > 0:
        return int(float(match.group(1)) * SIZE_UNITS[match.group(2).lower()])
    raise ConfigError(
        f"[tool.{TOOL_KEY}] {MAX_FILE_SIZE_KEY} must be a number of bytes or a size such as "
        f'"5 MB", not {value!r}'
    )


def _string_list(table: dict[str, Any], key: str, where: str = TOOL_KEY) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"[tool.{where}] {key} must be a list of strings")
    return tuple(value)


class NotToml(ValueError):
    """A text is not a TOML document; the message is tomlkit's."""


def read_toml(text: str) -> dict[str, Any]:
    """Read a TOML document into plain Python values.

    ``tomllib`` (Python 3.11+) reads it several times faster than tomlkit, which only the
    codemods that edit TOML need; a document ``tomllib`` rejects goes to tomlkit, for the
    message the user has always seen.

    :param text: the document.
    :returns: its tables and values.
    :raises NotToml: when the text is not TOML.
    """
    if tomllib is not None:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            pass
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text).unwrap()
    except TOMLKitError as error:
        raise NotToml(str(error)) from None


def parse_config(pyproject_text: str) -> ProjectConfig:
    """Read ``[tool.redpanda-migrate]`` from a ``pyproject.toml`` text.

    :param pyproject_text: the file's text.
    :returns: the configuration (defaults when the table is absent).
    :raises ConfigError: when the file is not TOML or the table is malformed.
    """
    try:
        document = read_toml(pyproject_text)
    except NotToml as error:
        raise ConfigError(
            f"cannot read [tool.{TOOL_KEY}]: pyproject.toml is not valid TOML: {error}"
        ) from None
    table = document.get("tool", {}).get(TOOL_KEY, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.{TOOL_KEY}] must be a table")
    options = {key: value for key, value in table.items() if isinstance(value, dict)}
    for codemod_id, codemod_options in options.items():
        for key in ("include", "exclude"):
            _string_list(codemod_options, key, f"{TOOL_KEY}.{codemod_id}")
    verify_command = table.get(VERIFY_COMMAND)
    if verify_command is not None and not (isinstance(verify_command, str) and verify_command):
        raise ConfigError(f"[tool.{TOOL_KEY}] {VERIFY_COMMAND} must be a command line (a string)")
    unknown = sorted(
        set(table) - set(LIST_KEYS) - {VERIFY_COMMAND, MAX_FILE_SIZE_KEY} - set(options)
    )
    if unknown:
        raise ConfigError(f"[tool.{TOOL_KEY}] has unknown key(s): {', '.join(unknown)}")
    return ProjectConfig(
        select=_string_list(table, "select"),
        skip=_string_list(table, "skip"),
        exclude=_string_list(table, "exclude"),
        options=options,
        verify_command=verify_command,
        max_file_size=(
            parse_size(table[MAX_FILE_SIZE_KEY]) if MAX_FILE_SIZE_KEY in table else None
        ),
    )


def load_config(root: Path) -> ProjectConfig:
    """Load the configuration of the project at ``root``.

    :param root: the project root.
    :returns: the configuration; defaults when there is no ``pyproject.toml``.
    :raises ConfigError: when the file cannot be read or is malformed.
    """
    path = root / "pyproject.toml"
    if not path.is_file():
        return ProjectConfig()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    return parse_config(text)
