"""Giving the rows of ``dumpdata`` fixtures the new fields, so ``loaddata`` keeps working.

Part of the "Required Model Fields" codemod. ``loaddata`` saves rows raw, and raw saves do not
fill ``auto_now``/``auto_now_add``: a row of a changed model without ``created_at`` fails with
``NOT NULL constraint failed``. Each such row gets the missing fields with one fixed
timestamp, written as Django serialises datetimes (``DjangoJSONEncoder``: ISO 8601, ``Z`` for
UTC; naive when the settings say ``USE_TZ = False``).

The file's formatting is kept: JSON gets text insertions only, placed and indented like the
row's other fields (positions come from the standard library's own decoder); YAML goes through
ruamel.yaml's round trip, and is left alone (with a refusal) when the round trip would change
any line it does not add.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from redpanda_migrate.codemods.shared.json_positions import (
    JSON_DECODER,
    Member,
    is_fixture,
    object_members,
    skip_whitespace,
)
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from redpanda_migrate.codemod import Finding

AWARE_TIMESTAMP = "2000-01-01T00:00:00Z"
NAIVE_TIMESTAMP = "2000-01-01T00:00:00"
USE_TZ_FALSE = re.compile(r"^USE_TZ\s*=\s*False\b", re.MULTILINE)


class FixtureProblem(Exception):
    """A fixture that cannot be edited without changing more than the rows it completes."""


@dataclass(frozen=True)
class FixtureEdit:
    """The outcome for one fixture file.

    :param text: the new text.
    :param completed: ``model label -> fields added`` to at least one of its rows.
    """

    text: str
    completed: dict[str, set[str]]


def fixture_timestamp(texts: Mapping[str, str], settings_files: tuple[str, ...]) -> str:
    """Return the timestamp new fixture fields get, aware unless settings turn USE_TZ off.

    :param texts: the project's files.
    :param settings_files: paths of its settings modules.
    :returns: ``2000-01-01T00:00:00Z``, or the naive form when a settings module says
        ``USE_TZ = False`` (an aware value would then be refused by the database backend).
    """
    if any(USE_TZ_FALSE.search(texts.get(path, "")) for path in settings_files):
        return NAIVE_TIMESTAMP
    return AWARE_TIMESTAMP


def _insertion(text: str, fields: list[Member], brace: int, added: dict[str, str]) -> str:
    """Text to insert after the last field, laid out like the fields already there."""
    colon = text[fields[0].key_end : fields[0].value_start]
    if len(fields) > 1:
        separator = text[fields[0].end : fields[1].key_start]
    else:
        gap = text[brace + 1 : fields[0].key_start]
        separator = ",\n" + gap[gap.rindex("\n") + 1 :] if "\n" in gap else ", "
    return "".join(
        f"{separator}{json.dumps(name)}{colon}{json.dumps(value)}" for name, value in added.items()
    )


def complete_json(text: str, wanted: Mapping[str, set[str]], timestamp: str) -> FixtureEdit:
    """Add the missing fields to the rows of changed models of a JSON fixture.

    :param text: the fixture's text.
    :param wanted: lowercased ``app_label.model`` -> the fields it gained.
    :param timestamp: the value of each added field.
    :returns: the new text (``text`` itself when no row lacks a field, or the file is no
        list of fixture rows).
    """
    try:
        rows = json.loads(text)
    except ValueError:  # not a fixture we can read: say nothing rather than guess
        return FixtureEdit(text, {})
    if not isinstance(rows, list):
        return FixtureEdit(text, {})
    edits: list[tuple[int, str]] = []
    completed: dict[str, set[str]] = {}
    index = skip_whitespace(text, 0) + 1  # past '['
    for row in rows:
        index = skip_whitespace(text, index)
        row_start = index
        _, index = JSON_DECODER.raw_decode(text, index)
        index = skip_whitespace(text, index)
        index += 1 if index < len(text) and text[index] == "," else 0
        if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
            continue
        model = str(row.get("model", "")).lower()
        missing = sorted(wanted.get(model, set()) - set(row["fields"]))
        if not missing:
            continue
        brace = next(m.value_start for m in object_members(text, row_start) if m.key == "fields")
        fields = object_members(text, brace)
        added = dict.fromkeys(missing, timestamp)
        if fields:
            edits.append((fields[-1].end, _insertion(text, fields, brace, added)))
        else:
            edits.append((brace + 1, json.dumps(added)[1:-1]))
        completed.setdefault(model, set()).update(missing)
    for at, insert in sorted(edits, reverse=True):
        text = text[:at] + insert + text[at:]
    return FixtureEdit(text, completed)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _dump(yaml: YAML, document: object) -> str:
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def complete_yaml(text: str, wanted: Mapping[str, set[str]], timestamp: str) -> FixtureEdit:
    """Add the missing fields to the rows of changed models of a YAML fixture (round trip).

    :param text: the fixture's text.
    :param wanted: lowercased ``app_label.model`` -> the fields it gained.
    :param timestamp: the value of each added field.
    :returns: the new text (``text`` itself when no row lacks a field).
    :raises FixtureProblem: when the round trip would change a line it does not add.
    """
    yaml = _yaml()
    try:
        rows = yaml.load(text)
    except Exception:  # ruamel raises many unrelated types; not a fixture we can read
        return FixtureEdit(text, {})
    if not isinstance(rows, list):
        return FixtureEdit(text, {})
    completed: dict[str, set[str]] = {}
    for row in rows:
        if not isinstance(row, CommentedMap) or not isinstance(row.get("fields"), CommentedMap):
            continue
        model = str(row.get("model", "")).lower()
        missing = sorted(wanted.get(model, set()) - set(row["fields"]))
        for name in missing:
            # Django's YAML serialiser writes datetimes as YAML timestamps, unquoted
            row["fields"][name] = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        if missing:
            completed.setdefault(model, set()).update(missing)
    if not completed:
        return FixtureEdit(text, {})
    new_text = _dump(yaml, rows)
    if not _only_insertions(text, new_text):
        raise FixtureProblem(
            "its layout does not survive a YAML round trip (comments, quoting or indentation "
            "would change)"
        )
    return FixtureEdit(new_text, completed)


def _only_insertions(old: str, new: str) -> bool:
    """Tell whether ``new`` is ``old`` with whole lines inserted."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    position = 0
    for line in new_lines:
        if position < len(old_lines) and line == old_lines[position]:
            position += 1
    return position == len(old_lines)


