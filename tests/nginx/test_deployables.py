"""Every deployable config alone, in a real nginx: before and after answer alike, headers once.

A project may ship alternative configs (bookwyrm mounts one of ``nginx/${NGINX_SETUP}.conf``
as ``conf.d/default.conf``), so each file that no other file includes is started on its own
(``nginx.harness.prepare`` wraps it alone; ``conf.d`` snippets share one wrapper). For each
config, the same requests go to nginx before and after the codemods, in front of the echo
backend; the test compares statuses, what the backend received and how many times each
security header was sent (nginx sends an ``add_header`` once per line that applies, and drops
every inherited ``add_header`` in a block that has one of its own).
"""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import FIXTURES, run_codemod

from nginx.harness import (
    echo_backend,
    free_port,
    needs_nginx,
    nginx_test,
    prepare,
    running_nginx,
)

SECURITY_HEADERS = ("x-frame-options", "x-content-type-options", "x-xss-protection")
FORWARDED = ("x-real-ip", "x-forwarded-for", "x-forwarded-proto")
PORT = free_port()
BACKEND_PORT = 0


def fetch(port: int, request: str | tuple[str, str, dict[str, str]]) -> dict:
    """Send a request (a GET target, or method, target, headers).

    :returns: the status, every value of each security header, the other extra headers, and
        what the backend received.
    """
    method, target, headers = ("GET", request, {}) if isinstance(request, str) else request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        received = None
        if response.getheader("Content-Type") == "application/json":
            received = json.loads(body)
        return {
            "status": response.status,
            "location": response.getheader("Location"),
            "headers": {name: response.headers.get_all(name) or [] for name in SECURITY_HEADERS},
            "others": sorted(
                (k.lower(), v)
                for k, v in response.getheaders()
                if k.lower().startswith(("x-", "cache-control", "access-control"))
                and k.lower() not in SECURITY_HEADERS
            ),
            "path": received["path"] if received else None,
            "host": received["headers"].get("host") if received else None,
            "forwarded": [received["headers"].get(h) for h in FORWARDED] if received else None,
        }
    finally:
        connection.close()


def serve_each(tree: Path, work: Path, targets: list) -> dict[str, tuple[list[dict], str]]:
    """Start every deployable config of a tree alone (``nginx -t`` first), send the requests.

    :returns: by config name, the responses and the access log.
    """
    work.mkdir()
    found = {}
    configs = prepare(tree, work, backend=f"127.0.0.1:{BACKEND_PORT}", listen=f"127.0.0.1:{PORT}")
    for config in configs:
        test = nginx_test(config, work)
        assert test.returncode == 0, f"{config.name}: {test.stderr}"
        log = work / "access.log"
        log.unlink(missing_ok=True)
        with running_nginx(config, work, PORT):
            responses = [fetch(PORT, target) for target in targets]
        found[config.name] = (responses, log.read_text() if log.exists() else "")
    return found


@pytest.fixture(autouse=True)
def backend() -> Iterator[None]:
    """The echo backend, on one port for the before and the after runs of a test."""
    global BACKEND_PORT
    with echo_backend() as port:
        BACKEND_PORT = port
        yield


def migrated(tree: Path, work: Path, *codemod_ids: str) -> Path:
    """A copy of a tree after the codemods ran on it (through the CLI)."""
    work.mkdir(exist_ok=True)
    copy = work / "migrated"
    shutil.copytree(tree, copy)
    for codemod_id in codemod_ids:
        code, report = run_codemod(copy, codemod_id)
        assert code == 0, report
    return copy


