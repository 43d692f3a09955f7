"""Replace ``null=True`` on text fields by ``blank=True, default=""``, with the migration.

Enforces the standard's "Models" ("Don't use null=True on CharField or TextField (use
blank=True, default="")") while keeping "Migrations" (RunPython with a reverse function) and
"Fresh Migration Test": each app whose fields change gets one migration that turns the NULLs
of existing rows into ``""`` and then alters the fields to the model's new definition, written
from the definition the app's migrations already hold, so ``makemigrations --check`` stays
quiet. Everything is read statically; the project is never imported.

Refused, with the reason: ``null`` that is not a literal, unique fields (empty strings collide
where NULLs do not), a default that may be None, abstract and unmanaged models, apps whose
migrations cannot be followed, fields the migrations do not know as nullable, and fields that
code treats as nullable (``__isnull`` lookups, ``is None`` checks, writes of ``None``), each
place named.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from redpanda_migrate.codemods.shared.django_apps import (
    app_folder,
    app_label,
    is_models_module,
    join_path,
    migration_texts,
)
from redpanda_migrate.codemods.shared.json_positions import is_fixture
from redpanda_migrate.codemods.shared.migration_graph import (
    ModelState,
    load_app_migrations,
    new_migration_name,
)
from redpanda_migrate.codemods.shared.migration_reading import MigrationsProblem
from redpanda_migrate.codemods.text_field_null.edit import Targets, rewrite_fields
from redpanda_migrate.codemods.text_field_null.fields import (
    NullTextField,
    null_text_fields,
    nullable_field_names,
)
from redpanda_migrate.codemods.text_field_null.fixtures import empty_json_nulls, yaml_nulls
from redpanda_migrate.codemods.text_field_null.migration import Conversion, write_migration
from redpanda_migrate.codemods.text_field_null.sites import UseSites
from redpanda_migrate.codemods.text_field_null.usages import nullable_uses

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Models"
MIGRATION_STEM = "text_fields_not_null"
PLACES_SHOWN = 3


@dataclass
class AppFields:
    """The fields to convert in one app.

    :param folder: the app's folder.
    :param label: the app label.
    :param fields: the fields found, in file order.
    """

    folder: str
    label: str
    fields: list[NullTextField] = field(default_factory=list)


def _parse(path: str, text: str, errors: list[Finding]) -> ast.Module | None:
    try:
        return ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as error:
        errors.append(Finding(path, getattr(error, "lineno", None), "invalid Python"))
        return None


def _find(project: ProjectInput, errors: list[Finding], nullable: set[str]) -> dict[str, AppFields]:
    """Find the ``null=True`` text fields per app; collect every ``null=True`` field's name."""
    apps: dict[str, AppFields] = {}
    for path in sorted(p for p in project.files if is_models_module(p)):
        text = project.files[path]
        if "null" not in text:  # cheap: most models modules have none
            continue
        module = _parse(path, text, errors)
        if module is None:
            continue
        nullable |= nullable_field_names(module)
        found = null_text_fields(path, module)
        if not found:
            continue
        folder = app_folder(path)
        if folder not in apps:
            label = app_label(folder, project.files, project.facts.root_name)
            apps[folder] = AppFields(folder, label)
        apps[folder].fields += found
    return apps


def _uses(
    project: ProjectInput, candidates: list[NullTextField], nullable: set[str]
) -> dict[str, list[str]]:
    """Per field name, the places that treat it as nullable (``path:line (what)``)."""
    names = frozenset(f.name for f in candidates)
    models = frozenset(f.model for f in candidates)
    # values read from fields that stay nullable may be None; the candidates' own will not be
    still_nullable = frozenset(nullable - names)
    places: dict[str, list[str]] = defaultdict(list)
    sites = UseSites(names, models, still_nullable)
    for path, text in sorted(project.files.items()):
        if not path.endswith(".py") or "/migrations/" in f"/{path}":
            continue
        if not sites.may_hold_uses(text):  # cheap: most modules are never parsed
            continue
        try:
            module = ast.parse(text, filename=path)
        except (SyntaxError, ValueError):
            continue  # reported by the engine for the codemods that edit it
        lines = sites.lines(text)
        for name, line, what in nullable_uses(path, module, names, models, still_nullable, lines):
            places[name].append(f"{path}:{line} ({what})")
    return places


