"""Edits of nginx text: insertions that match the layout, removals, replacements.

Part of the shared helpers of the nginx codemods (see :mod:`_nginx`), which enforce the
standard's "Nginx Reverse Proxy" section. Codemods never re-serialise a configuration: they
describe changes as :class:`Edit` objects on the original text, so untouched lines stay
byte-identical, comments survive and new lines take the indentation of their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from redpanda_migrate.codemods.nginx.parse import Directive, NginxFile


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` by ``replacement``."""

    start: int
    end: int
    replacement: str


def line_start(text: str, offset: int) -> int:
    """Offset of the start of the line holding ``offset``."""
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """Offset of the newline ending the line holding ``offset`` (or the text's end)."""
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def starts_line(text: str, directive: Directive) -> bool:
    """Tell whether only whitespace precedes a directive on its line."""
    return not text[line_start(text, directive.start) : directive.start].strip()


def indent_of(text: str, directive: Directive) -> str:
    """Return the indentation of a directive's line."""
    start = line_start(text, directive.start)
    return text[start : start + len(text[start:]) - len(text[start:].lstrip(" \t"))]


def child_indent(text: str, block: Directive | None, siblings: list[Directive]) -> str:
    """Return the indentation children of ``block`` use (from a sibling, else four more spaces).

    :param text: the file text.
    :param block: the block, or ``None`` for the file level.
    :param siblings: the block's children.
    :returns: the indentation string.
    """
    for sibling in siblings:
        if starts_line(text, sibling):
            return indent_of(text, sibling)
    if block is None:
        return ""
    unit = "\t" if indent_of(text, block).startswith("\t") else "    "
    return indent_of(text, block) + unit


