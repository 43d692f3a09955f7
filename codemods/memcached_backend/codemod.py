"""Memcached through pymemcache, configured from the environment: the standard's "Memcached".

Settings modules whose ``CACHES`` use ``MemcachedCache`` (python-memcached, removed in Django
4.1) or ``PyLibMCCache`` get ``PyMemcacheCache`` with ``LOCATION`` and ``KEY_PREFIX`` read from
``KVDB_LOCATION``/``KVDB_PREFIX`` (today's literals stay the fallback); the old client becomes
``pymemcache>=4.0,<5.0`` in the dependencies; ``.env.example`` lists both variables. A
containerised env template pointing ``KVDB_LOCATION`` at loopback is a needs-review finding.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import libcst as cst
from redpanda_migrate.codemods.memcached_backend.dependencies import (
    edit_pyproject,
    edit_requirements,
    imports_old_client,
)
from redpanda_migrate.codemods.memcached_backend.settings import (
    LOCATION_VARIABLE,
    PREFIX_VARIABLE,
    rewrite_caches,
)

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)
from redpanda_migrate.facts import is_requirements_file

SECTION = "Memcached"
ENV_TEMPLATES = (".env.example", ".env.sample", ".env.template", "env.example")
COMPOSE_NAMES = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$")
LOOPBACK_LOCATION = re.compile(
    rf"^\s*{LOCATION_VARIABLE}\s*=\s*['\"]?(127\.0\.0\.1|localhost|\[?::1\]?)\b", re.M
)
STALE_VALUES_NOTE = (
    "{library} and pymemcache store plain strings under different flags: values cached before "
    "the switch may come back as bytes. Clear the cache (or raise CACHES VERSION) when deploying"
)
ENV_EXAMPLE_BLOCK = (
    "\n# --- Memcached -------------------------------------------------------------\n"
    f"# host:port reachable from the containers (not 127.0.0.1: that is the container itself)\n"
    f"{LOCATION_VARIABLE}=\n"
    "# per-app key prefix, e.g. the project's name\n"
    f"{PREFIX_VARIABLE}=\n"
)


def _is_containerised(files: tuple[str, ...]) -> bool:
    return any("compose" in path and COMPOSE_NAMES.match(path.rpartition("/")[2]) for path in files)


def _loopback_findings(project: ProjectInput) -> list[Finding]:
    templates = [
        (path, text)
        for path, text in project.files.items()
        if PurePosixPath(path).name in ENV_TEMPLATES
    ]
    if not templates or not _is_containerised(project.facts.files):
        return []
    findings = []
    for path, text in templates:
        match = LOOPBACK_LOCATION.search(text)
        if match:
            findings.append(
                Finding(
                    path,
                    text.count("\n", 0, match.start()) + 1,
                    f"{LOCATION_VARIABLE} on loopback in a containerised project: inside a "
                    "container 127.0.0.1 is the container itself; use the host's LAN name "
                    "(e.g. host.lan:11211) and bind memcached to 0.0.0.0",
                )
            )
    return findings


def _env_example(project: ProjectInput) -> tuple[str, str] | None:
    for path in ENV_TEMPLATES:
        text = project.files.get(path)
        if text is None:
            continue
        missing = [
            v
            for v in (LOCATION_VARIABLE, PREFIX_VARIABLE)
            if not re.search(rf"^\s*{v}\s*=", text, re.M)
        ]
        if not missing:
            return None
        separator = "" if not text or text.endswith("\n") else "\n"
        return path, text + separator + ENV_EXAMPLE_BLOCK
    return None


def transform(project: ProjectInput) -> ProjectOutcome:
    """Switch old Memcached backends to PyMemcacheCache read from the environment.

    Enforces Red Panda Approval V1-02, "Memcached" (and "Preferred Packages": pymemcache).

    :param project: settings modules naming an old backend, dependency files, env templates.
    :returns: the rewritten settings and dependency files, notes and refusals.
    """
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = _loopback_findings(project)
    errors: list[Finding] = []
    libraries: set[str] = set()
    python = {p: t for p, t in project.files.items() if p.endswith(".py")}
    for path, text in sorted(python.items()):
        if "MemcachedCache" not in text and "PyLibMCCache" not in text:
            continue
        try:
            new_text, edits = rewrite_caches(text)
        except cst.ParserSyntaxError as error:
            errors.append(Finding(path, error.raw_line, f"syntax error: {error.message}"))
            continue
        refusals += [Finding(path, line, reason) for line, reason in edits.refusals]
        notes += [Finding(path, line, message) for line, message in edits.notes]
        if new_text != text:
            writes[path] = new_text
            libraries.update(edits.changed_backends)
            for library in sorted(set(edits.changed_backends)):
                notes.append(Finding(path, None, STALE_VALUES_NOTE.format(library=library)))
    if not writes:
        return ProjectOutcome(notes=tuple(notes), refusals=tuple(refusals), errors=tuple(errors))
    still_imported = sorted(p for p, t in python.items() if imports_old_client(t))
    declared = False
    if still_imported:
        notes.append(
            Finding(
                still_imported[0],
                None,
                "this module imports the old Memcached client itself: its dependency stays; "
                "add pymemcache>=4.0,<5.0 next to it",
            )
        )
    else:
        for path, text in sorted(project.files.items()):
            if is_requirements_file(path):
                new_text, now_declared = edit_requirements(text)
                declared |= now_declared
                if new_text != text:
                    writes[path] = new_text
        if "pyproject.toml" in project.files:
            text = project.files["pyproject.toml"]
            requirements = any(is_requirements_file(p) for p in project.facts.files)
            new_text, now_declared = edit_pyproject(text, add=not declared and not requirements)
            declared |= now_declared
            if new_text != text:
                writes["pyproject.toml"] = new_text
    if not declared and not still_imported:
        notes.append(
            Finding(
                sorted(writes)[0],
                None,
                "no dependency file names pymemcache: add pymemcache>=4.0,<5.0 to the "
                "project's dependencies",
            )
        )
    example = _env_example(project)
    if example is not None:
        writes[example[0]] = example[1]
    return ProjectOutcome(
        writes=writes, notes=tuple(notes), refusals=tuple(refusals), errors=tuple(errors)
    )


CODEMOD = Codemod(
    id="memcached-backend",
    title="Memcached through PyMemcacheCache, its location and prefix from KVDB_* variables",
    section=SECTION,
    files=(
        "**/*.py",
        "pyproject.toml",
        "requirements*.txt",
        "requirements*.in",
        "**/requirements/*.txt",
        "**/requirements/*.in",
        *ENV_TEMPLATES,
    ),
    needles=("MemcachedCache", "PyLibMCCache", "memcache", "pylibmc", "KVDB_LOCATION"),
    also_reads=("pyproject.toml", *ENV_TEMPLATES),
    rationale=(
        "python-memcached's MemcachedCache was removed in Django 4.1 and pylibmc needs a C "
        "library; the standard uses pymemcache through Django's PyMemcacheCache. The location "
        "differs per host (containers cannot reach 127.0.0.1 of the host), so it comes from "
        "KVDB_LOCATION, and each app's keys get their own KVDB_PREFIX."
    ),
    example=Example(
        path="config/settings.py",
        before=(
            "CACHES = {\n"
            '    "default": {\n'
            '        "BACKEND": "django.core.cache.backends.memcached.MemcachedCache",\n'
            '        "LOCATION": "127.0.0.1:11211",\n'
            "    }\n"
            "}\n"
        ),
        after=(
            "import os\n\n"
            "CACHES = {\n"
            '    "default": {\n'
            '        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",\n'
            '        "LOCATION": os.environ.get("KVDB_LOCATION") or "127.0.0.1:11211",\n'
            '        "KEY_PREFIX": os.environ.get("KVDB_PREFIX") or "",\n'
            "    }\n"
            "}\n"
        ),
    ),
    transform_project=transform,
    order=450,
)
