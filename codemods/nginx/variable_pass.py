"""What changes when a ``proxy_pass`` names a variable, and the checks that keep it exact.

``nginx-resolver`` rewrites ``proxy_pass http://django;`` to ``proxy_pass $backend_django;``.
A variable ``proxy_pass`` is not the same directive, so every difference is made explicit here
or refused: the implicit ``proxy_redirect default`` (not applied to variables) becomes an
explicit ``proxy_redirect``; a URI part becomes a ``rewrite ... break;``; the default ``Host``
header (``$proxy_host``) is kept with an explicit ``proxy_set_header Host <upstream>;``, and
``$proxy_host``/``$proxy_port`` in use would change, so they are refused,
as is a resolver other than Docker's, names that make the same variable (``a-b``, ``a_b``) and
a variable already defined elsewhere. ``grpc_pass``/``memcached_pass`` to a container name
are reported, not rewritten (``uwsgi_pass``/``fastcgi_pass``/``scgi_pass`` are rewritten with
the checks of ``_nginx_address_pass``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redpanda_migrate.codemods.nginx.config import (
    Directive,
    FileResult,
    NginxFile,
    Project,
    enclosing,
    location_path,
    variable_name,
    walk,
)

from redpanda_migrate.codemod import Finding

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
PROXY_HOST_VARIABLES = re.compile(r"\$\{?proxy_(host|port)\b")


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


def pass_uses(nginx: NginxFile, name: str) -> list[Directive]:
    """Return the ``*_pass`` directives of a file that name ``name`` (an upstream or a host).

    :param nginx: the file.
    :param name: the upstream name or host.
    :returns: the directives, unix sockets left out.
    """
    pattern = re.compile(rf"^(\w+://)?{re.escape(name)}([:/].*)?$")
    return [
        d
        for d in walk(nginx.top)
        if d.name in PASS_DIRECTIVES
        and d.args
        and pattern.match(d.args[0])
        and not d.args[0].startswith("unix:")
    ]


def host_statements(
    nginx: NginxFile, project: Project, use: Directive, target: Target
) -> list[str]:
    """Keep the ``Host`` header the backend receives today once ``proxy_pass`` is a variable.

    Without ``proxy_set_header Host``, nginx sends ``$proxy_host``: the upstream's name before,
    ``host:port`` after (a literal URL keeps the same ``$proxy_host``). So the upstream's name
    is set explicitly, ``proxy_set_header Host <name>;``, in the location. A location without
    ``proxy_set_header`` lines of its own inherits the server's or http level's, and one line
    of its own would drop them all, so those are copied in first.

    :returns: the statements to add after the ``proxy_pass`` (none when ``Host`` is set).
    :raises Refusal: when an include on the way cannot be followed.
    """
    if target.upstream is None:
        return []
    headers = project.effective(nginx, use, "proxy_set_header")
    if headers is None:
        raise Refusal(
            use.line, "an include here cannot be followed, so the Host header sent is unknown"
        )
    if any(h.args and h.args[0].lower() == "host" for h in headers):
        return []
    keep = f"proxy_set_header Host {target.name};"
    location = use.parent
    assert location is not None
    scope = location.block or []
    own = [d for d in scope if d.name == "proxy_set_header"]
    if own or project.included(nginx, scope, "proxy_set_header") or not headers:
        return [keep]
    return [*(f"proxy_set_header {' '.join(h.raw_args)};" for h in headers), keep]


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


def enclosing_server(use: Directive) -> Directive:
    """Return the server of a ``*_pass`` directive that sits directly in a location.

    :param use: the ``proxy_pass``, ``uwsgi_pass``... directive.
    :returns: its enclosing ``server`` block.
    :raises Refusal: when it is not in a location, or the server is in another file.
    """
    location = use.parent
    if location is None or location.name != "location":
        where = location.name if location is not None else "file level"
        raise Refusal(
            use.line, f"{use.name} inside {where}: only {use.name} in a location is rewritten"
        )
    server = enclosing(use, "server")
    if server is None:
        raise Refusal(use.line, f"{use.name} outside a server block in this file")
    return server


def plan_use(
    nginx: NginxFile, project: Project, use: Directive, target: Target, url: str
) -> tuple[Directive, list[str], list[str], str]:
    """Work out the rewrite of one ``proxy_pass``.

    :returns: ``(server, statements before, statements after, new proxy_pass)``.
    :raises Refusal: when no exact rewrite exists.
    """
    server = enclosing_server(use)
    location = use.parent  # a location: enclosing_server checked it
    assert location is not None
    match = URL.match(url)
    assert match is not None
    if target.upstream is not None and (match["port"] or match["scheme"] == "https"):
        raise Refusal(
            use.line,
            f"proxy_pass {url}: a port or https with an upstream name changes what nginx "
            "sends (TLS server name, host), so it is not rewritten",
        )
    before = [uri_rewrite(use, location, match["uri"])] if match["uri"] else []
    keep_host = host_statements(nginx, project, use, target)
    check_resolver(nginx, project, use)
    check_proxy_host_variables(nginx, project, use, target)
    redirect = redirect_statement(nginx, project, use, url, location)
    address = target.address if target.upstream else match["host"] + (match["port"] or "")
    after = [*([redirect] if redirect else []), *keep_host]
    return server, before, after, f"{match['scheme']}://{address}"


def existing_set(server: Directive, variable: str) -> Directive | None:
    """Return the ``set`` of ``variable`` already in a server block, if any."""
    sets = (d for d in server.block or () if d.name == "set" and d.args[:1] == [variable])
    return next(sets, None)


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
        uses = pass_uses(nginx, name)
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
    """Report the ``*_pass`` to a container name that ``nginx-resolver`` does not rewrite.

    ``grpc_pass``/``memcached_pass``, ``suwsgi://`` and other forms without an exact variable
    equivalent (``_nginx_address_pass``) are resolved once at start-up too: reported.

    :param upstream_names: upstreams and hosts already handled (rewritten or refused).
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
