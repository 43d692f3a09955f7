"""What reviewers must know once timestamps are added: fixtures and field lists naming them.

Part of the "Required Model Fields" codemod: these notes never change a file.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import PurePosixPath

from ruamel.yaml import YAML

from redpanda_migrate.codemod import Finding

TIMESTAMP_STRING = re.compile(r"[\"'](created_at|updated_at)[\"']")
FIXTURE_SUFFIXES = (".json", ".yaml", ".yml")


def _fixture_models(path: str, text: str) -> list[tuple[str, set[str]]]:
    """Read the ``(model label, field names)`` of every row of a ``dumpdata`` fixture."""
    try:
        if path.endswith(".json"):
            rows = json.loads(text)
        else:
            rows = YAML(typ="safe", pure=True).load(io.StringIO(text))
    except Exception:  # not a fixture we can read: say nothing rather than guess
        return []
    if not isinstance(rows, list):
        return []
    found = []
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("model"), str):
            fields = row.get("fields")
            found.append((row["model"].lower(), set(fields) if isinstance(fields, dict) else set()))
    return found


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def fixture_notes(texts: Mapping[str, str], added: dict[str, set[str]]) -> list[Finding]:
    """Note fixtures whose rows lack the new fields: ``loaddata`` would fail on them.

    ``loaddata`` saves rows raw, and raw saves do not fill ``auto_now``/``auto_now_add``.

    :param texts: the project's files.
    :param added: ``app_label.model`` (lowercased) -> the fields added to it.
    :returns: one note per fixture file concerned.
    """
    notes = []
    for path in sorted(texts):
        pure = PurePosixPath(path)
        if "fixtures" not in pure.parts[:-1] or pure.suffix not in FIXTURE_SUFFIXES:
            continue
        missing: dict[str, set[str]] = defaultdict(set)
        for model, fields in _fixture_models(path, texts[path]):
            missing[model] |= added.get(model, set()) - fields
        lacking = {model: fields for model, fields in missing.items() if fields}
        if lacking:
            first = sorted(lacking)[0]
            described = "; ".join(
                f"{m}: {', '.join(sorted(f))}" for m, f in sorted(lacking.items())
            )
            notes.append(
                Finding(
                    path,
                    _line_of(texts[path], first) or _line_of(texts[path].lower(), first),
                    f"rows without the new fields ({described}): loaddata saves raw and does "
                    "not fill auto_now/auto_now_add, so it fails on them; add the fields",
                )
            )
    return notes


def field_list_notes(texts: Mapping[str, str], folders: set[str]) -> list[Finding]:
    """Note admin and form modules of changed apps that name the timestamp fields.

    :param texts: the project's files.
    :param folders: the folders of the apps whose models changed.
    :returns: one note per line naming ``created_at`` or ``updated_at``.
    """
    notes = []
    for path in sorted(texts):
        pure = PurePosixPath(path)
        if pure.suffix != ".py" or pure.stem not in ("admin", "forms"):
            continue
        folder = str(pure.parent) if str(pure.parent) != "." else ""
        if folder not in folders:
            continue
        for number, line in enumerate(texts[path].splitlines(), start=1):
            for found in TIMESTAMP_STRING.finditer(line):
                notes.append(
                    Finding(
                        path,
                        number,
                        f"names {found[1]}, which is not editable (auto_now/auto_now_add): "
                        "a ModelForm listing it in fields raises FieldError, and the admin "
                        "needs it in readonly_fields",
                    )
                )
    return notes
