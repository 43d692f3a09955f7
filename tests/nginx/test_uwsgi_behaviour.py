"""Behaviour of the ``uwsgi_pass`` rewrite: a real nginx in front of a fake uWSGI server.

``nginx-resolver`` turns ``uwsgi_pass django_uwsgi;`` (an upstream) and ``uwsgi_pass
uwsgi://oldapp:3031;`` into ``uwsgi_pass $backend_...;``. The fixture
``nginx-resolver/uwsgi-fastcgi`` runs before and after (localised to loopback, see
``nginx.harness``) in front of a server that reads the uwsgi packet and answers its
variables as JSON: every variable the application sees must be identical.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import FIXTURES

from nginx.harness import free_port, needs_nginx, prepare, running_nginx

CASE = FIXTURES / "nginx-resolver" / "uwsgi-fastcgi"
# differ between two nginx runs whatever the config: the client's port, the work folder
PER_RUN = ("REMOTE_PORT", "DOCUMENT_ROOT")
REQUESTS = ["/", "/a%20b/c?x=1&y=%2F", "/legacy/page?q=1", "/old/", "/old/deep/path"]


def uwsgi_variables(packet: bytes) -> dict[str, str]:
    """Decode the variables of a uwsgi request packet (after its 4-byte header)."""
    variables, index = {}, 0
    while index < len(packet):
        (size,) = struct.unpack_from("<H", packet, index)
        key = packet[index + 2 : index + 2 + size].decode()
        index += 2 + size
        (size,) = struct.unpack_from("<H", packet, index)
        variables[key] = packet[index + 2 : index + 2 + size].decode()
        index += 2 + size
    return variables


def answer(connection: socket.socket) -> None:
    """Read one uwsgi request and answer its variables as a JSON HTTP response."""
    with connection:
        header = b""
        while len(header) < 4:
            header += connection.recv(4 - len(header))
        _, size, _ = struct.unpack("<BHB", header)
        packet = b""
        while len(packet) < size:
            packet += connection.recv(size - len(packet))
        variables = {k: v for k, v in uwsgi_variables(packet).items() if k not in PER_RUN}
        body = json.dumps(variables, sort_keys=True).encode()
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )


@contextmanager
def uwsgi_backend() -> Iterator[int]:
    """A fake uWSGI server on a loopback port, stopped on exit."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            answer(connection)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def fetch_raw(port: int, target: str) -> tuple[int, str]:
    """Send one GET and return the status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def served(tree: Path, work: Path, port: int) -> list[tuple[int, str]]:
    """Run nginx on a tree in front of the fake uWSGI server and send every request."""
    work.mkdir()
    with uwsgi_backend() as backend_port:
        configs = prepare(
            tree, work, backend=f"127.0.0.1:{backend_port}", listen=f"127.0.0.1:{port}"
        )
        assert len(configs) == 1, configs
        with running_nginx(configs[0], work, port):
            return [fetch_raw(port, target) for target in REQUESTS]


@needs_nginx
def test_variable_uwsgi_pass_sends_the_same_variables(tmp_path: Path) -> None:
    port = free_port()
    before = served(CASE / "before", tmp_path / "before", port)
    after = served(CASE / "after", tmp_path / "after", port)
    assert [status for status, _ in before] == [200] * len(REQUESTS)
    assert "REQUEST_URI" in json.loads(before[1][1])
    assert json.loads(before[1][1])["QUERY_STRING"] == "x=1&y=%2F"
    assert after == before
