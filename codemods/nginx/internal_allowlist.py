"""Allow probe and metric endpoints from internal networks only: "Nginx Reverse Proxy".

The standard's building block 4 restricts ``/live/``, ``/ready/``, ``/healthz``, ``/metrics``
and ``/nginx_status`` to loopback and the RFC1918 ranges, ``172.16.0.0/12`` included (omitting
it silently breaks scrapes from a Prometheus container on the default Docker bridge), with
``deny all`` last. ``allow``/``deny`` are checked in order and a location's own rules replace
the inherited ones, so:

* a probe location without rules (and inheriting none) gets the whole allowlist first;
* a location whose list lacks some ranges gets them just before its final ``deny all`` (rules
  before it, such as a ``deny`` of one host, keep their priority); a list with no final
  ``deny all`` gets one;
* a location that answers with ``return`` (the rewrite phase runs before the access phase, so
  an allowlist there has no effect), one inheriting rules from its server, with ``allow all``,
  with ``satisfy any`` or
  whose rules come from an included snippet that lacks ranges is refused.

Probe paths that have no location of their own reach the app through the catch-all
``location /`` for every client. A location is not created for them: it would change who can
reach the path (an outside uptime check would get 403), would not inherit the catch-all's own
proxy settings, and the tool cannot tell whether the app serves the path at all. Each such
server is reported instead, with the paths and the location to add.
"""

from __future__ import annotations

import re

from redpanda_migrate.codemods.nginx.config import (
    Directive,
    FileResult,
    NginxFile,
    Project,
    insert_after,
    insert_before,
    insert_first,
    levels,
    location_path,
    walk,
)
from redpanda_migrate.codemods.nginx.rule import nginx_codemod

from redpanda_migrate.codemod import Example, Finding

PROBE_PATHS = frozenset(
    f"/{name}{slash}"
    for name in ("live", "ready", "healthz", "metrics", "nginx_status")
    for slash in ("", "/")
)
# The requests the standard's probes and scrapers send.
PROBE_REQUESTS = ("/live/", "/ready/", "/healthz", "/metrics", "/nginx_status")
ALLOWLIST = (
    ("127.0.0.0/8", "loopback"),
    ("10.0.0.0/8", "RFC1918 — primary internal (Incus, HAProxy)"),
    ("172.16.0.0/12", "RFC1918 — Docker bridge networks"),
    ("192.168.0.0/16", "RFC1918"),
)


def is_probe_location(location: Directive) -> bool:
    """Tell whether a location is one of the standard's internal-only endpoints.

    :param location: a ``location`` block.
    :returns: ``True`` for exact or prefix locations of the probe and metric paths.
    """
    modifier, path = location_path(location)
    return modifier in ("", "=", "^~") and path in PROBE_PATHS


def allow_statements(addresses: list[str]) -> list[str]:
    """``allow`` statements with the standard's comments.

    :param addresses: CIDR ranges, in the standard's order.
    :returns: the statements.
    """
    comments = dict(ALLOWLIST)
    return [f"allow {address};  # {comments[address]}" for address in addresses]


def rewrite_redirects(directive: Directive) -> bool:
    """Tell whether a directive is a ``rewrite`` that answers with a redirect at once."""
    return directive.name == "rewrite" and directive.args[-1:] in (["redirect"], ["permanent"])


def check_location(
    nginx: NginxFile, project: Project, location: Directive, result: FileResult
) -> None:
    """Complete the allowlist of one probe location, or refuse.

    :param nginx: the file.
    :param project: every nginx file of the project.
    :param location: a probe location.
    :param result: where edits and refusals go.
    """
    where = " ".join(location.args)
    for level in [location, *levels(location)]:
        for satisfy in (d for d in level.block or () if d.name == "satisfy"):
            if satisfy.args == ["any"]:
                result.refusals.append(
                    Finding(
                        nginx.path,
                        satisfy.line,
                        f"location {where}: satisfy any lets auth bypass the allowlist",
                    )
                )
                return
    answered = next(
        (d for d in location.block or () if d.name == "return" or rewrite_redirects(d)), None
    )
    if answered is not None:
        result.refusals.append(
            Finding(
                nginx.path,
                answered.line,
                f"location {where} answers with {answered.name} in nginx's rewrite phase, "
                "before allow/deny are checked: an allowlist there has no effect",
            )
        )
        return
    own = [d for d in location.block or () if d.name in ("allow", "deny")]
    included = [
        *(project.included(nginx, location.block or [], "allow") or []),
        *(project.included(nginx, location.block or [], "deny") or []),
    ]
    if project.included(nginx, location.block or [], "allow") is None:
        result.refusals.append(
            Finding(
                nginx.path,
                location.line,
                f"location {where} includes a file that is not in the project: check that it "
                "allows loopback and all four RFC1918 ranges, then deny all",
            )
        )
        return
    rules = own or included
    if not rules:
        inherited = project.effective(nginx, location, "allow")
        if inherited is None:
            result.refusals.append(
                Finding(
                    nginx.path,
                    location.line,
                    f"location {where}: an enclosing include cannot be followed",
                )
            )
            return
        if inherited:
            result.refusals.append(
                Finding(
                    nginx.path,
                    location.line,
                    f"location {where} inherits allow/deny from line {inherited[0].line}: rules "
                    "added here would replace those, so check and extend them by hand",
                )
            )
            return
        statements = [*allow_statements([a for a, _ in ALLOWLIST]), "deny all;"]
        result.edits.append(insert_first(nginx.text, location, statements))
        return
    if any(d.name == "allow" and d.args == ["all"] for d in rules):
        result.refusals.append(
            Finding(nginx.path, location.line, f"location {where} has allow all")
        )
        return
    allowed = {d.args[0] for d in rules if d.name == "allow" and d.args}
    missing = [address for address, _ in ALLOWLIST if address not in allowed]
    last = rules[-1]
    ends_denied = last.name == "deny" and last.args == ["all"]
    if not missing and ends_denied:
        return
    if not own:
        result.refusals.append(
            Finding(
                nginx.path,
                location.line,
                f"location {where}: the included allowlist lacks "
                f"{', '.join(missing) or 'a final deny all'}; fix the included file",
            )
        )
        return
    if ends_denied:
        result.edits.append(insert_before(nginx.text, last, allow_statements(missing)))
    else:
        result.edits.append(
            insert_after(nginx.text, last, [*allow_statements(missing), "deny all;"])
        )


