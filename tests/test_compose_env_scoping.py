"""compose-env-scoping: the effective environment of every service, before and after.

A real Compose implementation (``docker-compose config``, Debian's v1 package, no daemon
needed) resolves every fixture project before and after the codemod: every variable a service
keeps has the identical value, and every variable it loses is one the codemod reported as no
longer passed and that the project's code never names. Values are compared, never printed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from harness import FIXTURES, all_cases, copy_tree, run_cli, run_codemod
from redpanda_migrate.codemods import compose_env_scoping as module
from redpanda_migrate.codemods._compose_consumers import (
    HTTP_ONLY,
    MAIL_PREFIX,
    image_name,
    resolve_script,
    script_paths,
)
from redpanda_migrate.codemods._compose_dotfiles import dotenv_line, ensure_ignored, update_example
from redpanda_migrate.codemods._compose_yaml import is_compose_file
from redpanda_migrate.codemods._envvars import EnvUsage, scan_python, shared_instances
from ruamel.yaml import YAML

from redpanda_migrate.secrets import env_values

CODEMOD_ID = "compose-env-scoping"
DOCKER_COMPOSE = shutil.which("docker-compose")
CASES = [case for case in all_cases() if case.codemod_id == CODEMOD_ID]
PROJECTS = [case.before for case in CASES] + [FIXTURES / "legacy-project"]
PROJECT_IDS = [p.parent.name if p.name == "before" else p.name for p in PROJECTS]
DROPPED_NOTE = re.compile(
    r"^(?P<service>[\w.-]+): env_file replaced .*no longer passed: (?P<names>.*)$"
)


def compose_environments(project: Path) -> dict[str, tuple[dict, bool]] | None:
    """Resolve each service's environment (and whether it builds) with ``docker-compose config``.

    :returns: ``None`` when Compose v1 cannot load the project.
    """
    result = subprocess.run(
        [DOCKER_COMPOSE, "config"],
        cwd=project,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        return None
    config = YAML(typ="safe").load(result.stdout)
    return {
        name: (dict(service.get("environment") or {}), "build" in service)
        for name, service in (config.get("services") or {}).items()
    }


def downgrade_long_syntax(project: Path) -> bool:
    """Rewrite ``env_file`` long syntax (Compose v2.24+) for v1, as v2 reads it.

    ``{path, required: false}`` entries whose file is missing are dropped, the others become
    plain paths. Only the *before* copy is downgraded, to get the reference environment.

    :returns: ``True`` when a file was rewritten.
    """
    yaml = YAML()
    changed = False
    for path in project.glob("*compose*.y*ml"):
        try:
            document = yaml.load(path.read_text())
        except Exception:  # an invalid file stays invalid: no reference environment
            continue
        for service in (document.get("services") or {}).values():
            entries = service.get("env_file") if isinstance(service, dict) else None
            if not isinstance(entries, list) or not any(isinstance(e, dict) for e in entries):
                continue
            service["env_file"] = [
                e["path"] if isinstance(e, dict) else e
                for e in entries
                if not isinstance(e, dict)
                or e.get("required", True)
                or (path.parent / e["path"]).exists()
            ]
            changed = True
        if changed:
            with path.open("w") as stream:
                yaml.dump(document, stream)
    return changed


def names_in_code(project: Path) -> set[str]:
    """Every identifier-like word of the project's Python files, which every Django service runs.

    An independent, cruder check than the codemod's analysis (scripts are per service, so the
    fixtures' expected output covers them).
    """
    words: set[str] = set()
    for path in project.rglob("*.py"):
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", path.read_text()))
    return words


def env_file_values(project: Path) -> set[str]:
    """Every value of every env file of a project (to prove none is ever shown)."""
    values: set[str] = set()
    for path in project.rglob("*"):
        if path.is_file() and (path.name.startswith(".env") or path.suffix == ".env"):
            if path.name.endswith(".example"):
                continue
            values |= {v for v in env_values(path.read_text()).values() if v and len(v) >= 4}
    return values


def dropped_by_note(report: dict) -> dict[str, set[str]]:
    """The variables each service no longer sees, as the codemod's notes say."""
    dropped: dict[str, set[str]] = {}
    for note in report["notes"]:
        match = DROPPED_NOTE.match(note["message"])
        if match:
            dropped[match["service"]] = set(match["names"].split(", "))
    return dropped


@pytest.mark.skipif(DOCKER_COMPOSE is None, reason="docker-compose (Debian package) not installed")
@pytest.mark.parametrize("before", PROJECTS, ids=PROJECT_IDS)
def test_effective_environment_is_kept(before: Path, tmp_path: Path) -> None:
    project = copy_tree(before, tmp_path / "project")
    environments_before = compose_environments(project)
    reference = copy_tree(before, tmp_path / "reference")
    if environments_before is None and downgrade_long_syntax(reference):
        environments_before = compose_environments(reference)
    if environments_before is None:
        pytest.skip("docker-compose v1 cannot load this case (e.g. env_file long syntax)")
    _, report = run_codemod(project, CODEMOD_ID)
    environments_after = compose_environments(project)
    assert environments_after is not None, "the rewritten project no longer loads"
    dropped_notes = dropped_by_note(report)
    code_names = names_in_code(project)
    assert set(environments_after) == set(environments_before)
    for service, (after, _) in environments_after.items():
        old, builds = environments_before[service]
        changed = sorted(name for name in after if name not in old or old[name] != after[name])
        assert not changed, f"{service}: values differ or appeared for {changed}"
        lost = set(old) - set(after)
        unexplained = sorted(lost - dropped_notes.get(service, set()))
        assert not unexplained, f"{service}: lost {unexplained} without a note"
        if builds:
            http_only = {n for n in lost if n in HTTP_ONLY or n.startswith(MAIL_PREFIX)}
            named = sorted((lost - http_only) & code_names)
            assert not named, f"{service}: lost {named}, which the project's code names"


@pytest.mark.parametrize("before", PROJECTS, ids=PROJECT_IDS)
def test_no_env_value_is_ever_shown(before: Path, tmp_path: Path) -> None:
    project = copy_tree(before, tmp_path / "project")
    secrets = env_file_values(project)
    committed = "".join(
        path.read_text()
        for path in project.rglob("*")
        if path.is_file() and path.name not in (".env",) and not path.name.endswith(".env")
    )
    code, stdout, stderr = run_cli("run", str(project), "--select", CODEMOD_ID, "--dry-run")
    _, json_report = run_codemod(project, CODEMOD_ID, "--dry-run")
    shown = stdout + stderr + str(json_report)
    leaked = [value for value in secrets if value in shown and value not in committed]
    assert not leaked, f"{len(leaked)} env-file values appear in the output"
    written = "".join(
        path.read_text()
        for path in project.rglob("*")
        if path.is_file() and path.name in (".env.example", ".gitignore", ".dockerignore")
    )
    assert not [value for value in secrets if value in written]
    after_env = before.parent / "after" / ".env"
    before_env = before / ".env"
    if after_env.exists() and (
        not before_env.exists() or after_env.read_bytes() != before_env.read_bytes()
    ):
        assert re.search(r"(?m)^would change: \.env: \d+ keys added \(values hidden\)$", stderr)


def test_case_list_is_not_empty() -> None:
    assert CASES


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
