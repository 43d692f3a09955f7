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
PORT = free_port()
BACKEND_PORT = 0


def fetch(port: int, target: str, headers: dict[str, str] | None = None) -> dict:
    """Send a GET; return the status, every value of each security header and the backend's view."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", target, headers=headers or {})
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
        }
    finally:
        connection.close()


def serve_each(tree: Path, work: Path, targets: list[str]) -> dict[str, tuple[list[dict], str]]:
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
