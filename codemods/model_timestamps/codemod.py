"""Give every concrete model ``created_at`` and ``updated_at``, with the migration that adds them.

Enforces the standard's "Required Model Fields" and "Model Naming" ("All models have
created_at and updated_at") and keeps its first criterion, "Fresh Migration Test": each app
whose models change gets one migration, written as ``makemigrations`` would, that depends on
the app's single leaf migration and gives existing rows a one-off ``created_at``.

Everything is read statically (ast; libcst for the modules rewritten); the project is never
imported. Proxy models, unmanaged models and multi-table inheritance children are left alone
with a note, as are models whose timestamps already exist under another name (``created``,
``modified``...). Bases from outside the project that are not well known, names
``created_at``/``updated_at`` that are not fields, and apps whose migrations cannot be followed
are refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from redpanda_migrate.codemods.model_timestamps.app_graphs import AppGraphs
from redpanda_migrate.codemods.model_timestamps.edit import add_fields, datetime_field_callee
from redpanda_migrate.codemods.model_timestamps.field_lines import insert_field_lines
from redpanda_migrate.codemods.model_timestamps.fixture_rows import (
    complete_fixtures,
    fixture_timestamp,
)
from redpanda_migrate.codemods.model_timestamps.hazards import Hazards, drop_non_models
from redpanda_migrate.codemods.model_timestamps.inheritance import ProjectModules
from redpanda_migrate.codemods.model_timestamps.kinds import Verdict, judge
from redpanda_migrate.codemods.model_timestamps.migrations import AddedField, write_migration
from redpanda_migrate.codemods.model_timestamps.notes import field_list_notes
from redpanda_migrate.codemods.model_timestamps.source import parse_python
from redpanda_migrate.codemods.shared.django_apps import (
    app_folder,
    app_label,
    is_models_module,
    join_path,
    source_roots,
)
from redpanda_migrate.codemods.shared.migration_graph import (
    new_migration_name,
)
from redpanda_migrate.codemods.shared.migration_reading import MigrationsProblem

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Required Model Fields"
MIGRATION_STEM = "add_timestamps"
FIELD_LINES = {"created_at": "auto_now_add=True", "updated_at": "auto_now=True"}


@dataclass
class AppPlan:
    """What happens in one app.

    :param folder: the app's folder (project-relative).
    :param label: the app label.
    :param verdicts: per models module, the verdicts of its model classes.
    """

    folder: str
    label: str
    verdicts: dict[str, list[Verdict]] = field(default_factory=dict)

    def additions(self) -> list[AddedField]:
        """Every field to add in this app, historical models' included."""
        added = []
        for verdicts in self.verdicts.values():
            for verdict in verdicts:
                for name in verdict.add:
                    added.append(AddedField(verdict.model, name))
                    if verdict.history:
                        added.append(AddedField(verdict.history, name, historical=True))
        return added


def _judge_module(modules: ProjectModules, path: str) -> list[Verdict]:
    module = modules.by_path(path)
    verdicts = (judge(modules, module, info) for info in module.classes.values())
    return [verdict for verdict in verdicts if verdict is not None]


def _check_state(plan: AppPlan, fields_by_model: dict[str, set[str]]) -> list[Finding]:
    """Refuse the models the migrations do not know, or that migrations already changed."""
    refusals = []
    for path, verdicts in plan.verdicts.items():
        for index, verdict in enumerate(verdicts):
            if not verdict.add:
                continue
            known = fields_by_model.get(verdict.model.lower())
            history = fields_by_model.get((verdict.history or "").lower(), set())
            if known is None:
                reason = f"{verdict.model} has no migration creating it: run makemigrations first"
            elif verdict.history and verdict.history.lower() not in fields_by_model:
                reason = (
                    f"{verdict.model} has a history (django-simple-history) but no migration "
                    f"creates {verdict.history}: run makemigrations first"
                )
            elif set(verdict.add) & (known | history):
                clash = ", ".join(sorted(set(verdict.add) & (known | history)))
                reason = (
                    f"the migrations of {plan.label} already have {verdict.model}.{clash} but "
                    "the model does not: model and migrations disagree, run makemigrations first"
                )
            else:
                continue
            refusals.append(Finding(path, verdict.line, reason))
            verdicts[index] = Verdict(verdict.model, verdict.line, (), verdict.notes)
    return refusals


