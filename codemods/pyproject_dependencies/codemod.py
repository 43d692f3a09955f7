"""Move ``requirements*.txt`` and ``setup.py`` dependencies into ``pyproject.toml``.

Enforces the standard's "Environment Standards": pyproject.toml for project configuration, no
setup.py, no requirements.txt, dependencies floor-pinned with a ceiling. Each package folder
(the root, or a folder with its own ``pyproject.toml``/``setup.py``) is planned on its own and
moved all or nothing: a line ``[project]`` cannot hold, a conflict with what ``pyproject.toml``
declares, or a file that still uses an old file refuses that folder with the reason.
"""

from __future__ import annotations

import configparser
from pathlib import PurePosixPath

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from redpanda_migrate.codemods.pin_dependencies import gather_evidence
from redpanda_migrate.codemods.pin_dependencies.evidence import (
    LOCK_FILES,
    Evidence,
    read_classifiers,
)
from redpanda_migrate.codemods.pin_dependencies.requirement import (
    LOCK_HINT,
    Refusal,
    rewrite_requirement,
)
from redpanda_migrate.codemods.pyproject_dependencies.references import find_references
from redpanda_migrate.codemods.pyproject_dependencies.requirements_file import Line
from redpanda_migrate.codemods.pyproject_dependencies.setup_py import (
    MOVED_KEYWORDS,
    SetupCall,
    SetupProblem,
    drop_keywords,
    read_setup_py,
)
from redpanda_migrate.codemods.pyproject_dependencies.sources import Sources, collect
from redpanda_migrate.codemods.pyproject_dependencies.target import (
    Conflict,
    NewProject,
    add_no_packages,
    already_declared,
    append_requirements,
    declared,
    target_array,
    with_project,
)
from tomlkit.exceptions import TOMLKitError
from tomlkit.toml_document import TOMLDocument

from redpanda_migrate.codemod import Codemod, Example, Finding, ProjectInput, ProjectOutcome
from redpanda_migrate.facts import ProjectFacts, is_requirements_file

FOLDER_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
PLATFORM_FILES = ("Procfile", "runtime.txt", "app.json")
CREATED_VERSION = "0.1.0"


class FolderRefused(Exception):
    """The folder is left alone; the findings say why."""

    def __init__(self, *findings: Finding) -> None:
        super().__init__(findings)
        self.findings = findings


