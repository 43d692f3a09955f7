"""The line length generated code wraps at: the project's own, read statically.

Red Panda Approval V1-02, "Views" and "Forms" (and ruff-clean output): generated code is the
user's code now, so it follows the project's formatter settings. The first setting found
wins, in this order: ``.ruff.toml``, ``ruff.toml``, ``pyproject.toml`` (``[tool.ruff]``, then
``[tool.black]``), ``setup.cfg``, ``tox.ini``, ``.flake8`` (``[flake8] max-line-length``),
all at the project root. Nothing configured (or a value that is not a sane integer) means
88, ruff's and black's default.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

DEFAULT_LINE_LENGTH = 88
TOML_FILES = (".ruff.toml", "ruff.toml", "pyproject.toml")
INI_FILES = ("setup.cfg", "tox.ini", ".flake8")
CONFIG_FILES = TOML_FILES + INI_FILES


def _sane(value: Any) -> int | None:
    """Accept a configured length only when it is a plausible integer (40 to 320)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 40 <= value <= 320:
        return value
    return None


def _from_toml(path: str, text: str) -> int | None:
    if "line-length" not in text:  # no key of that name: not worth parsing the file
        return None
    try:
        # tomlkit, not tomllib: the tool runs on Python 3.10
        data = tomlkit.parse(text).unwrap()
    except TOMLKitError:
        return None
    if path != "pyproject.toml":
        return _sane(data.get("line-length"))
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    for section in ("ruff", "black"):
        table = tool.get(section)
        if isinstance(table, dict) and "line-length" in table:
            return _sane(table["line-length"])
    return None


def _from_ini(text: str) -> int | None:
    if "line-length" not in text and "line_length" not in text:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("flake8"):
        return None
    for key in ("max-line-length", "max_line_length"):
        if parser.has_option("flake8", key):
            return _sane(parser.get("flake8", key))
    return None


def configured_line_length(files: Mapping[str, str]) -> int:
    """Read the project's line length from its formatter or linter configuration.

    :param files: the project's files by path; only the root files of :data:`CONFIG_FILES`
        are read.
    :returns: the first configured length found, else :data:`DEFAULT_LINE_LENGTH`.
    """
    for path in CONFIG_FILES:
        text = files.get(path)
        if text is None:
            continue
        found = _from_toml(path, text) if path in TOML_FILES else _from_ini(text)
        if found is not None:
            return found
    return DEFAULT_LINE_LENGTH
