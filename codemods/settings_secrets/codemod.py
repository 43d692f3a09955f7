"""Secrets and ``DEBUG`` from the environment: the standard's "Security".

Settings modules that write ``SECRET_KEY``, a password or ``DEBUG = True`` into the code read
them from environment variables instead, the way the module already reads others
(``os.environ``, django-environ ``env``, python-decouple ``config``). Policy:

* ``SECRET_KEY`` has no fallback: a deployment without it fails at start-up. When a development
  settings module (``settings/dev.py``, ``local``, ``test``, ...) star-imports the rewritten
  module, the read gives ``None`` instead (Django refuses an empty key at start-up) and a
  development module that sets no key of its own gets a development-only one, so local
  development keeps working without a ``.env``.
* ``DEBUG`` is ``False`` unless the variable says otherwise.
* Passwords fall back to ``""`` (a connection fails, not the import).
* Development settings modules are left alone: they hold no production secret.

``.env.example`` gets the names with placeholders; the old literals never appear in output.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

import libcst as cst
from redpanda_migrate.codemods.settings_secrets.rewrite import (
    Policy,
    SecretEdits,
    may_rewrite,
    rewrite_secrets,
)
from redpanda_migrate.codemods.shared.env_style import detect_style
from redpanda_migrate.codemods.shared.env_template import (
    ENV_TEMPLATES,
    template_path,
    with_variables,
)
from redpanda_migrate.codemods.shared.envvars import EnvUsage, scan_python
from redpanda_migrate.codemods.shared.os_import import binds_os_module, with_os_import

from redpanda_migrate.codemod import Codemod, Example, Finding, ProjectInput, ProjectOutcome
from redpanda_migrate.facts import is_development_settings, is_settings_file

SECTION = "Security"
DEVELOPMENT_KEY = "django-insecure-development-only"
PLACEHOLDERS = {
    "secret-key": ("change-me-to-a-real-secret-key", "required: the app does not start without it"),
    "debug": ("False", "True only on a developer's machine"),
    "password": ("change-me", ""),
}
ROTATE_KEY = (
    "SECRET_KEY now comes from {variable}{fallback}. The old key is in git history: generate a "
    "new one (django.core.management.utils.get_random_secret_key) and set it in every "
    "environment; sessions and password-reset links signed with the old key stop working"
)


def _star_imports(path: str, text: str) -> set[str]:
    """Paths of the sibling modules a settings module star-imports (``from .base import *``)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    folder = PurePosixPath(path).parent
    found = set()
    for statement in tree.body:
        if (
            isinstance(statement, ast.ImportFrom)
            and statement.module
            and any(alias.name == "*" for alias in statement.names)
        ):
            found.add(str(folder / f"{statement.module.rsplit('.', 1)[-1]}.py"))
    return found


def _assigns(text: str, name: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return True
    return any(
        isinstance(target, ast.Name) and target.id == name
        for statement in ast.walk(tree)
        if isinstance(statement, ast.Assign)
        for target in statement.targets
    )


def _variable_of(settings: dict[str, str], usage: EnvUsage, setting: str, default: str) -> str:
    """Name the variable the project already reads a setting from (``DJANGO_SECRET_KEY``).

    A read counts when it lies inside an assignment to the setting, at any depth of the
    module (``if ...: SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]``).
    """
    spans = {path: _assignment_lines(text, setting) for path, text in settings.items()}
    names = sorted(
        {
            read.name
            for read in usage.reads
            if read.setting == setting or read.line in spans.get(read.path, set())
        }
    )
    return names[0] if names else default


def _assignment_lines(text: str, setting: str) -> set[int]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == setting for target in node.targets
        ):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _with_os(module: cst.Module) -> cst.Module | None:
    bound = binds_os_module(module)
    if bound is None:
        return None
    return module if bound else with_os_import(module)


def _development_key(text: str, base: str, variable: str) -> str | None:
    """Give a development module that star-imports ``base`` a development-only key."""
    style = detect_style(text)
    module = cst.parse_module(text)
    body = list(module.body)
    stem = PurePosixPath(base).stem
    index = max(
        (
            position
            for position, statement in enumerate(body)
            if isinstance(statement, cst.SimpleStatementLine)
            and isinstance(statement.body[0], cst.ImportFrom)
            and isinstance(statement.body[0].names, cst.ImportStar)
            and (cst.Module([]).code_for_node(statement.body[0].module or cst.Name("_"))).rsplit(
                ".", 1
            )[-1]
            == stem
        ),
        default=-1,
    )
    if index < 0:
        return None
    while index + 1 < len(body) and _is_import(body[index + 1]):
        index += 1  # after the imports that follow the star import
    read = style.optional(variable, f"{style.quote}{DEVELOPMENT_KEY}{style.quote}")
    line = cst.parse_statement(f"SECRET_KEY = {read}\n")
    body.insert(index + 1, line.with_changes(leading_lines=(cst.EmptyLine(),)))
    new_module = module.with_changes(body=body)
    if style.kind == "os":
        with_os = _with_os(new_module)
        if with_os is None:
            return None
        new_module = with_os
    return new_module.code


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[0], cst.Import | cst.ImportFrom
    )


