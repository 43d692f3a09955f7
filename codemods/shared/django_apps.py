"""Where a Django project's apps, models modules and migrations are, read statically.

Helpers of the codemods that change models and write migrations ("Required Model Fields",
"Models"): which modules hold models, which app they belong to, its label, and the texts of
its migrations, all from paths and texts the engine hands over.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from redpanda_migrate.codemods.shared.migration_reading import MigrationsProblem

from redpanda_migrate.codemod import ProjectInput

LABEL_PATTERN = re.compile(r"^\s+label\s*=\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", re.MULTILINE)


def source_roots(manage_py_files: tuple[str, ...]) -> tuple[str, ...]:
    """Folders Python imports the project's modules from.

    :param manage_py_files: paths of the project's ``manage.py`` files.
    :returns: their folders, plus ``src`` and the project root.
    """
    folders = {str(PurePosixPath(path).parent) for path in manage_py_files}
    return tuple(sorted({"" if f == "." else f for f in folders} | {"", "src"}))


def is_models_module(path: str) -> bool:
    """Tell whether a path is a Django models module (``models.py`` or in ``models/``).

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``app/models.py`` and ``app/models/*.py``, outside migrations.
    """
    pure = PurePosixPath(path)
    if pure.suffix != ".py" or "migrations" in pure.parts:
        return False
    return pure.name == "models.py" or (len(pure.parts) > 1 and pure.parts[-2] == "models")


def app_folder(models_path: str) -> str:
    """Return the folder of the app a models module belongs to.

    :param models_path: ``shop/models.py`` or ``shop/models/order.py``.
    :returns: ``shop``.
    """
    pure = PurePosixPath(models_path)
    folder = pure.parent.parent if pure.name != "models.py" else pure.parent
    return "" if str(folder) == "." else str(folder)


def app_label(folder: str, texts: Mapping[str, str], root_name: str) -> str:
    """Return the app label: ``AppConfig.label`` in ``apps.py``, else the folder's name.

    :param folder: the app's folder.
    :param texts: the project's files.
    :param root_name: the project folder's name (for an app at the root).
    :returns: the label.
    """
    apps_text = texts.get(f"{folder}/apps.py" if folder else "apps.py", "")
    found = LABEL_PATTERN.search(apps_text)
    if found:
        return found[1]
    return PurePosixPath(folder).name or root_name


def join_path(folder: str, name: str) -> str:
    """Join a project-relative folder (``""``: the root) and a name."""
    return f"{folder}/{name}" if folder else name


def migration_texts(app_folder: str, label: str, project: ProjectInput) -> dict[str, str]:
    """Return the texts of an app's migration modules.

    :param app_folder: the app's folder.
    :param label: the app label (for messages).
    :param project: the project's files (migrations among them).
    :returns: path -> text of every migration module.
    :raises MigrationsProblem: when the app has no migrations package or one cannot be read.
    """
    folder = join_path(app_folder, "migrations")
    # an earlier codemod of the run may have written a migration the facts do not list
    paths = set(project.facts.files) | set(project.files)
    if f"{folder}/__init__.py" not in paths:
        raise MigrationsProblem(
            f"app {label} has no migrations package ({folder}/__init__.py): run "
            "makemigrations for it first"
        )
    texts = {}
    prefix = f"{folder}/"
    for path in sorted(p for p in paths if p.startswith(prefix)):  # cheap: most paths are not
        pure = PurePosixPath(path)
        if str(pure.parent) != folder or pure.suffix != ".py" or pure.name[0] in "_~":
            continue
        if path not in project.files:
            raise MigrationsProblem(f"migration {path} cannot be read")
        texts[path] = project.files[path]
    return texts
