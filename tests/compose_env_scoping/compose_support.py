"""What the compose-env-scoping tests share: real `docker-compose config` runs and projects."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from redpanda_migrate.codemods.compose_env_scoping.yaml_text import is_compose_file
from ruamel.yaml import YAML

DATA_IMAGES = re.compile(r"^(docker\.io/)?(library/)?(postgres|redis|mysql|mariadb|rabbitmq)(:|$)")


DOCKER_COMPOSE = shutil.which("docker-compose")


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


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write a small project (and commit nothing: the tool reads the work tree)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