def transform(project: ProjectInput) -> ProjectOutcome:
    """Move literal secrets and ``DEBUG = True`` out of settings modules.

    Enforces Red Panda Approval V1-02, "Security" (no secrets in settings, no ``DEBUG=True``
    in production) and "Settings Structure" (``.env.example`` documents the variables).

    :param project: settings modules and the env template.
    :returns: the rewritten modules and template, notes (rotate the old secrets) and refusals.
    """
    settings = {
        path: text
        for path, text in project.files.items()
        if path.endswith(".py") and is_settings_file(path)
    }
    usage = EnvUsage()
    for path, text in sorted(settings.items()):
        scan_python(path, text, usage)
    imported_by_development: dict[str, list[str]] = {}
    for path, text in settings.items():
        if is_development_settings(path):
            for base in _star_imports(path, text):
                imported_by_development.setdefault(base, []).append(path)
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    errors: list[Finding] = []
    hidden: list[str] = []
    variables: dict[str, str] = {}
    secret_key_variable = debug_variable = ""  # the same for every module: found once
    for path, text in sorted(settings.items()):
        if is_development_settings(path) or not may_rewrite(text):
            continue
        if not secret_key_variable:
            secret_key_variable = _variable_of(settings, usage, "SECRET_KEY", "SECRET_KEY")
            debug_variable = _variable_of(settings, usage, "DEBUG", "DEBUG")
        style = detect_style(text)
        policy = Policy(
            style,
            secret_key_variable=secret_key_variable,
            debug_variable=debug_variable,
            secret_key_required=path not in imported_by_development,
        )
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as error:
            errors.append(Finding(path, error.raw_line, f"syntax error: {error.message}"))
            continue
        new_module, edits = rewrite_secrets(module, policy)
        refusals += [Finding(path, line, reason) for line, reason in edits.refusals]
        if new_module is module:
            continue
        if edits.needs_os:
            with_os = _with_os(new_module)
            if with_os is None:
                reason = "os is bound to something else here: cannot read the environment"
                refusals.append(Finding(path, 1, reason))
                continue
            new_module = with_os
        writes[path] = new_module.code
        hidden += edits.hidden
        variables.update({variable: kind for variable, kind in edits.variables})
        notes += _notes(path, edits, policy)
        if not policy.secret_key_required and any(k == "secret-key" for _, k in edits.variables):
            for development in sorted(imported_by_development[path]):
                if _assigns(settings[development], "SECRET_KEY"):
                    continue
                new_text = _development_key(settings[development], path, policy.secret_key_variable)
                if new_text is not None:
                    writes[development] = new_text
    if not writes:
        return ProjectOutcome(refusals=tuple(refusals), errors=tuple(errors))
    template = template_path(project.files)
    entries = [(name, *PLACEHOLDERS[kind]) for name, kind in variables.items()]
    new_template = with_variables(project.files.get(template), "Django secrets", entries)
    if new_template is not None:
        writes[template] = new_template
    return ProjectOutcome(
        writes=writes,
        notes=tuple(notes),
        refusals=tuple(refusals),
        errors=tuple(errors),
        hidden_values=tuple(sorted(set(hidden))),
    )


def _notes(path: str, edits: SecretEdits, policy: Policy) -> list[Finding]:
    notes = []
    kinds = {kind for _, kind in edits.variables}
    if "secret-key" in kinds:
        variable = next(v for v, kind in edits.variables if kind == "secret-key")
        fallback = (
            " with no fallback"
            if policy.secret_key_required
            else " (None when unset: Django refuses to start; development settings get a "
            "development-only key)"
        )
        notes.append(Finding(path, None, ROTATE_KEY.format(variable=variable, fallback=fallback)))
    if "debug" in kinds:
        notes.append(
            Finding(
                path,
                None,
                f"DEBUG now comes from {policy.debug_variable} and is False when it is unset: "
                f"set {policy.debug_variable}=True in your local .env",
            )
        )
    passwords = sorted({v for v, kind in edits.variables if kind == "password"})
    if passwords:
        notes.append(
            Finding(
                path,
                None,
                f"{', '.join(passwords)} now {'come' if len(passwords) > 1 else 'comes'} from "
                "the environment (empty when unset). The old values are in git history: rotate "
                "them and set the new ones where the project runs",
            )
        )
    return notes


CODEMOD = Codemod(
    id="settings-secrets",
    title="SECRET_KEY, passwords and DEBUG read from the environment, not written in settings",
    section=SECTION,
    files=("**/settings.py", "**/settings_*.py", "**/settings/**/*.py", *ENV_TEMPLATES),
    needles=("SECRET_KEY", "DEBUG", "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY"),
    also_reads=ENV_TEMPLATES,
    rationale=(
        "A secret written in settings.py is in every clone and in git history forever, and "
        "DEBUG = True in production shows tracebacks and settings to anyone. The standard "
        "reads both from environment variables, lists the names in .env.example, and keeps "
        "DEBUG off unless a developer's .env turns it on."
    ),
    example=Example(
        path="config/settings.py",
        before='import os\n\nSECRET_KEY = "django-insecure-0123456789"\nDEBUG = True\n',
        after=(
            "import os\n\n"
            'SECRET_KEY = os.environ["SECRET_KEY"]\n'
            'DEBUG = os.environ.get("DEBUG", "False").lower() in ("1", "true", "yes", "on")\n'
        ),
    ),
    transform_project=transform,
    order=440,
)
