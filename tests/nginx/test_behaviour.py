"""Behaviour, not text: a real nginx in front of an echo backend, before and after the codemods.

For each scenario the same table of requests goes to nginx running the ``before`` config and
then the ``after`` config (both localised to loopback ports, see ``nginx.harness``). The
test compares what the backend received (method, path and query, Host, X-Forwarded-*,
X-Real-IP) and what the client got (status, Location, security headers). Every difference must
be one the codemod intends; everything else must be identical. Both nginx and the backend are
stopped by the test itself.
"""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path

import pytest
from harness import FIXTURES, run_codemod

from nginx.harness import echo_backend, free_port, needs_nginx, prepare, running_nginx

NGINX_CODEMODS = (
    "nginx-resolver",
    "nginx-forwarded-proto",
    "nginx-probe-logging",
    "nginx-internal-allowlist",
    "nginx-security-headers",
    "nginx-proxy-headers",
)
SECURITY_HEADERS = ("x-frame-options", "x-content-type-options", "x-xss-protection")
BACKEND_FIELDS = ("host", "x-forwarded-for", "x-forwarded-proto", "x-real-ip")

# (method, target, extra request headers)
LEGACY_REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/products/?page=2&sort=-price", {}),
    ("POST", "/cart/add/", {"Content-Length": "0"}),
    ("GET", "/a%20b/c%2Fd?q=a%26b", {}),
    ("GET", "/", {"Host": "shop.example.com"}),
    ("GET", "/", {"X-Forwarded-Proto": "https"}),
    ("GET", "/", {"X-Forwarded-For": "203.0.113.7"}),
    ("GET", "/missing/?status=404", {}),
    ("GET", "/boom/?status=500", {}),
    ("GET", "/login/?status=302&location=http://django/next/", {}),
    ("GET", "/login/?status=302&location=/relative/", {}),
    ("GET", "/healthz", {}),
    ("GET", "/metrics", {}),
    ("GET", "/static/missing.css", {}),
]
PREFIX_REQUESTS = [
    ("GET", "/api/users?x=1", {}),
    ("GET", "/api/", {}),
    ("GET", "/api/a%20b/x%2Fy?q=%2F", {}),
    ("GET", "/api/../legacy/z", {}),
    ("GET", "/api/a%0Ab", {}),  # a decoded newline: the rewrite must still match
    ("GET", "/api", {}),  # nginx's 301 to /api/ for a prefix location ending with /
    ("GET", "/legacy?y=1", {}),
    ("GET", "/legacy/z?y=2", {}),
    ("GET", "/legacy/", {}),
    ("POST", "/api/items", {"Content-Length": "0"}),
    ("GET", "/api/go?status=302&location=http://api/v2/next", {}),
    ("GET", "/legacy/go?status=301&location=http://api/next", {}),
    ("GET", "/api/err?status=502", {}),
    ("GET", "/elsewhere", {}),
]