def _refuse_app(plan: AppPlan, reason: str) -> list[Finding]:
    refusals = []
    for path, verdicts in plan.verdicts.items():
        for index, verdict in enumerate(verdicts):
            if verdict.add:
                refusals.append(Finding(path, verdict.line, f"{verdict.model}: {reason}"))
                verdicts[index] = Verdict(verdict.model, verdict.line, (), verdict.notes)
    return refusals


def _rewrite_models(
    plan: AppPlan, modules: ProjectModules, project: ProjectInput
) -> tuple[dict[str, str], list[Finding]]:
    writes: dict[str, str] = {}
    refusals: list[Finding] = []
    for path, verdicts in plan.verdicts.items():
        if not any(verdict.add for verdict in verdicts):
            continue
        spelling = datetime_field_callee(modules.by_path(path))
        if spelling is None:
            reason = "DateTimeField cannot be named here: the name is bound to something else"
            refusals += _refuse_app(AppPlan(plan.folder, plan.label, {path: verdicts}), reason)
            continue
        callee, import_from = spelling
        additions = {
            verdict.model: [f"{name} = {callee}({FIELD_LINES[name]})" for name in verdict.add]
            for verdict in verdicts
            if verdict.add
        }
        text = project.files[path]
        syntax = modules.by_path(path).syntax
        # text insertions placed with the ast tree; libcst for imports and unusual layouts
        placed = insert_field_lines(syntax, text, additions) if syntax and not import_from else None
        if placed is None:
            placed = add_fields(parse_python(path, text), additions, import_from)
        writes[path] = placed
    return writes, refusals


def _write_app(
    plan: AppPlan, modules: ProjectModules, project: ProjectInput, graphs: AppGraphs
) -> tuple[dict[str, str], list[Finding], list[Finding]]:
    """Rewrite one app's models and write its migration: writes, notes, refusals."""
    try:
        graph = graphs.load(plan.folder, plan.label)
        leaf = graph.single_leaf()
        refusals = _check_state(plan, graph.model_fields())
        name = new_migration_name(leaf, graph.all_names, MIGRATION_STEM)
    except MigrationsProblem as problem:
        return {}, [], _refuse_app(plan, str(problem))
    writes, more_refusals = _rewrite_models(plan, modules, project)
    refusals += more_refusals
    additions = plan.additions()
    if not additions:
        return {}, [], refusals
    migration_path = join_path(plan.folder, f"migrations/{name}.py")
    writes[migration_path] = write_migration(plan.label, leaf, additions)
    return writes, _app_notes(plan, migration_path, additions), refusals


def _app_notes(plan: AppPlan, migration_path: str, additions: list[AddedField]) -> list[Finding]:
    by_model: dict[str, list[str]] = defaultdict(list)
    for added in additions:
        by_model[added.model].append(added.name)
    described = ", ".join(
        f"{model} ({' and '.join(sorted(names))})" for model, names in sorted(by_model.items())
    )
    notes = [
        Finding(
            migration_path,
            None,
            f"existing rows all get the time this migration runs: {described}; their real "
            "creation time is unknown (backfill it from another column in a data migration "
            "if you have one)",
        )
    ]
    if any(added.name == "updated_at" for added in additions):
        for path, verdicts in plan.verdicts.items():
            if any("updated_at" in verdict.add for verdict in verdicts):
                notes.append(
                    Finding(
                        path,
                        None,
                        "updated_at is set by save() only: QuerySet.update() and "
                        "bulk_update() leave it unchanged, so pass updated_at=timezone.now() "
                        "there",
                    )
                )
    return notes


def _migrated_models(plan: AppPlan, graphs: AppGraphs) -> set[str] | None:
    try:
        return set(graphs.load(plan.folder, plan.label).model_fields())
    except (MigrationsProblem, InputError):
        return None


def _findings(plan: AppPlan) -> tuple[list[Finding], list[Finding]]:
    notes, refusals = [], []
    for path, verdicts in plan.verdicts.items():
        for verdict in verdicts:
            notes += [Finding(path, verdict.line, note) for note in verdict.notes]
            if verdict.refusal:
                refusals.append(Finding(path, verdict.line, verdict.refusal))
    return notes, refusals


