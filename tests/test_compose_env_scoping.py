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
from redpanda_migrate.codemods._compose_consumers import (
    HTTP_ONLY,
    MAIL_PREFIX,
)
from redpanda_migrate.codemods._compose_stack import DEFAULT_FILES, default_selection
from redpanda_migrate.codemods._compose_yaml import is_compose_file
from ruamel.yaml import YAML

from redpanda_migrate.secrets import env_values

CODEMOD_ID = "compose-env-scoping"
DATA_IMAGES = re.compile(r"^(docker\.io/)?(library/)?(postgres|redis|mysql|mariadb|rabbitmq)(:|$)")
DOCKER_COMPOSE = shutil.which("docker-compose")
CASES = [case for case in all_cases() if case.codemod_id == CODEMOD_ID]
PROJECTS = [case.before for case in CASES] + [FIXTURES / "legacy-project"]
PROJECT_IDS = [p.parent.name if p.name == "before" else p.name for p in PROJECTS]
DROPPED_NOTE = re.compile(
    r"^(?P<service>[\w.-]+): env_file replaced .*no longer passed: (?P<names>.*)$"
)


def runs_project_code(service: dict) -> bool:
    """Tell whether a resolved service builds an image for the project's code.

    A crude, independent check: it builds, and its Dockerfile is not FROM a database, cache or
    broker image only (a custom postgres with init scripts runs no Django code).
    """
    build = service.get("build")
    if not build:
        return False
    build = build if isinstance(build, dict) else {"context": build}
    dockerfile = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
    if not dockerfile.is_file():
        return True
    text = dockerfile.read_text()
    stages = set(re.findall(r"(?im)^\s*FROM\s.*\sAS\s+(\S+)\s*$", text))
    bases = re.findall(r"(?im)^\s*FROM\s+(?:--\S+\s+)*(\S+)", text)
    images = [base for base in bases if base not in stages]
    return not images or not all(DATA_IMAGES.match(image) for image in images)


# The Compose specification's (and compose-go's) order: the first base file and the first
# override file present are the default files. docker-compose v1 prefers docker-compose.yml, so
# they are named with -f.
SPEC_BASE = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
SPEC_OVERRIDE = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


def compose_selections(project: Path) -> list[tuple[str, tuple[str, ...]]]:
    """The label and ``-f`` arguments of every way to load the root Compose files.

    The default files (the specification's first base and override file present) are loaded
    together, labelled ``default``; each other root Compose file (a per-environment variant such
    as ``docker-compose.local.yml``, or a base file another one shadows) on its own, labelled
    with its name.
    """
    names = sorted(path.name for path in project.iterdir() if is_compose_file(path.name))
    defaults = [
        next(name for name in order if name in names)
        for order in (SPEC_BASE, SPEC_OVERRIDE)
        if any(name in names for name in order)
    ]
    others = [(name, ("-f", name)) for name in names if name not in defaults]
    if not defaults:
        return others
    return [("default", tuple(a for name in defaults for a in ("-f", name))), *others]


def compose_environments(project: Path) -> dict[str, tuple[dict, bool]] | None:
    """Resolve each service's environment (and whether it builds) with ``docker-compose config``.

    Services are keyed ``<compose file>/<service>`` per selection (see :func:`compose_selections`);
    a selection that Compose v1 cannot load is left out.

    :returns: ``None`` when Compose v1 cannot load any selection of the project.
    """
    found: dict[str, tuple[dict, bool]] = {}
    loaded = False
    for label, selection in compose_selections(project):
        result = subprocess.run(
            [DOCKER_COMPOSE, *selection, "config"],
            cwd=project,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            continue
        loaded = True
        config = YAML(typ="safe").load(result.stdout)
        for name, service in (config.get("services") or {}).items():
            found[f"{label}/{name}"] = (
                dict(service.get("environment") or {}),
                runs_project_code(service),
            )
    return found if loaded else None


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
    """The variables each service no longer sees, as the codemod's notes say.

    Keyed like :func:`compose_environments`: ``default/<service>`` for the default files,
    ``<variant file>/<service>`` for the others.
    """
    dropped: dict[str, set[str]] = {}
    for note in report["notes"]:
        match = DROPPED_NOTE.match(note["message"])
        if match:
            label = note["path"] if note["path"] not in DEFAULT_FILES else "default"
            dropped[f"{label}/{match['service']}"] = set(match["names"].split(", "))
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
    for key, (after, _) in environments_after.items():
        old, builds = environments_before[key]
        changed = sorted(name for name in after if name not in old or old[name] != after[name])
        assert not changed, f"{key}: values differ or appeared for {changed}"
        lost = set(old) - set(after)
        unexplained = sorted(lost - dropped_notes.get(key, set()))
        assert not unexplained, f"{key}: lost {unexplained} without a note"
        if builds:
            http_only = {n for n in lost if n in HTTP_ONLY or n.startswith(MAIL_PREFIX)}
            named = sorted((lost - http_only) & code_names)
            assert not named, f"{key}: lost {named}, which the project's code names"


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


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write a small project (and commit nothing: the tool reads the work tree)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


WEB = "services:\n  web:\n    image: nginx\n    env_file: {env}\n"


def test_variant_files_are_scoped_on_their_own(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "docker-compose.local.yml": WEB.format(env=".envs/.local/.nginx"),
            "docker-compose.production.yml": WEB.format(env=".envs/.production/.nginx"),
            ".envs/.local/.nginx": "NGINX_HOST=fixture-same\nNGINX_PORT=8080\n",
            ".envs/.production/.nginx": "NGINX_HOST=fixture-same\nNGINX_PORT=80\n",
        },
    )
    _, report = run_codemod(project, CODEMOD_ID)
    reasons = sorted((r["path"], r["reason"]) for r in report["refusals"])
    assert [path for path, _ in reasons] == [
        "docker-compose.local.yml",
        "docker-compose.production.yml",
    ]
    for _, reason in reasons:
        assert (
            "NGINX_PORT has different values in the env files of docker-compose.local.yml, "
            in reason
        )
        assert "chosen with -f but all read the one root .env" in reason
        assert "NGINX_HOST" not in reason and "merge" not in reason


