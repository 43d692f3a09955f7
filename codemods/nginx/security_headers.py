"""Security headers on the catch-all, marked ``always``: the standard's "Nginx Reverse Proxy".

Building block 5 wants ``X-Frame-Options "SAMEORIGIN"``, ``X-Content-Type-Options "nosniff"``
and ``X-XSS-Protection "1; mode=block"``, each with ``always`` so they are also sent with the
backend's 4xx/5xx responses (without it nginx adds them to 2xx/3xx only).

``add_header`` is inherited from the enclosing level only when a level has none of its own, so
headers are added where they take effect for the catch-all ``location /``: in that location when
it has ``add_header`` lines, else at the level it inherits from, else at server level (as in the
standard's reference config). A header already present without ``always`` gets ``always`` and
keeps its value.
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
)
from redpanda_migrate.codemods.nginx.rule import EXAMPLE_SERVER, nginx_codemod

from redpanda_migrate.codemod import Example, Finding

HEADERS = (
    ("X-Frame-Options", '"SAMEORIGIN"'),
    ("X-Content-Type-Options", '"nosniff"'),
    ("X-XSS-Protection", '"1; mode=block"'),
)


def catch_all(server: Directive) -> Directive | None:
    """Return the server's ``location /``, if any."""
    return next(
        (d for d in server.block or () if d.name == "location" and location_path(d) == ("", "/")),
        None,
    )


class Refusal(Exception):
    """No safe rewrite; the message says why."""


def deciding_level(
    project: Project, nginx: NginxFile, location: Directive
) -> tuple[Directive | None, list[Directive]]:
    """Return the level whose ``add_header`` lines apply to the catch-all, and those lines.

    :returns: ``(block, headers)``: ``block`` is ``None`` for the file's http level; with no
        ``add_header`` anywhere, the server and ``[]``.
    :raises Refusal: when ``add_header`` lines come from an include.
    """
    chain = [location, *(b for b in levels(location) if b.name != "http")]
    for block in chain:
        scope = block.block or []
        included = project.included(nginx, scope, "add_header")
        if included is None or included:
            raise Refusal("add_header lines here come from an include: check them by hand")
        own = [d for d in scope if d.name == "add_header"]
        if own:
            return block, own
    level = project.http_level(nginx)
    if level is None:
        raise Refusal("an include at http level cannot be followed: check add_header by hand")
    inherited = [d for d in level if d.name == "add_header"]
    if inherited and not all(nginx.owns(d) for d in inherited):
        raise Refusal(
            "add_header lines inherited from the http level of another file apply here: "
            "server-level headers would replace them, so add the headers there by hand"
        )
    if inherited:
        return nginx.http_block(), inherited
    return location.parent, []


def rewrite_server(
    nginx: NginxFile, project: Project, server: Directive, result: FileResult
) -> None:
    """Make the three headers apply, ``always``, to one server's catch-all."""
    location = catch_all(server)
    if location is None:
        return
    try:
        block, headers = deciding_level(project, nginx, location)
    except Refusal as refusal:
        result.refusals.append(Finding(nginx.path, location.line, str(refusal)))
        return
    present = {h.args[0].lower(): h for h in headers if h.args}
    missing = []
    for name, value in HEADERS:
        header = present.get(name.lower())
        if header is None:
            missing.append(f"add_header {name} {value} always;")
        elif "always" not in header.args[2:]:
            result.edits.append(replace(header, f"add_header {' '.join(header.raw_args)} always;"))
    if not missing:
        return
    if headers:
        result.edits.append(insert_after(nginx.text, headers[-1], missing))
        return
    assert block is not None
    result.edits.append(insert_in_server(nginx.text, block, missing))
    result.notes.append(
        Finding(
            nginx.path,
            block.line,
            "security headers added at server level: locations without add_header lines of "
            "their own get them too (Django's XFrameOptionsMiddleware also sends "
            "X-Frame-Options, DENY by default)",
        )
    )


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Add the three security headers, ``always``, for every server's catch-all location.

    Enforces the standard's "Nginx Reverse Proxy" building block 5 (security headers on the
    catch-all, marked always).

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits, notes and refusals.
    """
    result = FileResult()
    for server in nginx.servers():
        rewrite_server(nginx, project, server, result)
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