def _plan_apps(
    modules: ProjectModules, project: ProjectInput, graphs: AppGraphs
) -> tuple[list[AppPlan], list[Finding]]:
    """Judge every class of every models module, grouped by app.

    An app whose models (or a module a base comes from) do not parse is left alone and the
    file reported as an error; the other apps go ahead.

    :returns: the plans of the apps that could be judged, and the errors.
    """
    plans: dict[str, AppPlan] = {}
    errors: list[Finding] = []
    broken: set[str] = set()
    for path in sorted(p for p in project.files if "models" in p and is_models_module(p)):
        folder = app_folder(path)
        if folder not in plans:
            label = app_label(folder, project.files, project.facts.root_name)
            plans[folder] = AppPlan(folder, label)
        try:
            plans[folder].verdicts[path] = _judge_module(modules, path)
        except InputError as error:
            errors.append(Finding(getattr(error, "path", path), None, error.message))
            broken.add(folder)
            continue
        adds = any(verdict.add for verdict in plans[folder].verdicts[path])
        if not adds or not graphs.has_package(folder):
            modules.forget_syntax(path)  # never rewritten
    return [plan for folder, plan in plans.items() if folder not in broken], errors


def transform(project: ProjectInput) -> ProjectOutcome:
    """Add ``created_at``/``updated_at`` to every concrete model and write each app's migration.

    Enforces the standard's "Required Model Fields" (and "Model Naming": all models have
    created_at and updated_at) while keeping "Fresh Migration Test": migrations stay in step
    with the models.

    :param project: every Python file and fixture of the project.
    :returns: rewritten models modules, new migration modules, notes and refusals.
    """
    python_texts = {p: t for p, t in project.files.items() if p.endswith(".py")}
    modules = ProjectModules(python_texts, source_roots(project.facts.manage_py_files))
    graphs = AppGraphs(project)
    plans, errors = _plan_apps(modules, project, graphs)
    changing = {plan.folder for plan in plans if plan.additions()}
    hazards = Hazards(modules, is_models_module, app_folder, project.files, changing)
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    added: dict[str, set[str]] = {}
    changed_folders = set()
    for plan in plans:
        if any(verdict.unsure for verdicts in plan.verdicts.values() for verdict in verdicts):
            drop_non_models(plan, _migrated_models(plan, graphs))
        refusals += hazards.refuse(plan)
        plan_notes, plan_refusals = _findings(plan)
        notes += plan_notes
        refusals += plan_refusals
        if not plan.additions():
            continue
        app_writes, app_notes, app_refusals = _write_app(plan, modules, project, graphs)
        writes.update(app_writes)
        notes += app_notes
        refusals += app_refusals
        if app_writes:
            changed_folders.add(plan.folder)
            for addition in plan.additions():
                key = f"{plan.label}.{addition.model}".lower()
                added.setdefault(key, set()).add(addition.name)
    if added:
        timestamp = fixture_timestamp(project.files, project.facts.settings_files)
        fixture_writes, fixture_notes, fixture_refusals = complete_fixtures(
            project.files, added, timestamp
        )
        writes.update(fixture_writes)
        notes += fixture_notes
        refusals += fixture_refusals
        notes += field_list_notes(project.files, changed_folders)
    return ProjectOutcome(writes, tuple(notes), tuple(refusals), tuple(errors))


CODEMOD = Codemod(
    id="model-timestamps",
    title="Give every concrete model created_at/updated_at, with the migration adding them",
    section=SECTION,
    files=("**/*.py", "**/fixtures/*.json", "**/fixtures/*.yaml", "**/fixtures/*.yml"),
    # no needles: a base class may be re-exported by a module that defines nothing itself
    needles=(),
    rationale=(
        "The standard asks every model for created_at = DateTimeField(auto_now_add=True) and "
        "updated_at = DateTimeField(auto_now=True): when a row appeared and last changed is "
        "the first question of every support request and audit. Adding a field without its "
        "migration breaks the standard's first criterion (clean migrations from an empty "
        "database), so the codemod writes the migration makemigrations would write, with a "
        "one-off default for the rows that already exist."
    ),
    example=Example(
        path="shop/models.py",
        before=(
            "class Category(models.Model):\n"
            "    name = models.CharField(max_length=100)\n"
            "\n"
            "    def __str__(self):\n"
            "        return self.name\n"
        ),
        after=(
            "class Category(models.Model):\n"
            "    name = models.CharField(max_length=100)\n"
            "    created_at = models.DateTimeField(auto_now_add=True)\n"
            "    updated_at = models.DateTimeField(auto_now=True)\n"
            "\n"
            "    def __str__(self):\n"
            "        return self.name\n"
            "\n"
            "# + shop/migrations/0002_add_timestamps.py (AddField x2, one-off default for "
            "created_at)\n"
        ),
    ),
    transform_project=transform,
    order=500,
)