def test_variant_and_default_file_configuring_one_service_are_refused(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "docker-compose.yml": WEB.format(env=".env"),
            "docker-compose.prod.yml": WEB.format(env=".env.prod"),
            ".env": "NGINX_HOST=fixture-one\n",
            ".env.prod": "NGINX_HOST=fixture-one\n",
        },
    )
    _, report = run_codemod(project, CODEMOD_ID)
    reasons = {r["path"]: r["reason"] for r in report["refusals"]}
    assert (
        "docker-compose.prod.yml is loaded with -f, either on top of docker-compose.yml"
        in (reasons["docker-compose.yml"])
    )
    assert set(reasons) == {"docker-compose.yml", "docker-compose.prod.yml"}
    assert (project / "docker-compose.yml").read_text() == WEB.format(env=".env")


def test_variant_files_with_equal_values_are_both_rewritten(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "docker-compose.local.yml": WEB.format(env=".envs/.local/.nginx"),
            "docker-compose.production.yml": WEB.format(env=".envs/.production/.nginx"),
            ".envs/.local/.nginx": "NGINX_HOST=fixture-same\n",
            ".envs/.production/.nginx": "NGINX_HOST=fixture-same\nNGINX_PORT=80\n",
        },
    )
    _, report = run_codemod(project, CODEMOD_ID)
    assert report["refusals"] == []
    local = (project / "docker-compose.local.yml").read_text()
    production = (project / "docker-compose.production.yml").read_text()
    assert local.endswith("    environment:\n      - NGINX_HOST=${NGINX_HOST}\n")
    assert production.endswith(
        "      - NGINX_HOST=${NGINX_HOST}\n      - NGINX_PORT=${NGINX_PORT}\n"
    )
    assert env_values((project / ".env").read_text()) == {
        "NGINX_HOST": "fixture-same",
        "NGINX_PORT": "80",
    }


def test_binary_files_matched_by_broad_patterns_are_not_errors(tmp_path: Path) -> None:
    # compose-env-scoping reads start scripts (**/start*): an image called start.png is no script
    for path, content in {
        "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
        "static/img/start.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "compose/start.py": b"import os\x00",
    }.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content if isinstance(content, bytes) else content.encode())
    code, report = run_codemod(tmp_path, CODEMOD_ID)
    assert [error["path"] for error in report["errors"]] == ["compose/start.py"]
    assert code == 3


def own_keys(compose_text: str) -> dict[str, set[str]]:
    """Each service's own keys (merge keys left out), as YAML reads them."""
    services = YAML().load(compose_text)["services"]
    return {str(name): set(node._ok) for name, node in services.items()}


