"""Checks of the project's files: "Settings Structure", "Environment Standards", "Security".

These look at which files exist and what git tracks (``git ls-files``); nothing is run.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import tomlkit
from packaging.utils import canonicalize_name
from tomlkit.exceptions import TOMLKitError

from redpanda_migrate.audit.model import AuditInput, Check, CheckOutcome, Place
from redpanda_migrate.facts import is_requirements_file

ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _is_env_file(path: str) -> bool:
    name = PurePosixPath(path).name
    if name.endswith(ENV_TEMPLATE_SUFFIXES):
        return False
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _is_env_template(path: str) -> bool:
    name = PurePosixPath(path).name
    return "env" in name and name.endswith(ENV_TEMPLATE_SUFFIXES)


def _declared_names(project: AuditInput, path: str) -> set[str]:
    """Return the normalised names of the dependencies a file declares (none for other files)."""
    if path == "pyproject.toml":
        try:
            document = tomlkit.parse(project.text(path) or "").unwrap()
        except TOMLKitError:
            return set()
        project_table = document.get("project", {})
        lines = list(project_table.get("dependencies", []))
        for extra in project_table.get("optional-dependencies", {}).values():
            lines.extend(extra)
    elif is_requirements_file(path):
        lines = (project.text(path) or "").splitlines()
    else:
        return set()
    names: set[str] = set()
    for line in lines:
        match = REQUIREMENT_NAME.match(str(line))
        if match and not str(line).lstrip().startswith(("-", "#")):
            names.add(canonicalize_name(match.group(1)))
    return names


def gitignore(project: AuditInput) -> CheckOutcome:
    """Check for a root ``.gitignore`` ignoring ``.env`` ("Settings Structure").

    :param project: the project.
    :returns: a failure when it is missing or does not ignore ``.env``.
    """
    if ".gitignore" not in project.files:
        return CheckOutcome((Place(".gitignore", None, "no .gitignore at the project root", True),))
    text = project.text(".gitignore") or ""
    lines = {line.strip().lstrip("/") for line in text.splitlines()}
    if not lines & {".env", ".env*", "*.env", ".env.*"}:
        return CheckOutcome((Place(".gitignore", None, ".gitignore does not ignore .env"),))
    return CheckOutcome()


def dockerignore(project: AuditInput) -> CheckOutcome:
    """Check for a ``.dockerignore`` next to each Dockerfile ("Settings Structure").

    :param project: the project.
    :returns: a failure per build context without one; not applicable without a Dockerfile.
    """
    dockerfiles = [p for p in project.files if PurePosixPath(p).name.startswith("Dockerfile")]
    failures = []
    for path in dockerfiles:
        folder = PurePosixPath(path).parent
        candidates = {str(folder / ".dockerignore").lstrip("./"), ".dockerignore"}
        if not candidates & set(project.files):
            failures.append(Place(path, None, "no .dockerignore: .env and .git go into the image"))
    return CheckOutcome(tuple(failures), applicable=bool(dockerfiles))


def env_example(project: AuditInput) -> CheckOutcome:
    """Check that a project configured through ``.env`` files ships a template ("Settings").

    :param project: the project.
    :returns: a failure when env files or compose ``env_file:`` exist without ``.env.example``.
    """
    has_template = any(_is_env_template(p) for p in project.files)
    uses_env = any(_is_env_file(p) for p in project.files) or any(
        "env_file" in (project.text(p) or "")
        for p in project.files
        if PurePosixPath(p).name.startswith(("docker-compose", "compose."))
    )
    if uses_env and not has_template:
        message = "no .env.example documenting the variables"
        return CheckOutcome((Place(".env.example", None, message, True),))
    return CheckOutcome(applicable=uses_env)


def untrack_env(project: AuditInput) -> CheckOutcome:
    """Find ``.env`` files committed to git ("Security": never commit ``.env``).

    :param project: the project.
    :returns: one failure per tracked env file (its values are in history: rotate them).
    """
    if project.tracked is None:
        return CheckOutcome(applicable=False)
    failures = [
        Place(path, None, "committed .env: untrack it and rotate its values (they are in history)")
        for path in sorted(project.tracked)
        if _is_env_file(path)
    ]
    return CheckOutcome(tuple(failures))


def pyproject_dependencies(project: AuditInput) -> CheckOutcome:
    """Find ``setup.py`` and ``requirements.txt`` ("Environment Standards": pyproject.toml only).

    :param project: the project.
    :returns: one failure per such file; a failure when there is no ``pyproject.toml``.
    """
    failures = [
        Place(path, None, "dependencies belong in pyproject.toml")
        for path in project.files
        if PurePosixPath(path).name == "setup.py" or is_requirements_file(path)
    ]
    if "pyproject.toml" not in project.files:
        failures.append(
            Place("pyproject.toml", None, "no pyproject.toml at the project root", True)
        )
    return CheckOutcome(tuple(failures))


def pillow_without_imagefield(project: AuditInput) -> CheckOutcome:
    """Find Pillow declared while no model uses ``ImageField`` ("Deprecated / Removed").

    :param project: the project.
    :returns: a failure per dependency file naming Pillow when no ``ImageField`` exists.
    """
    declaring = [path for path in project.files if "pillow" in _declared_names(project, path)]
    if not declaring:
        return CheckOutcome(applicable=False)
    uses = any("ImageField" in (project.text(p) or "") for p in project.python_files)
    if uses:
        return CheckOutcome()
    return CheckOutcome(
        tuple(Place(p, None, "Pillow is declared but no ImageField needs it") for p in declaring)
    )


CHECKS = (
    Check("gitignore", "Settings Structure", "A .gitignore that ignores .env", gitignore),
    Check("dockerignore", "Settings Structure", "A .dockerignore for every image", dockerignore),
    Check("env-example", "Settings Structure", ".env.example documents the variables", env_example),
    Check("untrack-env", "Security", "No .env committed to git", untrack_env),
    Check(
        "pyproject-dependencies",
        "Environment Standards",
        "pyproject.toml only: no setup.py, no requirements.txt",
        pyproject_dependencies,
    ),
    Check(
        "pillow-only-for-imagefield",
        "Deprecated / Removed",
        "Pillow only when an ImageField needs it",
        pillow_without_imagefield,
    ),
)
