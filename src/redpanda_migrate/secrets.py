"""Keeping values of ``.env`` files out of every diff, log and report.

A secret file's content never appears in output: its diff is replaced by a key count, and every
message the run prints is scrubbed of the values the run has read from secret files.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from dotenv import dotenv_values

TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
MIN_REDACTED_LENGTH = 3
HIDDEN = "***"


def is_secret_path(path: str) -> bool:
    """Tell whether a file holds environment values that must never be shown.

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``.env``, ``.env.production``, ``web.env`` and the like; ``False``
        for templates such as ``.env.example``.
    """
    name = PurePosixPath(path).name
    if name.endswith(TEMPLATE_SUFFIXES):
        return False
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def env_values(text: str) -> dict[str, str | None]:
    """Parse a dotenv text as python-dotenv does, without interpolation.

    :param text: the file's text.
    :returns: each key and its value (``None`` for a key with no ``=``).
    """
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=False))


def secret_values(text: str) -> set[str]:
    """Collect the values of a dotenv text that output must never contain.

    :param text: the file's text.
    :returns: every non-trivial value.
    """
    return {
        value
        for value in env_values(text).values()
        if value is not None and len(value) >= MIN_REDACTED_LENGTH
    }


def redact(message: str, values: set[str]) -> str:
    """Replace every secret value in a message by ``***``.

    :param message: text about to be shown or written.
    :param values: the values to hide.
    :returns: the scrubbed message.
    """
    for value in sorted(values, key=len, reverse=True):
        message = message.replace(value, HIDDEN)
    return message


def describe_secret_change(path: str, before: str | None, after: str | None) -> str:
    """Summarise a change to a secret file by keys only.

    :param path: project-relative POSIX path.
    :param before: the text before (``None`` when created).
    :param after: the text after (``None`` when deleted).
    :returns: e.g. ``.env: 3 keys added (values hidden)``.
    """
    old = env_values(before or "")
    new = env_values(after or "")
    counts = {
        "added": len(new.keys() - old.keys()),
        "removed": len(old.keys() - new.keys()),
        "changed": sum(1 for key in old.keys() & new.keys() if old[key] != new[key]),
    }
    parts = [f"{count} keys {verb}" for verb, count in counts.items() if count]
    return f"{path}: {', '.join(parts) or 'layout changed'} (values hidden)"
