"""Preserve HAProxy's ``X-Forwarded-Proto``: the standard's "Nginx Reverse Proxy" section.

Inside the compose network ``$scheme`` is always ``http`` because HAProxy already terminated
TLS, so ``proxy_set_header X-Forwarded-Proto $scheme;`` tells Django every request is plain
HTTP (``request.is_secure()``, secure cookies and ``build_absolute_uri()`` break). The standard's
building block 2 passes the header HAProxy sent, falling back to ``$scheme``:
``map $http_x_forwarded_proto $proxy_x_forwarded_proto`` at http level and
``proxy_set_header X-Forwarded-Proto $proxy_x_forwarded_proto;``. The map is added once per
project (never twice: a second ``map`` of the same variable is an nginx error); a snippet
included inside a server cannot hold it, so such a file is refused until a conf.d file has it.
"""

from __future__ import annotations

from redpanda_migrate.codemods.nginx.config import (
    FileResult,
    NginxFile,
    Project,
    ensure_forwarded_proto_map,
    replace,
    walk,
)
from redpanda_migrate.codemods.nginx.rule import nginx_codemod

from redpanda_migrate.codemod import Example, Finding

VARIABLE = "$proxy_x_forwarded_proto"


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Replace ``X-Forwarded-Proto $scheme`` by the map variable in one nginx file.

    Enforces the standard's "Nginx Reverse Proxy" building block 2 and its anti-pattern
    "Don't pass $scheme as X-Forwarded-Proto when behind an external TLS terminator".

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits, notes and refusals.
    """
    result = FileResult()
    headers = [
        d
        for d in walk(nginx.top)
        if d.name == "proxy_set_header"
        and len(d.args) == 2
        and d.args[0].lower() == "x-forwarded-proto"
        and d.args[1] == "$scheme"
    ]
    if not headers:
        return result
    if not ensure_forwarded_proto_map(nginx, project, result, headers[0].line):
        return result
    for header in headers:
        result.edits.append(replace(header, f"proxy_set_header {header.raw_args[0]} {VARIABLE};"))
    result.notes.append(
        Finding(
            nginx.path,
            headers[0].line,
            "X-Forwarded-Proto now passes on the client's header (HAProxy's) and falls back to "
            "$scheme: only safe when clients reach nginx through HAProxy, which sets it",
        )
    )
    return result


CODEMOD = nginx_codemod(
    codemod_id="nginx-forwarded-proto",
    title="Pass HAProxy's X-Forwarded-Proto through the $proxy_x_forwarded_proto map",
    rationale=(
        "Behind HAProxy, nginx's $scheme is always http, so X-Forwarded-Proto $scheme makes "
        "Django think every request is insecure (is_secure(), secure cookies, absolute URLs). "
        "The map keeps the header HAProxy sent and falls back to $scheme."
    ),
    example=Example(
        path="nginx/conf.d/app.conf",
        before=(
            "server {\n    location / {\n        proxy_pass $backend_app;\n"
            "        proxy_set_header X-Forwarded-Proto $scheme;\n    }\n}\n"
        ),
        after=(
            "map $http_x_forwarded_proto $proxy_x_forwarded_proto {\n"
            "    default $http_x_forwarded_proto;\n"
            '    "" $scheme;\n}\n\n'
            "server {\n    location / {\n        proxy_pass $backend_app;\n"
            "        proxy_set_header X-Forwarded-Proto $proxy_x_forwarded_proto;\n    }\n}\n"
        ),
    ),
    rewrite=rewrite_file,
    order=310,
)
