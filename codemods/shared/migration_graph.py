"""An app's migration graph, read statically as ``makemigrations`` reads it.

The graph is built the way Django's ``MigrationLoader`` builds it for ``makemigrations`` (no
database): a squashed migration replaces the migrations it lists when they are on disk, and
dependencies on them point at the squash. The model state is replayed from the operations
that change fields (``CreateModel``, ``DeleteModel``, ``RenameModel``, ``AddField``,
``AlterField``, ``RemoveField``, ``RenameField``, and the state side of
``SeparateDatabaseAndState``). Serves the standard's "Fresh Migration Test": a codemod that
writes a migration follows the app's graph without importing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from redpanda_migrate.codemods.shared.migration_reading import (
    FieldCall,
    MigrationFile,
    MigrationsProblem,
    read_migration,
)

# lowercased model name -> field name -> its latest definition (None: not a readable call)
ModelState = dict[str, dict[str, FieldCall | None]]


@dataclass
class AppMigrations:
    """An app's migration graph, as ``makemigrations`` sees it.

    :param label: the app label.
    :param migrations: the migrations in effect (replaced ones removed), by name.
    :param all_names: every migration module name on disk.
    """

    label: str
    migrations: dict[str, MigrationFile]
    all_names: frozenset[str]

    def _internal_dependencies(self, migration: MigrationFile) -> set[str]:
        return {
            n for app, n in migration.dependencies if app == self.label and n in self.migrations
        }

    def leaves(self) -> list[str]:
        """Return the migrations no other migration of the app depends on.

        :returns: their names, sorted.
        """
        depended = set()
        for migration in self.migrations.values():
            depended |= self._internal_dependencies(migration)
        return sorted(set(self.migrations) - depended)

    def single_leaf(self) -> str:
        """Return the app's one leaf migration, the dependency of a new one.

        :raises MigrationsProblem: when the app has no migration or several leaves.
        """
        leaves = self.leaves()
        if not leaves:
            raise MigrationsProblem(f"app {self.label} has no migrations yet: run makemigrations")
        if len(leaves) > 1:
            raise MigrationsProblem(
                f"app {self.label} has several leaf migrations ({', '.join(leaves)}): run "
                "makemigrations --merge first"
            )
        return leaves[0]

    def in_order(self) -> list[MigrationFile]:
        """Return the migrations in an order that respects their dependencies.

        :returns: the migrations, dependencies first.
        :raises MigrationsProblem: on a dependency cycle.
        """
        done: list[str] = []
        pending = sorted(self.migrations)
        while pending:
            ready = [
                n for n in pending if self._internal_dependencies(self.migrations[n]) <= set(done)
            ]
            if not ready:
                raise MigrationsProblem(f"the migrations of {self.label} have a dependency cycle")
            done.extend(ready)
            pending = [n for n in pending if n not in ready]
        return [self.migrations[n] for n in done]

    def model_state(self) -> ModelState:
        """Replay the operations: the app's models and their fields' latest definitions.

        :returns: lowercased model name -> field name -> definition.
        """
        models: ModelState = {}
        for migration in self.in_order():
            for kind, arguments in migration.operations:
                _apply(models, kind, arguments)
        return models

    def model_fields(self) -> dict[str, set[str]]:
        """Replay the operations: the app's models and their field names after the leaf.

        :returns: lowercased model name -> field names.
        """
        return {model: set(fields) for model, fields in self.model_state().items()}


def _lower(value: object) -> str:
    return value.lower() if isinstance(value, str) else ""


def _call(value: object) -> FieldCall | None:
    return value if isinstance(value, FieldCall) else None


def _apply(models: ModelState, kind: str, arguments: dict[str, object]) -> None:
    model = _lower(arguments.get("model_name"))
    if kind == "CreateModel":
        fields = arguments.get("fields")
        models[_lower(arguments.get("name"))] = {
            name: _call(call)
            for name, call in (fields if isinstance(fields, list) else ())
            if isinstance(name, str)
        }
    elif kind == "DeleteModel":
        models.pop(_lower(arguments.get("name")), None)
    elif kind == "RenameModel":
        old = models.pop(_lower(arguments.get("old_name")), {})
        models[_lower(arguments.get("new_name"))] = old
    elif kind in ("AddField", "AlterField"):
        models.setdefault(model, {})[str(arguments.get("name"))] = _call(arguments.get("field"))
    elif kind == "RemoveField":
        models.get(model, {}).pop(str(arguments.get("name")), None)
    elif kind == "RenameField":
        fields = models.setdefault(model, {})
        fields[str(arguments.get("new_name"))] = fields.pop(str(arguments.get("old_name")), None)
    elif kind == "SeparateDatabaseAndState":
        for inner_kind, inner_arguments in arguments.get("state_operations") or ():
            _apply(models, inner_kind, inner_arguments)


def load_app_migrations(label: str, texts: dict[str, str]) -> AppMigrations:
    """Build an app's migration graph from its migration modules.

    :param label: the app label.
    :param texts: path -> text of every migration module of the app.
    :returns: the graph, with replaced migrations removed as ``makemigrations`` does.
    :raises MigrationsProblem: when a module cannot be read.
    """
    read = {m.name: m for m in (read_migration(path, text) for path, text in sorted(texts.items()))}
    replaced_by: dict[str, str] = {}
    for migration in read.values():
        for app, name in migration.replaces:
            if app == label and name in read:
                replaced_by[name] = migration.name
    # read_migration's results are shared: the dependencies on replaced ones go in copies
    in_effect = {
        name: replace(
            migration,
            dependencies=[
                (app, replaced_by.get(n, n) if app == label else n)
                for app, n in migration.dependencies
            ],
        )
        for name, migration in read.items()
        if name not in replaced_by
    }
    return AppMigrations(label, in_effect, frozenset(read))


def parse_number(name: str) -> int | None:
    """Return the number of a migration name, as Django's autodetector reads it.

    :param name: e.g. ``0004_auto`` or ``0001_squashed_0004_auto``.
    :returns: ``4`` for both, ``None`` when the name has no number.
    """
    squashed = re.search(r".*_squashed_(\d+)", name)
    if squashed:
        return int(squashed[1])
    number = re.match(r"^\d+", name)
    return int(number[0]) if number else None


def new_migration_name(leaf: str, all_names: frozenset[str], stem: str) -> str:
    """Name the new migration after the leaf's number, as ``makemigrations --name`` does.

    :param leaf: the leaf migration's name.
    :param all_names: every migration module name of the app.
    :param stem: the descriptive part (``add_timestamps``).
    :returns: e.g. ``0003_add_timestamps``.
    :raises MigrationsProblem: when that name is taken.
    """
    name = f"{(parse_number(leaf) or 0) + 1:04d}_{stem}"
    if name in all_names:
        raise MigrationsProblem(f"a migration named {name} already exists")
    return name
