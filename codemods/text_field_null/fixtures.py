"""Fixture rows holding ``null`` for a converted field: ``""`` in JSON, a refusal in YAML.

``loaddata`` saves rows raw: a ``null`` for a column that no longer takes NULL fails with
``NOT NULL constraint failed`` (test suites that build their database from the models, as
wger's does, load such fixtures before any migration runs). In JSON the ``null`` token is
replaced by ``""`` and nothing else changes (positions from the standard library's decoder);
a YAML fixture holding such a row refuses the field, naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from redpanda_migrate.codemods.shared.json_positions import (
    JSON_DECODER,
    object_members,
    skip_whitespace,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

Wanted = Mapping[str, set[str]]  # lowercased "app_label.model" -> field names


def _rows(document: object) -> list[dict]:
    return [row for row in document if isinstance(row, dict)] if isinstance(document, list) else []


def _null_fields(row: dict, wanted: Wanted) -> set[str]:
    fields = row.get("fields")
    names = wanted.get(str(row.get("model", "")).lower(), set())
    if not isinstance(fields, dict):
        return set()
    return {name for name in names if name in fields and fields[name] is None}


def yaml_nulls(text: str, wanted: Wanted) -> set[tuple[str, str]]:
    """Find the ``(model label, field)`` pairs a YAML fixture gives ``null``.

    :param text: the fixture's text.
    :param wanted: the fields being converted, per model label.
    :returns: the pairs; empty for a text that is not a list of rows.
    """
    try:
        document = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return set()
    return {
        (str(row.get("model", "")).lower(), name)
        for row in _rows(document)
        for name in _null_fields(row, wanted)
    }


def empty_json_nulls(text: str, wanted: Wanted) -> tuple[str, int]:
    """Replace ``null`` by ``""`` for the converted fields of a JSON fixture's rows.

    :param text: the fixture's text.
    :param wanted: the fields converted, per model label.
    :returns: the new text and the number of values replaced (``text`` itself when none).
    """
    try:
        document = json.loads(text)
    except ValueError:
        return text, 0
    if not isinstance(document, list):
        return text, 0
    edits: list[tuple[int, int]] = []
    index = skip_whitespace(text, 0) + 1  # past '['
    for row in document:
        index = skip_whitespace(text, index)
        row_start = index
        _, index = JSON_DECODER.raw_decode(text, index)
        index = skip_whitespace(text, index)
        index += 1 if index < len(text) and text[index] == "," else 0
        if not isinstance(row, dict) or not _null_fields(row, wanted):
            continue
        names = _null_fields(row, wanted)
        brace = next(m.value_start for m in object_members(text, row_start) if m.key == "fields")
        edits += [(m.value_start, m.end) for m in object_members(text, brace) if m.key in names]
    for start, end in sorted(edits, reverse=True):
        text = text[:start] + '""' + text[end:]
    return text, len(edits)
