"""Keeping values of ``.env`` files out of every diff, log and report.

A secret file's content never appears in output: its diff is replaced by a key count, and every
message the run prints is scrubbed of the values the run has read from secret files.
"""

from __future__ import annotations

import io
import re

from dotenv import dotenv_values

TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
HIDDEN = "***"
# Values of keys named like these are hidden whatever their length; any other value is hidden
# from this length on. Short values of ordinary keys ("False", "5432", "db") are everyday words:
# hiding them would garble messages without protecting anything.
SECRET_KEY_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|PASS\b|_PASS|TOKEN|KEY|PRIVATE|CREDENTIAL|AUTH|SALT|DSN|_URL|_URI",
    re.IGNORECASE,
)
MIN_SECRET_NAMED_LENGTH = 3
MIN_ANY_VALUE_LENGTH = 8


def is_secret_path(path: str) -> bool:
    """Tell whether a file holds environment values that must never be shown.

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``.env``, ``.env.production``, ``web.env`` and the like; ``False``
        for templates such as ``.env.example``.
    """
    name = path.rpartition("/")[2]
    if name.endswith(TEMPLATE_SUFFIXES):
        return False
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def env_values(text: str) -> dict[str, str | None]:
    """Parse a dotenv text as python-dotenv does, without interpolation.

    :param text: the file's text.
    :returns: each key and its value (``None`` for a key with no ``=``).
    """
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=False))


def is_hidden_value(key: str, value: str | None) -> bool:
    """Tell whether a dotenv value must never appear in output.

    :param key: the variable's name.
    :param value: its value.
    :returns: ``True`` for any value of a secret-named key (``*_PASSWORD``, ``*TOKEN*``,
        ``*_URL``, ...) and for every value of :data:`MIN_ANY_VALUE_LENGTH` characters or more.
    """
    if value is None:
        return False
    if SECRET_KEY_NAME.search(key):
        return len(value) >= MIN_SECRET_NAMED_LENGTH
    return len(value) >= MIN_ANY_VALUE_LENGTH


def secret_values(text: str) -> set[str]:
    """Collect the values of a dotenv text that output must never contain.

    :param text: the file's text.
    :returns: the values :func:`is_hidden_value` selects.
    """
    return {
        value
        for key, value in env_values(text).items()
        if value is not None and is_hidden_value(key, value)
    }


def _token_pattern(value: str) -> str:
    return rf"(?<![A-Za-z0-9_]){re.escape(value)}(?![A-Za-z0-9_])"


def shown_in_the_clear(values: set[str], public_texts: list[str]) -> set[str]:
    """Find the secret-file values that committed files already show as they are.

    ``POSTGRES_HOST=postgres`` makes ``postgres`` a value, but it is also the service's name in
    the Compose file a refusal talks about: hiding it there garbles the message ("*** is also
    defined...") and protects nothing, since the word is in the repository anyway.

    :param values: the values collected from secret files.
    :param public_texts: texts of the non-secret files the output talks about.
    :returns: the values that occur in one of them as a whole token.
    """
    return {
        value
        for value in values
        if any(re.search(_token_pattern(value), text) for text in public_texts if value in text)
    }


def redact(message: str, values: set[str]) -> str:
    """Replace every secret value in a message by ``***``, as a whole token.

    A value is replaced where it is not part of a longer word, so a secret ``shop`` hides
    ``shop`` and ``shop.models`` but not ``shopping``.

    :param message: text about to be shown or written.
    :param values: the values to hide.
    :returns: the scrubbed message.
    """
    for value in sorted(values, key=len, reverse=True):
        if value in message:  # the expression only for a value the message holds
            message = re.sub(_token_pattern(value), HIDDEN, message)
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
