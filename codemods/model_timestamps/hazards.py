"""Models left alone whatever their kind: what else in the project would break with new fields.

Part of the "Required Model Fields" codemod, guarding its "Fresh Migration Test": a model used
live by a data migration (:mod:`.live_models`), or given a history by
``simple_history.register()`` (:mod:`.history`), is refused with the reason; a class refused
only because a base is unknown, with neither fields nor ``Meta``, is dropped silently when the
app's migrations do not create it (``EscapeHtml(markdown.Extension)`` is no model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Protocol

from redpanda_migrate.codemods.model_timestamps.fixture_rows import fixture_models
from redpanda_migrate.codemods.model_timestamps.history import registered_models
from redpanda_migrate.codemods.model_timestamps.inheritance import ProjectModules
from redpanda_migrate.codemods.model_timestamps.kinds import Verdict
from redpanda_migrate.codemods.model_timestamps.live_models import (
    ALL_MODELS,
    FixtureLoad,
    LiveUse,
    fixture_loads,
    is_migration,
    live_model_uses,
    live_use_reason,
    may_import,
)
from redpanda_migrate.codemods.shared.json_positions import is_fixture

from redpanda_migrate.codemod import Finding


class Plan(Protocol):
    """The part of an app plan this module needs."""

    folder: str
    label: str
    verdicts: dict[str, list[Verdict]]


def _left_alone(verdict: Verdict) -> Verdict:
    return Verdict(verdict.model, verdict.line, (), verdict.notes)


class Hazards:
    """What in the project forbids adding fields to which models.

    :param modules: the project's Python modules.
    :param is_models_module: tells whether a path is a models module.
    :param app_folder: the app folder of a models module path.
    :param texts: every file of the project (fixtures included).
    :param folders: the folders of the apps whose models get fields: only the migrations that
        may import their models are read, for uses of their models.
    """

    def __init__(
        self,
        modules: ProjectModules,
        is_models_module: Callable[[str], bool],
        app_folder: Callable[[str], str],
        texts: Mapping[str, str],
        folders: set[str],
    ) -> None:
        def is_models(dotted: str) -> bool:  # only the models of these apps matter
            path = modules.path_of(dotted)
            return path is not None and is_models_module(path) and app_folder(path) in folders

        roots = modules.source_roots
        names = {folder.rpartition("/")[2] for folder in folders}
        if "" in folders or folders & set(roots):
            names = {""}  # an app at the root or a source root is imported as plain ``models``
        migrations = {
            path: text
            for path, text in modules.texts.items()
            if folders and is_migration(path) and may_import(path, text, names)
        }
        uses = live_model_uses(migrations, roots, is_models)
        self.live: dict[tuple[str, str], list[LiveUse]] = {}
        for dotted, found in uses.items():
            folder = app_folder(modules.path_of(dotted) or "")
            for use in found:
                self.live.setdefault((folder, use.name), []).append(use)
        self.registered = registered_models(modules.texts)
        self.loaded: dict[str, FixtureLoad] = {}  # "label.model" -> the migration loading it
        self.loading_folders: dict[str, FixtureLoad] = {}  # app folder -> unresolved load
        for load in fixture_loads(modules.texts):
            labels = _loaded_labels(load, texts)
            if labels is None:
                self.loading_folders.setdefault(_migration_app(load.migration), load)
            for label in labels or ():
                self.loaded.setdefault(label, load)

    def _reason(self, plan: Plan, model: str) -> str | None:
        folder = plan.folder
        uses = self.live.get((folder, model), []) + self.live.get((folder, ALL_MODELS), [])
        if uses:
            return live_use_reason(model, uses)
        load = self.loaded.get(f"{plan.label}.{model}".lower()) or self.loading_folders.get(folder)
        if load:
            return (
                f"{model} rows are loaded by {load.migration}:{load.line} with the live models "
                "(serializers.deserialize / loaddata in a migration): once it has created_at, "
                "a fresh migrate fails there (no such column); load them with "
                "apps.get_model() rows instead, then run again"
            )
        if model in self.registered:
            return (
                f"{model} is given a history by simple_history.register() in "
                f"{self.registered[model]}: its historical model needs created_at/updated_at "
                "too, which is not generated for registered models; add the fields with "
                "makemigrations"
            )
        return None

    def refuse(self, plan: Plan) -> list[Finding]:
        """Leave alone the models of a plan that something else would break on.

        :param plan: the app's plan; its verdicts are updated in place.
        :returns: the refusals.
        """
        refusals = []
        for path, verdicts in plan.verdicts.items():
            for index, verdict in enumerate(verdicts):
                reason = self._reason(plan, verdict.model) if verdict.add else None
                if reason:
                    refusals.append(Finding(path, verdict.line, reason))
                    verdicts[index] = _left_alone(verdict)
        return refusals


def _migration_app(path: str) -> str:
    parent = str(PurePosixPath(path).parent.parent)
    return "" if parent == "." else parent


def _loaded_labels(load: FixtureLoad, texts: Mapping[str, str]) -> set[str] | None:
    """Return the model labels of the fixtures a migration names (``None``: it names none)."""
    wanted = {PurePosixPath(name).name for name in load.names if name}
    labels: set[str] = set()
    matched = False
    for path in texts:
        if "fixtures/" not in path:  # cheap test first: every file of the project is here
            continue
        pure = PurePosixPath(path)
        if is_fixture(path) and (pure.name in wanted or pure.stem in wanted):
            matched = True
            labels |= fixture_models(path, texts[path])
    return labels if matched else None


def drop_non_models(plan: Plan, migrated_models: set[str] | None) -> None:
    """Forget the unsure refusals of classes the app's migrations do not create.

    :param plan: the app's plan; its verdicts are updated in place.
    :param migrated_models: lowercased names of the models the app's migrations create, or
        ``None`` when they cannot be read (then every refusal stays).
    """
    if migrated_models is None:
        return
    for path, verdicts in plan.verdicts.items():
        plan.verdicts[path] = [
            verdict
            for verdict in verdicts
            if not (verdict.unsure and verdict.model.lower() not in migrated_models)
        ]