def complete_fixture(
    path: str, text: str, wanted: Mapping[str, set[str]], timestamp: str
) -> FixtureEdit:
    """Add the missing new fields to a fixture's rows, by format.

    Enforces the standard's "Required Model Fields" without breaking its fixtures: every row
    of a changed model gets ``created_at``/``updated_at``.

    :param path: the fixture's path (its suffix says the format).
    :param text: its text.
    :param wanted: lowercased ``app_label.model`` -> the fields it gained.
    :param timestamp: the value of each added field.
    :returns: the edit.
    :raises FixtureProblem: when the fixture cannot be edited safely.
    """
    if not any(model.split(".", 1)[-1] in text.lower() for model in wanted):
        return FixtureEdit(text, {})
    if path.endswith(".json"):
        return complete_json(text, wanted, timestamp)
    return complete_yaml(text, wanted, timestamp)


def complete_fixtures(
    texts: Mapping[str, str], added: Mapping[str, set[str]], timestamp: str
) -> tuple[dict[str, str], list[Finding], list[Finding]]:
    """Complete every fixture of the project whose rows lack the new fields.

    :param texts: the project's files.
    :param added: lowercased ``app_label.model`` -> the fields it gained.
    :param timestamp: the value of each added field.
    :returns: the new fixture texts, notes, and refusals for fixtures left as they were.
    """
    writes: dict[str, str] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    for path in sorted(p for p in texts if "fixtures/" in p and is_fixture(p)):
        try:
            edit = complete_fixture(path, texts[path], added, timestamp)
        except FixtureProblem as problem:
            refusals.append(
                Finding(
                    path,
                    None,
                    f"rows of changed models lack created_at/updated_at, and {problem}: add "
                    "the fields by hand, or loaddata fails on them (NOT NULL constraint)",
                )
            )
            continue
        if not edit.completed:
            continue
        writes[path] = edit.text
        described = "; ".join(
            f"{model}: {', '.join(sorted(fields))}"
            for model, fields in sorted(edit.completed.items())
        )
        notes.append(
            Finding(
                path,
                None,
                f"rows got the new fields set to {timestamp} ({described}): loaddata saves raw "
                "and does not fill auto_now/auto_now_add; put real values there if tests "
                "depend on them",
            )
        )
    return writes, notes, refusals


def fixture_models(path: str, text: str) -> set[str]:
    """Return the lowercased model labels of a fixture's rows.

    :param path: the fixture's path (its suffix says the format).
    :param text: its text.
    :returns: ``{"helpdesk.emailtemplate", ...}``; empty for a file that is no fixture.
    """
    try:
        if path.endswith(".json"):
            rows = json.loads(text)
        else:
            rows = YAML(typ="safe", pure=True).load(io.StringIO(text))
    except Exception:  # not a fixture we can read
        return set()
    if not isinstance(rows, list):
        return set()
    return {str(row["model"]).lower() for row in rows if isinstance(row, dict) and "model" in row}
