"""The files around a Compose stack: ``.env`` additions, ``.env.example``, ignore files.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping" and its anti-pattern "Don't commit a populated .env — only .env.example").
No function here ever copies a value of ``.env`` into a committed file: ``.env.example`` gets
placeholders only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set

import pathspec

# A name is secret-like by its ``_``-separated tokens, never by a substring: ``AUTH`` and
# ``COOKIE`` name settings about secrets (``POSTGRES_HOST_AUTH_METHOD``, ``SESSION_COOKIE_SECURE``)
# far more often than secrets.
SECRET_TOKENS = frozenset(
    {"SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "PWD", "TOKEN", "APIKEY", "PRIVATE",
     "CREDENTIAL", "CREDENTIALS", "SALT"}
)  # fmt: skip
SECRET_LAST_TOKENS = frozenset({"KEY", "DSN"})
# A last token that makes the name a setting *about* a secret (``PASSWORD_MIN_LENGTH``,
# ``TOKEN_EXPIRY``, ``SECRET_KEY_FALLBACKS`` is still a secret: its last token is not here).
SETTING_TOKENS = frozenset(
    {"TIMEOUT", "EXPIRY", "EXPIRE", "EXPIRES", "AGE", "LENGTH", "LEN", "MIN", "MAX", "METHOD",
     "TYPE", "ENABLED", "REQUIRED", "HASHERS", "VALIDATORS", "LIFETIME", "TTL", "SECURE",
     "HTTPONLY", "SAMESITE", "NAME", "DOMAIN", "PATH", "FILE", "BACKEND", "HEADER", "ALGORITHM"}
)  # fmt: skip
# Value shapes that are never a secret: booleans and switches.
NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})
USER_PASSWORD = re.compile(r"[^\s:/]+:[^\s]+")
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]*:[^/@\s]*@")
SAFE_BARE_VALUE = re.compile(r"^[A-Za-z0-9_./:,@%+=-]*$")
PLACEHOLDER = "change-me"
CATEGORIES = (
    ("Django core", re.compile(r"^(DJANGO_|SECRET_KEY$|DEBUG$|ALLOWED_HOSTS$|CSRF_|SESSION_)")),
    ("PostgreSQL", re.compile(r"^(POSTGRES_|PG|DATABASE_|DB_|APP_DB_|.*_DB_)")),
    ("Celery / broker", re.compile(r"^(CELERY_|RABBITMQ_|BROKER_|FLOWER_)")),
    ("Cache", re.compile(r"^(REDIS_|CACHE_|MEMCACHE|KVDB_)")),
    ("Email", re.compile(r"^EMAIL_")),
)
HEADER = (
    "# Copy to .env and fill in: docker compose interpolates ${VAR} in the compose file from it.\n"
    "# Never commit .env itself. Each group says which services consume its variables.\n"
)


def is_secret_like(name: str, value: str | None = None) -> bool:
    """Tell whether a variable holds a secret, by its name's tokens and its value's shape.

    Enforces the anti-pattern "Don't put secrets in the compose file's environment: block as
    literals": ``DB_PASSWORD``, ``SECRET_KEY``, ``API_TOKEN``, ``SENTRY_DSN`` and any URL with
    credentials are secrets; ``SESSION_COOKIE_SECURE``, ``POSTGRES_HOST_AUTH_METHOD``,
    ``AUTH_TYPE``, ``PASSWORD_MIN_LENGTH`` or a boolean value are not; an ``*_AUTH`` variable is
    one when it is ``*_BASIC_AUTH`` or holds ``user:password``.

    :param name: the variable's name.
    :param value: its value when known (only inspected, never returned).
    """
    if value and CREDENTIALS_IN_URL.search(value):
        return True
    if value is not None and value.strip().strip("'\"").lower() in NOT_SECRET_VALUES:
        return False
    tokens = [token for token in name.upper().split("_") if token]
    if not tokens or tokens[-1] in SETTING_TOKENS:
        return False
    if tokens[-2:] == ["BASIC", "AUTH"] or (
        "AUTH" in tokens and value and USER_PASSWORD.fullmatch(value)
    ):
        return True  # ``user:password``, as flower's FLOWER_BASIC_AUTH takes
    return bool(set(tokens) & SECRET_TOKENS) or tokens[-1] in SECRET_LAST_TOKENS


def dotenv_line(name: str, value: str) -> str | None:
    """Write one ``KEY=value`` line that python-dotenv and Compose read back as ``value``.

    :param name: the key.
    :param value: the value.
    :returns: the line, or ``None`` when no quoting reads back the same everywhere.
    """
    if SAFE_BARE_VALUE.match(value):
        return f"{name}={value}\n"
    if "'" in value or "\n" in value or "\\" in value:
        return None
    return f"{name}='{value}'\n"


def append_lines(text: str | None, lines: list[str]) -> str:
    """Append lines to a text, adding the missing final newline first.

    :param text: the current text (``None``: a new file).
    :param lines: lines, each ending with ``\\n``.
    """
    current = text or ""
    if current and not current.endswith("\n"):
        current += "\n"
    return current + "".join(lines)


def category_of(name: str) -> str:
    """Return the ``.env.example`` group heading a variable belongs under.

    :param name: the variable's name.
    """
    for title, pattern in CATEGORIES:
        if pattern.match(name):
            return title
    return "Other"


def example_placeholder(name: str) -> str:
    """Return the value ``.env.example`` shows: never a value from ``.env``.

    :param name: the variable's name.
    :returns: ``change-me`` for secret-like names, an empty value otherwise.
    """
    return PLACEHOLDER if is_secret_like(name) else ""


def render_example_groups(
    consumers: Mapping[str, tuple[str, ...]], empty: Set[str] = frozenset()
) -> str:
    """Render ``.env.example`` groups: a heading per category, ``# Consumed by:`` per set.

    :param consumers: each variable and the services consuming it, in output order.
    :param empty: variables listed with an empty value whatever their name (passed through
        bare, without a value: optional).
    """
    blocks = []
    titles = [title for title, _ in CATEGORIES] + ["Other"]
    for title in titles:
        names = [name for name in consumers if category_of(name) == title]
        if not names:
            continue
        heading = f"# --- {title} "
        lines = [heading + "-" * max(3, 78 - len(heading)) + "\n"]
        for services in dict.fromkeys(consumers[name] for name in names):
            lines.append(f"# Consumed by: {', '.join(services)}\n")
            for name in names:
                if consumers[name] == services:
                    value = "" if name in empty else example_placeholder(name)
                    lines.append(f"{name}={value}\n")
        blocks.append("".join(lines))
    return "\n".join(blocks)


def update_example(
    text: str | None,
    present: set[str],
    consumers: Mapping[str, tuple[str, ...]],
    empty: Set[str] = frozenset(),
) -> str | None:
    """Create ``.env.example`` or append the variables it lacks.

    The standard's ".env.example template convention" lists every variable: also those a
    service gets bare (``- VAR``, no value anywhere), with an empty value.

    :param text: its current text, or ``None``.
    :param present: the keys it already lists.
    :param consumers: every variable the stack now takes from ``.env``, with its consumers.
    :param empty: variables to list with an empty value (see :func:`render_example_groups`).
    :returns: the new text, or ``None`` when nothing is missing.
    """
    missing = {name: users for name, users in consumers.items() if name not in present}
    if not missing:
        return None
    groups = render_example_groups(missing, empty)
    if text is None:
        return HEADER + "\n" + groups
    return append_lines(text, ["\n", groups]) if text.strip() else HEADER + "\n" + groups


def ensure_ignored(text: str | None, create: bool, keep_example: bool) -> str | None:
    """Make an ignore file (``.gitignore``, ``.dockerignore``) ignore ``.env``.

    :param text: the file's text, or ``None`` when absent.
    :param create: create the file when absent.
    :param keep_example: also make sure ``.env.example`` is not ignored (git only).
    :returns: the new text, or ``None`` when nothing changes.
    """
    if text is None and not create:
        return None
    spec = pathspec.GitIgnoreSpec.from_lines((text or "").splitlines())
    added = []
    if not spec.match_file(".env"):
        added.append(".env\n")
    if keep_example and spec.match_file(".env.example"):
        added.append("!.env.example\n")
    return append_lines(text, added) if added else None
