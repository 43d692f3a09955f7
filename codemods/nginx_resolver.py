"""Docker DNS resolver + variable ``proxy_pass``: the standard's "Nginx Reverse Proxy" section.

nginx resolves the host names of ``upstream`` servers and of literal ``proxy_pass`` URLs once,
at start-up, and keeps the address forever: after ``docker compose restart app`` the container
has a new address and nginx answers 502. The standard's building block 1 wants
``resolver 127.0.0.11 valid=10s;`` and ``proxy_pass $backend_<name>;`` with the URL in a
server-level ``set``, so the name is resolved again while nginx runs.

A variable ``proxy_pass`` is not the same directive, so every difference is made explicit or
refused: the implicit ``proxy_redirect default`` (not applied to variables) becomes an explicit
``proxy_redirect`` with the same rewrite; a URI part (``proxy_pass http://api/;`` in
``location /api/``), which with a variable would replace the whole request URI, becomes
``rewrite ^/api/(.*)$ /$1 break;``; the default ``Host`` header (``$proxy_host``, the upstream's
name) would become ``host:port``, so the rewrite is refused unless ``Host`` is set explicitly.
Upstreams with several servers or any tuning (``keepalive``, weights, ``backup``, ``hash``...),
unix sockets, and upstreams used by ``uwsgi_pass``/``fastcgi_pass``/... or from another file
are refused, as are ``$proxy_host``/``$proxy_port`` in use, a resolver other than Docker's, names
that make the same variable (``a-b``, ``a_b``) and one host proxied to with several addresses.
IP literals, ``localhost`` and unix sockets need no resolver and are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redpanda_migrate.codemods._nginx import (
    FILES,
    NEEDLES,
    SECTION,
    Directive,
    FileResult,
    NginxFile,
    Project,
    enclosing,
    insert_after,
    insert_at_http_level,
    insert_before,
    insert_in_server,
    location_path,
    remove,
    replace,
    run_project,
    validate,
    variable_name,
    walk,
)

from redpanda_migrate.codemod import Codemod, Example, Finding, ProjectInput, ProjectOutcome

RESOLVER = "resolver 127.0.0.11 valid=10s;"
PASS_DIRECTIVES = (
    "proxy_pass",
    "uwsgi_pass",
    "fastcgi_pass",
    "scgi_pass",
    "grpc_pass",
    "memcached_pass",
)
REWRITE_MODULE = frozenset({"rewrite", "return", "set", "if", "break"})
URL = re.compile(r"^(?P<scheme>https?)://(?P<host>[A-Za-z0-9._-]+)(?P<port>:\d+)?(?P<uri>/.*)?$")
IP_LITERAL = re.compile(r"^(\d{1,3}(\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])$")
SAFE_PREFIX = re.compile(r"^/[A-Za-z0-9/_.-]*$")
SAFE_URI = re.compile(r"^/[A-Za-z0-9/_.~-]*$")


class Refusal(Exception):
    """No safe rewrite for one use; the message says why (with the line in ``args``)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Target:
    """What a ``proxy_pass`` points at once rewritten.

    :param name: the upstream name, or the host for a literal URL.
    :param address: ``host:port`` (or ``host``) to resolve at run time.
    :param upstream: the ``upstream`` block, ``None`` for a literal host name.
    """

    name: str
    address: str
    upstream: Directive | None


def needs_dns(host: str) -> bool:
    """Tell whether a host is a name the Docker resolver must resolve.

    :param host: a host name or address.
    :returns: ``False`` for IP literals and ``localhost``.
    """
    return not IP_LITERAL.match(host) and host != "localhost"


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


def _own(block: list[Directive], name: str) -> list[Directive]:
    return [d for d in block if d.name == name]


def check_host_header(nginx: NginxFile, project: Project, use: Directive, target: Target) -> None:
    """Refuse when the backend's ``Host`` header would change with a variable proxy_pass.

    Without ``proxy_set_header Host``, nginx sends ``$proxy_host``: the upstream's name before,
    ``host:port`` after. A literal URL keeps the same ``$proxy_host``.

    :raises Refusal: when ``Host`` is not set explicitly where ``use`` is.
    """
    if target.upstream is None:
        return
    headers = project.effective(nginx, use, "proxy_set_header")
    if headers is None:
        raise Refusal(
            use.line, "an include here cannot be followed, so the Host header sent is unknown"
        )
    if not any(h.args and h.args[0].lower() == "host" for h in headers):
        raise Refusal(
            use.line,
            f"no proxy_set_header Host here: the backend receives Host '{target.name}' today "
            f"and would receive '{target.address}' with a variable proxy_pass; set "
            "proxy_set_header Host (nginx-proxy-headers adds Host $host), then run again",
        )


