"""Facts about a project that several codemods need, computed once per run.

Facts are computed from file names and a few small files only: they must stay cheap, because
they are computed even when few codemods run. A codemod that needs an expensive analysis of
its own computes it inside its transform from the files it is handed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from redpanda_migrate.config import NotToml, read_toml

REQUIREMENTS_NAMES = ("requirements.txt", "requirements.in")


@dataclass(frozen=True)
class ProjectFacts:
    """What the engine knows about the project before any codemod runs.

    :param root_name: the project directory's name.
    :param files: every file the run considers, project-relative POSIX paths, sorted; git-ignored
        files, virtualenvs, ``.git`` and ``node_modules`` are not in it.
    :param manage_py_files: paths of ``manage.py`` files (Django project roots).
    :param settings_files: Python files that look like Django settings modules.
    :param requirements_files: pip requirements files (``requirements*.txt``, ``requirements/*``).
    :param setup_py_files: ``setup.py`` files.
    :param requires_python: ``[project] requires-python`` of the root ``pyproject.toml``.
    :param tracked_files: the files git tracks (``git ls-files``), ``None`` when the project is
        not in a git work tree: a file listed here is committed, whatever ``.gitignore`` says.
    :param links_out: symlinks, git-ignored ones included for the files at the root, whose
        target lies outside the project: the engine never writes through them.
    """

    root_name: str
    files: tuple[str, ...]
    manage_py_files: tuple[str, ...] = ()
    settings_files: tuple[str, ...] = ()
    requirements_files: tuple[str, ...] = ()
    setup_py_files: tuple[str, ...] = ()
    requires_python: str | None = None
    tracked_files: frozenset[str] | None = None
    links_out: tuple[str, ...] = ()


def is_requirements_file(path: str) -> bool:
    """Tell whether a path names a pip requirements file.

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``requirements*.txt``/``.in`` and files in a ``requirements/`` folder.
    """
    if not path.endswith((".txt", ".in")):  # cheap test first: facts look at every file
        return False
    pure = PurePosixPath(path)
    if pure.suffix not in (".txt", ".in"):
        return False
    return pure.name.startswith("requirements") or "requirements" in pure.parts[:-1]


def is_settings_file(path: str) -> bool:
    """Tell whether a path looks like a Django settings module, by name only.

    :param path: project-relative POSIX path.
    :returns: ``True`` for ``settings.py``, ``settings_*.py`` and modules of a ``settings``
        package.
    """
    if not path.endswith(".py") or "settings" not in path:  # cheap test first
        return False
    pure = PurePosixPath(path)
    if pure.suffix != ".py":
        return False
    return (
        pure.stem == "settings"
        or pure.stem.startswith("settings_")
        or ("settings" in pure.parts[:-1])
    )


DEVELOPMENT_SETTINGS_NAMES = frozenset(
    {"dev", "develop", "development", "local", "test", "tests", "testing", "ci"}
)


def is_development_settings(path: str) -> bool:
    """Tell whether a settings module is only for development or tests, by name only.

    Such a module holds no production secret and may keep ``DEBUG = True`` (the standard's
    "Security": "Don't use DEBUG=True in production").

    :param path: project-relative POSIX path of a settings module.
    :returns: ``True`` for ``settings/dev.py``, ``settings_local.py``, ``test_settings.py``, ...
    """
    stem = PurePosixPath(path).stem.lower()
    words = set(stem.replace("-", "_").split("_")) - {"settings"}
    return bool(words & DEVELOPMENT_SETTINGS_NAMES)


def read_requires_python(pyproject_text: str | None) -> str | None:
    """Extract ``[project] requires-python`` from a ``pyproject.toml`` text.

    :param pyproject_text: the file's text, or ``None`` when there is none.
    :returns: the specifier string, or ``None`` when absent or unreadable.
    """
    if pyproject_text is None:
        return None
    try:
        document = read_toml(pyproject_text)
    except NotToml:
        return None
    project_table = document.get("project")
    if not isinstance(project_table, dict):
        return None
    value = project_table.get("requires-python")
    return str(value) if value is not None else None


def _named(path: str, name: str) -> bool:
    return path.endswith(name) and PurePosixPath(path).name == name


def build_facts(
    root_name: str,
    files: tuple[str, ...],
    read_text: Callable[[str], str | None],
    tracked_files: frozenset[str] | None = None,
    links_out: tuple[str, ...] = (),
) -> ProjectFacts:
    """Compute the project facts from the discovered files.

    :param root_name: the project directory's name.
    :param files: discovered project-relative POSIX paths.
    :param read_text: returns a file's text, or ``None`` when it cannot be read.
    :param tracked_files: the files git tracks, ``None`` outside git.
    :param links_out: symlinks leaving the project.
    :returns: the facts, ready to be handed to every codemod.
    """
    return ProjectFacts(
        root_name=root_name,
        files=files,
        manage_py_files=tuple(p for p in files if _named(p, "manage.py")),
        settings_files=tuple(p for p in files if is_settings_file(p)),
        requirements_files=tuple(p for p in files if is_requirements_file(p)),
        setup_py_files=tuple(p for p in files if _named(p, "setup.py")),
        requires_python=read_requires_python(
            read_text("pyproject.toml") if "pyproject.toml" in files else None
        ),
        tracked_files=tracked_files,
        links_out=links_out,
    )
