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
from redpanda_migrate.codemods.compose_env_scoping.consumers import (
    HTTP_ONLY,
    HTTP_ONLY_SETTINGS,
    MAIL_PREFIX,
)
from redpanda_migrate.codemods.compose_env_scoping.stack import DEFAULT_FILES
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import is_compose_file
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
