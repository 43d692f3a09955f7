"""Splitting a database URL into the parts dj-database-url would give, for ``database-env-vars``.

Red Panda Approval V1-02, "Deprecated / Removed": dj-database-url is replaced by individual
variables (``DB_ENGINE``, ``APP_DB_NAME``, ``APP_DB_USER``, ``APP_DB_PASSWORD``, ``DB_HOST``,
``DB_PORT``). A URL here is a literal or an f-string whose replacement fields each fill one whole
part (``f"postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}"``); each part comes back as Python
source, so that the new settings give exactly what dj-database-url gave when no variable is set.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from urllib.parse import unquote

# dj-database-url's schemes whose engine is one of Django's own backends (DB_ENGINE's values)
ENGINES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "mysql": "mysql",
    "mysql2": "mysql",
    "sqlite": "sqlite3",
    "oracle": "oracle",
}
PARTS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
MARK = "\ue000"  # private-use characters cannot occur in a URL: they stand for a field


class UrlRefusal(Exception):
    """The URL cannot be split exactly; the message says why (never a value)."""


@dataclass(frozen=True)
class UrlParts:
    """A database URL's parts as Python source.

    :param engine: DB_ENGINE's value (``postgresql``, ``sqlite3``, ...).
    :param sources: per part (``NAME``, ``USER``, ...), the source of its value.
    :param has_password: the URL holds a literal password.
    """

    engine: str
    sources: dict[str, str]
    has_password: bool = False


def _template(node: ast.expr, text: str) -> tuple[str, list[str]]:
    """Return the URL with each replacement field as a mark, and the fields' source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, []
    if not isinstance(node, ast.JoinedStr):
        raise UrlRefusal("the URL is neither a literal nor an f-string")
    pieces: list[str] = []
    fields: list[str] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            pieces.append(str(value.value))
        elif isinstance(value, ast.FormattedValue):
            if value.conversion != -1 or value.format_spec is not None:
                raise UrlRefusal("an f-string field of the URL has a conversion or format")
            pieces.append(f"{MARK}{len(fields)}{MARK}")
            fields.append(ast.get_source_segment(text, value.value) or ast.unparse(value.value))
    return "".join(pieces), fields


def _source(part: str, fields: list[str], quote: str, decode: bool) -> str:
    """Write the source of one part: a literal, or an f-string of the fields it holds."""
    if MARK not in part:
        value = unquote(part) if decode else part
        return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote
    if decode and "%" in part:
        raise UrlRefusal("a part mixes an f-string field with percent-escapes")
    chunks = part.split(MARK)
    out = []
    for index, chunk in enumerate(chunks):
        if index % 2:
            out.append("{" + fields[int(chunk)] + "}")
        else:
            out.append(chunk.replace("{", "{{").replace("}", "}}"))
    body = "".join(out)
    if quote in body:
        quote = "'" if quote == '"' else '"'
    return f"f{quote}{body}{quote}"


def split_url(node: ast.expr, text: str, quote: str) -> UrlParts:
    """Split a literal or f-string database URL as dj-database-url does.

    :param node: the URL expression (``ast``).
    :param text: the module's source, for the fields' text.
    :param quote: the quote to write literals with.
    :returns: the engine and the parts' sources.
    :raises UrlRefusal: when no exact split exists (query options, an unknown scheme, a field
        that fills part of a host, ...).
    """
    template, fields = _template(node, text)
    scheme, separator, rest = template.partition("://")
    if not separator or MARK in scheme:
        raise UrlRefusal("the URL has no literal scheme")
    if scheme not in ENGINES:
        raise UrlRefusal(f"scheme {scheme}: not one of Django's own backends")
    if "?" in rest or "#" in rest:
        raise UrlRefusal("the URL carries query options: move them to OPTIONS by hand")
    if scheme == "sqlite" and rest == ":memory:":
        netloc, path = "", "/:memory:"
    else:
        netloc, slash, path = rest.partition("/")
        path = slash + path
    userinfo, at, hostport = netloc.rpartition("@")
    if not at:
        userinfo, hostport = "", netloc
    user, _, password = userinfo.partition(":")
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
    if MARK not in host:
        host = host.lower()
    if port and MARK not in port and not port.isdigit():
        raise UrlRefusal("the URL's port is not a number")
    name = path[1:] or (":memory:" if scheme == "sqlite" else "")
    values = {"NAME": name, "USER": user, "PASSWORD": password, "HOST": host, "PORT": port}
    sources = {}
    for key, value in values.items():
        for piece in value.split(MARK)[1::2]:
            if not piece.isdigit():
                raise UrlRefusal("a field of the URL spans several parts")
        sources[key] = _source(value, fields, quote, decode=key != "HOST")
    return UrlParts(ENGINES[scheme], sources, has_password=bool(password) and MARK not in password)
