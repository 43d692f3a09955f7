"""Docker DNS resolver + variable ``proxy_pass``: the standard's "Nginx Reverse Proxy" section.

nginx resolves the host names of ``upstream`` servers and of literal ``proxy_pass`` URLs once,
at start-up, and keeps the address forever: after ``docker compose restart app`` the container
has a new address and nginx answers 502. The standard's building block 1 wants
``resolver 127.0.0.11 valid=10s;`` and ``proxy_pass $backend_<name>;`` with the URL in a
server-level ``set``, so the name is resolved again while nginx runs.

A variable ``proxy_pass`` is not the same directive, so every difference is made explicit or
refused; those checks live in ``_nginx_variable_pass``: the implicit ``proxy_redirect default``
(not applied to variables) becomes an explicit ``proxy_redirect`` with the same rewrite; a URI
part (``proxy_pass http://api/;`` in ``location /api/``), which with a variable would replace
the whole request URI, becomes ``rewrite ^/api/(.*)$ /$1 break;``; the default ``Host`` header
(``$proxy_host``, the upstream's name) would become ``host:port``, so where no ``Host`` is set
the location gets ``proxy_set_header Host <upstream>;`` (with the inherited
``proxy_set_header`` lines copied in, which a line of its own would drop).
Upstreams with several servers or any tuning (``keepalive``, weights, ``backup``, ``hash``...),
unix sockets, and upstreams used by ``grpc_pass``/``memcached_pass`` or from another file
are refused (``uwsgi_pass``/``fastcgi_pass``/``scgi_pass`` take a variable address too and are
rewritten the same way, see ``_nginx_address_pass``), as are ``$proxy_host``/``$proxy_port``
in use, a resolver other than Docker's, names that make the same variable (``a-b``, ``a_b``)
and one host proxied to with several addresses.
IP literals, ``localhost`` and unix sockets need no resolver and are left alone.
"""

from __future__ import annotations

import re

from redpanda_migrate.codemods.nginx.address_pass import (
    ADDRESS_PASSES,
    parse_address,
    plan_address_use,
)
from redpanda_migrate.codemods.nginx.config import (
    Directive,
    FileResult,
    NginxFile,
    Project,
    insert_after,
    insert_at_http_level,
    insert_before,
    insert_in_server,
    remove,
    replace,
    variable_name,
    walk,
)
from redpanda_migrate.codemods.nginx.rule import nginx_codemod
from redpanda_migrate.codemods.nginx.variable_pass import (
    URL,
    Refusal,
    Target,
    existing_set,
    needs_dns,
    pass_uses,
    plan_use,
    refuse_other_passes,
    variable_defined_elsewhere,
    without_name_clashes,
)

from redpanda_migrate.codemod import Example, Finding

RESOLVER = "resolver 127.0.0.11 valid=10s;"


def server_needs_dns(server: Directive) -> bool:
    """Tell whether an upstream ``server`` names a host the Docker resolver must resolve.

    :param server: a ``server`` line of an ``upstream`` block.
    :returns: ``False`` for unix sockets, IP literals and ``localhost``.
    """
    address = server.args[0] if server.args else "unix:"
    if address.startswith("unix:"):
        return False
    host = address.rsplit(":", 1)[0] if re.search(r":\d+$", address) else address
    return needs_dns(host)


def upstream_target(upstream: Directive) -> Target | None:
    """Check that an upstream is one plain server and tell its address.

    :param upstream: an ``upstream`` block.
    :returns: the target, or ``None`` when it needs no resolver (IP literal, unix socket).
    :raises Refusal: for several servers, tuning or server parameters.
    """
    name = upstream.args[0]
    children = upstream.block or []
    servers = [d for d in children if d.name == "server"]
    if not any(server_needs_dns(server) for server in servers):
        return None
    tuning = [d.name for d in children if d.name != "server"]
    if tuning:
        raise Refusal(
            upstream.line,
            f"upstream {name} uses {', '.join(sorted(set(tuning)))}: a variable proxy_pass "
            "cannot keep it (no upstream block), so this needs a decision by hand",
        )
    if len(servers) != 1:
        raise Refusal(
            upstream.line,
            f"upstream {name} has {len(servers)} servers: a variable proxy_pass names one "
            "address, so balancing and fail-over would be lost",
        )
    server = servers[0]
    if len(server.args) != 1:
        raise Refusal(
            server.line,
            f"upstream {name}'s server has parameters ({' '.join(server.args[1:])}) that a "
            "variable proxy_pass cannot keep",
        )
    return Target(name, server.args[0], upstream)


