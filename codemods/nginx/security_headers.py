"""Security headers on every response, marked ``always``: the standard's "Nginx Reverse Proxy".

Building block 5 wants ``X-Frame-Options "SAMEORIGIN"``, ``X-Content-Type-Options "nosniff"``
and ``X-XSS-Protection "1; mode=block"``, each with ``always`` so they are also sent with the
backend's 4xx/5xx responses and nginx's own errors (without it nginx adds them to 2xx/3xx only).

nginx sends the ``add_header`` lines of the nearest level that has any (location, ``if`` in a
location, server, http) and drops every inherited one in a block with ``add_header`` lines of
its own; every line that applies is sent, so a header added twice is sent twice. So, for each
http level once (not once per server) and each server that proxies a catch-all ``location /``:

* the http level, when it has ``add_header`` lines, gets the missing headers after its last one
  (in the first file of the level holding some), and every server inherits them;
* else the server gets them after its leading simple directives (the reference config);
* every block below that has ``add_header`` lines of its own (``location /static/`` with
  ``Cache-Control``, an ``if`` answering CORS preflights, the server itself) gets the missing
  ones too, so each response carries each header exactly once.

A snippet included by a server (bookwyrm's ``nginx/locations``) holds that server's lines: it
is completed itself, and its ``location /`` counts as the server's catch-all. A header already
present without ``always`` gets ``always`` and keeps its value.
"""

from __future__ import annotations

from redpanda_migrate.codemods.nginx.config import (
    Directive,
    FileResult,
    NginxFile,
    Project,
    insert_after,
    insert_in_server,
    levels,
    location_path,
    replace,
    walk,
)
from redpanda_migrate.codemods.nginx.rule import EXAMPLE_SERVER, nginx_codemod

from redpanda_migrate.codemod import Example, Finding

HEADERS = (
    ("X-Frame-Options", '"SAMEORIGIN"'),
    ("X-Content-Type-Options", '"nosniff"'),
    ("X-XSS-Protection", '"1; mode=block"'),
)
# Blocks that can hold add_header lines of their own below a server.
HEADER_BLOCKS = frozenset({"location", "if"})


def has_catch_all(project: Project, nginx: NginxFile, server: Directive) -> bool:
    """Tell whether a server has a ``location /``, its own or from a snippet it includes."""
    locations = [d for d in server.block or () if d.name == "location"]
    for include in server.children("include"):
        for snippet in project.resolve_include(nginx.path, include.args[0]) or ():
            locations.extend(d for d in snippet.top if d.name == "location")
    return any(location_path(d) == ("", "/") for d in locations)