@needs_nginx
def test_alternative_configs_each_valid_alone(tmp_path: Path) -> None:
    """Item: a.conf and b.conf of one folder are alternatives; each needs its own $loggable."""
    case = FIXTURES / "nginx-probe-logging" / "alternative-configs"
    after_tree = migrated(case / "before", tmp_path, "nginx-probe-logging")
    for path in (case / "after" / "nginx").iterdir():
        assert (after_tree / "nginx" / path.name).read_text() == path.read_text()
    targets = ["/", "/live/", "/healthz", "/products/?page=2"]
    before = serve_each(case / "before", tmp_path / "before", targets)
    after = serve_each(case / "after", tmp_path / "after", targets)
    assert len(after) == 2  # https.conf and reverse_proxy.conf, each started alone
    for name, (responses, log) in after.items():
        old_responses, old_log = before[name]
        assert responses == old_responses, name
        assert "GET /live/" in old_log and "GET /healthz" in old_log
        assert "GET /live/" not in log and "GET /healthz" not in log
        assert "GET /products/?page=2" in log


def assert_headers_once(responses: list[dict], targets: list, values: dict | None = None) -> None:
    """Each response carries each security header exactly once, with the standard's value."""
    wanted = {
        "x-frame-options": ["SAMEORIGIN"],
        "x-content-type-options": ["nosniff"],
        "x-xss-protection": ["1; mode=block"],
    }
    for target, response in zip(targets, responses, strict=True):
        expected = {**wanted, **(values or {}).get(str(target), {})}
        assert response["headers"] == expected, (target, response)


def assert_same_answers(before: list[dict], after: list[dict], targets: list) -> None:
    """Same status, redirect, other headers and backend view; only the security headers differ."""
    for target, old, new in zip(targets, before, after, strict=True):
        old = {k: v for k, v in old.items() if k != "headers"}
        new = {k: v for k, v in new.items() if k != "headers"}
        assert new == old, target


KIWI_TARGETS: list = [
    "/",
    "/missing/?status=404",
    "/boom/?status=500",
    "/login/?status=302&location=/next/",
    "/static/missing.css",
    ("GET", "/", {"Host": "www.example.com"}),
]


@needs_nginx
def test_http_level_header_and_two_servers_send_each_header_once(tmp_path: Path) -> None:
    """Item: an http-level add_header and two servers with location / (Kiwi TCMS's layout)."""
    case = FIXTURES / "nginx-security-headers" / "http-level-two-servers"
    after_tree = migrated(case / "before", tmp_path, "nginx-security-headers")
    text = (after_tree / "etc" / "nginx.conf").read_text()
    assert text == (case / "after" / "etc" / "nginx.conf").read_text()
    assert text.count("X-Frame-Options") == 1
    ((name, (before, _)),) = serve_each(case / "before", tmp_path / "before", KIWI_TARGETS).items()
    after, _ = serve_each(after_tree, tmp_path / "after", KIWI_TARGETS)[name]
    assert_same_answers(before, after, KIWI_TARGETS)
    assert_headers_once(after, KIWI_TARGETS)
    assert all(r["others"] == [] for r in after)  # CSP is not an x- header: checked below
    statuses = [r["status"] for r in after]
    assert statuses == [200, 404, 500, 302, 404, 301]
    assert all(not any(r["headers"].values()) for r in before)


INHERITANCE_TARGETS: list = [
    "/",
    "/missing/?status=404",
    "/boom/?status=500",
    "/static/missing.css",
    "/media/missing.pdf",
    "/media/missing.txt",
    "/api/users",
    "/api/err?status=502",
    ("OPTIONS", "/api/users", {}),
    "/forbidden",
]


