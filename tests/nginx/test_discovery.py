"""Which files the nginx codemods treat as nginx configs: by place, and elsewhere by content."""

from __future__ import annotations

from pathlib import Path

from harness import run_cli, run_codemod
from redpanda_migrate.codemods.nginx.discover import load_project

AUTORELOAD = "#!/bin/sh\nwhile inotifywait /etc/nginx; do\n    nginx -s reload\ndone\n"
SERVER = (
    "server {\n    listen 80;\n    location / {\n        proxy_pass http://web:8000;\n    }\n}\n"
)


def test_configs_anywhere_are_kept_by_content() -> None:
    project = load_project(
        {
            "deploy/site.conf": SERVER.replace("    listen 80;\n", "    include proxy.conf;\n"),
            "deploy/proxy.conf": "proxy_set_header Host $host;\n",  # included: kept
            "docker/web.conf.template": SERVER,
            "config/tuning.conf": "keepalive_timeout 65;\n",  # nginx syntax, nothing of a site
            "config/redis.conf": "bind 0.0.0.0\nport 6379\n",  # not nginx: silently left out
            "nginx/snippets/gzip.conf": "gzip on;\n",  # the usual place: kept
        }
    )
    assert sorted(project.files) == [
        "deploy/proxy.conf",
        "deploy/site.conf",
        "docker/web.conf.template",
        "nginx/snippets/gzip.conf",
    ]
    assert project.errors == []


def test_a_broken_config_outside_nginx_folders_is_reported_only_when_it_is_clearly_nginx() -> None:
    project = load_project(
        {
            "deploy/site.conf": "server {\n    listen 80\n}\n",  # missing ;
            "nginx/99-autoreload.sh": AUTORELOAD,
        }
    )
    assert [error.path for error in project.errors] == ["deploy/site.conf"]


def test_family_options_add_and_exclude_paths(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "frontend").write_text(SERVER)
    (tmp_path / "deploy" / "old.conf").write_text(SERVER)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.redpanda-migrate.nginx]\ninclude = ["deploy/frontend"]\n'
        'exclude = ["deploy/old.conf"]\n'
    )
    code, report = run_codemod(tmp_path, "nginx-resolver")
    assert code == 0, report
    assert sorted(change["path"] for change in report["changes"]) == ["deploy/frontend"]
    assert (tmp_path / "deploy" / "old.conf").read_text() == SERVER


def test_an_unknown_family_table_is_refused_with_the_valid_names(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.redpanda-migrate.ngnix]\ninclude = ["x"]\n')
    code, _, stderr = run_cli("run", str(tmp_path))
    assert code == 2
    assert "unknown codemod id(s): ngnix" in stderr and "nginx" in stderr.split("valid ids")[1]
