"""compose-env-scoping: the effective environment of every service, before and after.

A real Compose implementation (``docker-compose config``, Debian's v1 package, no daemon
needed) resolves every fixture project before and after the codemod: every variable a service
keeps has the identical value, and every variable it loses is one the codemod reported as no
longer passed and that the project's code never names. Values are compared, never printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import FIXTURES, all_cases, copy_tree, run_cli, run_codemod
from redpanda_migrate.codemods.compose_env_scoping.consumers import (
    HTTP_ONLY,
    HTTP_ONLY_SETTINGS,
    MAIL_PREFIX,
)
from redpanda_migrate.codemods.compose_env_scoping.stack import DEFAULT_FILES
from ruamel.yaml import YAML

from compose_env_scoping.compose_support import DOCKER_COMPOSE, compose_environments
from redpanda_migrate.secrets import env_values

CODEMOD_ID = "compose-env-scoping"


CASES = [case for case in all_cases() if case.codemod_id == CODEMOD_ID]


PROJECTS = [case.before for case in CASES] + [FIXTURES / "legacy-project"]


PROJECT_IDS = [p.parent.name if p.name == "before" else p.name for p in PROJECTS]


DROPPED_NOTE = re.compile(
    r"^(?P<service>[\w.-]+): env_file replaced .*no longer passed: (?P<names>.*)$"
)


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


def feeding_http_only_settings(project: Path, names: set[str]) -> set[str]:
    """The names that every line of the project's Python files naming them assigns to an
    HTTP-only Django setting (``ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")``).

    A cruder, line-based check than the codemod's (it looks at the assigned name only).
    """
    lines = [line for path in project.rglob("*.py") for line in path.read_text().splitlines()]
    found = set()
    for name in names:
        quoted = re.compile(rf"[\"']{re.escape(name)}[\"']")
        uses = [line for line in lines if quoted.search(line)]
        targets = {line.split("=")[0].strip(" +") for line in uses}
        if uses and all(
            target in HTTP_ONLY_SETTINGS or target.startswith(MAIL_PREFIX) for target in targets
        ):
            found.add(name)
    return found


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
            http_only = {
                n for n in lost if n in HTTP_ONLY or n.startswith(MAIL_PREFIX)
            } | feeding_http_only_settings(project, lost)
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
