"""Compose services get the individual database variables, for ``database-env-vars``.

Red Panda Approval V1-02, "Deprecated / Removed" (dj-database-url) and "Docker Compose —
Per-Service Environment Scoping" (``- APP_DB_NAME=${APP_DB_NAME}``). A service whose
``environment`` sets the URL variable on one line gets one line per variable in its place, in
the same form (mapping or list, same quotes): ``${DATABASE_URL}`` becomes ``${APP_DB_NAME}``...,
a literal URL is split into literal parts. The file is read with ruamel.yaml's round-trip loader
for positions and edited line by line, so every other byte stays as it was.
"""

from __future__ import annotations

import ast
import re

from redpanda_migrate.codemods.compose_env_scoping.yaml_text import load_compose, services_of
from redpanda_migrate.codemods.database_env_vars.settings import variables_for
from redpanda_migrate.codemods.database_env_vars.url import UrlRefusal, split_url
from ruamel.yaml.comments import CommentedMap, CommentedSeq

WHOLE_INTERPOLATION = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")
PLAIN = re.compile(r"^[A-Za-z0-9_$/][A-Za-z0-9_${}./@+-]*$")
YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})
PARTS = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")


def _values(value: str, names: dict[str, str]) -> dict[str, str] | None:
    """Give each variable's value for a service: interpolated, or a literal URL's parts."""
    if WHOLE_INTERPOLATION.match(value):
        return {names[part]: f"${{{names[part]}}}" for part in PARTS}
    try:
        parts = split_url(ast.Constant(value), "", "'")
    except UrlRefusal:
        return None
    literals = {key: ast.literal_eval(source) for key, source in parts.sources.items()}
    return {names["ENGINE"]: parts.engine} | {names[p]: literals[p] for p in PARTS[1:]}


def _replacement(line: str, key: str, values: dict[str, str], listed: bool) -> list[str] | None:
    """Write the lines that replace ``line`` (one environment entry), in its own form."""
    indent = line[: len(line) - len(line.lstrip())]
    stripped = line.strip()
    if listed:
        body = stripped[1:].lstrip()
        quote = body[0] if body[:1] in ("'", '"') else ""
        if not body.startswith(f"{quote}{key}="):
            return None
        return [f"{indent}- {quote}{name}={value}{quote}\n" for name, value in values.items()]
    if not stripped.startswith(f"{key}:"):
        return None
    rest = stripped[len(key) + 1 :].strip()
    quote = rest[0] if rest[:1] in ("'", '"') else ""
    return [f"{indent}{name}: {_scalar(value, quote)}\n" for name, value in values.items()]


def _scalar(value: str, quote: str) -> str:
    """Write a mapping value as YAML: in the entry's quotes, or plain when that reads the same."""
    if not quote and (not PLAIN.match(value) or value.lower() in YAML_WORDS):
        quote = '"'
    return f"{quote}{value}{quote}"


def rewrite_compose(
    path: str, text: str, url_variables: dict[str, str]
) -> tuple[str, list[tuple[int, str]]]:
    """Replace the URL variable in each service's ``environment`` by the individual variables.

    :param path: the Compose file's path.
    :param text: its text.
    :param url_variables: each URL variable no longer read, and its ``DATABASES`` alias.
    :returns: the new text (the input when nothing changes) and ``(line, reason)`` refusals.
    :raises InputError: when the file is not valid YAML.
    """
    if not any(variable in text for variable in url_variables):
        return text, []
    document = load_compose(path, text)
    lines = text.splitlines(keepends=True)
    replacements: dict[int, list[str]] = {}
    refusals = []
    for service in services_of(document).values():
        if not isinstance(service, CommentedMap):
            continue
        environment = service.get("environment")
        entries: list[tuple[str, str, int]] = []
        if isinstance(environment, CommentedMap):
            entries = [
                (str(k), "" if v is None else str(v), environment.lc.key(k)[0])
                for k, v in environment.items()
            ]
        elif isinstance(environment, CommentedSeq):
            for index, item in enumerate(environment):
                key, _, value = str(item).partition("=")
                entries.append((key, value, environment.lc.item(index)[0]))
        for key, value, line in entries:
            if key not in url_variables:
                continue
            names = variables_for(url_variables[key])
            values = _values(value, names)
            new_lines = (
                None
                if values is None
                else _replacement(lines[line], key, values, isinstance(environment, CommentedSeq))
            )
            if new_lines is None:
                refusals.append(
                    (
                        line + 1,
                        f"{key} here is neither ${{{key}}} nor a plain database URL on one "
                        f"line: set {', '.join(names.values())} by hand",
                    )
                )
                continue
            replacements[line] = new_lines
    if not replacements:
        return text, refusals
    out: list[str] = []
    for index, text_line in enumerate(lines):
        out.extend(replacements.get(index, [text_line]))
    return "".join(out), refusals
