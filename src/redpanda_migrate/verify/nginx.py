"""nginx check: ``nginx -t`` on every deployable entry config, in a sandbox, before and after.

Each config that is used on its own (a full ``nginx.conf``, a ``conf.d`` file no other file
includes, a file a Compose service mounts) is tested on its own. The sandbox holds a copy of
every nginx file of the project with, in the copy only: container host names of upstream
servers and ``*_pass`` URLs made ``127.0.0.1`` (nginx resolves them when it loads), ``include``
paths pointed at the copied files (stock files of the host's nginx, else empty stubs), logs and
the pid file moved into the sandbox, ``user`` made the current user and the nginx image's
``${VAR}`` placeholders filled. The edits are made at the positions crossplane reports, so line
numbers in nginx's messages are the project file's own.
"""

from __future__ import annotations

import fnmatch
import getpass
import grp
import ipaddress
import os
import posixpath
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

import crossplane
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from redpanda_migrate.codemods.nginx.discover import USUAL_FILES
from redpanda_migrate.discovery import compile_patterns
from redpanda_migrate.verify.compose import is_compose_file
from redpanda_migrate.verify.model import Probe, default_regression
from redpanda_migrate.verify.process import run_command
from redpanda_migrate.verify.scratch import ScratchCopy, project_files

# where the nginx codemods expect configs (one list for both, so they never drift apart)
NGINX_FILES = USUAL_FILES
MAIN_ONLY = frozenset({"http", "events", "worker_processes", "pid", "user", "stream"})
HTTP_LEVEL = frozenset({"server", "upstream", "map", "geo", "split_clients", "log_format"})
PASS_DIRECTIVES = frozenset(
    {"proxy_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"}
)
STOCK_FOLDER = Path("/etc/nginx")
CONTAINER_PREFIX = "/etc/nginx/"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ADDRESS = re.compile(r"^(?P<scheme>[a-z]+://)?(?P<host>[^/:$\s]+)(?P<rest>(:\d+)?(/.*)?)$")
TEMP_FOLDERS = ("client_body_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp")


def nginx_binary() -> str | None:
    """Find nginx (``PATH``, then ``/usr/sbin/nginx``).

    :returns: its path, or ``None``.
    """
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def nginx_paths(files: Sequence[str]) -> list[str]:
    """Pick the nginx files among project paths, as the nginx codemods do.

    :param files: project-relative paths.
    :returns: the nginx files.
    """
    spec = compile_patterns(NGINX_FILES)
    return [path for path in files if spec.match_file(path)]


def _walk(block: list[dict]) -> Iterator[dict]:
    for directive in block:
        yield directive
        yield from _walk(directive.get("block") or [])


def _parse(path: Path) -> list[dict] | None:
    payload = crossplane.parse(
        str(path), single=True, catch_errors=False, check_ctx=False, check_args=False
    )
    if payload["status"] != "ok" or not payload["config"]:
        return None
    return payload["config"][0]["parsed"]


def kind_of(top: list[dict]) -> str:
    """Tell what a file is: ``main`` (a full nginx.conf), ``http`` (a conf.d file), ``fragment``.

    :param top: its top-level directives (crossplane).
    """
    names = {directive["directive"] for directive in top}
    if names & MAIN_ONLY:
        return "main"
    return "http" if names & HTTP_LEVEL else "fragment"


def _fill_placeholders(text: str) -> str:
    # what the nginx image's envsubst step would put there: a port or a reachable host
    return PLACEHOLDER.sub(lambda m: "8000" if m[1].upper().endswith("PORT") else "127.0.0.1", text)