def _uses_refusal(places: list[str]) -> str:
    shown = ", ".join(places[:PLACES_SHOWN])
    more = f" and {len(places) - PLACES_SHOWN} more" if len(places) > PLACES_SHOWN else ""
    return (
        f"code treats it as nullable: {shown}{more}; once NULLs become empty strings these "
        'find nothing or fail on the NOT NULL column: make them use "", then run again'
    )


def _is_string(source: str | None) -> bool:
    try:
        return isinstance(ast.literal_eval(source or ""), str)
    except (ValueError, SyntaxError):
        return False


def _state_refusal(found: NullTextField, state: ModelState) -> str | None:
    fields = state.get(found.model.lower())
    if fields is None:
        return f"no migration creates {found.model}: run makemigrations first"
    if found.name not in fields:
        return f"no migration adds {found.model}.{found.name}: run makemigrations first"
    definition = fields[found.name]
    if definition is None:
        return (
            f"the migrations define {found.model}.{found.name} in a way that cannot be read "
            "statically: convert it with makemigrations"
        )
    if definition.keyword("null") != "True":
        return (
            f"the migrations do not have null=True on {found.model}.{found.name}: model and "
            "migrations disagree, run makemigrations first"
        )
    if found.default_unread and not _is_string(definition.keyword("default")):
        return (
            f"its default is not a string in the migrations ({definition.keyword('default')}): "
            "it may give None, which the column would no longer take; make it a string, then "
            "run again"
        )
    if definition.unbound:
        return (
            f"its definition in {definition.migration} uses {', '.join(definition.unbound)}, "
            "defined in that migration: convert it with makemigrations"
        )
    return None


def _refusal(found: NullTextField, reason: str) -> Finding:
    return Finding(found.path, found.line, f"{found.model}.{found.name}: {reason}")


def _yaml_refusals(apps: dict[str, AppFields], project: ProjectInput) -> dict[tuple, str]:
    """Per ``(model label, field)``, the refusal a YAML fixture holding its ``null`` causes."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for app in apps.values():
        for found in app.fields:
            wanted[f"{app.label}.{found.model}".lower()].add(found.name)
    reasons = {}
    for path, text in sorted(project.files.items()):
        if is_fixture(path) and path.endswith((".yaml", ".yml")) and "null" in text:
            for pair in yaml_nulls(text, wanted):
                reasons.setdefault(
                    pair,
                    f"the YAML fixture {path} gives it null, which loaddata could no longer "
                    'save: write "" there, then run again',
                )
    return reasons


def _convert_app(
    app: AppFields,
    project: ProjectInput,
    uses: dict[str, list[str]],
    fixture_reasons: dict[tuple, str],
    converted: dict[str, list[Conversion]],
) -> tuple[dict[str, str | None], list[Finding], list[Finding]]:
    """One app's writes, notes and refusals."""
    refusals: list[Finding] = []
    pending = []
    for found in app.fields:
        reason = (
            found.refusal
            or (_uses_refusal(uses[found.name]) if uses[found.name] else None)
            or fixture_reasons.get((f"{app.label}.{found.model}".lower(), found.name))
        )
        if reason:
            refusals.append(
                Finding(found.path, found.line, f"{found.model}.{found.name}: {reason}")
            )
        else:
            pending.append(found)
    if not pending:
        return {}, [], refusals
    try:
        graph = load_app_migrations(app.label, migration_texts(app.folder, app.label, project))
        leaf = graph.single_leaf()
        state = graph.model_state()
        name = new_migration_name(leaf, graph.all_names, MIGRATION_STEM)
    except MigrationsProblem as problem:
        refusals += [Finding(f.path, f.line, f"{f.model}.{f.name}: {problem}") for f in pending]
        return {}, [], refusals
    conversions = []
    targets: dict[str, Targets] = defaultdict(dict)
    for found in pending:
        reason = _state_refusal(found, state)
        if reason:
            refusals.append(
                Finding(found.path, found.line, f"{found.model}.{found.name}: {reason}")
            )
            continue
        set_default = not found.has_default or found.default_is_none
        definition = state[found.model.lower()][found.name]
        assert definition is not None  # checked by _state_refusal
        conversions.append(
            Conversion(found.model, found.name, definition, not found.has_blank, set_default)
        )
        targets[found.path][(found.model, found.name)] = (not found.has_blank, set_default)
    if not conversions:
        return {}, [], refusals
    writes: dict[str, str | None] = {
        path: rewrite_fields(project.files[path], path_targets)
        for path, path_targets in targets.items()
    }
    migration_path = join_path(app.folder, f"migrations/{name}.py")
    writes[migration_path] = write_migration(app.label, leaf, conversions)
    described = ", ".join(f"{c.model}.{c.name}" for c in conversions)
    note = (
        f'rows holding NULL in {described} get "" when this migration runs; code now reads '
        '"" where it read None (forms and serializers too), and migrating back keeps the '
        "empty strings; code writing a value that may be None (not every one can be seen "
        "statically) now fails on the NOT NULL column: run the test suite"
    )
    converted[app.label] = conversions
    return writes, [Finding(migration_path, None, note)], refusals