def check_resolver(nginx: NginxFile, project: Project, use: Directive) -> None:
    """Refuse when a resolver other than Docker's applies where ``use`` is.

    A variable ``proxy_pass`` resolves the name with the nearest ``resolver``; one that is
    not ``127.0.0.11`` (``resolver 8.8.8.8;``) does not know the compose service names.

    :raises Refusal: for another resolver or an include that cannot be followed.
    """
    resolvers = project.effective(nginx, use, "resolver")
    if resolvers is None:
        raise Refusal(use.line, "an include here cannot be followed, so the resolver is unknown")
    addresses = [arg for r in resolvers for arg in r.args if "=" not in arg]
    if resolvers and not any(a.split(":")[0] == "127.0.0.11" for a in addresses):
        raise Refusal(
            use.line,
            f"resolver {' '.join(addresses)} ({project.where(resolvers[0])}) applies here and does "
            "not know the compose service names: only 127.0.0.11 does",
        )


PROXY_HOST_VARIABLES = re.compile(r"\$\{?proxy_(host|port)\b")


def check_proxy_host_variables(
    nginx: NginxFile, project: Project, use: Directive, target: Target
) -> None:
    """Refuse when ``$proxy_host``/``$proxy_port`` are used where an upstream is proxied to.

    They hold the upstream's name and port 80 today, ``host:port`` and the server's port with
    a variable ``proxy_pass`` (``proxy_set_header Host $proxy_host;`` would change).

    :raises Refusal: when the server, its includes or the http level use one of them.
    """
    if target.upstream is None:
        return
    server = enclosing(use, "server")
    scope = list(walk(server.block or [])) if server is not None else []
    for include in (d for d in scope if d.name == "include" and d.args):
        for included in project.resolve_include(nginx.path, include.args[0]) or []:
            scope.extend(walk(included.top))
    scope.extend(walk(project.http_level(nginx) or []))
    for directive in scope:
        if any(PROXY_HOST_VARIABLES.search(arg) for arg in directive.args):
            raise Refusal(
                use.line,
                f"{directive.name} ({project.where(directive)}) uses $proxy_host or $proxy_port: "
                f"'{target.name}' and port 80 today, '{target.address}' with a variable "
                "proxy_pass",
            )


def redirect_statement(
    nginx: NginxFile, project: Project, use: Directive, url: str, location: Directive
) -> str | None:
    """Return the ``proxy_redirect`` that keeps the implicit ``proxy_redirect default``.

    nginx applies ``proxy_redirect default`` only to a literal ``proxy_pass``: it rewrites a
    ``Location: <url>/...`` from the backend to ``/...`` (to the location's path when the URL
    has a URI part).

    :returns: the statement to add, or ``None`` when an explicit ``proxy_redirect`` applies.
    :raises Refusal: for ``proxy_redirect default`` (an error with a variable) or an include
        that cannot be followed.
    """
    redirects = project.effective(nginx, use, "proxy_redirect")
    if redirects is None:
        raise Refusal(use.line, "an include here cannot be followed, so proxy_redirect is unknown")
    if any(r.args == ["default"] for r in redirects):
        raise Refusal(
            redirects[0].line,
            "proxy_redirect default cannot be used with a variable proxy_pass: write the "
            "rewrite out (proxy_redirect <url> <path>;) first",
        )
    if redirects:
        return None
    match = URL.match(url)
    assert match is not None
    if match["uri"]:
        return f"proxy_redirect {url} {location_path(location)[1]};"
    return f"proxy_redirect {url}/ /;"


def uri_rewrite(use: Directive, location: Directive, uri: str) -> str:
    """Return the ``rewrite ... break;`` that replaces a ``proxy_pass`` URI part.

    With a literal ``proxy_pass http://api/;`` in ``location /api/``, nginx replaces the
    matched prefix by the URI; with a variable the URI would replace the whole request URI.

    :returns: the rewrite statement.
    :raises Refusal: where no exact equivalent is known.
    """
    modifier, path = location_path(location)
    if modifier not in ("", "^~") or not SAFE_PREFIX.match(path) or not SAFE_URI.match(uri):
        raise Refusal(
            use.line,
            f"proxy_pass with the URI part {uri!r} in location {' '.join(location.args)}: "
            "only plain prefix locations get an exact rewrite",
        )
    others = [d.name for d in location.block or () if d.name in REWRITE_MODULE]
    if others:
        raise Refusal(
            use.line,
            f"proxy_pass with a URI part next to {', '.join(sorted(set(others)))}: the "
            "order of rewrites would change",
        )
    return f"rewrite (?s)^{re.escape(path)}(.*)$ {uri}$1 break;"


