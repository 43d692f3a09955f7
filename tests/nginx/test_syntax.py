"""Every nginx config the codemods produce (and the legacy project's) passes a real ``nginx -t``.

Each ``after/`` tree of ``fixtures/nginx-*`` (the ``before/`` tree for cases that must stay
untouched) is copied and localised (see ``nginx.harness``): container host names become
``127.0.0.1`` because ``nginx -t`` resolves upstream servers and literal ``proxy_pass`` hosts,
and ``/etc/nginx/...`` includes point at the tree's own snippets. conf.d snippets are wrapped in
``events {} http { include ...; }``; full configs are tested as they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FIXTURES, all_cases
from redpanda_migrate.codemods.nginx.config import parse_text

from nginx.harness import needs_nginx, nginx_test, prepare

NGINX_CASES = [case for case in all_cases() if case.codemod_id.startswith("nginx-")]
# cases whose input is deliberately not a valid nginx configuration
INVALID_ON_PURPOSE = {"not-nginx"}
# .conf files of other programs that a case holds on purpose (the codemods must skip them)
OTHER_PROGRAMS = {("found-by-content", "supervisord.conf"), ("found-by-content", "redis.conf")}


def trees() -> list[tuple[str, Path]]:
    found = [
        (case.id, case.after) for case in NGINX_CASES if case.folder.name not in INVALID_ON_PURPOSE
    ]
    return [*found, ("legacy-project", FIXTURES / "legacy-project")]


@needs_nginx
@pytest.mark.parametrize(("case_id", "tree"), trees(), ids=[case_id for case_id, _ in trees()])
def test_output_passes_nginx_t(case_id: str, tree: Path, tmp_path: Path) -> None:
    configs = prepare(tree, tmp_path)
    assert configs, f"{case_id}: no nginx config found"
    for config in configs:
        result = nginx_test(config, tmp_path)
        assert result.returncode == 0, f"{case_id}: {config.name}\n{result.stderr}"


def test_fixture_trees_parse_in_their_context() -> None:
    for case in NGINX_CASES:
        if case.folder.name in INVALID_ON_PURPOSE:
            continue
        for path in case.after.rglob("*.conf"):
            if (case.folder.name, path.name) not in OTHER_PROGRAMS:
                parse_text(path.name, path.read_text())
