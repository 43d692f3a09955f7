"""The check kinds on their own: Compose variants and environments, nginx entries, scrubbing."""

from __future__ import annotations

from pathlib import Path

import pytest

from redpanda_migrate.verify.compose import ComposeCheck, compose_command, variants
from redpanda_migrate.verify.model import Probe, first_lines
from redpanda_migrate.verify.nginx import NginxCheck, nginx_binary
from redpanda_migrate.verify.python_checks import settings_module
from redpanda_migrate.verify.scratch import ScratchCopy


def test_variants_are_the_default_pair_then_each_other_file() -> None:
    found = variants(
        ["docker-compose.yml", "docker-compose.override.yml", "docker-compose.prod.yml"]
    )
    assert found == [
        ("docker-compose.yml", "docker-compose.override.yml"),
        ("docker-compose.prod.yml",),
        ("docker-compose.yml", "docker-compose.prod.yml"),
    ]


def test_compose_regression_names_variables_never_values() -> None:
    check = ComposeCheck(["docker-compose"], 10)
    before = Probe("c", True, facts={"web": {"A": "secret-a", "B": "b"}, "db": {"P": "p"}})
    scoped = Probe("c", True, facts={"web": {"A": "secret-a"}, "db": {"P": "p"}})
    assert check.regression(before, scoped) is None  # scoping may take variables away
    worse = Probe("c", True, facts={"web": {"A": "other", "C": "c"}})
    problem = check.regression(before, worse)
    assert problem == (
        "service db is gone\nservice web: C appears\nservice web: A changes value (values hidden)"
    )
    assert "secret-a" not in problem and "other" not in problem


@pytest.mark.skipif(compose_command() is None, reason="docker compose is needed")
def test_compose_probe_uses_a_placeholder_env_and_resolves_env_files(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: x\n    env_file: web.env\n"
        "    environment:\n      A: ${FROM_DOTENV:-unset}\n"
    )
    scratch = ScratchCopy(project)
    try:
        command = compose_command()
        assert command is not None
        (probe,) = ComposeCheck(command, 60).probe(scratch, []).values()
    finally:
        scratch.close()
    assert probe.ok, probe.output
    assert probe.facts == {"web": {"A": "unset"}}
    assert not (project / ".env").exists() and not (project / "web.env").exists()


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is needed")
def test_nginx_tests_each_entry_on_its_own_with_includes_and_hosts(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "nginx" / "snippets").mkdir(parents=True)
    (project / "nginx" / "snippets" / "proxy.conf").write_text("proxy_set_header Host $host;\n")
    (project / "nginx" / "nginx.conf").write_text(
        "user nginx;\npid /run/nginx.pid;\nevents {}\nhttp {\n"
        "    include /etc/nginx/mime.types;\n    access_log /var/log/nginx/access.log;\n"
        "    upstream app { server web:8000; }\n"
        "    server {\n        listen 80;\n        location / {\n"
        "            proxy_pass http://app;\n"
        "            include /etc/nginx/snippets/proxy.conf;\n        }\n"
        "        location /api/ { proxy_pass http://api:9000; }\n    }\n}\n"
    )
    (project / "nginx" / "site.conf").write_text(
        "server {\n    listen 80;\n    location / { proxy_pass http://${APP_HOST}:${APP_PORT}; }\n"
        "    location /x/ { proxy_pass http://web:8000; }\n}\n"
    )
    scratch = ScratchCopy(project)
    try:
        binary = nginx_binary()
        assert binary is not None
        probes = NginxCheck(binary, 60).probe(scratch, [])
    finally:
        scratch.close()
    # the snippet is tested through the file including it; the other two each on their own
    assert sorted(probes) == ["nginx/nginx.conf", "nginx/site.conf"]
    assert all(probe.ok for probe in probes.values()), probes


def test_scratch_output_is_project_relative_and_scrubbed(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / ".env").write_text("DATABASE_PASSWORD=hunter2-long-value\n")
    (project / ".venv").mkdir()
    (project / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    scratch = ScratchCopy(project)
    try:
        assert not (scratch.root / ".venv").exists()  # virtualenvs are not copied
        shown = scratch.scrub(f"{scratch.root}/app/x.py: password hunter2-long-value rejected")
    finally:
        scratch.close()
    assert shown == "app/x.py: password *** rejected"
    assert not scratch.folder.exists()


def test_settings_module_is_read_without_running_manage_py() -> None:
    text = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "conf.settings.dev")\n'
    assert settings_module(text) == "conf.settings.dev"
    assert settings_module("def (:\n") is None


def test_first_lines_of_a_traceback_are_its_end() -> None:
    output = "Traceback (most recent call last):\n" + "  frame\n" * 20 + "ValueError: bad\n"
    assert first_lines(output) == ["ValueError: bad"]
    chained = output + "\nDuring handling...\n\nTraceback (most recent call last):\n  x\n"
    chained += "django.db.transaction.TransactionManagementError: in atomic block\n"
    assert first_lines(chained) == [
        "ValueError: bad",
        "django.db.transaction.TransactionManagementError: in atomic block",
    ]
    assert first_lines("one\n\ntwo\nthree\n", 2) == ["one", "two"]


def test_the_project_virtualenv_is_found_in_the_project_not_the_copy(tmp_path: Path) -> None:
    from redpanda_migrate.verify.python_checks import project_interpreter

    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert project_interpreter(tmp_path, None) == tmp_path / ".venv" / "bin" / "python"
    assert project_interpreter(tmp_path, Path("/x/python")) == Path("/x/python")
    scratch = ScratchCopy(tmp_path)
    try:
        assert scratch.project == tmp_path and not (scratch.root / ".venv").exists()
    finally:
        scratch.close()
