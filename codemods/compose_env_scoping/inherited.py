"""Copying a merged anchor's ``environment:`` into a merging service's own block.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). YAML merge keys are shallow: a service that merges an anchor
(``<<: *django``) and defines its own ``environment:`` replaces the anchor's entirely. A merging
service that must get entries of its own, or that must stop inheriting an anchor's block that
gains entries, therefore gets an own block that starts with a copy of the inherited entries:
the same keys, the same values, in the same form (list or mapping), copied from the committed
Compose text (never a value from an env file). Where that copy cannot be exact, it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redpanda_migrate.codemods.compose_env_scoping.dotfiles import is_secret_like
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import (
    ENV_NAME,
    Refusal,
    environment_names,
    scalar_end,
)
from ruamel.yaml.comments import CommentedMap, CommentedSeq


@dataclass(frozen=True)
class EnvironmentCopy:
    """The entries a merging service inherits, as they are written in the Compose file.

    :param form: ``list`` or ``map``, the form of the inherited block (new entries follow it).
    :param entries: each entry's text without indentation (``- DEBUG=0``, ``DEBUG: "0"``).
    :param names: the variables the entries set.
    """

    form: str
    entries: tuple[str, ...]
    names: tuple[str, ...]


def merged_mappings(node: CommentedMap) -> list[CommentedMap]:
    """Return the mappings a service merges (``<<: *a`` or ``<<: [*a, *b]``), in order.

    :param node: the service's mapping.
    """
    merged = [m[1] if isinstance(m, tuple) else m for m in getattr(node, "merge", [])]
    return [mapping for mapping in merged if isinstance(mapping, CommentedMap)]


def inherited_environment(name: str, node: CommentedMap) -> CommentedMap:
    """Return the merged mapping whose own ``environment:`` a service inherits.

    :param name: the service's name.
    :param node: its mapping, which has no ``environment:`` of its own.
    :raises Refusal: when the inherited block comes through nested merge keys, from several
        merged mappings, or is a YAML alias or anchor shared with other nodes.
    """
    providers = [m for m in merged_mappings(node) if "environment" in m]
    if len(providers) != 1:
        raise Refusal(
            f"{name} merges several mappings that define environment: (<<); its own block "
            "cannot copy one exactly: scope it by hand"
        )
    provider = providers[0]
    if "environment" not in provider._ok:
        raise Refusal(
            f"{name} inherits environment: through nested merge keys (<<); its own block "
            "cannot copy it exactly: scope it by hand"
        )
    environment = provider["environment"]
    if getattr(getattr(environment, "anchor", None), "value", None):
        raise Refusal(
            f"the environment: {name} inherits (<<) is a YAML anchor or alias shared with other "
            "nodes; its own block cannot copy it exactly: scope it by hand",
            provider.lc.key("environment")[0] + 1,
        )
    return provider


def copy_environment(
    name: str, provider: CommentedMap, lines: Sequence[str], frozen: set[int]
) -> EnvironmentCopy:
    """Copy the entries of a merged mapping's ``environment:``, as written, one per line.

    :param name: the merging service (for refusals).
    :param provider: the merged mapping that holds ``environment:`` (see
        :func:`inherited_environment`).
    :param lines: the Compose file's lines.
    :param frozen: ids of ``environment:`` blocks whose literal secrets must stay where they
        are; the block is added when a literal secret prevents the copy, so that moving the
        literal to ``.env`` does not let a second run do what the first refused.
    :returns: the copy.
    :raises Refusal: for flow style, entries over several lines or with YAML tags, anchors
        or aliases, duplicate names, and literal secrets (a copy would spread them).
    """
    environment = provider["environment"]
    line = provider.lc.key("environment")[0] + 1
    where = f"the environment: {name} inherits (<<, line {line})"
    if not isinstance(environment, (CommentedMap, CommentedSeq)) or not environment:
        raise Refusal(f"{where} is empty or neither a list nor a mapping", line)
    if environment.fa.flow_style():
        raise Refusal(f"{where} is in flow style; scope it by hand", line)
    values, form = environment_names(environment, line)
    if form == "list" and len(values) != len(environment):
        raise Refusal(f"{where} sets a variable twice; scope it by hand", line)
    for variable, value in values.items():
        if isinstance(value, str) and value and is_secret_like(variable, value):
            if "$" not in value.replace("$$", ""):  # a literal, not an interpolation
                frozen.add(id(environment))
                raise Refusal(
                    f"{where} holds the literal secret {variable}; a copy would spread it: "
                    "move it to .env by hand",
                    line,
                )
    entries = [
        _entry_text(environment, index, key, lines, where)
        for index, key in enumerate(environment if form == "map" else values)
    ]
    return EnvironmentCopy(form, tuple(entries), tuple(values))


def _entry_text(
    environment: CommentedMap | CommentedSeq,
    index: int,
    key: object,
    lines: Sequence[str],
    where: str,
) -> str:
    if isinstance(environment, CommentedSeq):
        at, col = environment.lc.item(index)
        text = lines[at]
        if not text[:col].rstrip().endswith("-"):
            raise Refusal(f"{where}: an entry does not start on its '-' line", at + 1)
        end = scalar_end(text, col)
        if end is None:
            raise Refusal(f"{where}: an entry spans several lines or is tagged", at + 1)
        return "- " + text[col:end]
    key_line, key_col = environment.lc.key(key)
    if environment[key] is None:
        if not isinstance(key, str) or not ENV_NAME.match(key):
            raise Refusal(f"{where}: an entry has a key written in a form not copied", key_line + 1)
        return f"{key}:"
    value_line, value_col = environment.lc.value(key)
    text = lines[key_line]
    end = scalar_end(text, value_col) if value_line == key_line else None
    if end is None or text[key_col] in "?&*!":
        raise Refusal(f"{where}: an entry spans several lines or is tagged", key_line + 1)
    return text[key_col:end]