def _folder(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def _in(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


class FolderPlan:
    """The move of one package folder's dependencies into its ``pyproject.toml``."""

    def __init__(self, folder: str, requirements: list[str], project: ProjectInput) -> None:
        self.folder = folder
        self.requirements = requirements
        self.files = dict(project.files)
        self.facts: ProjectFacts = project.facts
        self.pyproject_path = _in(folder, "pyproject.toml")
        self.setup_path = _in(folder, "setup.py")
        self.writes: dict[str, str | None] = {}
        self.notes: list[Finding] = []
        self.loosened: dict[str, list[str]] = {}

    def refuse(self, path: str, line: int | None, reason: str) -> FolderRefused:
        """Return the refusal of the whole folder for one reason."""
        return FolderRefused(Finding(path, line, reason))

    def document(self) -> TOMLDocument:
        """Parse the folder's ``pyproject.toml`` (an empty one when there is none)."""
        try:
            document = tomlkit.parse(self.files.get(self.pyproject_path, ""))
        except TOMLKitError as error:
            raise self.refuse(self.pyproject_path, None, f"invalid TOML: {error}") from None
        project = document.get("project")
        dynamic = [str(field) for field in (project or {}).get("dynamic", [])]
        if {"dependencies", "optional-dependencies"} & set(dynamic):
            raise self.refuse(
                self.pyproject_path,
                None,
                "dependencies are dynamic (read from other files when the project builds): "
                "remove them from [project] dynamic and [tool.setuptools.dynamic], then run again",
            )
        if project is None and "poetry" in document.get("tool", {}):
            raise self.refuse(
                self.pyproject_path,
                None,
                "a Poetry project without [project]: convert [tool.poetry] to PEP 621 "
                "(poetry 2 reads [project]), then run again",
            )
        return document

    def setup_call(self, has_project: bool) -> SetupCall | None:
        """Read ``setup.py`` statically; refuse what cannot be moved exactly."""
        text = self.files.get(self.setup_path)
        if text is None:
            return None
        try:
            call = read_setup_py(text)
        except SetupProblem as problem:
            raise self.refuse(self.setup_path, problem.line, str(problem)) from None
        except (SyntaxError, ValueError) as error:
            raise self.refuse(self.setup_path, None, f"setup.py does not parse: {error}") from None
        if call is None:
            return None
        moving = {"install_requires", "extras_require"} & set(call.values)
        if has_project and moving:
            raise self.refuse(
                self.setup_path,
                call.line,
                f"pyproject.toml has a [project] table, so setuptools already ignores setup.py's "
                f"{' and '.join(sorted(moving))}: merge them into [project] by hand (or delete "
                "them), then run again",
            )
        return call

    def check_setup_cfg(self, creating: bool) -> None:
        """Refuse a ``setup.cfg`` whose metadata a created ``[project]`` would override."""
        text = self.files.get(_in(self.folder, "setup.cfg"))
        if text is None:
            return
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error as error:
            raise self.refuse(_in(self.folder, "setup.cfg"), None, f"unreadable: {error}") from None
        declares = parser.has_option("options", "install_requires") or parser.has_section(
            "options.extras_require"
        )
        if declares or (creating and parser.has_section("metadata")):
            raise self.refuse(
                _in(self.folder, "setup.cfg"),
                None,
                "setup.cfg declares the package's metadata or install_requires, which a "
                "[project] table would override: convert setup.cfg to pyproject.toml [project] "
                "(ini2toml does it), then run again",
            )

    def groups_from_setup(self, call: SetupCall | None, sources: Sources) -> None:
        """Add ``install_requires`` and ``extras_require`` to the moved groups."""
        if call is None:
            return
        requires = call.values.get("install_requires", [])
        extras = call.values.get("extras_require", {})
        if isinstance(requires, str):
            requires = requires.splitlines()
        if not isinstance(requires, (list, tuple)) or not isinstance(extras, dict):
            raise self.refuse(self.setup_path, call.line, "install_requires is not a list")
        lines = [Line(self.setup_path, call.line, str(text).strip()) for text in requires]
        sources.groups[""] = [line for line in lines if line.text] + sources.groups.get("", [])
        self.check_requirements(lines)
        for extra, items in extras.items():
            if ":" in str(extra):
                raise self.refuse(
                    self.setup_path,
                    call.line,
                    f"extras_require key {extra!r} carries a marker: write it on each "
                    "requirement (name; marker), then run again",
                )
            items = items.splitlines() if isinstance(items, str) else list(items)
            group = canonicalize_name(str(extra))
            lines = [Line(self.setup_path, call.line, str(t).strip()) for t in items]
            sources.groups.setdefault(group, []).extend(line for line in lines if line.text)
            self.check_requirements(lines)

    def check_requirements(self, lines: list[Line]) -> None:
        """Refuse a ``setup.py`` requirement string that is not PEP 508."""
        for line in lines:
            try:
                Requirement(line.text) if line.text else None
            except InvalidRequirement as error:
                raise self.refuse(
                    line.path, line.number, f"not a valid requirement: {line.text!r}: {error}"
                ) from None

    def pending(
        self, document: TOMLDocument, sources: Sources, use_groups: bool
    ) -> dict[str, list[Line]]:
        """Return, per group, the moved requirements ``pyproject.toml`` does not declare yet."""
        main = declared(target_array(document, "", use_groups))
        conflicts: list[Finding] = []
        pending: dict[str, list[Line]] = {}
        for group, lines in sources.groups.items():
            existing = declared(target_array(document, group, use_groups)) if group else main
            for line in lines:
                try:
                    if already_declared(existing, line.text) or (
                        group and already_declared(main, line.text)
                    ):
                        continue
                except Conflict as conflict:
                    conflicts.append(
                        Finding(
                            line.path,
                            line.number,
                            f"cannot move to pyproject.toml: {conflict}: settle which one you "
                            "mean in pyproject.toml, then run again",
                        )
                    )
                    continue
                pending.setdefault(group, []).append(line)
                existing = {**existing, **declared([line.text])}  # type: ignore[arg-type]
        if conflicts:
            raise FolderRefused(*conflicts)
        return pending

    def pinned(self, line: Line, evidence: Evidence) -> str:
        """Floor-pin one moved requirement with a ceiling, as ``pin-dependencies`` would."""
        name = canonicalize_name(Requirement(line.text).name)
        label = Requirement(line.text).name
        try:
            rewrite = rewrite_requirement(
                line.text, evidence.installed.get(name), evidence.tested.get(name)
            )
        except Refusal as refusal:
            self.notes.append(
                Finding(line.path, line.number, f"moved without a ceiling: {refusal}")
            )
            return line.text
        for note in rewrite.notes:
            if "loosened to a range" in note:
                self.loosened.setdefault(line.path, []).append(label)
            else:
                self.notes.append(Finding(line.path, line.number, f"{label}: {note}"))
        return rewrite.text

    def group_notes(self, pending: dict[str, list[Line]]) -> None:
        """Say how a dependency group installs now (pip installs a group without the project)."""
        for group in sorted(g for g in pending if g):
            self.notes.append(
                Finding(
                    self.pyproject_path,
                    None,
                    f"[dependency-groups] hold a group's own requirements: {group}; install it "
                    f"with the project (uv sync --group {group}, or pip install . --group {group})",
                )
            )

    def loosened_notes(self) -> None:
        """Say once per file which exact pins became ranges (pip now takes newer releases)."""
        for path, labels in sorted(self.loosened.items()):
            self.notes.append(
                Finding(
                    path,
                    None,
                    f"exact pins became a floor with a ceiling: {', '.join(labels)}; "
                    "a fresh install may now get newer releases than the ones pinned; "
                    f"if you deploy exact versions, {LOCK_HINT}",
                )
            )

    def new_project(self, call: SetupCall | None, document: TOMLDocument) -> NewProject:
        """Describe the ``[project]`` table to create, from ``setup.py`` or the folder's name."""
        values = call.values if call else {}
        folder_name = PurePosixPath(self.folder).name or self.facts.root_name
        name = str(values.get("name") or canonicalize_name(folder_name))
        version = str(values.get("version") or CREATED_VERSION)
        backend = str((document.get("build-system") or {}).get("build-backend", "setuptools"))
        no_packages = (
            call is None
            and "setuptools" not in (document.get("tool") or {})
            and backend.startswith("setuptools")
        )
        invented = [f"name {name!r}" if "name" not in values else ""]
        invented += [f"version {version}" if "version" not in values else ""]
        said = " and ".join(part for part in invented if part)
        self.notes.append(
            Finding(
                self.pyproject_path,
                None,
                "created [project]"
                + (
                    f" with {said} (nothing declared them): set them as you like"
                    if said
                    else " with setup.py's name and version"
                )
                + (
                    "; [tool.setuptools] py-modules = [] makes pip install . install the "
                    "dependencies only, as the application runs from its checkout"
                    if no_packages
                    else ""
                ),
            )
        )
        dynamic = call.dynamic_fields() if call else []
        if dynamic:
            self.notes.append(
                Finding(
                    self.pyproject_path,
                    None,
                    f"setup.py keeps filling {', '.join(dynamic)}: listed in [project] dynamic",
                )
            )
        requires_python = values.get("python_requires")
        return NewProject(
            name,
            version,
            str(requires_python) if requires_python else None,
            dynamic,
            no_packages,
        )

    def delete_old_files(self, sources: Sources, call: SetupCall | None) -> None:
        """Plan the deletions (and the setup.py edit); refuse when another file still uses them."""
        deleted = list(sources.files)
        setup_text = self.files.get(self.setup_path)
        setup_after = setup_text
        if call is not None and setup_text is not None:
            dropped = set(MOVED_KEYWORDS) & set(call.values)
            setup_after = drop_keywords(setup_text, dropped) if dropped else setup_text
            if call.only_call and not call.other_keywords:
                deleted.append(self.setup_path)
                setup_after = None
        skipped = set(deleted) | {self.pyproject_path}
        breaking, mentions = find_references(deleted, self.folder, self.files, skipped)
        if breaking:
            raise FolderRefused(
                *(
                    Finding(
                        ref.path,
                        ref.line,
                        "uses a requirements file that moves to pyproject.toml and is deleted: "
                        f"{ref.message}; install the project instead (pip install . or "
                        "pip install '.[group]'), then run again",
                    )
                    for ref in breaking
                )
            )
        self.notes += mentions
        for path in deleted:
            self.writes[path] = None
        if setup_after is not None and setup_after != setup_text:
            self.writes[self.setup_path] = setup_after
            self.notes.append(
                Finding(
                    self.setup_path,
                    call.line if call else None,
                    "setup.py keeps its build settings only: move them to [tool.setuptools] and "
                    "delete it, as the standard wants no setup.py",
                )
            )
        for path in sources.locks:
            self.notes.append(
                Finding(
                    path,
                    None,
                    "a lock of exact versions: its pins set the ceilings and it is deleted; "
                    "commit a lock file (uv.lock) if you deploy exact versions",
                )
            )
        platform = [p for p in PLATFORM_FILES if _in(self.folder, p) in self.facts.files]
        if platform and _in(self.folder, "requirements.txt") in deleted:
            self.notes.append(
                Finding(
                    _in(self.folder, platform[0]),
                    None,
                    "buildpacks (Heroku and the like) install from requirements.txt, which is "
                    "deleted: make the platform install pyproject.toml (pip install ., or a "
                    "committed uv.lock)",
                )
            )

    def plan(self) -> None:
        """Plan the folder's move; raise :class:`FolderRefused` when it cannot be exact."""
        if not self.requirements and self.setup_path not in self.files:
            return  # nothing to move: a pyproject.toml alone is never refused here
        document = self.document()
        has_project = document.get("project") is not None
        call = self.setup_call(has_project)
        if not self.requirements and not (
            call and {"install_requires", "extras_require"} & set(call.values)
        ):
            return
        self.check_setup_cfg(creating=not has_project)
        texts = {path: self.files[path] for path in self.requirements}
        sources = collect(self.requirements, texts)
        if sources.problems:
            raise FolderRefused(*sources.problems)
        self.groups_from_setup(call, sources)
        use_groups = "dependency-groups" in document
        pending = self.pending(document, sources, use_groups)
        names = {
            canonicalize_name(Requirement(line.text).name) for g in pending.values() for line in g
        }
        evidence = gather_evidence(self.files, self.pyproject_path, names)
        classifiers = (document.get("project") or {}).get("classifiers") or (
            call.values.get("classifiers", []) if call else []
        )
        read_classifiers(self.pyproject_path, list(classifiers), evidence)
        self.notes += sources.notes
        new = None if has_project else self.new_project(call, document)
        if new is not None:
            document = with_project(self.files.get(self.pyproject_path, ""), new)
        moved = {
            group: [self.pinned(line, evidence) for line in lines]
            for group, lines in pending.items()
        }
        append_requirements(document, moved, use_groups)
        if new is not None and new.no_packages:
            add_no_packages(document)
        if use_groups:
            self.group_notes(pending)
        self.loosened_notes()
        if pending or not has_project:
            self.writes[self.pyproject_path] = tomlkit.dumps(document)
        self.delete_old_files(sources, call)


def transform(project: ProjectInput) -> ProjectOutcome:
    """Move each package folder's requirements files and setup.py dependencies to pyproject.toml.

    Enforces the standard's "Environment Standards" (pyproject.toml; no setup.py, no
    requirements.txt) and "Dependency Pinning" (floor with a ceiling) for what it moves.

    :param project: the dependency files and the files that may use them.
    :returns: the new ``pyproject.toml`` files, the deleted old files, notes and refusals.
    """
    folders = {""} | {
        _folder(path) for path in project.files if PurePosixPath(path).name in FOLDER_MARKERS
    }
    by_folder: dict[str, list[str]] = {}
    refusals: list[Finding] = []
    for path in sorted(project.files):
        if not is_requirements_file(path):
            continue
        folder = _folder(path)
        folder = _folder(folder) if PurePosixPath(folder).name == "requirements" else folder
        if folder not in folders:
            refusals.append(
                Finding(
                    path,
                    None,
                    "not beside a pyproject.toml or setup.py, so it is not clear which package it "
                    "installs: move its dependencies to that package's pyproject.toml by hand",
                )
            )
            continue
        by_folder.setdefault(folder, []).append(path)
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    for folder in sorted(folders):
        plan = FolderPlan(folder, by_folder.get(folder, []), project)
        try:
            plan.plan()
        except FolderRefused as refused:
            refusals += refused.findings
            continue
        writes.update(plan.writes)
        notes += plan.notes
    return ProjectOutcome(writes, tuple(notes), tuple(refusals))


CODEMOD = Codemod(
    id="pyproject-dependencies",
    title="Dependencies move from requirements.txt and setup.py into pyproject.toml",
    section="Environment Standards",
    files=(
        "**/*.toml",
        "**/setup.py",
        "**/setup.cfg",
        "**/requirements*.txt",
        "**/requirements*.in",
        "**/requirements/*.txt",
        "**/requirements/*.in",
        *LOCK_FILES,
        "**/tox.ini",
        "**/noxfile.py",
        "**/fabfile.py",
        "**/tasks.py",
        "**/Jenkinsfile",
        "**/justfile",
        "**/app.json",
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
        # files that may run pip install -r on the old files
        "**/Dockerfile*",
        "**/*.dockerfile",
        "**/Containerfile",
        "**/Makefile",
        "**/Procfile",
        "**/*.sh",
        "**/*.yml",
        "**/*.yaml",
        "**/Vagrantfile",
        "**/*.cfg",
        "**/*.ini",
        "**/*.md",
        "**/*.rst",
    ),
    rationale=(
        "The standard keeps a project's configuration in pyproject.toml: no setup.py, no "
        "requirements.txt. One file then says what the project needs, every installer (pip, "
        "uv, Poetry 2) reads it, and the dependencies are floor-pinned with a ceiling there. "
        "Pinned requirements files are locks: their versions set the ceilings rather than "
        "becoming == pins."
    ),
    example=Example(
        path="pyproject.toml",
        before=(
            "# requirements.txt\nDjango==5.1.15\nwhitenoise==6.6.0\n"
            "# requirements-dev.txt\n-r requirements.txt\npytest==8.3.2\n"
        ),
        after=(
            '[project]\nname = "shop"\nversion = "0.1.0"\ndependencies = [\n'
            '    "Django>=5.1.15,<6.0",\n    "whitenoise>=6.6.0,<7.0",\n]\n\n'
            '[project.optional-dependencies]\ndev = [\n    "pytest>=8.3.2,<9.0",\n]\n\n'
            "[tool.setuptools]\n# an application: pip install . installs its dependencies\n"
            "py-modules = []\n"
            "# requirements.txt and requirements-dev.txt are deleted\n"
        ),
    ),
    transform_project=transform,
    order=110,
)
