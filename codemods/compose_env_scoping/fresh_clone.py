"""Scoping without the root ``.env``: a fresh clone, where it is git-ignored and absent.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping" and its ".env.example template convention"). The values are not needed to
scope a service whose ``env_file`` is the root ``.env``: the names it is expected to hold come
from the committed templates (``.env.example``, ``.env.sample``, ...), from the Compose files'
own ``${VAR}`` uses and from what the project's code reads. Also says when the root ``.env``
may not be written (tracked by git, or a symlink leaving the project).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from redpanda_migrate.codemods.compose_env_scoping.yaml_text import interpolations
from redpanda_migrate.codemods.shared.envvars import EnvUsage

from redpanda_migrate.facts import ProjectFacts
from redpanda_migrate.secrets import env_values

DOTENV = ".env"
# Committed templates of the root .env, in the order the first present one is written to
# (``.env.example`` first: the standard's name).
TEMPLATE_NAMES = (
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.tmpl",
    ".env.dist",
    ".env.default",
    ".env.defaults",
    "env.example",
    "env.sample",
    "env.template",
    "example.env",
    "sample.env",
    "template.env",
    ".env-example",
    ".env-sample",
    ".env_example",
    ".env_sample",
)
# The value a variable of the absent root .env stands for: unknown, never compared equal to a
# real value (an env file cannot hold a NUL character).
ABSENT = "\0absent"


def template_paths(files: Iterable[str]) -> list[str]:
    """Name the committed templates of the root ``.env`` present in the project.

    :param files: project-relative paths.
    :returns: the root templates, in :data:`TEMPLATE_NAMES` order.
    """
    present = set(files)
    return [name for name in TEMPLATE_NAMES if name in present]


def expected_names(
    files: Mapping[str, str], documents: Iterable[object], usage: EnvUsage
) -> dict[str, bool]:
    """Name the variables an absent root ``.env`` is expected to hold.

    :param files: the project's files (the templates among them).
    :param documents: the loaded root Compose files (their ``${VAR}`` uses).
    :param usage: what the project's Python code reads.
    :returns: each name, ``True`` when it is only *optional*: the code reads it with a default,
        or the Compose files interpolate it with a fallback (``${WEB_PORT:-8000}``), and no
        template lists it (``${VAR}`` would set it empty where it was unset, so it is not passed).
    """
    named: dict[str, bool] = {}
    for path in template_paths(files):
        named.update(dict.fromkeys(env_values(files[path]), False))
    for document in documents:
        for name, has_fallback in sorted(interpolations(document).items()):
            named[name] = named.get(name, True) and has_fallback
    for read in usage.reads:
        name = read.name.upper() if read.case_insensitive else read.name
        if name not in named or (named[name] and not read.has_default):
            named[name] = read.has_default
    return named


def dotenv_write_problem(facts: ProjectFacts) -> str | None:
    """Say why the root ``.env`` must not be written, if so.

    Enforces the anti-pattern "Don't commit a populated .env": a tracked ``.env`` would carry
    the moved values into git. A symlink leaving the project is never written through by the
    engine, so planning a write there would lose the value from the Compose file.

    :param facts: the project facts (``tracked_files``, ``links_out``).
    :returns: the reason (no value), or ``None`` when it may be written.
    """
    if DOTENV in facts.links_out:
        return (
            "the root .env is a symlink leaving the project, which this tool never writes "
            "through; move the value there by hand"
        )
    if facts.tracked_files is not None and DOTENV in facts.tracked_files:
        return (
            "the root .env is tracked by git, so the value would be committed; untrack it "
            "(git rm --cached .env) and run again"
        )
    return None