def _is_literal_host(host: str) -> bool:
    if host in ("localhost", "unix") or host.startswith("unix:"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class _Layout:
    """Where each project nginx file sits in the sandbox, and what its includes point at."""

    def __init__(self, sandbox: Path, paths: list[str]) -> None:
        self.sandbox = sandbox
        self.tree = sandbox / "tree"
        self.paths = paths
        self.stubs = sandbox / "stubs"

    def resolve(self, including: str, pattern: str) -> tuple[str, list[str]]:
        """Return the sandbox include argument for ``pattern`` and the project files it names."""
        relative = pattern.removeprefix(CONTAINER_PREFIX).lstrip("/")
        if any(char in relative for char in "*?["):
            matches = [
                p
                for p in self.paths
                if fnmatch.fnmatch(p, "*/" + relative) or fnmatch.fnmatch(p, relative)
            ]
            folder = posixpath.dirname(including)
            near = [p for p in matches if folder and p.startswith(folder + "/")] or matches
            if near:
                glob = posixpath.join(posixpath.dirname(near[0]), posixpath.basename(relative))
                return str(self.tree / glob), near
            if pattern.startswith(CONTAINER_PREFIX) or not pattern.startswith("/"):
                self.stubs.mkdir(exist_ok=True)
                return str(self.stubs / "nothing" / posixpath.basename(relative)), []
            return pattern, []
        local = posixpath.normpath(posixpath.join(posixpath.dirname(including), relative))
        candidates = [local] if local in self.paths else []
        candidates = candidates or [
            p for p in self.paths if p == relative or p.endswith("/" + relative)
        ]
        if not candidates:
            named = [p for p in self.paths if posixpath.basename(p) == posixpath.basename(relative)]
            candidates = named if len(named) == 1 else []
        if candidates:
            return str(self.tree / candidates[0]), candidates[:1]
        if (STOCK_FOLDER / relative).is_file():
            return str(STOCK_FOLDER / relative), []
        self.stubs.mkdir(exist_ok=True)
        stub = self.stubs / relative.replace("/", "_")
        stub.touch()
        return str(stub), []


def _edits(
    path: str, top: list[dict], layout: _Layout, upstreams: set[str]
) -> list[tuple[int, str, str]]:
    edits: list[tuple[int, str, str]] = []
    logs = layout.sandbox / "logs"
    for directive in _walk(top):
        name, args, line = directive["directive"], directive["args"], directive["line"]
        if not args:
            continue
        if name == "include":
            edits.append((line, args[0], layout.resolve(path, args[0])[0]))
        elif name in PASS_DIRECTIVES or (
            name == "server" and "upstream" in directive.get("_in", "")
        ):
            match = ADDRESS.match(args[0])
            host = match["host"] if match else ""
            if match and host not in upstreams and not _is_literal_host(host):
                edits.append((line, args[0], f"{match['scheme'] or ''}127.0.0.1{match['rest']}"))
        elif (
            name in ("access_log", "error_log")
            and args[0].startswith("/")
            and not args[0].startswith("/dev/")
        ):
            edits.append((line, args[0], str(logs / PurePosixPath(args[0]).name)))
        elif name == "pid":
            edits.append((line, args[0], str(layout.sandbox / "nginx.pid")))
        elif name == "user":
            edits.append((line, args[0], getpass.getuser()))
            if len(args) > 1:
                edits.append((line, args[1], grp.getgrgid(os.getgid()).gr_name))
    return edits


def _mark_upstream_servers(top: list[dict]) -> None:
    for directive in _walk(top):
        if directive["directive"] == "upstream":
            for child in directive.get("block") or []:
                child["_in"] = "upstream"


def _apply(text: str, edits: list[tuple[int, str, str]]) -> str:
    starts = [0]
    for row in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(row))
    cursor = 0
    spans = []
    for line, old, new in edits:
        begin = max(cursor, starts[min(line - 1, len(starts) - 1)])
        found = text.find(old, begin)
        if found < 0:
            continue
        spans.append((found, found + len(old), new))
        cursor = found + len(old)
    for begin, end, new in reversed(spans):
        text = text[:begin] + new + text[end:]
    return text


