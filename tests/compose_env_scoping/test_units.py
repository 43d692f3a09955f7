"""compose-env-scoping: the pieces, one at a time (reads, scripts, images, dotfiles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES, copy_tree, run_codemod
from redpanda_migrate.codemods.compose_env_scoping import codemod as module
from redpanda_migrate.codemods.compose_env_scoping.consumers import (
    image_name,
    resolve_script,
    script_paths,
)
from redpanda_migrate.codemods.compose_env_scoping.dotfiles import (
    dotenv_line,
    ensure_ignored,
    update_example,
)
from redpanda_migrate.codemods.compose_env_scoping.python_loaders import (
    DECOUPLE_SEARCH,
    DOTENV_SEARCH,
    FIXED,
    dotenv_loads,
    may_be_root_dotenv,
    root_dotenv_loads,
)
from redpanda_migrate.codemods.compose_env_scoping.services import dockerfile_base
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import is_compose_file
from redpanda_migrate.codemods.shared.envvars import EnvUsage, scan_python, shared_instances

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


# -- the project's Python code loading the root .env -------------------------------------------


@pytest.mark.parametrize(
    ("source", "search"),
    [
        ("import dotenv\ndotenv.load_dotenv()\n", DOTENV_SEARCH),
        ("from dotenv import load_dotenv, find_dotenv\nload_dotenv(find_dotenv())\n", "dotenv"),
        ("from dotenv import dotenv_values\nV = dotenv_values()\n", DOTENV_SEARCH),
        ('from dotenv import load_dotenv\nload_dotenv(".env")\n', FIXED),
        ('from dotenv import load_dotenv\nload_dotenv("../.env")\n', FIXED),
        ("from dotenv import load_dotenv\nload_dotenv(BASE_DIR / '.env')\n", FIXED),
        ("from dotenv import *\nload_dotenv(find_dotenv(usecwd=True))\n", FIXED),
        ('from dotenv import load_dotenv\nload_dotenv("project/.env")\n', None),
        ('from dotenv import load_dotenv\nload_dotenv(".env.local")\n', None),
        ("from dotenv import *\nload_dotenv(find_dotenv('.env.test'))\n", None),
        ("import environ\nenviron.Env.read_env()\n", FIXED),
        ("import environ\nenv = environ.Env()\nenv.read_env(str(ROOT / '.env'))\n", FIXED),
        ('import environ\nenviron.Env.read_env("/etc/app.env")\n', None),
        ("from decouple import config\nA = config('A')\n", DECOUPLE_SEARCH),
        ("from decouple import AutoConfig\nconfig = AutoConfig(search_path=BASE)\n", FIXED),
        ("from decouple import Config, RepositoryEnv\nc = Config(RepositoryEnv('.env'))\n", FIXED),
        (
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_file='.env')\n",
            FIXED,
        ),
        (
            "from pydantic import BaseSettings\nclass S(BaseSettings):\n"
            "    class Config:\n        env_file = None\n",
            None,
        ),
        ("import os\nA = os.environ.get('X')\n", None),
    ],
)
def test_dotenv_loads(source: str, search: str | None) -> None:
    found = dotenv_loads("config/settings.py", source)
    assert [load.search for load in found] == ([search] if search else [])


@pytest.mark.parametrize(
    ("path", "expected"),
    [(".env", True), ("./.env", True), ("../../.env", True), ("app/.env", False),
     ("/srv/.env", False), (".env.prod", False)],
)  # fmt: skip
def test_may_be_root_dotenv(path: str, expected: bool) -> None:
    assert may_be_root_dotenv(path) is expected


def test_a_nearer_dotenv_shields_upward_searches_only() -> None:
    texts = {
        "project/manage.py": "import dotenv\ndotenv.load_dotenv()\n",
        "project/config/settings.py": "from decouple import config\nA = config('A')\n",
        "tools/run.py": "from dotenv import load_dotenv\nload_dotenv('.env')\n",
    }
    loads, shielded = root_dotenv_loads(texts, {*texts, "project/.env"})
    assert [(load.path, load.how) for load in loads] == [("tools/run.py", "dotenv.load_dotenv")]
    assert {(load.path, nearer) for load, nearer in shielded} == {
        ("project/manage.py", "project/.env"),
        ("project/config/settings.py", "project/.env"),
    }
    # decouple also stops at settings.ini, even at the root; python-dotenv does not
    loads, _ = root_dotenv_loads(
        {k: v for k, v in texts.items() if "tools" not in k}, {*texts, "settings.ini"}
    )
    assert [load.path for load in loads] == ["project/manage.py"]


def test_secret_reads_names_the_dotenv_files_that_may_shield() -> None:
    texts = {"project/config/settings.py": "import dotenv\ndotenv.load_dotenv()\n"}
    assert list(module.secret_env_files(texts)) == ["project/config/.env", "project/.env"]


def _probe(project: Path) -> dict[str, str]:
    """What python-dotenv gives each file that calls load_dotenv, as a bare-Python run sees it.

    A real python-dotenv search, run from the project root in a fresh interpreter; values are
    compared as digests, never printed.
    """
    seen = {}
    for caller in sorted(project.rglob("*.py")):
        if "load_dotenv(" not in caller.read_text():
            continue
        probe = caller.with_name("_dotenv_probe.py")
        probe.write_text(
            "import hashlib, json, dotenv\n"
            "values = dotenv.dotenv_values(dotenv.find_dotenv())\n"
            "print(hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest())\n"
        )
        result = subprocess.run(
            [sys.executable, str(probe)], cwd=project, capture_output=True, text=True, check=True
        )
        probe.unlink()
        seen[str(caller.relative_to(project))] = result.stdout
    return seen


@pytest.mark.parametrize("case", ["python-loads-root-dotenv", "nested-dotenv-shield"])
def test_bare_python_dotenv_is_unchanged(tmp_path: Path, case: str) -> None:
    project = copy_tree(FIXTURES / "compose-env-scoping" / case / "before", tmp_path / "p")
    compose = (project / "docker-compose.yml").read_text()
    before = _probe(project)
    run_codemod(project, "compose-env-scoping")
    assert before and _probe(project) == before
    assert (project / "docker-compose.yml").read_text() != compose  # and the rule still ran