def plan_use(
    nginx: NginxFile, project: Project, use: Directive, target: Target, url: str
) -> tuple[Directive, list[str], list[str], str]:
    """Work out the rewrite of one ``proxy_pass``.

    :returns: ``(server, statements before, statements after, new proxy_pass)``.
    :raises Refusal: when no exact rewrite exists.
    """
    location = use.parent
    if location is None or location.name != "location":
        where = location.name if location is not None else "file level"
        raise Refusal(
            use.line, f"proxy_pass inside {where}: only proxy_pass in a location is rewritten"
        )
    server = enclosing(use, "server")
    if server is None:
        raise Refusal(use.line, "proxy_pass outside a server block in this file")
    match = URL.match(url)
    assert match is not None
    if target.upstream is not None and (match["port"] or match["scheme"] == "https"):
        raise Refusal(
            use.line,
            f"proxy_pass {url}: a port or https with an upstream name changes what nginx "
            "sends (TLS server name, host), so it is not rewritten",
        )
    before = [uri_rewrite(use, location, match["uri"])] if match["uri"] else []
    check_host_header(nginx, project, use, target)
    check_resolver(nginx, project, use)
    check_proxy_host_variables(nginx, project, use, target)
    redirect = redirect_statement(nginx, project, use, url, location)
    address = target.address if target.upstream else match["host"] + (match["port"] or "")
    return server, before, [redirect] if redirect else [], f"{match['scheme']}://{address}"


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


def _uses(nginx: NginxFile, name: str) -> list[Directive]:
    pattern = re.compile(rf"^(\w+://)?{re.escape(name)}([:/].*)?$")
    return [
        d
        for d in walk(nginx.top)
        if d.name in PASS_DIRECTIVES
        and d.args
        and pattern.match(d.args[0])
        and not d.args[0].startswith("unix:")
    ]


def foreign_use(nginx: NginxFile, project: Project, target: Target) -> Refusal | None:
    """Return a use of an upstream that cannot become a variable ``proxy_pass`` (or is elsewhere).

    :returns: a refusal, or ``None`` when every use is a ``proxy_pass`` of this file.
    """
    for other in project.level_files(nginx):
        for use in _uses(other, target.name):
            if other is not nginx:
                return Refusal(
                    target.upstream.line if target.upstream else use.line,
                    f"upstream {target.name} is also used in {other.path}:{use.line}; "
                    "rewrite both files together by hand",
                )
            if use.name != "proxy_pass":
                return Refusal(
                    use.line,
                    f"{use.name} to {target.name}: its address forms differ from proxy_pass "
                    "(no scheme), so it is not rewritten",
                )
            if not URL.match(use.args[0]):
                return Refusal(use.line, f"proxy_pass {use.args[0]}: cannot tell its parts")
    return None


def literal_targets(nginx: NginxFile, upstream_names: set[str]) -> dict[str, Target]:
    """``proxy_pass http://web:8000;`` with a container host name and no upstream.

    :returns: targets by host name.
    """
    targets: dict[str, Target] = {}
    for use in (d for d in walk(nginx.top) if d.name == "proxy_pass" and d.args):
        match = URL.match(use.args[0])
        if match is None or match["host"] in upstream_names or not needs_dns(match["host"]):
            continue
        if "." in match["host"]:
            continue  # a public name (api.example.com) is not a container of the stack
        address = match["host"] + (match["port"] or "")
        if targets.get(match["host"], Target("", address, None)).address != address:
            continue
        targets[match["host"]] = Target(match["host"], address, None)
    return targets


def existing_set(server: Directive, variable: str) -> Directive | None:
    """Return the ``set`` of ``variable`` already in a server block, if any."""
    return next((d for d in _own(server.block or [], "set") if d.args[:1] == [variable]), None)


def variable_defined_elsewhere(
    nginx: NginxFile, project: Project, variable: str, value: str
) -> tuple[str, int] | None:
    """Find a definition of ``variable`` other than a server-level ``set`` to ``value``.

    :returns: ``(path, line)`` of a ``map``/``geo`` of it or another ``set`` of it, or ``None``.
    """
    for other in project.level_files(nginx):
        for directive in walk(other.top):
            if directive.name == "set" and directive.args[:1] == [variable]:
                at_server = directive.parent is not None and directive.parent.name == "server"
                if not at_server or directive.args[1:] != [value]:
                    return other.path, directive.line
            if directive.name in ("map", "geo", "split_clients") and directive.args[-1:] == [
                variable
            ]:
                return other.path, directive.line
    return None