def _fixture_writes(
    project: ProjectInput, converted: dict[str, list[Conversion]]
) -> tuple[dict[str, str | None], list[Finding]]:
    """Give the JSON fixture rows of converted fields ``""`` where they hold ``null``."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for label, conversions in converted.items():
        for conversion in conversions:
            wanted[f"{label}.{conversion.model}".lower()].add(conversion.name)
    writes: dict[str, str | None] = {}
    notes = []
    for path, text in sorted(project.files.items()):
        if not (is_fixture(path) and path.endswith(".json") and "null" in text):
            continue
        new_text, count = empty_json_nulls(text, wanted)
        if count:
            writes[path] = new_text
            message = f'{count} null value(s) of converted fields became "" (loaddata saves raw)'
            notes.append(Finding(path, None, message))
    return writes, notes


def transform(project: ProjectInput) -> ProjectOutcome:
    """Convert ``null=True`` text fields to ``blank=True, default=""`` with each app's migration.

    Enforces the standard's "Models" section (no ``null=True`` on CharField or TextField) and
    keeps "Migrations" (RunPython with a reverse function) and "Fresh Migration Test".

    :param project: every Python file and fixture of the project.
    :returns: rewritten models modules, one new migration per app, fixture rows given ``""``
        for ``null``, notes and refusals.
    """
    errors: list[Finding] = []
    nullable: set[str] = set()
    apps = _find(project, errors, nullable)
    candidates = [f for app in apps.values() for f in app.fields if f.refusal is None]
    uses = _uses(project, candidates, nullable) if candidates else {}
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    fixture_reasons = _yaml_refusals(apps, project)
    converted: dict[str, list[Conversion]] = {}
    for app in apps.values():
        app_writes, app_notes, app_refusals = _convert_app(
            app, project, defaultdict(list, uses), fixture_reasons, converted
        )
        writes.update(app_writes)
        notes += app_notes
        refusals += app_refusals
    if converted:
        fixture_writes, fixture_notes = _fixture_writes(project, converted)
        writes.update(fixture_writes)
        notes += fixture_notes
    return ProjectOutcome(writes, tuple(notes), tuple(refusals), tuple(errors))


CODEMOD = Codemod(
    id="text-field-null",
    title='Text fields with null=True become blank=True, default="", with the migration',
    section=SECTION,
    files=("**/*.py", "**/fixtures/*.json", "**/fixtures/*.yaml", "**/fixtures/*.yml"),
    # no needles: code in any module may rely on a field being nullable
    needles=(),
    rationale=(
        "The standard says not to use null=True on CharField or TextField but blank=True, "
        'default="": a text column that takes both NULL and "" has two ways of saying "no '
        "value\", and every query must look for both. Django's convention is the empty string. "
        "The codemod changes the fields and writes, per app, the migration that turns "
        'existing NULLs into "" (a RunPython with a reverse function) and alters the columns '
        "to NOT NULL, exactly as the models now declare them."
    ),
    example=Example(
        path="library/models.py",
        before=(
            "class Book(models.Model):\n"
            "    subtitle = models.CharField(max_length=200, null=True)\n"
        ),
        after=(
            "class Book(models.Model):\n"
            '    subtitle = models.CharField(max_length=200, blank=True, default="")\n'
            "\n"
            '# + library/migrations/0003_text_fields_not_null.py (RunPython: NULL -> "", '
            "reversible; AlterField)\n"
        ),
    ),
    transform_project=transform,
    order=520,
)