def fetch(port: int, method: str, target: str, headers: dict[str, str]) -> dict:
    """Send one request and describe what the client got and the backend received."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        backend = None
        if response.getheader("Content-Type") == "application/json":
            received = json.loads(body)
            backend = {
                "method": received["method"],
                "path": received["path"],
                **{name: received["headers"].get(name) for name in BACKEND_FIELDS},
            }
        return {
            "status": response.status,
            "location": response.getheader("Location"),
            **{name: response.getheader(name) for name in SECURITY_HEADERS},
            "backend": backend,
        }
    finally:
        connection.close()


PORT = free_port()


def serve(tree: Path, work: Path, requests: list) -> tuple[list[dict], str]:
    """Run nginx on a tree in front of the echo backend and send the requests.

    Before and after use the same nginx port: nginx writes it into absolute redirects.

    :returns: the responses and the access log.
    """
    work.mkdir()
    port = PORT
    with echo_backend() as backend_port:
        configs = prepare(
            tree, work, backend=f"127.0.0.1:{backend_port}", listen=f"127.0.0.1:{port}"
        )
        assert len(configs) == 1, configs
        with running_nginx(configs[0], work, port):
            responses = [fetch(port, *request) for request in requests]
    log = work / "access.log"
    return responses, log.read_text() if log.exists() else ""


def migrated(tree: Path, work: Path, *codemod_ids: str) -> Path:
    """A copy of a tree after the codemods ran on it (through the CLI)."""
    copy = work / "migrated"
    shutil.copytree(tree, copy)
    for codemod_id in codemod_ids:
        code, report = run_codemod(copy, codemod_id)
        assert code == 0, report
    return copy


def legacy_nginx(work: Path) -> Path:
    tree = work / "legacy"
    shutil.copytree(FIXTURES / "legacy-project" / "nginx", tree / "nginx")
    return tree


@needs_nginx
def test_legacy_project_behaviour(tmp_path: Path) -> None:
    before_tree = legacy_nginx(tmp_path)
    after_tree = migrated(before_tree, tmp_path, *NGINX_CODEMODS)
    before, before_log = serve(before_tree, tmp_path / "before", LEGACY_REQUESTS)
    after, after_log = serve(after_tree, tmp_path / "after", LEGACY_REQUESTS)

    for request, old, new in zip(LEGACY_REQUESTS, before, after, strict=True):
        label = f"{request[0]} {request[1]} {request[2]}"
        if request[1] == "/metrics":
            # intended: loopback was refused (only 10.0.0.0/8), the allowlist lets it in
            assert (old["status"], new["status"]) == (403, 200)
            continue
        assert new["status"] == old["status"], label
        assert new["location"] == old["location"], label
        # intended: the three headers on every response, errors included (always)
        assert new["x-frame-options"] == "SAMEORIGIN", label
        assert new["x-content-type-options"] == "nosniff", label
        assert new["x-xss-protection"] == "1; mode=block", label
        if old["backend"] is None:
            assert new["backend"] is None, label
            continue
        expected = dict(old["backend"])
        # intended: X-Real-IP is sent, X-Forwarded-For where it was missing (the probe
        # locations); HAProxy's X-Forwarded-Proto is kept
        expected["x-real-ip"] = "127.0.0.1"
        expected["x-forwarded-for"] = expected["x-forwarded-for"] or "127.0.0.1"
        expected["x-forwarded-proto"] = request[2].get("X-Forwarded-Proto", "http")
        assert new["backend"] == expected, label

    # before: X-Frame-Options without always is missing on the backend's errors
    statuses = {request[1]: old for request, old in zip(LEGACY_REQUESTS, before, strict=True)}
    assert statuses["/boom/?status=500"]["x-frame-options"] is None
    assert statuses["/"]["x-frame-options"] == "SAMEORIGIN"
    redirect = statuses["/login/?status=302&location=http://django/next/"]["location"]
    assert redirect == f"http://127.0.0.1:{PORT}/next/"
    # before: every request logged; after: probes are not
    assert "GET /healthz" in before_log and "GET /metrics" in before_log
    assert "GET /healthz" not in after_log and "GET /metrics" not in after_log
    assert "GET /products/?page=2&sort=-price" in after_log


@needs_nginx
def test_resolver_prefix_stripping_behaviour(tmp_path: Path) -> None:
    case = FIXTURES / "nginx-resolver" / "prefix-stripping"
    before, _ = serve(case / "before", tmp_path / "before", PREFIX_REQUESTS)
    after, _ = serve(case / "after", tmp_path / "after", PREFIX_REQUESTS)
    for request, old, new in zip(PREFIX_REQUESTS, before, after, strict=True):
        assert new == old, f"{request}: {old} != {new}"
    paths = [response["backend"]["path"] for response in before if response["backend"]]
    assert "/v2/users?x=1" in paths
    assert "/z?y=2" in paths


@needs_nginx
def test_resolver_headline_behaviour(tmp_path: Path) -> None:
    case = FIXTURES / "nginx-resolver" / "upstream-conf-d"
    requests = [
        ("GET", "/", {}),
        ("GET", "/mcp/stream?x=1", {"Host": "shop.example.com"}),
        ("GET", "/x?status=302&location=http://django_app/next", {}),
        ("GET", "/mcp/x?status=302&location=http://mcp/next", {}),
        ("GET", "/x?status=503", {}),
    ]
    before, _ = serve(case / "before", tmp_path / "before", requests)
    after, _ = serve(case / "after", tmp_path / "after", requests)
    assert after == before
    assert before[2]["location"] == f"http://127.0.0.1:{PORT}/next"


@needs_nginx
def test_internal_allowlist_behaviour(tmp_path: Path) -> None:
    case = FIXTURES / "nginx-internal-allowlist" / "missing-ranges"
    clients = ["127.0.0.1", "10.1.2.3", "172.17.0.2", "192.168.1.5", "8.8.8.8", "10.9.9.9"]
    paths = ["/metrics", "/live/", "/ready/", "/healthz", "/nginx_status", "/"]
    requests = [("GET", path, {"X-Test-Client": client}) for path in paths for client in clients]
    before, _ = serve(case / "before", tmp_path / "before", requests)
    after, _ = serve(case / "after", tmp_path / "after", requests)
    for (_, path, headers), old, new in zip(requests, before, after, strict=True):
        client = headers["X-Test-Client"]
        public = client == "8.8.8.8" or (path == "/healthz" and client == "10.9.9.9")
        wanted = 200 if path == "/" or not public else 403
        assert new["status"] == wanted, (path, client)
        if path in ("/nginx_status", "/"):
            assert old["status"] == new["status"], (path, client)
    metrics_from_docker = before[paths.index("/metrics") * len(clients) + 2]
    assert metrics_from_docker["status"] == 403  # the anti-pattern: 172.16.0.0/12 missing


@needs_nginx
def test_reference_config_logs_nothing(tmp_path: Path) -> None:
    """Why nginx-probe-logging refuses the reference config: access_log off wins its level."""
    case = FIXTURES / "nginx-probe-logging" / "reference-config" / "before"
    responses, log = serve(case, tmp_path / "run", [("GET", "/", {}), ("GET", "/live/", {})])
    assert [response["status"] for response in responses] == [200, 200]
    assert log == ""


@pytest.mark.parametrize("codemod_id", [c for c in NGINX_CODEMODS if c != "nginx-security-headers"])
def test_reference_config_is_left_alone(codemod_id: str, tmp_path: Path) -> None:
    tree = FIXTURES / codemod_id / "reference-config" / "before"
    copy = migrated(tree, tmp_path, codemod_id)
    for path in tree.rglob("*.conf"):
        assert (copy / path.relative_to(tree)).read_bytes() == path.read_bytes()


@needs_nginx
def test_reference_config_static_location_drops_the_headers(tmp_path: Path) -> None:
    """Why nginx-security-headers changes the reference config: /static/ has its own add_header.

    nginx drops every inherited add_header in a block with one of its own, so the reference
    config's static files are served without the three headers; the codemod adds them there.
    """
    case = FIXTURES / "nginx-security-headers" / "reference-config"
    requests = [("GET", "/static/missing.css", {}), ("GET", "/", {})]
    before, _ = serve(case / "before", tmp_path / "before", requests)
    after, _ = serve(case / "after", tmp_path / "after", requests)
    assert before[0]["x-frame-options"] is None and before[1]["x-frame-options"] == "SAMEORIGIN"
    assert [r["x-frame-options"] for r in after] == ["SAMEORIGIN", "SAMEORIGIN"]
    assert [r["status"] for r in after] == [r["status"] for r in before]


@needs_nginx
def test_return_answers_before_allow_deny(tmp_path: Path) -> None:
    """Why nginx-internal-allowlist refuses a probe location that answers with return."""
    tree = tmp_path / "tree"
    (tree / "nginx" / "conf.d").mkdir(parents=True)
    (tree / "nginx" / "conf.d" / "app.conf").write_text(
        "server {\n    listen 80;\n"
        '    location = /live { allow 10.0.0.0/8; deny all; return 200 "ok"; }\n'
        "    location = /ready { allow 10.0.0.0/8; deny all; proxy_pass http://app:8000; }\n}\n"
    )
    requests = [("GET", path, {"X-Test-Client": "8.8.8.8"}) for path in ("/live", "/ready")]
    responses, _ = serve(tree, tmp_path / "run", requests)
    assert [response["status"] for response in responses] == [200, 403]


# A project that ships its own nginx.conf (the "inherited-from-nginx-conf" layout): the proxy
# headers and the access log live at its http level, the server in a conf.d file it includes.
MAIN_CONF = """worker_processes auto;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    log_format main '$remote_addr "$request" $status';
    access_log /dev/stdout main;

    # every server proxies with the same headers
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;

    include /etc/nginx/conf.d/*.conf;
}
"""
CONF_D_APP = """upstream django {
    server app:8000;
}

server {
    listen 80;
    server_name _;

    location = /metrics {
        allow 10.0.0.0/8;
        deny all;
        proxy_pass http://django;
    }

    location /static/ {
        alias /srv/static/;
    }

    location / {
        proxy_pass http://django;
    }
}
"""
MAIN_CONF_REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/products/?page=2&sort=-price", {}),
    ("POST", "/cart/add/", {"Content-Length": "0"}),
    ("GET", "/", {"Host": "shop.example.com"}),
    ("GET", "/", {"X-Forwarded-Proto": "https"}),
    ("GET", "/", {"X-Forwarded-For": "203.0.113.7"}),
    ("GET", "/boom/?status=500", {}),
    ("GET", "/login/?status=302&location=http://django/next/", {}),
    ("GET", "/login/?status=302&location=/relative/", {}),
    ("GET", "/healthz", {}),  # no location of its own: the catch-all proxies it
    ("GET", "/metrics", {}),
    ("GET", "/static/missing.css", {}),
]


@needs_nginx
def test_project_nginx_conf_with_conf_d_behaviour(tmp_path: Path) -> None:
    """All six codemods on a project nginx.conf that includes conf.d/*.conf, run by nginx."""
    before_tree = tmp_path / "project"
    (before_tree / "nginx" / "conf.d").mkdir(parents=True)
    (before_tree / "nginx" / "nginx.conf").write_text(MAIN_CONF)
    (before_tree / "nginx" / "conf.d" / "app.conf").write_text(CONF_D_APP)
    after_tree = migrated(before_tree, tmp_path, *NGINX_CODEMODS)
    after_main = (after_tree / "nginx" / "nginx.conf").read_text()
    after_app = (after_tree / "nginx" / "conf.d" / "app.conf").read_text()
    # the rules landed where this layout needs them: one level spread over two files
    assert "access_log /dev/stdout main if=$loggable;" in after_main
    assert after_main.count("map ") == 2 and "map " not in after_app
    assert "proxy_pass $backend_django;" in after_app and "upstream" not in after_app
    assert (after_main + after_app).count("resolver 127.0.0.11") == 1
    before, before_log = serve(before_tree, tmp_path / "before", MAIN_CONF_REQUESTS)
    after, after_log = serve(after_tree, tmp_path / "after", MAIN_CONF_REQUESTS)

    for request, old, new in zip(MAIN_CONF_REQUESTS, before, after, strict=True):
        label = f"{request[0]} {request[1]} {request[2]}"
        assert old["x-frame-options"] is None, label
        assert new["x-frame-options"] == "SAMEORIGIN", label
        assert new["x-content-type-options"] == "nosniff", label
        assert new["x-xss-protection"] == "1; mode=block", label
        if request[1] == "/metrics":
            # intended: loopback was refused (only 10.0.0.0/8), the allowlist lets it in
            assert (old["status"], new["status"]) == (403, 200)
            continue
        assert new["status"] == old["status"], label
        assert new["location"] == old["location"], label
        if old["backend"] is None:
            assert new["backend"] is None, label
            continue
        expected = dict(old["backend"])
        # intended: HAProxy's X-Forwarded-Proto is kept instead of nginx's $scheme
        expected["x-forwarded-proto"] = request[2].get("X-Forwarded-Proto", "http")
        assert new["backend"] == expected, label

    by_target = {request[1]: old for request, old in zip(MAIN_CONF_REQUESTS, before, strict=True)}
    assert by_target["/healthz"]["backend"]["path"] == "/healthz"
    # the anti-pattern: behind HAProxy, $scheme told Django every request was plain http
    assert before[4]["backend"]["x-forwarded-proto"] == "http"
    assert after[4]["backend"]["x-forwarded-proto"] == "https"
    assert by_target["/static/missing.css"]["status"] == 404
    redirect = by_target["/login/?status=302&location=http://django/next/"]["location"]
    assert redirect == f"http://127.0.0.1:{PORT}/next/"
    # the http-level log of nginx.conf: every request before, no probe after
    assert "GET /healthz" in before_log and "GET /metrics" in before_log
    assert "GET /healthz" not in after_log and "GET /metrics" not in after_log
    assert "GET /products/?page=2&sort=-price" in after_log
