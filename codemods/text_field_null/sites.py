"""Telling from a module's text alone whether it can hold a nullable use of the fields.

:func:`~redpanda_migrate.codemods.text_field_null.usages.nullable_uses` needs the module's
syntax tree, and parsing every module that mentions a field name costs seconds on a large
project (``name`` is everywhere). Each place it reports leaves a trace in the text, looked for
here without parsing; a module without any is not parsed:

* ``name__isnull`` (a lookup keyword or string) holds ``<name>__isnull``;
* ``None`` compared with a field (``None is item.note``) holds ``None`` right before ``is``,
  ``==`` or ``!=``, the field's name in the expression after;
* every other place is a field's name right before ``=`` (a keyword, or an attribute assigned
  to), ``==``, ``!=`` or ``is`` (an attribute), brackets, spaces and line continuations
  between, with in the value after it, up to the end of the expression: ``None`` (compared,
  written or in a conditional), ``.get``, a field that stays nullable (``.due``), or a name
  alone that some line with ``None`` holds (a parameter defaulting to None). A keyword
  counts only after ``(`` or ``,`` in a call of a model or a query method.

Like the rest of the codemod, this reads names, ``None`` and lookups as spelled in the source
(not built from escapes or pieces, no comment between a name and its ``=``); whenever the text
is unclear (a string over several lines, brackets that do not close), the module is parsed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from redpanda_migrate.codemods.text_field_null.usages import ORM_CALLS

# the op in the reversed text: '=' of an assignment or keyword (not ==, <=, +=, :=), '==',
# '!=' (reversed '=!'); 'is' alone (reversed 'si'). Two patterns: each starts with a literal,
# which the regex engine looks for fast.
REVERSED_OPS = (r"=(?:=|!|(?<!==)(?![=!<>:+\-*/%&|^@]))", r"si(?<!\wsi)(?=[\s)\\])")
NONE_COMPARED = re.compile(r"None[\s)\\]*(?:is\b|==|!=)")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
BARE_NAME = re.compile(r"([A-Za-z_]\w*)[ \t\\)]*(?:[,;#\n]|\Z)")
DOTTED = re.compile(r"\.\s*([A-Za-z_]\w*)")
DEFAULT_NONE = re.compile(r"=[\s(\\]*None\b")
STRING = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")
CALLEE = re.compile(r"(?:\b(def)\s+)?([A-Za-z_]\w*)[\s\\]*\Z")
# a line starting with one of these continues the expression of the line before
CONTINUING = re.compile(r"[ \t]*(?:[.)\]}+\-*/%&|^<>=!@]|(?:if|else|and|or|is|in|not)\b)")
# a line ending with one of these goes on on the next
OPEN_ENDS = tuple("\\([{+-*/%&|^<>=!@.")
MAX_LINES = 200


class UseSites:
    """Decide which modules may hold a place treating one of the fields as nullable.

    :param names: the fields' names.
    :param models: the models' class names (their constructors take field values).
    :param still_nullable: names of fields that keep ``null=True``.
    """

    def __init__(
        self, names: Iterable[str], models: Iterable[str], still_nullable: Iterable[str]
    ) -> None:
        self.names = tuple(sorted(names, key=len, reverse=True))
        self.longest = max((len(name) for name in self.names), default=0)
        self.callees = ORM_CALLS | frozenset(models) | {"?"}  # ? : unsure
        self.still_nullable = frozenset(still_nullable)
        reversed_names = "|".join(re.escape(name[::-1]) for name in self.names)
        # in the reversed text: the op, spaces/brackets, maybe __exact, the name, its start
        after = rf"[\s)\\]*(?:tcaxei?__)?(?:{reversed_names})(?:(?!\w)|(?=__))"
        self.reversed_sites = tuple(re.compile(op + after) for op in REVERSED_OPS)

    def may_hold_uses(self, text: str) -> bool:
        """Tell whether a module's text may hold a place treating a field as nullable.

        :param text: the module's text.
        :returns: ``False`` only when ``nullable_uses`` finds nothing in it.
        """
        return next(self._traces(text), None) is not None

    def lines(self, text: str) -> list[int] | None:
        """Return the lines, sorted, one of which each place found in a module's text spans.

        :param text: the module's text.
        :returns: the lines of the traces of uses; ``None`` when the text has line breaks
            other than ``\\n`` (Python counts them).
        """
        if "\r" in text:
            return None
        breaks = [match.start() for match in re.finditer("\n", text)]
        return sorted({bisect_right(breaks, offset) + 1 for offset in self._traces(text)})

    def _traces(self, text: str) -> Iterator[int]:
        """Yield the offsets of the traces of possible uses, in no order."""
        if not self.names:
            return
        yield from self._isnull(text)
        yield from self._none_compared(text)
        reversed_text = text[::-1]
        parameters: frozenset[str] | None = None
        for pattern in self.reversed_sites:
            for site in pattern.finditer(reversed_text):
                start = len(text) - site.start()  # just after the op
                name_start = len(text) - site.end()
                comparison = text[start - 1] != "=" or text[start - 2] in "=!"
                before = _previous_char(text, name_start)
                attribute = before in (".", "?")
                if comparison and not attribute:
                    continue  # only an attribute is compared with None
                key_start = name_start
                while key_start and (text[key_start - 1].isalnum() or text[key_start - 1] == "_"):
                    key_start -= 1
                if key_start != name_start:
                    before = _previous_char(text, key_start)
                if not attribute and before not in ("(", ",", "?"):
                    continue  # a name assigned to: no field
                value = _value(text, start)
                if value is None:
                    yield key_start
                    continue
                if comparison:
                    if "None" in value:
                        yield key_start
                    continue
                if not attribute:
                    value = _argument(value)
                if not self._may_be_none(value):
                    bare = BARE_NAME.match(value.lstrip(" \t\n\\("))
                    if bare is None:
                        continue
                    if parameters is None:
                        parameters = _none_line_names(text)
                    if not {"", bare[1]} & parameters:
                        continue
                if attribute or _callee(text, key_start) in self.callees:
                    yield key_start

    def _may_be_none(self, value: str) -> bool:
        """Tell whether a value written may be None, a parameter's aside."""
        if "None" in value or value.lstrip(" \t\n\\(").startswith("#"):
            return True
        dotted = DOTTED.findall(value)
        return "get" in dotted or not self.still_nullable.isdisjoint(dotted)

    def _isnull(self, text: str) -> Iterator[int]:
        """Yield where ``<name>__isnull`` stands."""
        at = text.find("__isnull")
        while at != -1:
            if text[max(0, at - self.longest) : at].endswith(self.names):
                yield at
            at = text.find("__isnull", at + 1)

    def _none_compared(self, text: str) -> Iterator[int]:
        """Yield where ``None`` is compared with what follows, a field's name in it."""
        if "None" not in text:
            return
        for match in NONE_COMPARED.finditer(text):
            value = _value(text, match.end())
            if value is None or any(name in value for name in self.names):
                yield match.start()


