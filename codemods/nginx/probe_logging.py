"""Keep probe requests out of the access log: the standard's "Nginx Reverse Proxy" section.

HAProxy and Prometheus probe every 15-30 s; logging them floods Loki. The standard's building
block 3 adds ``map $request_uri $loggable`` (0 for ``/live``, ``/ready``, ``/metrics``,
``/healthz``, ``/nginx_status`` and, where the project proxies ``/mcp/``, ``/mcp/health``) and
logs with ``access_log ... if=$loggable``.

What nginx really does decides where the filter goes. ``access_log`` directives of one level
add up, a lower level's ``access_log`` replaces the inherited ones, and ``access_log off``
switches off *every* log of its level, the filtered one included. So:

* a full ``nginx.conf``: its http-level ``access_log`` lines get ``if=$loggable``;
* a ``conf.d`` snippet (same level as the image's default ``access_log``): each server without
  an ``access_log`` of its own gets ``access_log /dev/stdout combined if=$loggable;``, which
  replaces the inherited default for that server;
* server-level ``access_log`` lines get ``if=$loggable``;
* ``access_log off;`` next to other ``access_log`` lines at the same level (the standard's
  reference config does this) logs nothing at all: refused, with the reason.
"""

from __future__ import annotations

from redpanda_migrate.codemods.nginx.config import (
    Directive,
    FileResult,
    NginxFile,
    Project,
    insert_at_http_level,
    insert_in_server,
    map_statements,
    replace,
    walk,
)
from redpanda_migrate.codemods.nginx.rule import EXAMPLE_SERVER, nginx_codemod

from redpanda_migrate.codemod import Example, Finding

VARIABLE = "$loggable"
FILTER = f"if={VARIABLE}"
STDOUT_LOG = f"access_log /dev/stdout combined {FILTER};"
PROBE_PATHS = ("live", "ready", "metrics", "healthz", "nginx_status")


def loggable_map(with_mcp: bool) -> list[str]:
    """Return the standard's ``$loggable`` map.

    :param with_mcp: also silence ``/mcp/health`` (projects that proxy an MCP service).
    :returns: the map's lines.
    """
    paths = (*PROBE_PATHS, "mcp/health") if with_mcp else PROBE_PATHS
    entries = [("default", "1"), *((f"~^/{p}(/|\\?|$)", "0") for p in paths)]
    return map_statements("$request_uri", VARIABLE, entries)


def filtered(log: Directive) -> str | None:
    """Return the filtered form of an ``access_log`` line.

    :param log: an ``access_log`` directive that is not ``off``.
    :returns: the new statement, or ``None`` when it already filters with ``$loggable``.
    """
    if FILTER in log.args:
        return None
    raw = list(log.raw_args)
    if len(raw) == 1:
        raw.append("combined")
    return f"access_log {' '.join(raw)} {FILTER};"


def rewrite_logs(nginx: NginxFile, logs: list[Directive], result: FileResult) -> bool:
    """Add ``if=$loggable`` to the ``access_log`` lines of one level.

    :returns: ``False`` when the level cannot be filtered (refusal recorded).
    """
    off = [log for log in logs if log.args == ["off"]]
    others = [log for log in logs if log.args != ["off"]]
    if off and others:
        result.refusals.append(
            Finding(
                nginx.path,
                off[0].line,
                "access_log off; at the same level as another access_log switches off every "
                "access log of that level, the filtered one included (nothing is logged): "
                "drop access_log off; and put the filtered access_log in each server block",
            )
        )
        return False
    for log in others:
        if any(arg.startswith("if=") and arg != FILTER for arg in log.args):
            result.refusals.append(
                Finding(nginx.path, log.line, "this access_log already has another if= condition")
            )
            return False
    for log in others:
        statement = filtered(log)
        if statement is not None:
            result.edits.append(replace(log, statement))
    return True


