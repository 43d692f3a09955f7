"""Parsing nginx configurations with positions, checked by crossplane.

Part of the shared helpers of the nginx codemods (see :mod:`_nginx`), which enforce the
standard's "Nginx Reverse Proxy" section. An offset-keeping lexer builds a tree of
:class:`Directive` objects; crossplane's own lexer and analyzer (the NGINX Inc. parser) must
agree with it token for token and accept every directive in its context, so a file crossplane
rejects is never rewritten. The file's context is told from its top-level directives: a full
``nginx.conf``, a ``conf.d`` snippet (implicit http context) or a fragment included inside a
server or location.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from crossplane.analyzer import analyze, enter_block_ctx
from crossplane.errors import NgxParserBaseException
from crossplane.lexer import _balance_braces, _lex_file_object

from redpanda_migrate.codemod import InputError

# Top-level directives that tell a full nginx.conf from a snippet.
MAIN_ONLY = frozenset({"http", "events", "worker_processes", "pid", "user", "stream"})
HTTP_BLOCKS = frozenset({"server", "upstream", "map", "geo", "split_clients"})


@dataclass(eq=False)
class Directive:
    """One nginx directive with its position in the original text.

    :param name: the directive name (``proxy_pass``).
    :param args: argument values, quotes removed (as crossplane reports them).
    :param raw_args: argument source text, quotes kept.
    :param line: 1-based line of the directive name.
    :param start: offset of the first character of the name.
    :param end: offset just past the terminating ``;`` or the closing ``}``.
    :param block: children of a block directive, ``None`` for a simple one.
    :param body_start: offset just past ``{`` (blocks only).
    :param body_end: offset of the closing ``}`` (blocks only).
    :param parent: the enclosing block directive, ``None`` at file level.
    """

    name: str
    args: list[str]
    raw_args: list[str]
    line: int
    start: int
    end: int
    block: list[Directive] | None = None
    body_start: int = -1
    body_end: int = -1
    parent: Directive | None = None

    def children(self, name: str) -> list[Directive]:
        """Return the direct children called ``name``.

        :param name: a directive name.
        :returns: matching children, in order (empty for a simple directive).
        """
        return [child for child in self.block or () if child.name == name]


@dataclass(frozen=True)
class Token:
    """A lexer token: its value (as crossplane sees it), offsets, line and quoting."""

    value: str
    start: int
    end: int
    line: int
    quoted: bool
    raw: str = ""


@dataclass
class NginxFile:
    """A parsed nginx file.

    :param path: project-relative POSIX path.
    :param text: the text.
    :param top: file-level directives.
    :param kind: ``main`` (a full nginx.conf), ``http`` (a conf.d snippet, implicit http
        context) or ``fragment`` (a snippet included inside a server or location).
    """

    path: str
    text: str
    top: list[Directive]
    kind: str

    def http_scope(self) -> list[Directive] | None:
        """Return the directives of this file that live at http level, ``None`` when there are none.

        :returns: the ``http`` block's children in a full config, the file level of a conf.d
            snippet, ``None`` for a fragment.
        """
        if self.kind == "http":
            return self.top
        if self.kind == "main":
            blocks = [d for d in self.top if d.name == "http"]
            return blocks[0].block if blocks else None
        return None

    def http_block(self) -> Directive | None:
        """Return the ``http`` block of a full config.

        :returns: the block, or ``None`` for a snippet.
        """
        blocks = [d for d in self.top if d.name == "http"] if self.kind == "main" else []
        return blocks[0] if blocks else None

    def owns(self, directive: Directive) -> bool:
        """Tell whether a directive is one of this file's (not an included file's).

        :param directive: any parsed directive.
        :returns: ``True`` when it belongs to this file's tree.
        """
        return any(d is directive for d in walk(self.top))

    def servers(self) -> list[Directive]:
        """Return the ``server`` blocks at http level.

        :returns: the server blocks, in order.
        """
        return [d for d in self.http_scope() or () if d.name == "server"]


def lex(text: str) -> list[Token]:
    """Split nginx text into tokens that remember their offsets (comments left out).

    Mirrors crossplane's lexer: ``;``, ``{`` and ``}`` are tokens of their own, quotes group
    a token and ``\\"`` inside double quotes is a quote, ``${name}`` stays inside a bare token.

    :param text: the file's text.
    :returns: the tokens.
    :raises InputError: on an unterminated quote.
    """
    tokens: list[Token] = []
    index, line, size = 0, 1, len(text)
    while index < size:
        char = text[index]
        if char.isspace():
            line += char == "\n"
            index += 1
        elif char == "#":
            while index < size and text[index] != "\n":
                index += 1
        elif char in "{};":
            tokens.append(Token(char, index, index + 1, line, False, char))
            index += 1
        elif char in "\"'":
            start, start_line, index, value = index, line, index + 1, []
            while index < size and text[index] != char:
                if text[index] == "\\" and index + 1 < size:
                    pair = text[index : index + 2]
                    value.append(char if pair == "\\" + char else pair)
                    line += pair.count("\n")
                    index += 2
                    continue
                line += text[index] == "\n"
                value.append(text[index])
                index += 1
            if index >= size:
                raise InputError("unterminated quoted string", start_line)
            index += 1
            tokens.append(Token("".join(value), start, index, start_line, True, text[start:index]))
        else:
            start = index
            while index < size:
                char = text[index]
                if char == "\\" and index + 1 < size:
                    index += 2
                    continue
                if char == "{" and text[index - 1] == "$" and index > start:
                    close = text.find("}", index)
                    index = close + 1 if close > 0 else size
                    continue
                if char.isspace() or char in "{};" or (char in "\"'" and index == start):
                    break
                index += 1
            tokens.append(Token(text[start:index], start, index, line, False, text[start:index]))
    return tokens


# ``${name}`` (nginx's delimited variable, or an envsubst placeholder in a ``.conf.template``).
# crossplane's lexer glues the character after its ``}`` to the token (``${DOMAIN} www.x``
# becomes one token) where nginx ends the token at the space, so both sides are compared with
# ``${name}`` masked as ``$_name_`` (same length, no braces).
BRACED_VARIABLE = re.compile(r"\$\{(\w+)\}")


def _mask_braces(text: str) -> str:
    return BRACED_VARIABLE.sub(r"$_\1_", text)


def _crossplane_tokens(text: str) -> list[tuple[str, bool]]:
    stream = _balance_braces(_lex_file_object(io.StringIO(_mask_braces(text))))
    return [(value, quoted) for value, _, quoted in stream if quoted or not value.startswith("#")]


def _build(tokens: list[Token], position: int, parent: Directive | None) -> tuple[list, int]:
    directives: list[Directive] = []
    while position < len(tokens):
        token = tokens[position]
        if token.value == "}" and not token.quoted:
            return directives, position
        if token.value in "{;" and not token.quoted:
            raise InputError(f'unexpected "{token.value}"', token.line)
        args: list[Token] = []
        position += 1
        while position < len(tokens) and (
            tokens[position].quoted or tokens[position].value not in "{};"
        ):
            args.append(tokens[position])
            position += 1
        if position >= len(tokens) or tokens[position].value == "}":
            raise InputError(f'directive "{token.value}" is not terminated by ";"', token.line)
        directive = Directive(
            name=token.value,
            args=[arg.value for arg in args],
            raw_args=[arg.raw for arg in args],
            line=token.line,
            start=token.start,
            end=tokens[position].end,
            parent=parent,
        )
        if tokens[position].value == "{":
            directive.body_start = tokens[position].end
            directive.block, position = _build(tokens, position + 1, directive)
            if position >= len(tokens):
                raise InputError('unexpected end of file, expecting "}"', token.line)
            directive.body_end = tokens[position].start
            directive.end = tokens[position].end
        directives.append(directive)
        position += 1
    if parent is not None:
        raise InputError('unexpected end of file, expecting "}"', parent.line)
    return directives, position


def _analyze(directives: list[Directive], ctx: tuple[str, ...], path: str) -> None:
    for directive in directives:
        statement = {
            "directive": directive.name,
            "line": directive.line,
            "args": list(directive.args),
        }
        if directive.name == "if" and statement["args"]:
            args = statement["args"]
            if args[0].startswith("(") and args[-1].endswith(")"):
                args[0], args[-1] = args[0][1:].lstrip(), args[-1][:-1].rstrip()
                statement["args"] = [arg for arg in args if arg]
        term = "{" if directive.block is not None else ";"
        analyze(path, statement, term, ctx, check_ctx=True, check_args=True)
        if directive.block is not None:
            _analyze(directive.block, enter_block_ctx(statement, ctx), path)


def _kind(top: list[Directive]) -> str:
    names = {d.name for d in top}
    if names & MAIN_ONLY:
        return "main"
    if names & HTTP_BLOCKS or "resolver" in names and "location" not in names:
        return "http"
    return "fragment"


CONTEXTS_BY_KIND = {
    "main": [()],
    "http": [("http",)],
    "fragment": [("http", "server"), ("http", "location")],
}


def parse_text(path: str, text: str) -> NginxFile:
    """Parse an nginx file, check it with crossplane and tell its context.

    :param path: project-relative POSIX path (for messages).
    :param text: the file's text.
    :returns: the parsed file.
    :raises InputError: when the text is not a valid nginx configuration.
    """
    tokens = lex(text)
    top, _ = _build(tokens, 0, None)
    if any(d.name.endswith("_by_lua_block") for d in walk(top)):
        raise InputError("Lua blocks are not supported by the nginx codemods")
    try:
        crossplane_tokens = _crossplane_tokens(text)
    except (NgxParserBaseException, StopIteration, RuntimeError) as error:
        raise InputError(f"invalid nginx configuration: {error}") from None
    if crossplane_tokens != [(_mask_braces(t.value), t.quoted) for t in tokens]:
        raise InputError("the nginx codemods cannot follow this file's quoting")
    kind = _kind(top)
    errors = []
    for ctx in CONTEXTS_BY_KIND[kind]:
        try:
            _analyze(top, ctx, path)
            break
        except NgxParserBaseException as error:
            errors.append(error)
    else:
        error = errors[0]
        raise InputError(f"invalid nginx configuration: {error.strerror}", error.lineno)
    return NginxFile(path, text, top, kind)


def walk(directives: list[Directive]) -> Iterator[Directive]:
    """Every directive of a tree, depth first, in text order.

    :param directives: the top of the tree.
    :returns: an iterator over all directives.
    """
    for directive in directives:
        yield directive
        if directive.block is not None:
            yield from walk(directive.block)


CONFIG_SUFFIXES = (".conf", ".conf.template", ".nginx", ".vhost")
NGINX_MARKERS = re.compile(
    r"\bproxy_pass\b|\bserver\s*\{|\blocation\s+[=~^/@]|\bupstream\s+\S+\s*\{|\bhttp\s*\{"
)


def looks_like_nginx(path: str, text: str) -> bool:
    """Tell whether a candidate file is clearly meant for nginx (so a parse error matters).

    :param path: project-relative POSIX path.
    :param text: the text.
    :returns: ``True`` for ``.conf`` files under an ``nginx`` folder or named ``nginx*``, and
        for other files of an ``nginx`` folder or named like a config (``.conf``, ``.vhost``...)
        holding unmistakable nginx syntax (``server {``, ``proxy_pass``); a ``.template`` of
        another tool mentioning ``location /`` is not reported.
    """
    if "nginx" in path.lower() and path.endswith((".conf", ".conf.template")):
        return True
    named = "nginx" in path.lower() or path.endswith(CONFIG_SUFFIXES)
    return named and bool(NGINX_MARKERS.search(text))


def validate(path: str, text: str) -> None:
    """Re-parse an output with crossplane: the engine's ``validator=``.

    :param path: project-relative path.
    :param text: the output text.
    :raises ValueError: when the output is not a valid nginx configuration.
    """
    try:
        parse_text(path, text)
    except InputError as error:
        where = f" (line {error.line})" if error.line else ""
        raise ValueError(f"invalid nginx configuration: {error.message}{where}") from None
