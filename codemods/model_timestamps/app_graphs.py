"""Each app's migration graph, read once per run and only for the apps that ask for it.

Part of the "Required Model Fields" codemod, for its "Fresh Migration Test": the graph of an
app whose models change gives the new migration's dependency, number and model state. The
project's migration modules are grouped by folder in one pass, so reading one app's graph looks
at that app's migrations only, and a graph asked for twice (to drop non-models, then to write
the migration) is read once.
"""

from __future__ import annotations

from dataclasses import replace

from redpanda_migrate.codemods.shared.django_apps import join_path, migration_texts
from redpanda_migrate.codemods.shared.migration_graph import AppMigrations, load_app_migrations
from redpanda_migrate.codemods.shared.migration_reading import MigrationsProblem

from redpanda_migrate.codemod import InputError, ProjectInput


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


class AppGraphs:
    """The apps' migration graphs, read lazily and remembered.

    :param project: the project's files and facts.
    """

    def __init__(self, project: ProjectInput) -> None:
        self.project = project
        self._known = set(project.facts.files)
        self._by_folder: dict[str, list[str]] = {}
        for path in self._known | set(project.files):
            parent = _parent(path)
            if parent.rpartition("/")[2] == "migrations":
                self._by_folder.setdefault(parent, []).append(path)
        self._read: dict[str, AppMigrations | MigrationsProblem | InputError] = {}

    def _app_project(self, folder: str) -> ProjectInput:
        """Narrow the project to one app's migrations folder, all that migration_texts reads."""
        paths = self._by_folder.get(join_path(folder, "migrations"), [])
        files = {path: self.project.files[path] for path in paths if path in self.project.files}
        listed = tuple(sorted(path for path in paths if path in self._known))
        facts = replace(self.project.facts, files=listed)
        return replace(self.project, files=files, facts=facts)

    def has_package(self, folder: str) -> bool:
        """Tell whether an app has a migrations package (without it, nothing is rewritten).

        :param folder: the app's folder.
        :returns: ``True`` when ``<folder>/migrations/__init__.py`` exists.
        """
        folder = join_path(folder, "migrations")
        return f"{folder}/__init__.py" in self._by_folder.get(folder, ())

    def load(self, folder: str, label: str) -> AppMigrations:
        """Read an app's migration graph (once).

        :param folder: the app's folder.
        :param label: the app label.
        :returns: the graph.
        :raises MigrationsProblem: when the migrations cannot be followed.
        :raises InputError: when a migration does not parse.
        """
        if folder not in self._read:
            try:
                texts = migration_texts(folder, label, self._app_project(folder))
                self._read[folder] = load_app_migrations(label, texts)
            except (MigrationsProblem, InputError) as problem:  # raised again on the next ask
                self._read[folder] = problem
        read = self._read[folder]
        if isinstance(read, MigrationsProblem | InputError):
            raise read
        return read
