"""compose-env-scoping: the pieces, one at a time (reads, scripts, images, dotfiles)."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods import compose_env_scoping as module
from redpanda_migrate.codemods._compose_build import dockerfile_base
from redpanda_migrate.codemods._compose_consumers import (
    image_name,
    resolve_script,
    script_paths,
)
from redpanda_migrate.codemods._compose_dotfiles import dotenv_line, ensure_ignored, update_example
from redpanda_migrate.codemods._compose_yaml import is_compose_file
from redpanda_migrate.codemods._envvars import EnvUsage, scan_python, shared_instances

from redpanda_migrate.secrets import env_values


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('import os\nA = os.environ["X"]\n', {("X", False)}),
        ('import os\nA = os.environ.get("X")\n', {("X", True)}),
        ('import os\nA = os.getenv("X", "d")\n', {("X", True)}),
        ('from os import environ\nA = environ.get("X", "1")\n', {("X", True)}),
        ('import os\nA = "X" in os.environ\n', {("X", True)}),
        ('import os\nos.environ["X"] = "1"\n', set()),
        (
            'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "c")\n',
            {("DJANGO_SETTINGS_MODULE", True)},
        ),
        (
            "import environ\nenv = environ.Env(DEBUG=(bool, False))\n"
            'A = env("DEBUG")\nB = env.list("ALLOWED_HOSTS")\nC = env.db()\n'
            'D = env.str("E", default="x")\n',
            {("DEBUG", True), ("ALLOWED_HOSTS", False), ("DATABASE_URL", False), ("E", True)},
        ),
        (
            "from decouple import config, Csv\n"
            'A = config("SECRET_KEY")\nB = config("DEBUG", default=False, cast=bool)\n',
            {("SECRET_KEY", False), ("DEBUG", True)},
        ),
        (
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class S(BaseSettings):\n"
            '    model_config = SettingsConfigDict(env_prefix="APP_")\n'
            "    token: str\n    debug: bool = False\n",
            {("APP_token", False), ("APP_debug", True)},
        ),
    ],
)
def test_python_reads(source: str, expected: set[tuple[str, bool]]) -> None:
    usage = EnvUsage()
    scan_python("settings.py", source, usage)
    assert {(read.name, read.has_default) for read in usage.reads} == expected
    assert usage.dynamic == []


@pytest.mark.parametrize(
    "source",
    [
        "import os\nENV = dict(os.environ)\n",
        "import os\nA = os.environ[NAME]\n",
        'import os\nA = os.getenv(f"{P}_X")\n',
        "from os import environ\nfor key in environ:\n    pass\n",
    ],
)
def test_dynamic_reads(source: str) -> None:
    usage = EnvUsage()
    scan_python("settings.py", source, usage)
    assert usage.dynamic


def test_secret_reads_names_env_files() -> None:
    texts = {
        "docker-compose.yml": "services:\n  a:\n    env_file: [.env, config/web.env]\n"
        "  b:\n    env_file:\n      - path: ../outside.env\n",
    }
    assert list(module.secret_env_files(texts)) == [".env", "config/web.env"]


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("postgres:16-alpine", "postgres"),
        ("docker.io/library/redis:7@sha256:abc", "redis"),
        ("ghcr.io/acme/app:1", "ghcr.io/acme/app"),
        ("localhost:5000/postgres", "localhost:5000/postgres"),
    ],
)
def test_image_name(image: str, name: str) -> None:
    assert image_name(image) == name


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("docker-compose.yml", True),
        ("docker-compose.override.yaml", True),
        ("docker-compose.prod.yml", True),
        ("compose.yaml", True),
        ("compose.override.yml", True),
        ("composer.yml", False),
        ("deploy/compose.yml", True),
        ("docker-compose.json", False),
    ],
)
def test_is_compose_file(path: str, expected: bool) -> None:
    assert is_compose_file(path) is expected


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("plain", "K=plain\n"),
        ("a b # c", "K='a b # c'\n"),
        ("it's", None),
        ("back\\slash", None),
    ],
)
def test_dotenv_line_reads_back(value: str, line: str | None) -> None:
    written = dotenv_line("K", value)
    assert written == line
    if written is not None:
        assert env_values(written) == {"K": value}


def test_ignore_files() -> None:
    assert ensure_ignored(None, True, True) == ".env\n"
    assert ensure_ignored(None, False, False) is None
    assert ensure_ignored("*.pyc", True, True) == "*.pyc\n.env\n"
    assert ensure_ignored(".env*\n", True, True) == ".env*\n!.env.example\n"
    assert ensure_ignored("/.env\n", True, True) is None


def test_example_never_copies_values() -> None:
    text = update_example(None, set(), {"SECRET_KEY": ("web",), "DEBUG": ("web", "worker")})
    assert text is not None
    assert "SECRET_KEY=change-me\n" in text
    assert "# Consumed by: web, worker\nDEBUG=\n" in text
    assert update_example(text, {"SECRET_KEY", "DEBUG"}, {"DEBUG": ("web",)}) is None


def test_reads_through_an_imported_env_instance() -> None:
    shared = shared_instances("import environ\nenv = environ.Env()\n")
    assert shared == {"env": "environ"}
    for source in (
        'from .base import env\nA = env("USE_DOCKER")\n',
        'from .base import *\nA = env.bool("USE_DOCKER")\n',
    ):
        usage = EnvUsage()
        scan_python("config/settings/local.py", source, usage, shared)
        assert {(read.name, read.has_default) for read in usage.reads} == {("USE_DOCKER", False)}
    usage = EnvUsage()
    scan_python("other.py", 'A = env("USE_DOCKER")\n', usage, shared)
    assert usage.reads == []


@pytest.mark.parametrize(
    ("command", "scripts"),
    [
        ("/start-flower", ["/start-flower"]),
        ('sh -c "python manage.py migrate && /start"', ["/start"]),
        ("exec /usr/local/bin/gunicorn config.wsgi --chdir /app", []),
        ("./bin/run.sh --fast", ["./bin/run.sh"]),
    ],
)
def test_script_paths(command: str, scripts: list[str]) -> None:
    assert script_paths((command,)) == scripts


def test_resolve_script_through_dockerfile_copies() -> None:
    paths = ["compose/flower/start", "compose/local/start", "compose/prod/start", "app/run.sh"]
    copies = (("/start-flower", "compose/flower/start"), ("/app", ""))
    assert resolve_script("/start-flower", copies, paths) == "compose/flower/start"
    assert resolve_script("/app/app/run.sh", copies, paths) == "app/run.sh"
    assert resolve_script("/start", copies, paths) is None  # two candidates: undecided


@pytest.mark.parametrize(
    ("dockerfile", "base"),
    [
        ("FROM docker.io/postgres:16\nCOPY ./initdb /initdb/\n", "docker.io/postgres:16"),
        ("FROM redis:7 AS base\n\nFROM base\nCMD redis-server\n", "redis:7"),
        ("FROM python:3.12 AS build\nFROM --platform=linux/amd64 postgres:16\n", "postgres:16"),
        ("ARG IMAGE=postgres:16\nFROM ${IMAGE}\n", None),
        ("RUN true\n", None),
    ],
)  # fmt: skip
def test_dockerfile_base(dockerfile: str, base: str | None) -> None:
    assert dockerfile_base(dockerfile) == base


def test_update_example_lists_bare_variables_with_an_empty_value() -> None:
    text = update_example(
        None, set(), {"API_TOKEN": ("web",), "DB_PASSWORD": ("web",)}, {"API_TOKEN"}
    )
    assert "API_TOKEN=\n" in text
    assert "DB_PASSWORD=change-me\n" in text
