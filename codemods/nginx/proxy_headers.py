"""The same four headers on every ``proxy_pass``: the standard's "Nginx Reverse Proxy" section.

Every ``proxy_pass`` must send ``Host $host``, ``X-Real-IP $remote_addr``,
``X-Forwarded-For $proxy_add_x_forwarded_for`` and
``X-Forwarded-Proto $proxy_x_forwarded_proto`` (inline or through an included snippet).

``proxy_set_header`` is inherited from the enclosing level only when a level has none of its
own, so adding one line to a location that had none would drop every inherited header. Missing
headers are therefore added to the level that decides for that ``proxy_pass``: the location when
it has ``proxy_set_header`` lines, else the server or http level that has them, else the
location, right after ``proxy_pass``. Headers set to other values are left alone (the
``X-Forwarded-Proto $scheme`` case is ``nginx-forwarded-proto``'s). Lines that come from an
included snippet are checked, never edited: a snippet that lacks a header is refused.
"""

from __future__ import annotations

from redpanda_migrate.codemods.nginx.config import (
    Directive,
    FileResult,
    NginxFile,
    Project,
    enclosing,
    ensure_forwarded_proto_map,
    insert_after,
    insert_first,
    levels,
    walk,
)
from redpanda_migrate.codemods.nginx.rule import nginx_codemod

from redpanda_migrate.codemod import Example, Finding

HEADERS = (
    ("Host", "$host"),
    ("X-Real-IP", "$remote_addr"),
    ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
    ("X-Forwarded-Proto", "$proxy_x_forwarded_proto"),
)


class Refusal(Exception):
    """No safe rewrite; the message says why."""


def deciding_level(
    nginx: NginxFile, project: Project, location: Directive
) -> tuple[Directive | None, list[Directive]]:
    """Return the level whose ``proxy_set_header`` lines apply in a location, and those lines.

    :returns: ``(block, lines)``: ``block`` ``None`` for the file level; ``(location, [])``
        when no level has any.
    :raises Refusal: when the lines come from an include that lacks headers or cannot be
        followed.
    """
    chain = [location, *(b for b in levels(location) if b.name != "http")]
    scopes: list[tuple[Directive | None, list[Directive]]] = [(b, b.block or []) for b in chain]
    if nginx.kind == "fragment":
        scopes.append((None, nginx.top))
    for block, scope in scopes:
        included = project.included(nginx, scope, "proxy_set_header")
        if included is None:
            raise Refusal("an include here cannot be followed, so the headers sent are unknown")
        own = [d for d in scope if d.name == "proxy_set_header"]
        if included:
            names = {d.args[0].lower() for d in own + included if d.args}
            lacking = [name for name, _ in HEADERS if name.lower() not in names]
            if lacking:
                raise Refusal(
                    f"the included proxy headers lack {', '.join(lacking)}: add them to that file"
                )
            return block, own + included
        if own:
            return block, own
    level = project.http_level(nginx)
    if level is None:
        raise Refusal("an include at http level cannot be followed, so the headers are unknown")
    inherited = [d for d in level if d.name == "proxy_set_header"]
    if inherited:
        return nginx.http_block(), inherited
    return location, []


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Add the missing standard headers for every ``proxy_pass`` of one nginx file.

    Enforces the standard's "Nginx Reverse Proxy" rule that every proxy_pass has the same
    four headers (Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto).

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits, notes and refusals.
    """
    result = FileResult()
    done: set[int] = set()
    for use in (d for d in walk(nginx.top) if d.name == "proxy_pass"):
        location = (
            use.parent
            if use.parent is not None and use.parent.name == "location"
            else enclosing(use, "location")
        )
        if location is None:
            continue
        try:
            block, lines = deciding_level(nginx, project, location)
        except Refusal as refusal:
            result.refusals.append(Finding(nginx.path, use.line, str(refusal)))
            continue
        if id(block) in done:
            continue
        done.add(id(block))
        names = {d.args[0].lower() for d in lines if d.args}
        missing = [(name, value) for name, value in HEADERS if name.lower() not in names]
        owned = [d for d in lines if nginx.owns(d)]
        if missing and lines and not owned:
            result.refusals.append(
                Finding(
                    nginx.path,
                    use.line,
                    "the proxy headers here are inherited from the http level "
                    f"({project.where(lines[0])}) and lack "
                    f"{', '.join(name for name, _ in missing)}; "
                    "headers added here would replace the inherited ones: add them there",
                )
            )
            continue
        if any(
            name == "X-Forwarded-Proto" for name, _ in missing
        ) and not ensure_forwarded_proto_map(nginx, project, result, use.line):
            missing = [(n, v) for n, v in missing if n != "X-Forwarded-Proto"]
        if not missing:
            continue
        statements = [f"proxy_set_header {name} {value};" for name, value in missing]
        if lines:
            result.edits.append(insert_after(nginx.text, owned[-1], statements))
        elif use.parent is location:
            result.edits.append(insert_after(nginx.text, use, statements))
        else:
            result.edits.append(insert_first(nginx.text, location, statements))
        if "host" not in names:
            result.notes.append(
                Finding(
                    nginx.path,
                    use.line,
                    "the backend now receives the client's Host instead of the proxy_pass host: "
                    "Django's ALLOWED_HOSTS must list the public host names",
                )
            )
    return result


CODEMOD = nginx_codemod(
    codemod_id="nginx-proxy-headers",
    title="Send Host, X-Real-IP, X-Forwarded-For and X-Forwarded-Proto with every proxy_pass",
    rationale=(
        "Django needs the client's Host, address and scheme to build URLs, check "
        "ALLOWED_HOSTS and decide is_secure(); every proxy_pass must send the same four "
        "headers, X-Forwarded-Proto through the $proxy_x_forwarded_proto map."
    ),
    example=Example(
        path="nginx/conf.d/app.conf",
        before="server {\n    location / {\n        proxy_pass $backend_app;\n    }\n}\n",
        after=(
            "map $http_x_forwarded_proto $proxy_x_forwarded_proto {\n"
            "    default $http_x_forwarded_proto;\n"
            '    "" $scheme;\n}\n\n'
            "server {\n    location / {\n        proxy_pass $backend_app;\n"
            "        proxy_set_header Host $host;\n"
            "        proxy_set_header X-Real-IP $remote_addr;\n"
            "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "        proxy_set_header X-Forwarded-Proto $proxy_x_forwarded_proto;\n"
            "    }\n}\n"
        ),
    ),
    rewrite=rewrite_file,
    order=350,
)
