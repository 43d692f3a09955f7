"""compose-env-scoping: override and per-environment variant files, default file selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import run_codemod
from redpanda_migrate.codemods.compose_env_scoping.stack import default_selection

from compose_env_scoping.compose_support import write_project
from redpanda_migrate.secrets import env_values

CODEMOD_ID = "compose-env-scoping"


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
