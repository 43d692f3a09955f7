"""Running a real nginx on fixture configs: shared by the nginx syntax and behaviour tests.

Fixture configs are written for the compose stack (``app:8000``, ``/etc/nginx/snippets/...``,
``listen 80``). To run them here the tests copy a tree to a temporary folder and rewrite, in
the copy only: container host names of upstream servers, literal ``proxy_pass`` URLs and
``set $backend_*`` values become ``127.0.0.1`` (with the echo backend's port for behaviour
tests), ``include /etc/nginx/X`` points at the tree's own ``X`` when it has one, ``listen 80``
becomes a loopback port, ``/dev/stdout`` and ``/var/log/nginx/access.log`` logs go to a file
and ``user`` lines are dropped.
``resolver 127.0.0.11`` stays: nginx only needs it for names, and every address is an IP
literal by then.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from glob import glob
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from redpanda_migrate.codemods.nginx.config import SHARED_FOLDERS, parse_text, walk

from redpanda_migrate.codemod import InputError

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")
UPSTREAM_SERVER = re.compile(r"((?:^|[{;])\s*server\s+)([A-Za-z][\w.-]*)(:\d+)?", re.MULTILINE)
URL_HOST = re.compile(r"\b(proxy_pass|set\s+\$\w+)(\s+https?://)([A-Za-z][\w.-]*)(:\d+)?")
OTHER_PASS = re.compile(
    r"\b((?:fastcgi|uwsgi|scgi|grpc|memcached)_pass\s+(?:\w+://)?)([A-Za-z][\w.-]*)(:\d+)?"
)
# ``set $backend_app app:3031;`` (uwsgi_pass/fastcgi_pass variables: no http:// scheme)
SET_ADDRESS = re.compile(r"\b(set\s+\$\w+\s+(?:uwsgi://)?)([A-Za-z][\w.-]*)(:\d+)")
INCLUDE = re.compile(r"(\binclude\s+)(?:/etc/nginx/)?([^/\s;]\S*?);")
# What nginx:alpine's own nginx.conf puts around /etc/nginx/conf.d/*.conf.
IMAGE_HTTP_LEVEL = """events {{}}
http {{
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';
    access_log {log} main;
    # test only: a request may claim a client address, to check allow/deny
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Test-Client;
{includes}
}}
"""
LISTEN = re.compile(r"\blisten\s+80\b[^;]*;")


def nginx_files(tree: Path) -> list[Path]:
    """The nginx files of a tree: any file that parses as nginx and is named or placed like an
    nginx config (``*.conf``, ``*.conf.template``, under an ``nginx`` folder) or holds a
    ``server``/``upstream``/``location`` block (``legacy/frontend``)."""
    found = []
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).as_posix()
        if not path.is_file() or relative.startswith(".git/"):
            continue
        try:
            parsed = parse_text(relative, path.read_text())
        except (InputError, UnicodeDecodeError):
            continue
        named = path.suffix == ".conf" or path.name.endswith(".conf.template")
        blocks = {"server", "upstream", "location"} & {d.name for d in walk(parsed.top)}
        if named or "nginx" in relative or blocks:
            found.append(path)
    return found


def localise(text: str, tree: Path, backend: str, listen: str, log: Path) -> str:
    """Rewrite one config of a copied tree so it runs here (see the module docstring)."""
    upstreams = set(re.findall(r"\bupstream\s+(\S+)\s*\{", text))

    def host(match: re.Match) -> str:
        if match[3] in upstreams or match[3] in ("localhost", "unix"):
            return match[0]
        return f"{match[1]}{match[2]}{backend}"

    def include(match: re.Match) -> str:
        target = match[2]
        if any(char in target for char in "*?["):
            # include /etc/nginx/conf.d/*.conf; -> the same glob in the tree's folder
            found = [p for p in nginx_files(tree) if fnmatch(p.as_posix(), f"*/{target}")]
            if found:
                return f"{match[1]}{found[0].parent / Path(target).name};"
        found = [p for p in nginx_files(tree) if p.as_posix().endswith("/" + target)]
        if not found:  # deploy/proxy.conf copied to /etc/nginx/conf.d/proxy.conf
            named = [p for p in nginx_files(tree) if p.name == Path(target).name]
            found = named if len(named) == 1 else []
        if found:
            return f"{match[1]}{found[0]};"
        if Path("/etc/nginx", target).exists():
            return f"{match[1]}/etc/nginx/{target};"
        # not in the project and not a stock file: its content is unknown, so an empty stub
        stub = log.parent / "stubs" / target.replace("/", "_")
        stub.parent.mkdir(exist_ok=True)
        stub.touch()
        return f"{match[1]}{stub};"

    # envsubst placeholders of a .conf.template, filled in as the nginx image would
    text = re.sub(r"\$\{[A-Z]\w*PORT\}", "8000", text)
    text = re.sub(r"\$\{[A-Z][A-Z0-9_]*\}", "example.test", text)
    text = UPSTREAM_SERVER.sub(
        lambda m: (
            m[0] if m[2] in ("unix", "localhost") or m[2][0].isdigit() else f"{m[1]}{backend}"
        ),
        text,
    )
    text = URL_HOST.sub(host, text)
    text = OTHER_PASS.sub(
        lambda m: m[0] if m[2] in upstreams or m[2] in ("unix", "localhost") else m[1] + backend,
        text,
    )
    text = SET_ADDRESS.sub(lambda m: m[1] + backend, text)
    text = INCLUDE.sub(include, text)
    text = LISTEN.sub(f"listen {listen};", text)
    text = text.replace("/dev/stdout", str(log)).replace("/var/log/nginx/access.log", str(log))
    return re.sub(r"^\s*user\s+\S+;\n", "", text, flags=re.MULTILINE)


def prepare(
    tree: Path, work: Path, backend: str = "127.0.0.1", listen: str = "127.0.0.1:8080"
) -> list[Path]:
    """Copy a tree, localise it, and write the nginx.conf files to start nginx with.

    Full configs are used as they are. Snippets of a ``conf.d`` folder share the http level,
    as under the image's ``include /etc/nginx/conf.d/*.conf;``, so they go into one wrapper
    (a duplicate ``map`` or ``resolver`` across files fails there as it would in production).
    Any other file that no file includes is an alternative (one of them is mounted as
    ``conf.d/default.conf``), so each gets a wrapper of its own and must be valid alone.
    A fragment that no file includes is wrapped in a ``server`` block.

    :returns: the runnable configs.
    """
    copy = work / "tree"
    shutil.copytree(tree, copy)
    log = work / "access.log"
    files = nginx_files(copy)
    for path in files:
        path.write_text(localise(path.read_text(), copy, backend, listen, log))
    kinds = {path: parse_text(path.name, path.read_text()).kind for path in files}
    included = included_files(files)
    runnable = [path for path, kind in kinds.items() if kind == "main"]
    snippets_by_folder: dict[Path, list[Path]] = {}
    for path, kind in kinds.items():
        if path in included:
            continue
        if kind == "http":
            # conf.d/*.conf share the image's http level; other files are alternatives
            group = path.parent if path.parent.name in SHARED_FOLDERS else path
            snippets_by_folder.setdefault(group, []).append(path)
        elif kind == "fragment":
            wrapper = work / f"fragment-{path.stem}.conf"
            wrapper.write_text(
                "events {}\nhttp {\n    server {\n"
                f"        listen {listen};\n        include {path};\n    }}\n}}\n"
            )
            runnable.append(wrapper)
    for index, snippets in enumerate(snippets_by_folder.values()):
        wrapper = work / f"nginx-{index}.conf"
        includes = "\n".join(f"    include {path};" for path in sorted(snippets))
        wrapper.write_text(IMAGE_HTTP_LEVEL.format(log=log, includes=includes))
        runnable.append(wrapper)
    return runnable


def included_files(files: list[Path]) -> set[Path]:
    """The files that the (localised) files include, globs expanded."""
    found: set[Path] = set()
    for path in files:
        for pattern in re.findall(r"\binclude\s+([^;\s]+);", path.read_text()):
            found.update(Path(match) for match in glob(pattern))
    return found


def nginx_command(config: Path, work: Path, foreground: bool = False) -> list[str]:
    """The nginx command line for a config, with every runtime file under ``work``."""
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / folder).mkdir(exist_ok=True)
    settings = "" if "pid " in config.read_text() else f"pid {work / 'nginx.pid'};"
    if foreground:
        settings += " daemon off; master_process off;"
    command = [NGINX, "-p", f"{work}/", "-c", str(config), "-e", str(work / "error.log")]
    return [*command, "-g", settings] if settings else command


def nginx_test(config: Path, work: Path) -> subprocess.CompletedProcess:
    """Run ``nginx -t`` on a config."""
    return subprocess.run(
        [*nginx_command(config, work), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EchoHandler(BaseHTTPRequestHandler):
    """Answers what it received as JSON; ``?status=`` and ``?location=`` shape the answer."""

    def _answer(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        status = int(query.get("status", ["200"])[0])
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        ).encode()
        self.send_response(status)
        if "location" in query:
            self.send_header("Location", query["location"][0])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        """Stay quiet."""


@contextmanager
def echo_backend() -> Iterator[int]:
    """An echo backend on a loopback port, stopped on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def running_nginx(config: Path, work: Path, port: int) -> Iterator[None]:
    """Run nginx in the foreground on a config until the block ends, then stop it."""
    process = subprocess.Popen(
        nginx_command(config, work, foreground=True),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    process.stderr.read().decode() if process.stderr else "nginx exited"
                )
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_localise_maps_hosts_and_includes(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    (tree / "nginx" / "snippets").mkdir(parents=True)
    (tree / "nginx" / "snippets" / "h.conf").write_text("proxy_set_header Host $host;\n")
    text = (
        "upstream django { server web:8000; }\n"
        "server { listen 80; set $backend_app http://app:8000;\n"
        "location / { proxy_pass http://django; include /etc/nginx/snippets/h.conf; }\n"
        "location /x/ { proxy_pass http://web:8000/x/; access_log /dev/stdout; } }\n"
    )
    log = tmp_path / "a.log"
    out = localise(text, tree, "127.0.0.1:9", "127.0.0.1:1", log)
    assert "server 127.0.0.1:9;" in out
    assert "set $backend_app http://127.0.0.1:9;" in out
    assert "proxy_pass http://django;" in out
    assert "proxy_pass http://127.0.0.1:9/x/;" in out
    php = localise("fastcgi_pass php:9000; uwsgi_pass uwsgi://app:3031;", tree, "1.2.3.4", "", log)
    assert php == "fastcgi_pass 1.2.3.4; uwsgi_pass uwsgi://1.2.3.4;"
    assert f"include {tree}/nginx/snippets/h.conf;" in out
    assert "listen 127.0.0.1:1;" in out
    assert str(tmp_path / "a.log") in out
