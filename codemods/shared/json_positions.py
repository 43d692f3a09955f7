"""Where the parts of a JSON text sit, for edits that change nothing else; Django fixtures.

The standard library's decoder gives positions (``raw_decode``, ``scanstring``), so a codemod
can insert or replace a value in a ``dumpdata`` fixture and leave every other byte as it was.
Used by the codemods whose model changes must reach fixtures loaded raw by ``loaddata``
("Required Model Fields", "Models").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

FIXTURE_SUFFIXES = (".json", ".yaml", ".yml")
WHITESPACE = re.compile(r"[ \t\n\r]*")
JSON_DECODER = json.JSONDecoder()


def is_fixture(path: str) -> bool:
    """Tell whether a path is a Django fixture (a JSON or YAML file in a ``fixtures`` folder).

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``<anything>/fixtures/<name>.json|yaml|yml``.
    """
    pure = PurePosixPath(path)
    return "fixtures" in pure.parts[:-1] and pure.suffix in FIXTURE_SUFFIXES


def skip_whitespace(text: str, index: int) -> int:
    """Return the index of the first character at or after ``index`` that is not whitespace."""
    found = WHITESPACE.match(text, index)
    return found.end() if found else index


@dataclass(frozen=True)
class Member:
    """Where one member of a JSON object sits in the text.

    :param key: the member's name.
    :param key_start: index of the key's opening quote.
    :param key_end: index just past the key's closing quote.
    :param value_start: index of the value's first character.
    :param end: index just past the value.
    """

    key: str
    key_start: int
    key_end: int
    value_start: int
    end: int


def object_members(text: str, start: int) -> list[Member]:
    """Read the members of the JSON object whose ``{`` is at ``start``.

    :param text: the JSON text.
    :param start: the index of the object's ``{``.
    :returns: each member with its positions.
    """
    members: list[Member] = []
    index = skip_whitespace(text, start + 1)
    if text[index] == "}":
        return members
    while True:
        key_start = index
        key, key_end = json.decoder.scanstring(text, index + 1)
        value_start = skip_whitespace(text, skip_whitespace(text, key_end) + 1)  # past ':'
        _, index = JSON_DECODER.raw_decode(text, value_start)
        members.append(Member(key, key_start, key_end, value_start, index))
        index = skip_whitespace(text, index)
        if text[index] == "}":
            return members
        index = skip_whitespace(text, index + 1)  # past ','