def _mounted(scratch: ScratchCopy, paths: list[str]) -> set[str]:
    """Nginx files a Compose service bind-mounts (a file, or the files of a folder)."""
    found: set[str] = set()
    for compose in (p for p in project_files(scratch.root) if is_compose_file(p)):
        try:
            document = YAML(typ="safe").load(scratch.read(compose) or "")
        except YAMLError:
            continue
        services = document.get("services") if isinstance(document, dict) else None
        for service in (services or {}).values():
            volumes = service.get("volumes") if isinstance(service, dict) else None
            for volume in volumes or []:
                source = (
                    volume.get("source") if isinstance(volume, dict) else str(volume).split(":")[0]
                )
                if not isinstance(source, str) or not source.startswith((".", "/")):
                    continue
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(compose), source))
                found |= {p for p in paths if p == joined or p.startswith(joined + "/")}
    return found


class NginxCheck:
    """``nginx -t`` on each deployable entry config."""

    kind = "nginx"
    cacheable = True

    def __init__(self, binary: str, timeout: float) -> None:
        self.binary = binary
        self.timeout = timeout

    def concerns(self, changed: Sequence[str]) -> bool:
        """Tell whether an nginx file changed."""
        return bool(nginx_paths(changed))

    def probe(self, scratch: ScratchCopy, changed: Sequence[str]) -> dict[str, Probe]:
        """Lay the sandbox out, then test each entry config."""
        paths = nginx_paths(list(project_files(scratch.root)))
        if not paths:
            return {}
        sandbox = scratch.sandbox("nginx")
        layout = _Layout(sandbox, paths)
        (sandbox / "logs").mkdir()
        for folder in TEMP_FOLDERS:
            (sandbox / folder).mkdir()
        parsed: dict[str, list[dict]] = {}
        broken: dict[str, str] = {}
        for path in paths:
            target = layout.tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_fill_placeholders(scratch.read(path) or ""), encoding="utf-8")
            try:
                top = _parse(target)
            except crossplane.errors.NgxParserBaseException as error:
                broken[path] = str(error)
                continue
            if top is not None:
                _mark_upstream_servers(top)
                parsed[path] = top
        upstreams = {
            d["args"][0]
            for top in parsed.values()
            for d in _walk(top)
            if d["directive"] == "upstream" and d["args"]
        }
        included: set[str] = set()
        for path, top in parsed.items():
            for directive in _walk(top):
                if directive["directive"] == "include" and directive["args"]:
                    included |= set(layout.resolve(path, directive["args"][0])[1])
            target = layout.tree / path
            target.write_text(
                _apply(target.read_text(encoding="utf-8"), _edits(path, top, layout, upstreams)),
                encoding="utf-8",
            )
        entries = (set(parsed) - included) | (_mounted(scratch, paths) & set(parsed))
        probes = {
            path: Probe(f"nginx -t {path}", False, scratch.scrub(message), path=path)
            for path, message in broken.items()
        }
        for path in sorted(entries):
            config = self._entry(layout, path, kind_of(parsed[path]))
            has_pid = any(d["directive"] == "pid" for d in parsed[path])
            argv = [
                self.binary,
                "-t",
                "-p",
                f"{sandbox}/",
                "-c",
                str(config),
                "-e",
                str(sandbox / "logs" / "error.log"),
            ]
            if not has_pid:
                argv += ["-g", f"pid {sandbox / 'nginx.pid'};"]
            result = run_command(argv, sandbox, self.timeout)
            output = result.output.replace(str(config), f"the test wrapper of {path}")
            output = output.replace(f"{layout.tree}/", "")
            probes[path] = Probe(f"nginx -t {path}", result.ok, output, path=path)
        return probes

    def _entry(self, layout: _Layout, path: str, kind: str) -> Path:
        if kind == "main":
            return layout.tree / path
        config = layout.sandbox / f"entry-{path.replace('/', '_')}"
        mime = STOCK_FOLDER / "mime.types"
        types = f"    include {mime};\n" if mime.is_file() else ""
        if kind == "http":
            body = f"{types}    include {layout.tree / path};\n"
        else:
            body = (
                f"{types}    server {{\n        listen 127.0.0.1:8080;\n"
                f"        include {layout.tree / path};\n    }}\n"
            )
        config.write_text(f"events {{}}\nhttp {{\n{body}}}\n", encoding="utf-8")
        return config

    def regression(self, before: Probe, after: Probe) -> str | None:
        """Report the output when it passed before and fails now."""
        return default_regression(before, after)