class Refusal(Exception):
    """No safe rewrite; the message says why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def own_headers(
    project: Project, nginx: NginxFile, block: Directive
) -> tuple[list[Directive], bool]:
    """Return a block's own ``add_header`` lines, and whether a snippet it includes has some.

    A snippet's lines are this block's lines; the snippet is completed on its own (see
    :func:`rewrite_snippet`), so the block itself needs nothing more.

    :raises Refusal: when an include cannot be followed (its lines would decide, unseen), or
        when both the block and a snippet hold lines (where to add is a choice).
    """
    scope = block.block or []
    included = project.included(nginx, scope, "add_header")
    if included is None:
        unknown = next(
            d.args[0]
            for d in scope
            if d.name == "include"
            and d.args
            and project.resolve_include(nginx.path, d.args[0]) is None
        )
        raise Refusal(
            block.line,
            f"include {unknown} is not in the project (generated at start-up?), so whether it "
            "adds headers is unknown: check add_header here by hand",
        )
    own = [d for d in scope if d.name == "add_header"]
    if included and own:
        raise Refusal(
            block.line,
            "add_header lines here and in an included snippet: check the headers by hand",
        )
    return own, bool(included)


def inherited_value(block: Directive | None, name: str, default: str) -> str:
    """Return the value an enclosing level gives a header (``DENY`` stays ``DENY`` below it).

    :param block: the block whose ancestors are looked at (``None``: none).
    :param name: the header name.
    :param default: the standard's value.
    :returns: the raw value of the nearest enclosing ``add_header`` of that name, or the default.
    """
    for level in levels(block) if block is not None else []:
        for header in level.children("add_header"):
            if header.args and header.args[0].lower() == name.lower() and len(header.raw_args) > 1:
                return header.raw_args[1]
    return default


def complete(
    nginx: NginxFile,
    headers: list[Directive],
    present: list[Directive],
    block: Directive | None = None,
) -> FileResult:
    """Mark the three headers ``always`` and add the missing ones after a block's last line.

    :param headers: the block's own ``add_header`` lines (the missing ones go after the last).
    :param present: every line of the level (several files share an http level).
    :param block: the block, whose enclosing levels give the values of missing headers.
    :returns: the edits.
    """
    result = FileResult()
    by_name = {h.args[0].lower(): h for h in present if h.args}
    missing = []
    for name, default in HEADERS:
        header = by_name.get(name.lower())
        if header is None:
            value = inherited_value(block, name, default)
            missing.append(f"add_header {name} {value} always;")
        elif "always" not in header.args[2:] and nginx.owns(header):
            result.edits.append(replace(header, f"add_header {' '.join(header.raw_args)} always;"))
    if missing and headers:
        result.edits.append(insert_after(nginx.text, headers[-1], missing))
    return result


def http_level_headers(nginx: NginxFile, project: Project) -> tuple[bool, FileResult]:
    """Complete the http level's ``add_header`` lines, once per level.

    :returns: whether the http level has ``add_header`` lines (then servers inherit them),
        and the edits of this file.
    :raises Refusal: when an include at the level cannot be followed.
    """
    files = project.http_files(nginx)
    if files is None:
        raise Refusal(1, "an include at http level cannot be followed: check add_header by hand")

    def lines(f: NginxFile) -> list[Directive]:
        scope = f.http_scope() if f.kind != "fragment" else f.top
        return [d for d in scope or () if d.name == "add_header"]

    holders = [f for f in files if lines(f)]
    if not holders:
        return False, FileResult()
    present = [d for f in holders for d in lines(f)]
    own = lines(nginx)
    if not own:
        return True, FileResult()
    result = complete(nginx, own if holders[0] is nginx else [], present)
    if any(edit.start == edit.end for edit in result.edits):
        result.notes.append(
            Finding(
                nginx.path,
                own[-1].line,
                "security headers added at http level, after its add_header lines: every "
                "server and location without add_header lines of its own inherits them",
            )
        )
    return True, result


def rewrite_server(
    nginx: NginxFile, project: Project, server: Directive, http_defines: bool
) -> FileResult:
    """Make the three headers apply exactly once, ``always``, to every response of a server.

    :raises Refusal: when an include holds (or may hold) ``add_header`` lines.
    """
    result = FileResult()
    headers, from_snippet = own_headers(project, nginx, server)
    if headers:
        merge(result, complete(nginx, headers, headers))
    elif not http_defines and not from_snippet:
        lines = [f"add_header {name} {value} always;" for name, value in HEADERS]
        result.edits.append(insert_in_server(nginx.text, server, lines))
        result.notes.append(
            Finding(
                nginx.path,
                server.line,
                "security headers added at server level: locations without add_header lines "
                "of their own get them too (Django's XFrameOptionsMiddleware also sends "
                "X-Frame-Options, DENY by default)",
            )
        )
    merge(result, complete_blocks(nginx, project, server.block or []))
    return result


def complete_blocks(nginx: NginxFile, project: Project, top: list[Directive]) -> FileResult:
    """Complete every location or ``if`` below ``top`` that has ``add_header`` lines of its own.

    :raises Refusal: see :func:`own_headers`.
    """
    result = FileResult()
    for block in walk(top):
        if block.name in HEADER_BLOCKS and block.block is not None:
            headers, _ = own_headers(project, nginx, block)
            added = complete(nginx, headers, headers, block) if headers else FileResult()
            merge(result, added)
            if any(edit.start == edit.end for edit in added.edits):
                result.notes.append(
                    Finding(
                        nginx.path,
                        block.line,
                        f"{block.name} {' '.join(block.raw_args)} has add_header lines of its "
                        "own, so nginx drops the inherited security headers there: they are "
                        "added to it too",
                    )
                )
    return result


def rewrite_snippet(nginx: NginxFile, project: Project) -> FileResult:
    """Complete a snippet that a server, location or http level includes.

    Its file-level ``add_header`` lines are those of the level that includes it (bookwyrm's
    ``nginx/locations``, included in each server), so the missing headers go after them; its
    blocks with lines of their own are completed as in a server.

    :raises Refusal: see :func:`own_headers`.
    """
    result = FileResult()
    sites = [
        (other, include)
        for other in project.files.values()
        for include in walk(other.top)
        if include.name == "include"
        and include.args
        and nginx in (project.resolve_include(other.path, include.args[0]) or ())
    ]
    headers = [d for d in nginx.top if d.name == "add_header"]
    for other, include in sites if headers else []:
        scope = include.parent.block or [] if include.parent is not None else other.top
        if any(d.name == "add_header" for d in scope):
            raise Refusal(
                1,
                f"included next to add_header lines ({other.path}:{include.line}): check the "
                "headers by hand",
            )
    if not sites:
        return result
    if headers:
        added = complete(nginx, headers, headers)
        merge(result, added)
        if any(edit.start == edit.end for edit in added.edits):
            result.notes.append(
                Finding(
                    nginx.path,
                    headers[-1].line,
                    "security headers added after this snippet's add_header lines: the level "
                    "that includes it sends these, not the inherited ones",
                )
            )
    merge(result, complete_blocks(nginx, project, nginx.top))
    return result


def merge(result: FileResult, other: FileResult) -> None:
    """Add another result's edits, notes and refusals to ``result``."""
    result.edits.extend(other.edits)
    result.notes.extend(other.notes)
    result.refusals.extend(other.refusals)


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Add the three security headers, ``always``, wherever they must be to apply once.

    Enforces the standard's "Nginx Reverse Proxy" building block 5 (security headers on the
    catch-all, marked always), taking nginx's ``add_header`` inheritance into account.

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits, notes and refusals.
    """
    result = FileResult()
    if nginx.http_scope() is None:
        try:
            return rewrite_snippet(nginx, project)
        except Refusal as refusal:
            result.refusals.append(Finding(nginx.path, refusal.line, refusal.message))
            return result
    servers = nginx.servers()
    covered = [s for s in servers if has_catch_all(project, nginx, s)]
    try:
        http_defines, http_result = http_level_headers(nginx, project)
    except Refusal as refusal:
        if covered:
            result.refusals.append(Finding(nginx.path, refusal.line, refusal.message))
        return result
    merge(result, http_result)
    for server in servers if http_defines else covered:
        try:
            merge(result, rewrite_server(nginx, project, server, http_defines))
        except Refusal as refusal:
            result.refusals.append(Finding(nginx.path, refusal.line, refusal.message))
    return result


CODEMOD = nginx_codemod(
    codemod_id="nginx-security-headers",
    title="Send X-Frame-Options, X-Content-Type-Options and X-XSS-Protection always",
    rationale=(
        "The catch-all proxies to Django; marking the three headers always makes nginx add "
        "them to error responses too. Stronger policies (CSP, HSTS) live at HAProxy."
    ),
    example=Example(
        path="nginx/conf.d/app.conf",
        before=EXAMPLE_SERVER,
        after=(
            "server {\n    listen 80;\n"
            '    add_header X-Frame-Options "SAMEORIGIN" always;\n'
            '    add_header X-Content-Type-Options "nosniff" always;\n'
            '    add_header X-XSS-Protection "1; mode=block" always;\n\n'
            "    location / {\n        proxy_pass $backend_app;\n    }\n}\n"
        ),
    ),
    rewrite=rewrite_file,
    order=340,
)
