"""Telling, without parsing a whole module, that it cannot use Django's pytz-era API.

Part of the ``pytz-to-zoneinfo`` codemod (the standard's "Deprecated / Removed": pytz -- use
stdlib zoneinfo). :func:`~redpanda_migrate.codemods.pytz_to_zoneinfo.prefilter.django_pytz_era_use`
parses a module with :mod:`ast` to see which names it binds to ``django.utils.timezone``; in
Django's own source most modules that say ``utc`` mean ``datetime.timezone.utc``, and parsing
them all cost more than a second. Here only the statements that can be imports are parsed (every
line holding the word ``import``, with its continuation lines), which gives a superset of the
module's import bindings; when none of them leads to Django's timezone module, or no attribute
chain starts at one, the module cannot use it. Whether the module is valid Python at all is still
checked (a module that does not parse is rewritten, so that the rewrite reports it), by the
symbol table pass of the compiler, which builds no tree.
"""

from __future__ import annotations

import ast
import re
import symtable
import unicodedata
from collections.abc import Callable

IMPORT_WORD = re.compile(r"\bimport\b")
# what may separate the links of an attribute chain: spaces, line continuations, comments and
# the closing brackets of a parenthesised link
_GAP = r"(?:\s|\\\n|#[^\n]*\n|\))*"


def import_statements(text: str) -> list[str] | None:
    """Return every statement of a module that may be an import, each on its own, dedented.

    Each line holding the word ``import`` starts one, with the lines a backslash joins to it
    and those its open parentheses span. A line in a string or comment gives a statement too
    (a superset is harmless); one that does not parse makes the answer unknown.

    :param text: the module's text.
    :returns: the statements, or ``None`` when the module has a line this cannot split safely.
    """
    if "\r" in text:  # another line end
        return None
    lines = text.split("\n")
    statements = []
    for index, line in enumerate(lines):
        if "import" not in line or not IMPORT_WORD.search(line):
            continue
        start = index
        while start > 0 and lines[start - 1].endswith("\\"):
            start -= 1
        end, depth = start, 0
        while True:
            depth += lines[end].count("(") - lines[end].count(")")
            if (depth > 0 or lines[end].endswith("\\")) and end + 1 < len(lines):
                end += 1
                continue
            break
        statements.append("\n".join([lines[start].lstrip(), *lines[start + 1 : end + 1]]))
    return statements


def _doctest(statement: str) -> bool:
    """Tell whether a statement is a doctest line: ``>>>`` never starts a line of code.

    Unless a triple-quoted string closes on it, before code: then it is parsed.
    """
    first = statement.partition("\n")[0]
    return first.startswith(">>>") and '"""' not in first and "'''" not in first


def import_trees(text: str) -> list[ast.Module] | None:
    """Parse each statement of :func:`import_statements` on its own.

    :param text: the module's text.
    :returns: the trees, or ``None`` when one does not parse (the caller parses the module).
    """
    statements = import_statements(text)
    if statements is None:
        return None
    try:
        return [ast.parse(statement) for statement in statements if not _doctest(statement)]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def chain_from(roots: set[str], attributes: frozenset[str], text: str) -> bool:
    """Tell whether an attribute chain starting at one of ``roots`` may end in ``attributes``.

    A superset: strings and comments count, and so does a root preceded by anything but a dot.

    :param roots: names a chain may start at.
    :param attributes: the last attributes of interest.
    :param text: the module's text.
    """
    if not roots:
        return False
    if not text.isascii():  # Python reads identifiers NFKC-normalised; ASCII stays as it is
        text = unicodedata.normalize("NFKC", text)
    pattern = (
        rf"(?<![\w.])(?:{'|'.join(map(re.escape, sorted(roots)))})\b"
        rf"(?:{_GAP}\.{_GAP}\w+)*?{_GAP}\.{_GAP}(?:{'|'.join(sorted(attributes))})\b"
    )
    return re.search(pattern, text) is not None


def parses(text: str, parse: Callable[[str], object] = ast.parse) -> bool:
    """Tell whether a module is valid Python, as :func:`ast.parse` would.

    The compiler's symbol table pass parses without building Python objects; the few modules it
    rejects that :mod:`ast` accepts (``nonlocal`` at module level, say) are asked again.

    :param text: the module's text.
    :param parse: the parser whose verdict counts.
    """
    try:
        symtable.symtable(text, "<module>", "exec")
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        parse(text)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