def find_targets(nginx: NginxFile, project: Project, result: FileResult) -> dict[str, Target]:
    """Return the upstreams and literal host names of this file that need the resolver.

    :returns: targets by the name ``proxy_pass`` URLs use.
    """
    targets: dict[str, Target] = {}
    for upstream in (d for d in nginx.http_scope() or () if d.name == "upstream" and d.args):
        try:
            target = upstream_target(upstream)
        except Refusal as refusal:
            result.refusals.append(Finding(nginx.path, refusal.line, refusal.message))
            targets[upstream.args[0]] = Target(upstream.args[0], "", None)  # keep out
            continue
        if target is not None:
            targets[target.name] = target
    return targets


def foreign_use(nginx: NginxFile, project: Project, target: Target) -> Refusal | None:
    """Return a use of an upstream that cannot become a variable ``proxy_pass`` (or is elsewhere).

    :returns: a refusal, or ``None`` when every use is a ``proxy_pass`` of this file.
    """
    for other in project.level_files(nginx):
        for use in pass_uses(other, target.name):
            if other is not nginx:
                return Refusal(
                    target.upstream.line if target.upstream else use.line,
                    f"upstream {target.name} is also used in {other.path}:{use.line}; "
                    "rewrite both files together by hand",
                )
            if use.name not in ("proxy_pass", *ADDRESS_PASSES):
                return Refusal(
                    use.line,
                    f"{use.name} to {target.name}: its TLS name and :authority come from the "
                    "literal address, so it is not rewritten",
                )
            if use.name == "proxy_pass" and not URL.match(use.args[0]):
                return Refusal(use.line, f"proxy_pass {use.args[0]}: cannot tell its parts")
    return None


def literal_targets(nginx: NginxFile, upstream_names: set[str]) -> dict[str, Target]:
    """``proxy_pass http://web:8000;`` (or ``uwsgi_pass web:8000;``...) to a container name.

    :returns: targets by host name.
    """
    targets: dict[str, Target] = {}
    for use in (d for d in walk(nginx.top) if d.args):
        if use.name == "proxy_pass":
            match = URL.match(use.args[0])
        elif use.name in ADDRESS_PASSES:
            match = parse_address(use)
            match = match if match is not None and match["port"] else None
        else:
            continue
        if match is None or match["host"] in upstream_names or not needs_dns(match["host"]):
            continue
        if "." in match["host"]:
            continue  # a public name (api.example.com) is not a container of the stack
        address = match["host"] + (match["port"] or "")
        if targets.get(match["host"], Target("", address, None)).address != address:
            continue
        targets[match["host"]] = Target(match["host"], address, None)
    return targets


def rewrite_target(nginx: NginxFile, project: Project, target: Target, result: FileResult) -> bool:
    """Rewrite every ``proxy_pass`` to one target, or refuse them all.

    :returns: ``True`` when the target was rewritten.
    """
    refusal = foreign_use(nginx, project, target)
    uses = [d for d in pass_uses(nginx, target.name) if d.name in ("proxy_pass", *ADDRESS_PASSES)]
    if refusal is None and target.upstream is not None and not uses:
        refusal = Refusal(
            target.upstream.line,
            f"upstream {target.name} is not used by a proxy_pass or uwsgi_pass here",
        )
    variable = f"$backend_{variable_name(target.name)}"
    plans = []
    try:
        if refusal is not None:
            raise refusal
        for use in uses:
            if use.name == "proxy_pass":
                plans.append((use, *plan_use(nginx, project, use, target, use.args[0])))
            else:
                plans.append((use, *plan_address_use(nginx, project, use, target)))
    except Refusal as error:
        result.refusals.append(Finding(nginx.path, error.line, error.message))
        return False
    values = sorted({plan[4] for plan in plans})
    if len(values) > 1:
        result.refusals.append(
            Finding(
                nginx.path,
                plans[0][0].line,
                f"{' and '.join(sorted({plan[0].name for plan in plans}))} to {target.name} "
                "with different addresses "
                f"({', '.join(values)}): one {variable} cannot hold them; rewrite these by hand",
            )
        )
        return False
    clash = variable_defined_elsewhere(nginx, project, variable, values[0] if values else "")
    if clash is not None:
        result.refusals.append(
            Finding(
                nginx.path,
                plans[0][0].line if plans else None,
                f"{variable} is already defined ({clash[0]}:{clash[1]}) with another value",
            )
        )
        return False
    sets: dict[int, Directive] = {}
    for _use, server, _before, _after, value in plans:
        current = existing_set(server, variable)
        if current is not None and current.args[1:] != [value]:
            result.refusals.append(
                Finding(nginx.path, current.line, f"{variable} is already set to something else")
            )
            return False
        if current is None:
            sets[id(server)] = server
    for server in sets.values():
        result.edits.append(
            insert_in_server(nginx.text, server, [f"set {variable} {plans[0][4]};"])
        )
    for use, _server, before, after, _value in plans:
        if f"proxy_set_header Host {target.name};" in after:
            result.notes.append(
                Finding(
                    nginx.path,
                    use.line,
                    f"proxy_set_header Host {target.name}; keeps the Host the backend receives "
                    "today (nginx sent the upstream's name); the standard's Host $host comes "
                    "with nginx-proxy-headers",
                )
            )
        if before:
            result.edits.append(insert_before(nginx.text, use, before))
        result.edits.append(replace(use, f"{use.name} {variable};"))
        if after:
            result.edits.append(insert_after(nginx.text, use, after))
    if target.upstream is not None:
        result.edits.append(remove(nginx.text, target.upstream))
    return True


