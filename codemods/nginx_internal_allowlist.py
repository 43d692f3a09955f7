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

Probe paths that have no location of their own (served by the catch-all) are not created.
"""

from __future__ import annotations

from redpanda_migrate.codemods._nginx import (
    FILES,
    NEEDLES,
    SECTION,
    Directive,
    FileResult,
    NginxFile,
    Project,
    insert_after,
    insert_before,
    insert_first,
    levels,
    location_path,
    run_project,
    validate,
    walk,
)

from redpanda_migrate.codemod import Codemod, Example, Finding, ProjectInput, ProjectOutcome

PROBE_PATHS = frozenset(
    f"/{name}{slash}"
    for name in ("live", "ready", "healthz", "metrics", "nginx_status")
    for slash in ("", "/")
)
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
    return result


def transform(source: ProjectInput) -> ProjectOutcome:
    """Run the allowlist rewrite over every nginx file of the project.

    Enforces the standard's "Nginx Reverse Proxy" building block 4.

    :param source: the candidate nginx files.
    :returns: the rewritten files and refusals.
    """
    return run_project(source, rewrite_file)


CODEMOD = Codemod(
    id="nginx-internal-allowlist",
    title="Restrict probe and metric locations to loopback and all RFC1918 ranges",
    section=SECTION,
    files=FILES,
    needles=NEEDLES,
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
    transform_project=transform,
    validator=validate,
    order=330,
)
