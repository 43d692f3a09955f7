"""memcached-backend in a real Django against a real memcached, before and after.

The migrated settings of the fixture project are loaded by Django 5.2 in a subprocess: with
``KVDB_LOCATION``/``KVDB_PREFIX`` set, values go to that server under that prefix (read back
with a raw pymemcache client); without them, the location and prefix are exactly the old
literals. The settings from before fail on Django 5.2, where ``MemcachedCache`` is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import FIXTURES, copy_tree

MEMCACHED = shutil.which("memcached") or "/usr/bin/memcached"
CASE = FIXTURES / "memcached-backend" / "python-memcached"
needs_memcached = pytest.mark.skipif(
    not Path(MEMCACHED).exists(), reason="memcached (Debian package) is not installed"
)
PROBE = """
import json, django
django.setup()
from django.core.cache import caches
try:
    cache = caches["default"]
except Exception as error:
    print(json.dumps({"error": type(error).__name__}))
    raise SystemExit(0)
answer = {"backend": type(cache).__name__, "servers": cache._servers,
          "prefix": cache.key_prefix, "key": cache.make_key("greeting")}
if answer["servers"] != ["127.0.0.1:11211"]:
    cache.set("greeting", {"hello": "world"})
    answer["read_back"] = cache.get("greeting")
print(json.dumps(answer))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def memcached_port() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [MEMCACHED, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-u", "nobody", "-m", "8"]
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def probe(project: Path, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KVDB_")}
    environment |= {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(project), **env}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


@needs_memcached
def test_migrated_cache_reads_its_location_and_prefix_from_the_environment(
    tmp_path: Path, memcached_port: int
) -> None:
    pymemcache = pytest.importorskip("pymemcache")
    after = copy_tree(CASE / "after", tmp_path / "after")
    location = f"127.0.0.1:{memcached_port}"
    answer = probe(after, KVDB_LOCATION=location, KVDB_PREFIX="shop")
    assert answer["backend"] == "PyMemcacheCache"
    assert answer["servers"] == [location]
    assert answer["key"] == "shop:1:greeting"
    assert answer["read_back"] == {"hello": "world"}
    raw = pymemcache.Client(("127.0.0.1", memcached_port))
    assert raw.get("shop:1:greeting") is not None  # the value is on that server, prefixed
    raw.close()


def test_without_the_variables_the_old_location_and_prefix_stay(tmp_path: Path) -> None:
    pytest.importorskip("pymemcache")
    after = copy_tree(CASE / "after", tmp_path / "after")
    for env in ({}, {"KVDB_LOCATION": "", "KVDB_PREFIX": ""}):  # unset, or a copied template
        answer = probe(after, **env)
        assert answer["servers"] == ["127.0.0.1:11211"]
        assert answer["prefix"] == ""
        assert answer["key"] == ":1:greeting"


def test_the_old_backend_no_longer_loads_on_current_django(tmp_path: Path) -> None:
    before = copy_tree(CASE / "before", tmp_path / "before")
    assert probe(before) == {"error": "InvalidCacheBackendError"}