def _code_before(text: str, end: int) -> tuple[str, int] | None:
    """Return the code of the line ending at ``end`` (strings blanked, no comment), its start.

    ``None`` when a quote stays open on the line (a string over several lines).
    """
    start = text.rfind("\n", 0, end) + 1
    code = text[start:end]
    if "'" in code or '"' in code or "#" in code:
        code = STRING.sub("0", code).split("#", 1)[0]
        if "'" in code or '"' in code:
            return None
    return code, start


def _previous_char(text: str, at: int) -> str:
    """Return the last character of code before ``at``; ``?`` when unsure.

    A line ending with a quote mark, without ``#``, gives the quote: it either ends a string
    or starts one that holds ``at`` (then no place is there).
    """
    index = at - 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    if index >= 0 and text[index] not in "\n\\":
        return text[index]  # on the same line: code, unless ``at`` is in a string or comment
    end = at
    for _ in range(MAX_LINES):
        read = _code_before(text, end)
        if read is None:
            line = text[text.rfind("\n", 0, end) + 1 : end].rstrip()
            return line[-1] if line.endswith(("'", '"')) and "#" not in line else "?"
        code, start = read
        code = code.rstrip(" \t\\")
        if code:
            return code[-1]
        if start == 0:
            return ""
        end = start - 1
    return "?"


def _callee(text: str, at: int) -> str:
    """Return the name called by the bracket around ``at`` (``filter``); ``?`` when unsure.

    ``""`` when no call holds ``at``, or a function's parameters (``def f(name=None)``) do.
    """
    depth = 0
    end = at
    for _ in range(MAX_LINES):
        read = _code_before(text, end)
        if read is None:
            return "?"
        code, start = read
        for index in range(len(code) - 1, -1, -1):
            char = code[index]
            if char in ")]}":
                depth += 1
            elif char in "([{":
                if depth:
                    depth -= 1
                    continue
                if char != "(":
                    return ""
                called = CALLEE.search(code, 0, index)
                if called is None:
                    return "?" if not code[:index].strip() else ""
                return "" if called[1] else called[2]
        if start == 0:
            return ""
        end = start - 1
    return "?"


def _value(text: str, start: int) -> str | None:
    """Return the text after an op to the end of the expression it starts; ``None``: unbounded."""
    end = text.find("\n", start)
    if end == -1:
        return text[start:]
    balance = 0
    segment_start = start
    for _ in range(MAX_LINES):
        segment = text[segment_start:end]
        balance += sum(segment.count(c) for c in "([{") - sum(segment.count(c) for c in ")]}")
        stripped = segment.split("#", 1)[0].rstrip()
        continued = (
            balance > 0
            or not text[start:end].strip()
            or stripped.endswith(OPEN_ENDS)
            or CONTINUING.match(text, end + 1) is not None
        )
        if not continued or end == len(text):
            return text[start:end]
        segment_start = end + 1
        end = text.find("\n", segment_start)
        if end == -1:
            end = len(text)
    return None


def _argument(value: str) -> str:
    """Return a keyword's value alone: the text up to the ``,`` or bracket that ends it.

    The whole text when a string in it goes over several lines (its brackets are unknown).
    """
    code = STRING.sub("0", value)
    if "'" in code or '"' in code:
        return value
    depth = 0
    for index, char in enumerate(code):
        if char in "([{":
            depth += 1
        elif char in ")]}" or char == "," and not depth:
            if not depth:
                return code[:index]
            depth -= 1
    return code


def _none_line_names(text: str) -> frozenset[str]:
    """Names before ``= None`` on a line: parameters defaulting to None are among them.

    Holds ``""`` when an ``=`` before ``None`` ends an earlier line or starts this one (the
    parameter is further up).
    """
    names: set[str] = set()
    at = text.find("None")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        before = text[start:at].rstrip(" \t(\\")
        if not before:
            if _previous_char(text, start) in ("=", "?"):
                names.add("")
        elif before.endswith("=") and not before.endswith(("==", "!=", "<=", ">=")):
            names.update(IDENTIFIER.findall(before))
            if before.lstrip().startswith(("=", ")", "]", "}")):
                names.add("")
        at = text.find("None", at + 4)
    return frozenset(names)