def add_server_log(nginx: NginxFile, server: Directive, result: FileResult) -> None:
    """Give a server its own filtered access log (it replaces the inherited ones)."""
    result.edits.append(insert_in_server(nginx.text, server, [STDOUT_LOG]))


def rewrite_file(nginx: NginxFile, project: Project) -> FileResult:
    """Filter probe paths out of one nginx file's access logs.

    Enforces the standard's "Nginx Reverse Proxy" building block 3 (access-log suppression for
    probe paths) and its anti-pattern about relying on an inherited access_log.

    :param nginx: the parsed file.
    :param project: every nginx file of the project.
    :returns: edits, notes and refusals.
    """
    result = FileResult()
    http = nginx.http_scope()
    if http is None or (nginx.kind == "http" and not nginx.servers()):
        return result
    http_logs = [d for d in http if d.name == "access_log"]
    has_main = any(f.kind == "main" for f in project.level_files(nginx))
    if nginx.kind == "http" and not has_main and any(log.args != ["off"] for log in http_logs):
        if rewrite_logs(nginx, http_logs, FileResult()):
            result.refusals.append(
                Finding(
                    nginx.path,
                    http_logs[0].line,
                    "an http-level access_log in a conf.d file adds to the image's default "
                    "access_log instead of replacing it: move it into the server blocks",
                )
            )
        else:  # access_log off; next to it: record that refusal
            rewrite_logs(nginx, http_logs, result)
        return result
    before = len(result.edits)
    if not rewrite_logs(nginx, http_logs, result):
        return result
    http_off = any(log.args == ["off"] for log in http_logs)
    if nginx.kind == "main" and not http_logs:
        result.edits.append(insert_at_http_level(nginx, [STDOUT_LOG]))
        result.notes.append(
            Finding(
                nginx.path,
                None,
                "http-level access log now goes to /dev/stdout (combined), filtered",
            )
        )
    for server in nginx.servers():
        logs = [d for d in server.block or () if d.name == "access_log"]
        if logs:
            rewrite_logs(nginx, logs, result)
        elif nginx.kind == "http" and not has_main and not http_off:
            add_server_log(nginx, server, result)
            result.notes.append(
                Finding(
                    nginx.path,
                    server.line,
                    "this server now logs to /dev/stdout (combined format), filtered by "
                    "$loggable, instead of the image's default access_log",
                )
            )
    if len(result.edits) > before and not project.defines_variable(VARIABLE, nginx):
        with_mcp = any(
            d.name == "location" and any("/mcp" in arg for arg in d.args)
            for f in project.files.values()
            for d in walk(f.top)
        )
        result.edits.append(insert_at_http_level(nginx, loggable_map(with_mcp)))
        project.mark_added(VARIABLE, nginx)
    return result


CODEMOD = nginx_codemod(
    codemod_id="nginx-probe-logging",
    title="Filter probe paths out of nginx access logs with the $loggable map",
    rationale=(
        "HAProxy and Prometheus probe /live/, /ready/, /metrics... every 15-30 s; logging "
        "them floods Loki. A $loggable map and access_log ... if=$loggable keep them out; the "
        "filtered log must replace the image's default access_log, not add to it."
    ),
    example=Example(
        path="nginx/conf.d/app.conf",
        before=EXAMPLE_SERVER,
        after=(
            "map $request_uri $loggable {\n    default 1;\n    ~^/live(/|\\?|$) 0;\n"
            "    ~^/ready(/|\\?|$) 0;\n    ~^/metrics(/|\\?|$) 0;\n    ~^/healthz(/|\\?|$) 0;\n"
            "    ~^/nginx_status(/|\\?|$) 0;\n}\n\n"
            "server {\n    listen 80;\n    access_log /dev/stdout combined if=$loggable;\n\n"
            "    location / {\n        proxy_pass $backend_app;\n    }\n}\n"
        ),
    ),
    rewrite=rewrite_file,
    order=320,
)
