"""Floor-pin every dependency with a ceiling: the standard's "Dependency Pinning" section.

Exact pins (``Django==5.2.7``) and open floors (``celery>=5.3``) in ``pyproject.toml``'s
``[project] dependencies`` and ``[project.optional-dependencies]`` become a floor with a
ceiling (``Django>=5.2.7,<6.0``). The ceiling is the next major above the version the project
installs today, as its lock files or pinned requirements say, and never excludes a version its
classifiers, tox or CI list; when nothing says which version installs today, the requirement is
refused rather than capped from its floor. Only the version part of each requirement string
changes: names, extras, markers, quotes, comments and layout stay as they are (tomlkit).
Requirements files are read, never rewritten: ``pyproject-dependencies`` moves them (and
``setup.py``'s dependencies) into ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from redpanda_migrate.codemods.pin_dependencies.evidence import (
    LOCK_FILES,
    TOML_LOCKS,
    Evidence,
    is_workflow,
    read_ci_matrix,
    read_pipfile_lock,
    read_requirements,
    read_toml_lock,
    read_tox,
)
from redpanda_migrate.codemods.pin_dependencies.pyproject import (
    dependency_names,
    transform_pyproject,
)

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
)
from redpanda_migrate.facts import is_requirements_file

SECTION = "Dependency Pinning"


def _folder(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def _within(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def gather_evidence(files: dict[str, str], pyproject_path: str, names: set[str]) -> Evidence:
    """Read what the project's files say about the versions of one pyproject's dependencies.

    Lock files count when they sit beside the ``pyproject.toml``; requirements files, tox and
    CI workflows anywhere below its folder (workflows anywhere in the repository).

    :param files: the project's candidate files.
    :param pyproject_path: the ``pyproject.toml`` whose dependencies are pinned.
    :param names: canonical names of its dependencies.
    :returns: the versions installed and tested.
    """
    folder = _folder(pyproject_path)
    evidence = Evidence()
    for path, text in sorted(files.items()):
        name = PurePosixPath(path).name
        if name in LOCK_FILES and _folder(path) == folder:
            reader = read_toml_lock if name in TOML_LOCKS else read_pipfile_lock
            reader(path, text, evidence)
        elif is_requirements_file(path) and _within(path, folder):
            read_requirements(path, text, evidence)
        elif name == "tox.ini" and _within(path, folder):
            read_tox(path, text, evidence)
        elif is_workflow(path):
            read_ci_matrix(path, text, names, evidence)
    return evidence


def transform(project: ProjectInput) -> ProjectOutcome:
    """Floor-pin each ``pyproject.toml``'s dependencies.

    Enforces the standard's "Dependency Pinning".

    :param project: the pyproject, requirements, lock, tox and workflow files.
    :returns: rewritten ``pyproject.toml`` files, notes, refusals and errors.
    """
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    errors: list[Finding] = []
    for path, text in sorted(project.files.items()):
        name = PurePosixPath(path).name
        if name == "pyproject.toml":
            try:
                names = dependency_names(text)
                evidence = gather_evidence(dict(project.files), path, names)
                outcome = transform_pyproject(path, text, evidence)
            except InputError as error:
                errors.append(Finding(path, error.line, error.message))
                continue
            if outcome.text != text:
                writes[path] = outcome.text
            notes += outcome.notes
            refusals += outcome.refusals
    return ProjectOutcome(writes, tuple(notes), tuple(refusals), tuple(errors))


CODEMOD = Codemod(
    id="pin-dependencies",
    title="Floor-pin dependencies with a ceiling in pyproject.toml",
    section=SECTION,
    files=(
        "pyproject.toml",
        "requirements*.txt",
        "requirements*.in",
        "**/requirements/*.txt",
        "**/requirements/*.in",
        *LOCK_FILES,
        "tox.ini",
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
    ),
    rationale=(
        "Exact pins (==) in a project's declared dependencies break every consumer that "
        "needs another patch release, and open floors (>=) let the next major release break "
        "the build silently. The standard asks for a tested floor and the next major as "
        "ceiling (Django>=5.2,<6.0); exact pins belong in lock files only. The ceiling follows "
        "the version the project installs today (its lock file says which), so it never "
        "downgrades an install."
    ),
    example=Example(
        path="pyproject.toml",
        before='dependencies = [\n    "Django==5.2.7",\n    "celery[redis]>=5.3",\n]\n',
        after='dependencies = [\n    "Django>=5.2.7,<6.0",\n    "celery[redis]>=5.3,<6.0",\n]\n'
        "# celery's ceiling follows the 5.4.0 that uv.lock installs\n",
    ),
    transform_project=transform,
    order=100,
)