def test_cookiecutter_merging_services_get_their_own_blocks(tmp_path: Path) -> None:
    before = FIXTURES / "compose-env-scoping" / "cookiecutter-django-no-dotenv-loader" / "before"
    project = copy_tree(before, tmp_path / "project")
    old = compose_environments(project)
    run_codemod(project, CODEMOD_ID)
    new = compose_environments(project)
    assert old is not None and new is not None
    keys = own_keys((project / "docker-compose.local.yml").read_text())
    for service in ("django", "celeryworker", "celerybeat", "flower"):
        assert "env_file" not in keys[service] and "environment" in keys[service], service
    key = "docker-compose.local.yml/{}".format
    http_only = {"CSRF_TRUSTED_ORIGINS", "EMAIL_HOST", "EMAIL_PORT"}
    flower_auth = {"CELERY_FLOWER_USER", "CELERY_FLOWER_PASSWORD"}
    assert set(old[key("django")][0]) - set(new[key("django")][0]) == flower_auth
    for worker in ("celeryworker", "celerybeat"):
        assert set(old[key(worker)][0]) - set(new[key(worker)][0]) == http_only | flower_auth
    assert set(old[key("flower")][0]) - set(new[key("flower")][0]) == http_only
    for name, (environment, _) in new.items():
        assert all(old[name][0][var] == value for var, value in environment.items()), name


MERGED = (
    "services:\n  web: &django\n    build: .\n    command: gunicorn config.wsgi\n{anchor}"
    "    env_file: .env\n  worker:\n    <<: *django\n    command: celery -A config worker\n"
    "{worker}"
)
SETTINGS = (
    'import os\nA = os.environ.get("CSRF_TRUSTED_ORIGINS", "")\nB = os.environ["SECRET_KEY"]\n'
)


def merged_project(root: Path, anchor: str = "", worker: str = "", dotenv: str = "") -> Path:
    """A web service that is the anchor a worker merges (``<<: *django``)."""
    return write_project(
        root,
        {
            "docker-compose.yml": MERGED.format(anchor=anchor, worker=worker),
            ".env": dotenv or "CSRF_TRUSTED_ORIGINS=fixture-a\nSECRET_KEY=fixture-b\n",
            "Dockerfile": "FROM python:3.12\nCOPY . /app\n",
            "settings.py": SETTINGS,
        },
    )


def test_merging_service_that_keeps_nothing_gets_an_empty_block(tmp_path: Path) -> None:
    project = merged_project(tmp_path, dotenv="CSRF_TRUSTED_ORIGINS=fixture-a\n")
    run_codemod(project, CODEMOD_ID)
    text = (project / "docker-compose.yml").read_text()
    assert "    <<: *django\n    environment: []\n" in text
    environments = compose_environments(project) if DOCKER_COMPOSE else None
    if environments is not None:
        assert environments["default/worker"][0] == {}
        assert set(environments["default/web"][0]) == {"CSRF_TRUSTED_ORIGINS"}


def test_merging_service_with_its_own_environment_keeps_it(tmp_path: Path) -> None:
    project = merged_project(tmp_path, worker="    environment:\n      - C_FORCE_ROOT=1\n")
    run_codemod(project, CODEMOD_ID)
    text = (project / "docker-compose.yml").read_text()
    assert text.endswith(
        "    environment:\n      - C_FORCE_ROOT=1\n      - SECRET_KEY=${SECRET_KEY}\n"
    )
    assert text.count("environment:") == 2


@pytest.mark.parametrize(
    ("dotenv", "worker_block"),
    [
        # (a) the worker needs SECRET_KEY: its own block copies the DEBUG it inherited
        ("", "      - DEBUG=0\n      - SECRET_KEY=${SECRET_KEY}\n"),
        # (b) only web gains an entry: the worker keeps a copy of what it inherited, no more
        ("CSRF_TRUSTED_ORIGINS=fixture-a\n", "      - DEBUG=0\n"),
    ],
)
def test_merging_service_gets_a_copy_of_the_environment_it_inherited(
    tmp_path: Path, dotenv: str, worker_block: str
) -> None:
    anchor = "    environment:\n      - DEBUG=0\n"
    project = merged_project(tmp_path, anchor=anchor, dotenv=dotenv)
    old = compose_environments(project) if DOCKER_COMPOSE else None
    _, report = run_codemod(project, CODEMOD_ID)
    assert report["refusals"] == []
    text = (project / "docker-compose.yml").read_text()
    assert "    <<: *django\n    environment:\n" + worker_block + "    command: celery" in text
    assert "env_file" not in text
    assert any(
        note["message"].startswith("worker: its own environment: starts with a copy of the 1 entry")
        for note in report["notes"]
    )
    new = compose_environments(project) if DOCKER_COMPOSE else None
    if old is not None and new is not None:
        for key, (environment, _) in new.items():
            assert environment["DEBUG"] == "0", key
            assert all(old[key][0][name] == value for name, value in environment.items()), key
    _, again = run_codemod(project, CODEMOD_ID)
    assert (project / "docker-compose.yml").read_text() == text and again["refusals"] == []


