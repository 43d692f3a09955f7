"""``uwsgi_pass``, ``fastcgi_pass`` and ``scgi_pass`` to a container, with a variable address.

These directives take ``host:port`` (``uwsgi_pass`` also ``uwsgi://host:port``), no URI part.
nginx documents for each that the parameter value can contain variables: the address is then
looked up among the ``upstream`` blocks (by name and port; a removed block cannot match) and
otherwise resolved with ``resolver`` while nginx runs, exactly as for ``proxy_pass``. Unlike
``proxy_pass``, nothing else depends on the literal form: there is no ``Host`` header computed
from the address, no ``proxy_redirect`` and no URI part, so ``uwsgi_pass django;`` with
``upstream django { server web:8000; }`` becomes ``uwsgi_pass $backend_django;`` with
``set $backend_django web:8000;``. The variable form has no default port (nginx answers "no
port in upstream"), so an upstream server without one gets the upstream default, ``:80``.

``suwsgi://`` (TLS: the server name sent would change), ``grpc_pass`` (its ``:authority`` and
TLS name come from the literal address) and ``memcached_pass`` are not rewritten.
"""

from __future__ import annotations

import re

from redpanda_migrate.codemods.nginx.config import Directive, NginxFile, Project
from redpanda_migrate.codemods.nginx.variable_pass import (
    Refusal,
    Target,
    check_resolver,
    enclosing_server,
)

ADDRESS_PASSES = ("uwsgi_pass", "fastcgi_pass", "scgi_pass")
ADDRESS = re.compile(r"^(?P<scheme>uwsgi://)?(?P<host>[A-Za-z0-9._-]+)(?P<port>:\d+)?$")


def parse_address(use: Directive) -> re.Match[str] | None:
    """Split the address of a ``uwsgi_pass``/``fastcgi_pass``/``scgi_pass``.

    :param use: the directive.
    :returns: the match (``scheme``, ``host``, ``port``), or ``None`` for other forms
        (``suwsgi://``, variables, unix sockets, a ``uwsgi://`` prefix on another directive).
    """
    match = ADDRESS.match(use.args[0]) if use.args else None
    if match is None or (match["scheme"] and use.name != "uwsgi_pass"):
        return None
    return match


def plan_address_use(
    nginx: NginxFile, project: Project, use: Directive, target: Target
) -> tuple[Directive, list[str], list[str], str]:
    """Work out the rewrite of one ``uwsgi_pass``/``fastcgi_pass``/``scgi_pass``.

    :param nginx: the file.
    :param project: every nginx file of the project.
    :param use: the directive.
    :param target: the upstream or container host it names.
    :returns: ``(server, [], [], value of the variable)``, as ``plan_use`` does for proxy_pass.
    :raises Refusal: for address forms without an exact variable equivalent.
    """
    server = enclosing_server(use)
    match = parse_address(use)
    if match is None:
        raise Refusal(use.line, f"{use.name} {use.args[0]}: cannot tell its parts")
    if target.upstream is not None and match["port"]:
        raise Refusal(
            use.line,
            f"{use.name} {use.args[0]}: a port after an upstream name is not the upstream",
        )
    check_resolver(nginx, project, use)
    if target.upstream is None:
        address = match["host"] + (match["port"] or "")
    else:
        address = target.address
    if not re.search(r":\d+$", address):
        address += ":80"
    return server, [], [], (match["scheme"] or "") + address
