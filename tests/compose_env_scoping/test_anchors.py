"""compose-env-scoping: services merging a YAML anchor (cookiecutter-django's ``<<: *django``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FIXTURES, copy_tree, run_codemod
from ruamel.yaml import YAML

from compose_env_scoping.compose_support import DOCKER_COMPOSE, compose_environments, write_project

CODEMOD_ID = "compose-env-scoping"


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
