"""compose-env-scoping on a fresh clone: no root .env, scoped by names, checked by Compose.

The codemod runs on a copy without ``.env`` (git-ignored, as ``batch`` clones have it). Then a
deployer's ``.env`` is written from the committed template (every key a distinct random value,
plus a key no template lists) into both the original and the rewritten copy, and real
``docker-compose config`` resolves both: every variable a service keeps has the identical value,
none appears that was unset before (no set-but-empty ``${VAR}``), and every variable it loses is
one a note names. Values are compared, never printed.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from harness import FIXTURES, copy_tree, run_codemod
from redpanda_migrate.codemods.compose_env_scoping.fresh_clone import template_paths

from compose_env_scoping.compose_support import DOCKER_COMPOSE, compose_environments
from compose_env_scoping.test_effective_environment import dropped_by_note
from redpanda_migrate.secrets import env_values

CODEMOD_ID = "compose-env-scoping"
FRESH_CLONES = [
    case
    for case in sorted((FIXTURES / CODEMOD_ID).iterdir())
    if not (case / "before" / ".env").exists()
    and template_paths(p.name for p in (case / "before").iterdir())
    and any("env_file" in p.read_text() for p in (case / "before").glob("*compose*.y*ml"))
]
EXTRA = "ONLY_IN_THE_DEPLOYERS_ENV"


def deployer_dotenv(project: Path) -> str:
    """A ``.env`` as a deployer fills it from the template: every key set, plus one more."""
    names: dict[str, None] = {}
    for template in template_paths(p.name for p in project.iterdir()):
        names.update(dict.fromkeys(env_values((project / template).read_text())))
    names["STORAGE_BUCKET"] = None  # required by the fixture's code, listed in no template
    names[EXTRA] = None
    return "".join(f"{name}=v{secrets.token_hex(8)}\n" for name in names)


def test_there_are_fresh_clone_cases() -> None:
    assert FRESH_CLONES


@pytest.mark.skipif(DOCKER_COMPOSE is None, reason="docker-compose (Debian package) not installed")
@pytest.mark.parametrize("case", FRESH_CLONES, ids=[case.name for case in FRESH_CLONES])
def test_fresh_clone_keeps_what_the_deployers_env_gives(case: Path, tmp_path: Path) -> None:
    project = copy_tree(case / "before", tmp_path / "project")
    reference = copy_tree(case / "before", tmp_path / "reference")
    _, report = run_codemod(project, CODEMOD_ID)
    assert not (project / ".env").exists(), "a fresh clone's run must not create .env"
    dotenv = deployer_dotenv(reference)
    (reference / ".env").write_text(dotenv)
    (project / ".env").write_text(dotenv)
    before = compose_environments(reference)
    after = compose_environments(project)
    assert before is not None and after is not None
    assert set(after) == set(before)
    dropped = dropped_by_note(report)
    omitted = {
        name
        for note in report["notes"]
        if ": not passed: " in note["message"]
        for name in note["message"].split(": not passed: ")[1].split(":")[0].split(", ")
    }
    refused = {refusal["reason"].split(":")[0] for refusal in report["refusals"]}
    scoped = 0
    for key, (environment, _) in after.items():
        old = before[key][0]
        appeared = sorted(set(environment) - set(old))
        assert not appeared, f"{key}: set but unset before: {appeared}"
        changed = sorted(name for name in environment if environment[name] != old[name])
        assert not changed, f"{key}: values differ for {changed}"
        lost = set(old) - set(environment)
        if key.split("/", 1)[1] in refused:
            assert not lost, f"{key}: refused, yet lost {sorted(lost)}"
            continue
        scoped += 1
        unexplained = sorted(lost - dropped.get(key, set()) - omitted - {EXTRA})
        assert not unexplained, f"{key}: lost {unexplained} without a note"
    assert scoped
    assert any("the root .env is absent" in note["message"] for note in report["notes"])