def has_resolver(nginx: NginxFile, project: Project) -> bool:
    """Tell whether a resolver already applies at http level (or in every server here)."""
    if project.was_added("resolver", nginx):
        return True
    if project.http_directives("resolver", nginx):
        return True
    servers = nginx.servers()
    return bool(servers) and all(any(d.name == "resolver" for d in s.block or ()) for s in servers)


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Rewrite one nginx file's upstreams and literal container URLs to the resolver form.

    Enforces the standard's "Nginx Reverse Proxy" building block 1 (Docker DNS resolver +
    variable-based ``proxy_pass``) and its anti-pattern "upstream blocks for container
    hostnames without resolver".

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits, notes and refusals.
    """
    result = FileResult()
    if nginx.http_scope() is None:
        return result
    targets = find_targets(nginx, project, result)
    upstream_names = {d.args[0] for _, d in project.http_directives("upstream", nginx) if d.args}
    targets = {k: v for k, v in targets.items() if v.address}
    targets.update(literal_targets(nginx, upstream_names))
    handled = upstream_names | set(targets)
    targets = without_name_clashes(nginx, targets, result)
    rewritten = [t for _, t in sorted(targets.items()) if rewrite_target(nginx, project, t, result)]
    refuse_other_passes(nginx, handled, result)
    if rewritten and not has_resolver(nginx, project):
        result.edits.append(insert_at_http_level(nginx, [RESOLVER]))
        project.mark_added("resolver", nginx)
    for target in rewritten:
        first = pass_uses(nginx, target.name)[0]
        result.notes.append(
            Finding(
                nginx.path,
                target.upstream.line if target.upstream else first.line,
                f"{target.name}: {first.name} now uses $backend_{variable_name(target.name)}, "
                "resolved while nginx runs by Docker's DNS (127.0.0.11 exists only inside a "
                "compose network)",
            )
        )
    return result


CODEMOD = nginx_codemod(
    codemod_id="nginx-resolver",
    title="Replace upstreams of container hosts by the Docker resolver and a variable proxy_pass",
    rationale=(
        "nginx resolves upstream host names once at start-up and caches the address forever; "
        "after `docker compose restart app` the container has a new address and nginx returns "
        "502 until it is reloaded. With `resolver 127.0.0.11 valid=10s;` and a variable "
        "proxy_pass, the name is resolved again while nginx runs."
    ),
    example=Example(
        path="nginx/conf.d/app.conf",
        before=(
            "upstream django {\n    server app:8000;\n}\n\nserver {\n    listen 80;\n\n"
            "    location / {\n        proxy_pass http://django;\n"
            "        proxy_set_header Host $host;\n    }\n}\n"
        ),
        after=(
            "resolver 127.0.0.11 valid=10s;\n\nserver {\n    listen 80;\n"
            "    set $backend_django http://app:8000;\n\n"
            "    location / {\n        proxy_pass $backend_django;\n"
            "        proxy_redirect http://django/ /;\n"
            "        proxy_set_header Host $host;\n    }\n}\n"
        ),
    ),
    rewrite=rewrite_file,
    order=360,
    report_errors=True,
)
