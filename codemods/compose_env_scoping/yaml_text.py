"""Reading Compose files with ruamel.yaml and editing them as text, line by line.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). ruamel.yaml's round-trip loader gives the structure and the line and
column of every key; the edits themselves are made on the text, so every line the rule does not
need to change stays byte-identical (ruamel's dumper would reflow comments and flow styles).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from redpanda_migrate.codemod import InputError

COMPOSE_NAME = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Compose interpolation: ``$$`` is an escaped dollar (the container's shell reads the variable
# at run time, Compose does not), ``$VAR`` and ``${VAR...}`` are interpolated.
INTERPOLATION = re.compile(
    r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+?])?|\$([A-Za-z_][A-Za-z0-9_]*)"
)


def interpolated_names(document: Any) -> set[str]:
    """Name the variables Compose interpolates in a loaded Compose file.

    :param document: the loaded YAML (mappings, sequences, scalars).
    :returns: the variable names (see :func:`interpolations`).
    """
    return set(interpolations(document))


def interpolations(document: Any) -> dict[str, bool]:
    """Find the variables Compose interpolates in a loaded Compose file, and how.

    Only scalar values are read (keys are never interpolated), and ``$$VAR`` (an escape: the
    container reads ``$VAR`` itself) is no interpolation.

    :param document: the loaded YAML (mappings, sequences, scalars).
    :returns: each name, ``True`` when every use gives a fallback (``${VAR:-default}``,
        ``${VAR-default}``, ``${VAR:+other}``): the project then runs without it.
    """
    found: dict[str, bool] = {}
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, str) and "$" in node:
            found.update(_scalar_interpolations(node, found))
    return found


def _scalar_interpolations(text: str, found: dict[str, bool]) -> dict[str, bool]:
    uses: dict[str, bool] = {}
    for match in INTERPOLATION.finditer(text):
        name = match.group(1) or match.group(3)
        if name:
            fallback = bool(match.group(2)) and "?" not in match.group(2)
            uses[name] = found.get(name, True) and uses.get(name, True) and fallback
    return uses


class Refusal(Exception):
    """No safe rewrite exists; the message says why (never a value)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def is_compose_file(path: str) -> bool:
    """Tell whether a path names a Compose file (base, override or per-environment variant).

    :param path: project-relative POSIX path.
    """
    return bool(COMPOSE_NAME.match(PurePosixPath(path).name))


def load_compose(path: str, text: str) -> CommentedMap | None:
    """Load a Compose file with the round-trip loader.

    :param path: project-relative path (for errors).
    :param text: the file's text.
    :returns: the top-level mapping, or ``None`` for an empty file.
    :raises InputError: when the YAML is invalid or not a mapping.
    """
    try:
        data = YAML(typ="rt").load(io.StringIO(text))
    except Exception as error:  # ruamel raises a family of YAMLError and ValueError subclasses
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        where = f"line {line}: " if line else ""
        failure = InputError(f"{where}invalid YAML: {problem}", line)
        failure.path = path  # type: ignore[attr-defined]
        raise failure from None
    if data is None:
        return None
    if not isinstance(data, CommentedMap):
        failure = InputError("a Compose file must be a mapping", 1)
        failure.path = path  # type: ignore[attr-defined]
        raise failure
    return data


def services_of(document: CommentedMap | None) -> CommentedMap:
    """Return the ``services`` mapping of a Compose document (empty when absent).

    :param document: the loaded file.
    """
    services = document.get("services") if document is not None else None
    return services if isinstance(services, CommentedMap) else CommentedMap()


@dataclass(frozen=True)
class EnvFileRef:
    """One entry of ``env_file:``.

    :param path: the path as written, relative to the Compose file's folder.
    :param required: ``False`` for the long syntax's ``required: false``.
    """

    path: str
    required: bool = True