def location_takes(location: Directive, path: str) -> bool | None:
    """Tell whether a location can take requests for a path.

    :param location: a ``location`` block.
    :param path: a request path.
    :returns: ``None`` when a regex cannot be checked here (PCRE only).
    """
    modifier, pattern = location_path(location)
    if modifier == "=":
        return pattern == path
    if modifier in ("", "^~"):
        return path.startswith(pattern) and not pattern.startswith("@")
    try:
        return re.search(pattern, path, re.IGNORECASE if modifier == "~*" else 0) is not None
    except re.error:
        return None


def probes_through_catch_all(
    nginx: NginxFile, project: Project, server: Directive
) -> tuple[Directive, list[str]] | None:
    """Find the probe paths a server proxies through its catch-all, open to every client.

    :param nginx: the file.
    :param project: every nginx file of the project.
    :param server: a ``server`` block.
    :returns: ``(catch-all location, paths)``, or ``None`` when there are none or the server
        cannot be read fully (an include that cannot be followed, a regex PCRE alone knows).
    """
    block = server.block or []
    catch_all = next(
        (d for d in block if d.name == "location" and location_path(d) == ("", "/")), None
    )
    if catch_all is None or any(d.name == "return" for d in block):
        return None
    if not any(d.name == "proxy_pass" for d in catch_all.block or ()):
        return None
    included = project.included(nginx, block, "location")
    rules = project.effective(nginx, catch_all, "allow")
    if (
        included is None
        or rules is None
        or (rules and rules[-1].name == "deny" and rules[-1].args == ["all"])
    ):
        return None  # unknown, or the whole catch-all is already restricted
    locations = [d for d in walk(block) if d.name == "location" and d is not catch_all]
    locations += [d for each in included for d in walk([each]) if d.name == "location"]
    paths = []
    for path in PROBE_REQUESTS:
        taken = [location_takes(location, path) for location in locations]
        if None in taken:
            return None
        if not any(taken):
            paths.append(path)
    return (catch_all, paths) if paths else None


def report_catch_all(
    nginx: NginxFile, project: Project, server: Directive, result: FileResult
) -> None:
    """Report the probe paths that reach the app through the catch-all (nothing is added)."""
    found = probes_through_catch_all(nginx, project, server)
    if found is None:
        return
    catch_all, paths = found
    one = len(paths) == 1
    result.refusals.append(
        Finding(
            nginx.path,
            catch_all.line,
            f"{', '.join(paths)} {'has no location of its own' if one else 'have no locations'}:"
            f" location / proxies {'it' if one else 'them'} to the app for every client. If "
            f"the app serves {'it' if one else 'one'}, add location = {paths[0]} {{ allow "
            "127.0.0.0/8; allow 10.0.0.0/8; allow 172.16.0.0/12; allow 192.168.0.0/16; deny all;"
            " proxy_pass ...; } with the catch-all's proxy settings (not added automatically: "
            "it changes who can reach the path)",
        )
    )


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Apply the internal-network allowlist to the probe locations of one nginx file.

    Enforces the standard's "Nginx Reverse Proxy" building block 4 and the anti-pattern
    "Don't allowlist only 10.0.0.0/8 for /metrics".

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits and refusals.
    """
    result = FileResult()
    for location in (d for d in walk(nginx.top) if d.name == "location" and d.args):
        if is_probe_location(location):
            check_location(nginx, project, location, result)
    for server in nginx.servers():
        report_catch_all(nginx, project, server, result)
    return result


CODEMOD = nginx_codemod(
    codemod_id="nginx-internal-allowlist",
    title="Restrict probe and metric locations to loopback and all RFC1918 ranges",
    rationale=(
        "/live/, /ready/, /healthz, /metrics and /nginx_status are for HAProxy, Prometheus "
        "and the Docker network only. All four ranges are needed: without 172.16.0.0/12 a "
        "Prometheus container on the default Docker bridge is refused."
    ),
    example=Example(
        path="nginx/conf.d/app.conf",
        before=(
            "location = /metrics {\n    allow 10.0.0.0/8;\n    deny all;\n"
            "    proxy_pass $backend_app;\n}\n"
        ),
        after=(
            "location = /metrics {\n    allow 10.0.0.0/8;\n"
            "    allow 127.0.0.0/8;  # loopback\n"
            "    allow 172.16.0.0/12;  # RFC1918 — Docker bridge networks\n"
            "    allow 192.168.0.0/16;  # RFC1918\n"
            "    deny all;\n    proxy_pass $backend_app;\n}\n"
        ),
    ),
    rewrite=rewrite_file,
    order=330,
)