def indented(indent: str, statement: str) -> str:
    """Indent one line of new text; its own leading four-space steps follow a tab layout.

    :param indent: the indentation of the place it goes to.
    :param statement: a line, possibly indented inside a block (``    default 1;``).
    :returns: the indented line.
    """
    inner = statement[: len(statement) - len(statement.lstrip(" "))]
    if "\t" in indent and inner:
        statement = "\t" * (len(inner) // 4) + statement.lstrip(" ")
    return indent + statement


def inline(statements: list[str]) -> list[str]:
    """Statements for a one-line block: blank lines and trailing ``  # comments`` dropped.

    :param statements: statements, each maybe ending in ``  # comment``.
    :returns: the statements without comments.
    """
    return [s.split("  # ")[0] for s in statements if s]


def insert_before(text: str, anchor: Directive, statements: list[str]) -> Edit:
    """Insert statements just before a directive, matching its layout.

    :param text: the file text.
    :param anchor: the directive to insert before.
    :param statements: complete statements (``resolver 127.0.0.11 valid=10s;``).
    :returns: the edit.
    """
    if starts_line(text, anchor):
        indent = indent_of(text, anchor)
        body = "".join(f"{indented(indent, s)}\n" if s else "\n" for s in statements)
        return Edit(line_start(text, anchor.start), line_start(text, anchor.start), body)
    return Edit(anchor.start, anchor.start, " ".join(inline(statements)) + " ")


def insert_after(text: str, anchor: Directive, statements: list[str]) -> Edit:
    """Insert statements just after a directive (after its line when it ends the line).

    :param text: the file text.
    :param anchor: the directive to insert after.
    :param statements: complete statements.
    :returns: the edit.
    """
    end = line_end(text, anchor.end)
    rest = text[anchor.end : end]
    if starts_line(text, anchor) and (not rest.strip() or rest.strip().startswith("#")):
        indent = indent_of(text, anchor)
        body = "".join(f"\n{indented(indent, s)}" if s else "\n" for s in statements)
        return Edit(end, end, body)
    return Edit(anchor.end, anchor.end, "".join(f" {s}" for s in inline(statements)))


def insert_first(text: str, block: Directive, statements: list[str]) -> Edit:
    """Insert statements at the start of a block's body.

    :param text: the file text.
    :param block: a block directive.
    :param statements: complete statements.
    :returns: the edit.
    """
    if block.block:
        return insert_before(text, block.block[0], statements)
    return insert_last(text, block, statements)


def insert_last(text: str, block: Directive, statements: list[str]) -> Edit:
    """Insert statements at the end of a block's body, before its ``}``.

    :param text: the file text.
    :param block: a block directive.
    :param statements: complete statements.
    :returns: the edit.
    """
    if block.block:
        return insert_after(text, block.block[-1], statements)
    closing_line = line_start(text, block.body_end)
    if not text[closing_line : block.body_end].strip() and closing_line > block.body_start:
        indent = child_indent(text, block, [])
        body = "".join(f"{indented(indent, s)}\n" if s else "\n" for s in statements)
        return Edit(closing_line, closing_line, body)
    return Edit(block.body_end, block.body_end, "".join(f" {s}" for s in inline(statements)) + " ")


def insert_in_file_top(text: str, top: list[Directive], statements: list[str]) -> Edit:
    """Insert http-level statements before the first directive of a conf.d snippet.

    Leading comments of the file (a header) stay first; a blank line separates the new
    statements from what follows.

    :param text: the file text.
    :param top: the file-level directives.
    :param statements: complete statements.
    :returns: the edit.
    """
    if not top:
        return Edit(len(text), len(text), "".join(f"{s}\n" for s in statements))
    first = top[0]
    start = line_start(text, first.start)
    # a comment block directly above the first directive belongs to it, unless it opens the
    # file (a file header, which stays first)
    previous = text.rfind("\n\n", 0, start)
    header = text[previous + 2 if previous >= 0 else 0 : start]
    if (
        previous >= 0
        and header
        and all(line.lstrip().startswith("#") for line in header.splitlines())
    ):
        start = previous + 2
    return Edit(start, start, "".join(f"{s}\n" if s else "\n" for s in statements) + "\n")


def insert_at_http_level(nginx: NginxFile, statements: list[str]) -> Edit:
    """Insert statements at http level, after the leading ``resolver``/``map``... lines.

    They go after the http-level directives that come before the first ``server`` or
    ``upstream`` (so the standard's order resolver, maps, access_log builds up), or first in
    the file (a conf.d snippet, leading comments kept on top) or the ``http`` block.

    :param nginx: a file of kind ``main`` or ``http``.
    :param statements: complete statements; a block is separated by a blank line.
    :returns: the edit.
    """
    scope = nginx.http_scope() or []
    leading = []
    for directive in scope:
        if directive.name in ("server", "upstream"):
            break
        leading.append(directive)
    if leading:
        anchor = leading[-1]
        blank = anchor.block is not None or len(statements) > 1
        return insert_after(nginx.text, anchor, ["", *statements] if blank else statements)
    http = nginx.http_block()
    if http is None:
        return insert_in_file_top(nginx.text, nginx.top, statements)
    if http.block:
        return insert_before(nginx.text, http.block[0], [*statements, ""])
    return insert_last(nginx.text, http, statements)


REWRITE_MODULE = frozenset({"rewrite", "return", "set", "if", "break"})


def insert_in_server(text: str, server: Directive, statements: list[str]) -> Edit:
    """Insert server-level statements after the server's leading simple directives.

    They go before the first block (``location``) and before the first rewrite-module
    directive, so a ``set`` runs before any ``return`` or ``rewrite ... last`` of the server.

    :param text: the file text.
    :param server: a ``server`` block.
    :param statements: complete statements.
    :returns: the edit.
    """
    previous = None
    for child in server.block or []:
        if child.block is not None or child.name in REWRITE_MODULE:
            if previous is not None:
                return insert_after(text, previous, statements)
            return insert_before(text, child, [*statements, ""])
        previous = child
    if previous is not None:
        return insert_after(text, previous, statements)
    return insert_last(text, server, statements)


def remove(text: str, directive: Directive) -> Edit:
    """Remove a directive; its lines go too when nothing else is on them.

    :param text: the file text.
    :param directive: the directive to remove.
    :returns: the edit.
    """
    start, end = line_start(text, directive.start), line_end(text, directive.end)
    if text[start : directive.start].strip() or text[directive.end : end].strip():
        return Edit(directive.start, directive.end, "")
    end = min(end + 1, len(text))
    # the blank line that separated it from what follows goes too
    if end < len(text) and not text[end : line_end(text, end)].strip():
        end = min(line_end(text, end) + 1, len(text))
    return Edit(start, end, "")


def replace(directive: Directive, statement: str) -> Edit:
    """Replace a whole directive (its own characters only) by a statement.

    :param directive: the directive.
    :param statement: the replacement text.
    :returns: the edit.
    """
    return Edit(directive.start, directive.end, statement)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits to a text; insertions at the same offset keep their order.

    :param text: the original text.
    :param edits: non-overlapping edits.
    :returns: the new text.
    """
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]))
    pieces, position = [], 0
    for _, edit in ordered:
        if edit.start < position:
            raise ValueError("overlapping nginx edits")
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def levels(directive: Directive) -> list[Directive]:
    """Return the enclosing blocks of a directive, innermost first (location, server, http...).

    :param directive: any directive.
    :returns: the chain of parents.
    """
    chain, parent = [], directive.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return chain


def enclosing(directive: Directive, name: str) -> Directive | None:
    """Return the nearest enclosing block called ``name``."""
    return next((block for block in levels(directive) if block.name == name), None)


def location_path(location: Directive) -> tuple[str, str]:
    """Return the modifier and path of a ``location`` (``("=", "/live/")``, ``("", "/")``).

    :param location: a location block.
    :returns: ``(modifier, path)``; the modifier is empty for a plain prefix location.
    """
    if len(location.args) == 2:
        return location.args[0], location.args[1]
    arg = location.args[0] if location.args else ""
    for modifier in ("^~", "~*", "=", "~"):
        if arg.startswith(modifier) and len(arg) > len(modifier):
            return modifier, arg[len(modifier) :]
    return "", arg