def env_file_refs(value: Any, line: int) -> list[EnvFileRef]:
    """Read ``env_file:`` in any of its forms (string, list, long syntax).

    :param value: the loaded value.
    :param line: 1-based line of the key, for refusals.
    :raises Refusal: for interpolated paths or unknown forms.
    """
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if isinstance(item, str):
            ref = EnvFileRef(item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            ref = EnvFileRef(item["path"], item.get("required", True) is not False)
            if set(item) - {"path", "required", "format"} or item.get("format", "raw") != "raw":
                raise Refusal("env_file entry with options other than path/required", line)
        else:
            raise Refusal("env_file entry of an unknown form", line)
        if "$" in ref.path:
            raise Refusal(f"env_file path {ref.path} is interpolated", line)
        refs.append(ref)
    return refs


def env_file_path(compose_path: str, ref: EnvFileRef) -> str | None:
    """Resolve an env_file path relative to the Compose file's folder.

    :param compose_path: project-relative path of the Compose file.
    :param ref: the entry.
    :returns: the project-relative path, or ``None`` when it leaves the project.
    """
    parts: list[str] = list(PurePosixPath(compose_path).parent.parts)
    if ref.path.startswith("/"):
        return None
    for part in PurePosixPath(ref.path).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or None


def environment_names(value: Any, line: int) -> tuple[dict[str, Any], str]:
    """Read an ``environment:`` block.

    :param value: the loaded value (list of ``K=V``/``K`` or mapping).
    :param line: 1-based line of the key, for refusals.
    :returns: ``(values by name, form)``; form is ``list`` or ``map``; a bare ``K`` has ``None``.
    :raises Refusal: for other forms.
    """
    if isinstance(value, CommentedMap):
        return {str(key): value[key] for key in value}, "map"
    if isinstance(value, CommentedSeq):
        found: dict[str, Any] = {}
        for item in value:
            if not isinstance(item, str):
                raise Refusal("environment: list entry that is not a string", line)
            name, sep, rest = item.partition("=")
            found[name] = rest if sep else None
        return found, "list"
    raise Refusal("environment: is neither a list nor a mapping", line)


def indent_of(line: str) -> int:
    """Count the leading spaces of a line."""
    return len(line) - len(line.lstrip(" "))


def value_end(lines: list[str], key_line: int, key_col: int) -> int:
    """Find where the value of a block-mapping key ends.

    :param lines: the file's lines (with their ``\\n``).
    :param key_line: 0-based line of the key.
    :param key_col: its column.
    :returns: the 0-based line after the last line of the value; blank lines and comments at
        the key's indentation are left to what follows.
    """
    end = key_line + 1
    while end < len(lines):
        text = lines[end]
        stripped = text.strip()
        if not stripped:
            break
        deeper = indent_of(text) > key_col
        same_dash = indent_of(text) == key_col and stripped.startswith("- ")
        if not (deeper or same_dash):
            break
        end += 1
    return end


def item_layout(lines: list[str], key_line: int, key_col: int, default_step: int) -> str:
    """Return the indentation of a new block sequence's ``- `` under a key, as the file does it.

    :param lines: the file's lines.
    :param key_line: 0-based line of the key getting the sequence.
    :param key_col: its column.
    :param default_step: the file's mapping indentation step.
    :returns: the spaces to put before ``- ``.
    """
    for index, text in enumerate(lines[:-1]):
        stripped = text.strip()
        following = lines[index + 1]
        if stripped.endswith(":") and not stripped.startswith("#"):
            if following.strip().startswith("- "):
                return " " * (key_col + indent_of(following) - indent_of(text))
    return " " * (key_col + default_step)


def mapping_step(services: CommentedMap, document: CommentedMap) -> int:
    """Return the indentation step the file uses for mappings (services under ``services:``).

    :param services: the services mapping.
    :param document: the whole file.
    """
    if services:
        first = next(iter(services))
        return max(1, services.lc.key(first)[1] - document.lc.key("services")[1])
    return 2


SCALAR_QUOTES = {"'": re.compile(r"'(?:[^']|'')*'"), '"': re.compile(r'"(?:[^"\\]|\\.)*"')}


def scalar_end(text: str, col: int) -> int | None:
    """Find where a single-line scalar that starts at ``col`` ends.

    :param text: the line.
    :param col: the scalar's first column.
    :returns: the column after it, or ``None`` when it does not end on this line.
    """
    if col >= len(text):
        return None
    quote = text[col]
    if quote in SCALAR_QUOTES:
        match = SCALAR_QUOTES[quote].match(text, col)
        return match.end() if match else None
    if quote in "|>[{&*!":
        return None
    body = text[col:].rstrip("\n")
    comment = re.search(r"\s#", body)
    return col + len((body[: comment.start()] if comment else body).rstrip())
