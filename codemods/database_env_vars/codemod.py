"""DATABASES from individual variables instead of dj-database-url: "Deprecated / Removed".

Settings modules' ``dj_database_url.config()``/``parse()`` become the dict they built, each part
read from the standard's variables (``DB_ENGINE``, ``APP_DB_NAME``, ``APP_DB_USER``,
``APP_DB_PASSWORD``, ``DB_HOST``, ``DB_PORT``) with the default URL's part as fallback; Compose
services that set ``DATABASE_URL`` get the individual variables; ``.env.example`` lists them;
the dj-database-url requirement goes once nothing imports it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import libcst as cst
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import is_compose_file
from redpanda_migrate.codemods.database_env_vars.compose import rewrite_compose
from redpanda_migrate.codemods.database_env_vars.dependencies import (
    LOCK_FILES,
    edit_pyproject,
    edit_requirements,
)
from redpanda_migrate.codemods.database_env_vars.settings import rewrite_databases, variables_for
from redpanda_migrate.codemods.shared.env_style import detect_style
from redpanda_migrate.codemods.shared.env_template import (
    ENV_TEMPLATES,
    template_path,
    with_variables,
    without_variables,
)
from redpanda_migrate.codemods.shared.os_import import binds_os_module, with_os_import

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
)
from redpanda_migrate.facts import is_requirements_file

SECTION = "Deprecated / Removed"
IMPORTS = re.compile(r"^\s*(import|from)\s+dj_database_url\b", re.M)
# empty values: a copied template keeps the settings' fallbacks (an empty variable is unset)
PLACEHOLDERS = {
    "ENGINE": ("", "e.g. postgresql (django.db.backends.<DB_ENGINE>: postgresql, mysql, sqlite3)"),
    "NAME": ("", "e.g. myproject"),
    "USER": ("", "e.g. myproject"),
    "PASSWORD": ("", "never commit the real one"),
    "HOST": ("", "e.g. db (the Compose service) or localhost"),
    "PORT": ("", "e.g. 5432"),
}


def _settings_outcome(
    path: str, text: str, notes: list[Finding], refusals: list[Finding]
) -> tuple[str | None, dict[str, str]]:
    """Rewrite one module; returns its new text (``None``: unchanged) and URL variable -> alias."""
    new_text, edits = rewrite_databases(text, detect_style(text))
    refusals += [Finding(path, line, reason) for line, reason in edits.refusals]
    if new_text == text:
        return None, {}
    if edits.needs_os:
        module = cst.parse_module(new_text)
        bound = binds_os_module(module)
        if bound is None:
            reason = "os is bound to something else here: cannot read the environment"
            refusals.append(Finding(path, 1, reason))
            return None, {}
        new_text = new_text if bound else with_os_import(module).code
    notes += [Finding(path, line, message) for line, message in edits.notes]
    return new_text, dict(zip(edits.url_variables, edits.aliases, strict=True))


def _dependency_writes(project: ProjectInput, writes: dict[str, str | None]) -> list[Finding]:
    notes = []
    for path, text in sorted(project.files.items()):
        if is_requirements_file(path) and "database" in text:
            new_text, left = edit_requirements(text)
            if new_text != text:
                writes[path] = new_text
            if left:
                notes.append(
                    Finding(path, None, "dj-database-url is continued over lines: remove it")
                )
        elif PurePosixPath(path).name == "pyproject.toml":
            new_text = edit_pyproject(text)
            if new_text != text:
                writes[path] = new_text
    locks = [p for p in project.facts.files if PurePosixPath(p).name in LOCK_FILES]
    if locks:
        notes.append(
            Finding(locks[0], None, "dj-database-url left the dependencies: regenerate the lock")
        )
    return notes


def transform(project: ProjectInput) -> ProjectOutcome:
    """Replace dj-database-url by individual database variables.

    Enforces Red Panda Approval V1-02, "Deprecated / Removed" (dj-database-url) and
    "Environment Variables" (``APP_DB_NAME``, ``APP_DB_USER``, ``APP_DB_PASSWORD``, ``DB_HOST``,
    ``DB_PORT``).

    :param project: Python modules naming dj_database_url, Compose files, dependency files and
        the env template.
    :returns: the new texts, notes and refusals.
    """
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    errors: list[Finding] = []
    url_variables: dict[str, str] = {}
    python = {p: t for p, t in project.files.items() if p.endswith(".py")}
    for path, text in sorted(python.items()):
        if "dj_database_url" not in text:
            continue
        try:
            new_text, converted = _settings_outcome(path, text, notes, refusals)
        except (cst.ParserSyntaxError, SyntaxError) as error:
            errors.append(Finding(path, None, f"syntax error: {error}"))
            continue
        if new_text is not None:
            writes[path] = new_text
            url_variables.update(converted)
    if not writes:
        return ProjectOutcome(refusals=tuple(refusals), errors=tuple(errors))
    for path, text in sorted(project.files.items()):
        if is_compose_file(path):
            try:
                new_text, problems = rewrite_compose(path, text, url_variables)
            except InputError as error:
                errors.append(Finding(path, error.line, error.message))
                continue
            refusals += [Finding(path, line, reason) for line, reason in problems]
            if new_text != text:
                writes[path] = new_text
    still_imported = [p for p, t in python.items() if IMPORTS.search(writes.get(p) or t)]  # type: ignore[arg-type]
    if still_imported:
        notes.append(
            Finding(
                still_imported[0], None, "dj_database_url is still imported: it stays a dependency"
            )
        )
    else:
        notes += _dependency_writes(project, writes)
    template = template_path(project.files)
    entries = []
    for alias in dict.fromkeys(url_variables.values()):
        names = variables_for(alias)
        entries += [(names[part], *PLACEHOLDERS[part]) for part in PLACEHOLDERS]
    old_template = project.files.get(template)
    if old_template is not None:
        old_template = without_variables(old_template, set(url_variables))
    new_template = with_variables(old_template, "Database", entries) or old_template
    if new_template is not None and new_template != project.files.get(template):
        writes[template] = new_template
    first = sorted(p for p in writes if p.endswith(".py"))[0]
    new_names = [
        n for a in dict.fromkeys(url_variables.values()) for n in variables_for(a).values()
    ]
    verb = "are" if len(url_variables) > 1 else "is"
    notes.append(
        Finding(
            first,
            None,
            f"{', '.join(sorted(url_variables))} {verb} no longer read: set "
            f"{', '.join(new_names)} in every environment (.env, deployments, CI) instead; "
            "query options of the old URL (?sslmode=...) are not carried over",
        )
    )
    return ProjectOutcome(
        writes=writes, notes=tuple(notes), refusals=tuple(refusals), errors=tuple(errors)
    )


CODEMOD = Codemod(
    id="database-env-vars",
    title="DATABASES from individual DB_* variables instead of dj-database-url",
    section=SECTION,
    files=(
        "**/*.py",
        "**/*compose*.yml",
        "**/*compose*.yaml",
        "pyproject.toml",
        "requirements*.txt",
        "requirements*.in",
        "**/requirements/*.txt",
        "**/requirements/*.in",
        *ENV_TEMPLATES,
    ),
    needles=("dj_database_url", "dj-database-url", "DATABASE_URL", "dj_database"),
    also_reads=("pyproject.toml", *ENV_TEMPLATES),
    rationale=(
        "The standard drops dj-database-url: a URL packs credentials, host and options into "
        "one string that must be percent-encoded by hand and cannot be scoped per service. "
        "DATABASES is built from individual variables (APP_DB_NAME, APP_DB_USER, "
        "APP_DB_PASSWORD, DB_HOST, DB_PORT, DB_ENGINE) that Compose interpolates one by one."
    ),
    example=Example(
        path="config/settings.py",
        before=(
            "import os\n\n"
            "import dj_database_url\n\n"
            "DATABASES = {\n"
            '    "default": dj_database_url.config(\n'
            '        default="sqlite:///db.sqlite3", conn_max_age=600\n'
            "    )\n"
            "}\n"
        ),
        after=(
            "import os\n\n"
            "DATABASES = {\n"
            '    "default": {\n'
            '        "ENGINE": "django.db.backends." + os.environ.get("DB_ENGINE", "sqlite3"),\n'
            '        "NAME": os.environ.get("APP_DB_NAME", "db.sqlite3"),\n'
            '        "USER": os.environ.get("APP_DB_USER", ""),\n'
            '        "PASSWORD": os.environ.get("APP_DB_PASSWORD", ""),\n'
            '        "HOST": os.environ.get("DB_HOST", ""),\n'
            '        "PORT": os.environ.get("DB_PORT", ""),\n'
            '        "CONN_MAX_AGE": 600,\n'
            "    }\n"
            "}\n"
        ),
    ),
    transform_project=transform,
    order=150,
)