def rewrite_target(nginx: NginxFile, project: Project, target: Target, result: FileResult) -> bool:
    """Rewrite every ``proxy_pass`` to one target, or refuse them all.

    :returns: ``True`` when the target was rewritten.
    """
    refusal = foreign_use(nginx, project, target)
    uses = [d for d in _uses(nginx, target.name) if d.name == "proxy_pass"]
    if refusal is None and target.upstream is not None and not uses:
        refusal = Refusal(
            target.upstream.line, f"upstream {target.name} is not used by a proxy_pass here"
        )
    variable = f"$backend_{variable_name(target.name)}"
    plans = []
    try:
        if refusal is not None:
            raise refusal
        for use in uses:
            plans.append((use, *plan_use(nginx, project, use, target, use.args[0])))
    except Refusal as error:
        result.refusals.append(Finding(nginx.path, error.line, error.message))
        return False
    values = sorted({plan[4] for plan in plans})
    if len(values) > 1:
        result.refusals.append(
            Finding(
                nginx.path,
                plans[0][0].line,
                f"proxy_pass to {target.name} with different addresses ({', '.join(values)}): "
                f"one {variable} cannot hold them; rewrite these by hand",
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
        if before:
            result.edits.append(insert_before(nginx.text, use, before))
        result.edits.append(replace(use, f"proxy_pass {variable};"))
        if after:
            result.edits.append(insert_after(nginx.text, use, after))
    if target.upstream is not None:
        result.edits.append(remove(nginx.text, target.upstream))
    return True


def without_name_clashes(
    nginx: NginxFile, targets: dict[str, Target], result: FileResult
) -> dict[str, Target]:
    """Drop (and refuse) targets whose names make the same variable (``a-b`` and ``a_b``).

    :returns: the targets that keep a variable of their own.
    """
    by_variable: dict[str, list[str]] = {}
    for name in targets:
        by_variable.setdefault(variable_name(name), []).append(name)
    kept = {}
    for name, target in targets.items():
        names = by_variable[variable_name(name)]
        if len(names) == 1:
            kept[name] = target
            continue
        uses = _uses(nginx, name)
        line = target.upstream.line if target.upstream else uses[0].line if uses else None
        result.refusals.append(
            Finding(
                nginx.path,
                line,
                f"{' and '.join(sorted(names))} would both become $backend_"
                f"{variable_name(name)} (nginx variable names allow letters, digits and _): "
                "rename one first",
            )
        )
    return kept


def refuse_other_passes(nginx: NginxFile, upstream_names: set[str], result: FileResult) -> None:
    """Report ``uwsgi_pass``/``fastcgi_pass``/... to a container name (resolved once, too).

    Their address forms (no scheme, ``uwsgi://``, ``grpc://``) and variable support differ from
    ``proxy_pass``, so they are not rewritten.
    """
    for use in walk(nginx.top):
        if use.name == "proxy_pass" or use.name not in PASS_DIRECTIVES or not use.args:
            continue
        address = re.sub(r"^\w+://", "", use.args[0])
        host = re.split(r"[:/]", address)[0]
        if "$" in address or address.startswith("unix:") or host in upstream_names:
            continue
        if needs_dns(host) and "." not in host:
            result.refusals.append(
                Finding(
                    nginx.path,
                    use.line,
                    f"{use.name} {use.args[0]}: the container name is resolved once at start-up; "
                    f"{use.name} is not rewritten automatically (set the address in a variable "
                    "by hand, with the resolver)",
                )
            )


def has_resolver(nginx: NginxFile, project: Project) -> bool:
    """Tell whether a resolver already applies at http level (or in every server here)."""
    if project.level_key("resolver", nginx) in project.added:
        return True
    if project.http_directives("resolver", nginx):
        return True
    servers = nginx.servers()
    return bool(servers) and all(_own(s.block or [], "resolver") for s in servers)


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
    targets = without_name_clashes(nginx, targets, result)
    rewritten = [t for _, t in sorted(targets.items()) if rewrite_target(nginx, project, t, result)]
    refuse_other_passes(nginx, upstream_names, result)
    if rewritten and not has_resolver(nginx, project):
        result.edits.append(insert_at_http_level(nginx, [RESOLVER]))
        project.added.add(project.level_key("resolver", nginx))
    for target in rewritten:
        line = target.upstream.line if target.upstream else _uses(nginx, target.name)[0].line
        result.notes.append(
            Finding(
                nginx.path,
                line,
                f"{target.name}: proxy_pass now uses $backend_{variable_name(target.name)}, "
                "resolved while nginx runs by Docker's DNS (127.0.0.11 exists only inside a "
                "compose network)",
            )
        )
    return result


def transform(source: ProjectInput) -> ProjectOutcome:
    """Run the resolver rewrite over every nginx file of the project.

    Enforces the standard's "Nginx Reverse Proxy" building block 1.

    :param source: the candidate nginx files.
    :returns: the rewritten files, notes and refusals.
    """
    return run_project(source, rewrite_file, report_errors=True)


CODEMOD = Codemod(
    id="nginx-resolver",
    title="Replace upstreams of container hosts by the Docker resolver and a variable proxy_pass",
    section=SECTION,
    files=FILES,
    needles=NEEDLES,
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
    transform_project=transform,
    validator=validate,
    order=300,
)
