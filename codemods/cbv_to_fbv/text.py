"""Text-level helpers of ``cbv-to-fbv``: literals and line wrapping of generated code.

Red Panda Approval V1-02, "Views": the converted functions are the user's code now, so they
must read well and pass ruff: long calls are wrapped the way ruff format would, ``%``
formatting becomes ``str.format`` where that gives the same string, lists in ``Meta`` become
tuples.
"""

from __future__ import annotations

import re
import textwrap

import libcst as cst

LINE_LENGTH = 88


def code_of(node: cst.CSTNode) -> str:
    """Spell a node as source code."""
    return cst.Module(body=[]).code_for_node(node)


PERCENT_SPEC = re.compile(r"%%|%\(([A-Za-z_]\w*)\)s|%|[{}]")


def percent_to_format(url: str) -> str | None:
    """Turn ``RedirectView.url``'s ``%(name)s`` placeholders into ``str.format`` fields.

    ``"/p/%(slug)s/" % kwargs`` and ``"/p/{slug}/".format(**kwargs)`` give the same string
    for the values URL converters produce; braces are doubled and ``%%`` becomes ``%``.

    :param url: the ``url`` attribute's value.
    :returns: the ``str.format`` template, or ``None`` when ``url`` uses other ``%`` specs.
    """
    parts = []
    position = 0
    for match in PERCENT_SPEC.finditer(url):
        parts.append(url[position : match.start()])
        token = match.group(0)
        if token == "%%":
            parts.append("%")
        elif match.group(1):
            parts.append("{" + match.group(1) + "}")
        elif token in "{}":
            parts.append(token * 2)
        else:
            return None
        position = match.end()
    parts.append(url[position:])
    return "".join(parts)


def double_quoted(text: str) -> str:
    """Spell a string as a double-quoted Python literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fields_code(fields: cst.BaseExpression) -> str:
    """Spell ``fields`` for a ``ModelForm``'s ``Meta``: a list becomes a tuple (RUF012)."""
    if isinstance(fields, cst.List) and fields.elements:
        items = ", ".join(code_of(element.value) for element in fields.elements)
        return f"({items},)" if len(fields.elements) == 1 else f"({items})"
    return code_of(fields)


def paragraph(text: str, width: int, indent: str = "    ") -> str:
    """Wrap a docstring paragraph at ``width`` columns (ruff format never re-wraps it).

    :param text: the paragraph, on one line.
    :param width: the project's line length.
    :param indent: the docstring's indentation.
    :returns: the indented lines, joined.
    """
    return textwrap.fill(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def short_docstring(summary: str, origin: str, width: int, indent: str = "    ") -> str:
    """Write a one-line docstring ``summary (origin).``, or two paragraphs when too long.

    :param summary: the first sentence, without its period.
    :param origin: what it was, without a period.
    :param width: the project's line length.
    :param indent: the docstring's indentation.
    :returns: the indented docstring.
    """
    quotes = '"' * 3
    one = f"{indent}{quotes}{summary} ({origin}).{quotes}"
    if len(one) <= width:
        return one
    details = paragraph(f"{origin[0].upper()}{origin[1:]}.", width, indent)
    return f"{indent}{quotes}{summary}.\n\n{details}\n{indent}{quotes}"


def _split_arguments(text: str) -> list[str] | None:
    """Split a call's argument text at its top-level commas (brackets and strings respected).

    Returns ``None`` when the brackets of ``text`` do not balance.
    """
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if depth < 0:
            return None
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    if depth != 0 or quote:
        return None
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def wrap_line(line: str, limit: int = LINE_LENGTH) -> str:
    """Wrap a too-long ``prefix(arguments)`` line the way ruff format would.

    :param line: one generated line.
    :param limit: the line length to respect.
    :returns: the line, or the call spread over several lines.
    """
    if len(line) <= limit or "\n" in line or not line.endswith(")") or "(" not in line:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    head, _, rest = line.partition("(")
    if not head.strip() or not (head[-1].isalnum() or head[-1] == "_"):
        return line  # ``x = (a)`` is a parenthesised expression, not a call: never a tuple
    inner = rest[:-1]
    arguments = _split_arguments(inner)
    if arguments is None:
        return line
    one = f"{indent}    {inner}"
    if len(one) <= limit:
        return f"{head}(\n{one}\n{indent})"
    body = "".join(f"{indent}    {argument},\n" for argument in arguments)
    return f"{head}(\n{body}{indent})"