@needs_nginx
def test_headers_once_wherever_the_config_adds_other_headers(tmp_path: Path) -> None:
    """Item: nginx drops inherited add_header lines in a block with its own; each gets the three."""
    case = FIXTURES / "nginx-security-headers" / "add-header-inheritance"
    after_tree = migrated(case / "before", tmp_path, "nginx-security-headers")
    path = Path("nginx", "conf.d", "app.conf")
    assert (after_tree / path).read_text() == (case / "after" / path).read_text()
    ((name, (before, _)),) = serve_each(
        case / "before", tmp_path / "before", INHERITANCE_TARGETS
    ).items()
    after, _ = serve_each(after_tree, tmp_path / "after", INHERITANCE_TARGETS)[name]
    assert_same_answers(before, after, INHERITANCE_TARGETS)
    deny = {"x-frame-options": ["DENY"]}
    assert_headers_once(
        after,
        INHERITANCE_TARGETS,
        {
            "/api/users": deny,
            "/api/err?status=502": deny,
            str(("OPTIONS", "/api/users", {})): deny,
        },
    )
    statuses = [r["status"] for r in after]
    assert statuses == [200, 404, 500, 404, 404, 404, 200, 502, 204, 403]
    # before: the backend's errors, nginx's own 404s and the blocks with their own add_header
    # lines carried none of the three (X-Frame-Options DENY only on /api/'s 2xx)
    assert before[6]["headers"]["x-frame-options"] == ["DENY"]
    assert before[7]["headers"]["x-frame-options"] == []
    assert before[0]["headers"]["x-content-type-options"] == []


HOST_TARGETS: list = [
    "/",
    "/api/users?x=1",
    ("GET", "/", {"Host": "media.example.com"}),
    "/login/?status=302&location=http://django/next/",
]


@needs_nginx
def test_resolver_keeps_the_host_the_backend_receives(tmp_path: Path) -> None:
    """Item: with nginx-resolver alone and no Host set, the backend still gets the upstream name."""
    case = FIXTURES / "nginx-resolver" / "keep-host"
    after_tree = migrated(case / "before", tmp_path, "nginx-resolver")
    path = Path("nginx", "conf.d", "app.conf")
    assert (after_tree / path).read_text() == (case / "after" / path).read_text()
    ((name, (before, _)),) = serve_each(case / "before", tmp_path / "before", HOST_TARGETS).items()
    after, _ = serve_each(after_tree, tmp_path / "after", HOST_TARGETS)[name]
    assert after == before
    assert [r["host"] for r in before[:3]] == ["django", "api", "media"]
    assert before[0]["forwarded"][0] == "127.0.0.1"  # the server's X-Real-IP, copied in
    assert before[3]["location"] == f"http://127.0.0.1:{PORT}/next/"


@needs_nginx
def test_snippet_included_by_a_server_is_completed_once(tmp_path: Path) -> None:
    """bookwyrm's layout: the server's add_header and location / live in an included snippet."""
    case = FIXTURES / "nginx-security-headers" / "included-snippet"
    targets = ["/", "/boom/?status=500", "/static/missing.css"]
    second = migrated(case / "after", tmp_path / "again", "nginx-security-headers")
    code, report = run_codemod(second, "nginx-security-headers")
    assert code == 0 and report["changes"] == report["refusals"] == [], report
    ((name, (before, _)),) = serve_each(case / "before", tmp_path / "before", targets).items()
    after, _ = serve_each(case / "after", tmp_path / "after", targets)[name]
    assert_same_answers(before, after, targets)
    assert_headers_once(after, targets)
    # before: the snippet's add_header hid nothing, there was nothing to hide; after: once each
    assert all(not any(r["headers"].values()) for r in before)


@needs_nginx
def test_configs_found_by_content_answer_alike(tmp_path: Path) -> None:
    """Configs outside the usual paths are rewritten, each still answers as before, alone."""
    case = FIXTURES / "nginx-resolver" / "found-by-content"
    after_tree = migrated(case / "before", tmp_path, "nginx-resolver")
    for path in ("deploy/site.conf", "docker/web.conf.template", "legacy/frontend"):
        assert (after_tree / path).read_text() == (case / "after" / path).read_text()
        assert "resolver 127.0.0.11" in (after_tree / path).read_text()
    targets = ["/", "/x?status=302&location=http://django/next/", "/boom/?status=500"]
    before = serve_each(case / "before", tmp_path / "before", targets)
    after = serve_each(after_tree, tmp_path / "after", targets)
    assert len(after) == 4  # site.conf, web.conf.template, legacy/frontend, legacy/old-site.conf
    for name, (responses, _) in after.items():
        assert responses == before[name][0], name
