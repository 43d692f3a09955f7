"""compose-env-scoping never writes a value where it must not: a tracked or symlinked ``.env``.

Real git tracks the fixture's ``.env``; real ``docker-compose config`` resolves the services
before and after. Values are compared, never printed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from harness import FIXTURES, commit_paths, copy_tree, run_codemod

from compose_env_scoping.test_effective_environment import DOCKER_COMPOSE, compose_environments
from redpanda_migrate.secrets import env_values

CODEMOD_ID = "compose-env-scoping"
CASES = FIXTURES / CODEMOD_ID


@pytest.mark.skipif(DOCKER_COMPOSE is None, reason="docker-compose (Debian package) not installed")
def test_a_tracked_dotenv_never_gets_a_value(tmp_path: Path) -> None:
    project = copy_tree(CASES / "tracked-dotenv" / "before", tmp_path / "project")
    commit_paths(project, [".env", "docker-compose.yml", "docker-compose.env"])
    dotenv_before = (project / ".env").read_bytes()
    moved = set(env_values((project / "docker-compose.env").read_text()).values())
    environments_before = compose_environments(project)

    _, report = run_codemod(project, CODEMOD_ID)

    assert (project / ".env").read_bytes() == dotenv_before
    diff = subprocess.run(
        ["git", "diff"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    assert diff, "db, whose values already are in .env, is scoped"
    assert not [value for value in moved if value and value in diff]
    environments_after = compose_environments(project)
    assert environments_before is not None and environments_after is not None
    for key, (after, _) in environments_after.items():
        before = environments_before[key][0]
        differing = sorted(name for name in after if after[name] != before.get(name))
        assert not differing, f"{key}: values differ for {differing}"  # names only
        lost = sorted(set(before) - set(after))
        assert lost == (["COMPOSE_PROJECT_NAME"] if key == "default/db" else []), key
    assert any("tracked by git" in refusal["reason"] for refusal in report["refusals"])


def test_a_dotenv_symlinked_out_of_the_project_leaves_every_literal(tmp_path: Path) -> None:
    project = copy_tree(CASES / "dotenv-symlink-out" / "before", tmp_path / "project")
    link_target = (project / ".env").readlink()
    target = (project / link_target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("OTHER=1\n")
    compose_before = (project / "compose.yaml").read_bytes()

    code, report = run_codemod(project, CODEMOD_ID)

    assert code == 0
    assert (project / "compose.yaml").read_bytes() == compose_before
    assert target.read_text() == "OTHER=1\n"
    assert report["changes"] == []
    assert len(report["refusals"]) == 2