def test_map_form_copy_keeps_quotes_and_empty_values(tmp_path: Path) -> None:
    anchor = '    environment:\n      DEBUG: "0"  # note\n      EMPTY:\n      REF: ${HOME:-x}\n'
    project = merged_project(tmp_path, anchor=anchor)
    run_codemod(project, CODEMOD_ID)
    text = (project / "docker-compose.yml").read_text()
    assert text.endswith(
        '    <<: *django\n    environment:\n      DEBUG: "0"\n      EMPTY:\n'
        "      REF: ${HOME:-x}\n      SECRET_KEY: ${SECRET_KEY}\n"
        "    command: celery -A config worker\n"
    )


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("    environment: &env\n      - DEBUG=0\n", "is a YAML anchor or alias shared"),
        ("    environment: [DEBUG=0]\n", "is in flow style"),
        ("    environment:\n      - DEBUG=0\n      - DEBUG=1\n", "sets a variable twice"),
        ("    environment:\n      - DEBUG=0\n      - DEBUG=0\n", "sets a variable twice"),
        ("    environment:\n      DEBUG: !!str 0\n", "spans several lines or is tagged"),
        ("    environment:\n      NOTE: >\n        folded\n", "spans several lines or is tagged"),
    ],
)
def test_inherited_environment_that_cannot_be_copied_exactly_is_refused(
    tmp_path: Path, anchor: str, expected: str
) -> None:
    project = merged_project(tmp_path, anchor=anchor)
    _, report = run_codemod(project, CODEMOD_ID)
    reasons = [r["reason"] for r in report["refusals"]]
    assert any(expected in reason for reason in reasons), reasons
    assert any(reason.startswith("web: ") for reason in reasons), reasons
    assert (project / "docker-compose.yml").read_text() == MERGED.format(anchor=anchor, worker="")


NESTED = (
    "x-base: &base\n  environment:\n    - DEBUG=0\nx-django: &django\n  <<: *base\n"
    "  build: .\n  env_file: .env\nservices:\n  worker:\n    <<: *django\n"
    "    command: celery -A config worker\n"
)


def test_environment_inherited_through_nested_merges_is_refused(tmp_path: Path) -> None:
    project = merged_project(tmp_path)
    (project / "docker-compose.yml").write_text(NESTED)
    _, report = run_codemod(project, CODEMOD_ID)
    reasons = [r["reason"] for r in report["refusals"]]
    assert any("inherits environment: through nested merge keys" in r for r in reasons), reasons
    assert (project / "docker-compose.yml").read_text() == NESTED


def test_literal_secret_in_an_inherited_environment_stays_and_is_refused(tmp_path: Path) -> None:
    anchor = "    environment:\n      - API_TOKEN=fixture-literal-token\n"
    project = merged_project(tmp_path, anchor=anchor)
    for _ in range(2):  # idempotent: the literal is not moved, so a second run refuses again
        _, report = run_codemod(project, CODEMOD_ID)
        reasons = [r["reason"] for r in report["refusals"]]
        assert any(
            "holds the literal secret API_TOKEN; a copy would spread it" in r for r in reasons
        )
        assert any("API_TOKEN stays: a service merging this environment" in r for r in reasons)
        assert (project / "docker-compose.yml").read_text() == MERGED.format(
            anchor=anchor, worker=""
        )


def test_entries_appended_before_a_following_env_file(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    environment:\n      - A=1\n    env_file: .env\n"
    )
    project = write_project(
        tmp_path, {"docker-compose.yml": compose, ".env": "NGINX_HOST=fixture-host\n"}
    )
    run_codemod(project, CODEMOD_ID)
    assert (project / "docker-compose.yml").read_text() == (
        "services:\n  web:\n    image: nginx\n    environment:\n      - A=1\n"
        "      - NGINX_HOST=${NGINX_HOST}\n"
    )


@pytest.mark.parametrize(
    ("names", "loaded", "shadowed"),
    [
        (["docker-compose.yml", "compose.yaml"], ["compose.yaml"], ["docker-compose.yml"]),
        (["compose.yml", "docker-compose.yaml"], ["compose.yml"], ["docker-compose.yaml"]),
        (
            ["docker-compose.yml", "docker-compose.override.yml", "compose.override.yaml"],
            ["docker-compose.yml", "compose.override.yaml"],
            ["docker-compose.override.yml"],
        ),
        (["docker-compose.yml", "docker-compose.prod.yml"], ["docker-compose.yml"], []),
    ],
)
def test_default_selection_follows_the_spec(
    names: list[str], loaded: list[str], shadowed: list[str]
) -> None:
    found, reasons = default_selection(names)
    assert found == loaded
    assert sorted(reasons) == shadowed
    for name in shadowed:
        assert (
            f"not scoped: {loaded[0 if 'override' not in name else 1]} also exists"
            in (reasons[name])
        )
