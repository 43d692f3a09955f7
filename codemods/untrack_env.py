"""Stop tracking committed ``.env`` files: out of the git index, into ``.gitignore``.

Enforces the standard's "Security" ("Don't commit .env files to version control") and
"Settings Structure" ("Never commit .env files to version control"). Every ``.env``,
``.env.*`` and ``*.env`` git tracks (templates such as ``.env.example``, ``.sample``,
``.template`` and ``.dist`` excepted) leaves the index and stays on disk; the root
``.gitignore`` gets its name so it is not added again. Its values stay in the repository's
history, so each file gets a note to rotate them. The codemod never reads a value: it works
from the list of tracked files and the ignore files alone.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import PurePosixPath

import pathspec
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from redpanda_migrate.codemod import Codemod, Example, Finding, ProjectInput, ProjectOutcome
from redpanda_migrate.secrets import is_secret_path

SECTION = "Security"
GITIGNORE = ".gitignore"
COMMENT = "# environment files hold secrets: never commit them (.env.example documents them)\n"
ROTATE = (
    "removed from git, kept on disk: its values are still in the repository's history, so "
    "rotate every secret it holds (and purge the history, e.g. git filter-repo, if the "
    "repository is shared); whoever pulls this commit gets the file deleted by git, so they "
    "should copy it aside first"
)
NO_TEMPLATE = (
    "no {template} beside it: a fresh clone has nothing to start from, so document its "
    "variables (names only) in {template}"
)
TEMPLATE_NAMES = (".env.example", ".env.sample", ".env.template", ".env.dist")


def _ignore_files_for(path: str, files: Mapping[str, str]) -> list[tuple[str, str]]:
    """List the ``.gitignore`` files that apply to a path, outermost first, with folders."""
    folders = ["", *(str(p) for p in reversed(PurePosixPath(path).parents) if str(p) != ".")]
    found = []
    for folder in folders:
        ignore_path = f"{folder}/{GITIGNORE}" if folder else GITIGNORE
        if ignore_path in files:
            found.append((folder, files[ignore_path]))
    return found


def is_ignored(path: str, files: Mapping[str, str]) -> bool:
    """Tell whether the project's ``.gitignore`` files ignore a path, as git decides.

    The deepest ignore file with a rule matching the path decides; within a file the last
    matching rule does (``!`` re-includes).

    :param path: project-relative POSIX path of a file.
    :param files: the project's ``.gitignore`` texts by path.
    :returns: ``True`` when ignored.
    """
    verdict = False
    for folder, text in _ignore_files_for(path, files):
        relative = path[len(folder) + 1 :] if folder else path
        result = pathspec.GitIgnoreSpec.from_lines(text.splitlines()).check_file(relative)
        if result.include is not None:
            verdict = result.include
    return verdict


def _env_file_entries(value: object) -> list[tuple[str, bool]]:
    """``(path, required)`` for each entry of a service's ``env_file`` (string, list, mappings)."""
    entries = value if isinstance(value, list) else [value]
    found = []
    for entry in entries:
        if isinstance(entry, str):
            found.append((entry, True))
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
            found.append((entry["path"], entry.get("required", True) is not False))
    return found


def compose_needs(files: Mapping[str, str]) -> dict[str, str]:
    """Map each env file a Compose file requires (``env_file:``) to that Compose file.

    :param files: the project's Compose files by path.
    :returns: project-relative env file path -> the Compose file naming it.
    """
    needed: dict[str, str] = {}
    for path, text in sorted(files.items()):
        try:
            document = YAML(typ="safe", pure=True).load(text)
        except YAMLError:
            continue
        services = document.get("services") if isinstance(document, dict) else None
        for service in services.values() if isinstance(services, dict) else ():
            if not isinstance(service, dict):
                continue
            for entry, required in _env_file_entries(service.get("env_file")):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), entry))
                if required:
                    needed.setdefault(target, path)
    return needed


def _with_rules(text: str | None, names: list[str]) -> str:
    current = text or ""
    if current and not current.endswith("\n"):
        current += "\n"
    separator = "\n" if current.strip() else ""
    return current + separator + COMMENT + "".join(f"{name}\n" for name in names)


def _template_note(path: str, files: Mapping[str, str], tracked: frozenset[str]) -> str | None:
    folder = PurePosixPath(path).parent
    beside = [str(folder / name) if str(folder) != "." else name for name in TEMPLATE_NAMES]
    if any(candidate in tracked or candidate in files for candidate in beside):
        return None
    return NO_TEMPLATE.format(template=beside[0])


def _is_compose(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.startswith(("docker-compose", "compose.")) and name.endswith((".yml", ".yaml"))


def transform(project: ProjectInput) -> ProjectOutcome:
    """Untrack committed ``.env`` files and ignore them ("Security": never commit ``.env``).

    :param project: the project's ignore files (env files are never read for their values).
    :returns: the new root ``.gitignore``, the paths to untrack, a note per file to rotate
        its values, and refusals where the ignore rule would not hold.
    """
    tracked = project.facts.tracked_files
    if tracked is None:
        return ProjectOutcome()
    env_files = sorted(p for p in tracked if is_secret_path(p))
    if not env_files:
        return ProjectOutcome()
    ignore_texts = {p: t for p, t in project.files.items() if PurePosixPath(p).name == GITIGNORE}
    needed = compose_needs({p: t for p, t in project.files.items() if _is_compose(p)})
    kept = {p for p in env_files if p in needed and _template_note(p, project.files, tracked)}
    names = sorted(
        {
            PurePosixPath(p).name
            for p in env_files
            if p not in kept and not is_ignored(p, ignore_texts)
        }
    )
    writes: dict[str, str | None] = {}
    if names:
        writes[GITIGNORE] = _with_rules(ignore_texts.get(GITIGNORE), names)
    after = {**ignore_texts, **{p: t for p, t in writes.items() if t is not None}}
    refusals = []
    untrack = []
    notes = []
    for path in env_files:
        if path in kept:
            reason = (
                f"{needed[path]} requires it (env_file) and no template sits beside it: a fresh "
                "clone could not start; commit a template (names and safe defaults) and point "
                "env_file there, or mark the entry required: false, then run again"
            )
            refusals.append(Finding(path, None, reason))
            continue
        if not is_ignored(path, after):
            nested = [f"{f}/{GITIGNORE}" for f, _ in _ignore_files_for(path, after) if f]
            reason = (
                f"re-included by a ! rule: {', '.join(nested) or GITIGNORE} would let git add "
                "it again; remove that rule, then run again"
            )
            refusals.append(Finding(path, None, reason))
            continue
        untrack.append(path)
        notes.append(Finding(path, None, ROTATE))
        template = _template_note(path, project.files, tracked)
        if template:
            notes.append(Finding(path, None, template))
    if not untrack:
        return ProjectOutcome(refusals=tuple(refusals))
    return ProjectOutcome(writes, tuple(notes), tuple(refusals), untrack=tuple(untrack))


CODEMOD = Codemod(
    id="untrack-env",
    title="Remove committed .env files from git (kept on disk) and ignore them",
    section=SECTION,
    # the ignore files decide; the env patterns make the codemod run when there is none
    files=(
        "**/.gitignore",
        "**/.env",
        "**/.env.*",
        "**/*.env",
        "**/docker-compose*.yml",
        "**/docker-compose*.yaml",
        "**/compose.yml",
        "**/compose.yaml",
    ),
    rationale=(
        "The standard says never to commit .env files: they hold the secrets of a deployment, "
        "and everyone who can read the repository can read them. The codemod removes each "
        "committed .env from the git index (git rm --cached: the file stays on disk, the "
        "application still reads it) and adds its name to .gitignore so it is not added "
        "again. Untracking does not erase history: the values must be rotated."
    ),
    example=Example(
        path=".gitignore",
        before="__pycache__/\n",
        after=(
            "__pycache__/\n"
            "\n"
            f"{COMMENT}"
            ".env\n"
            "\n"
            "# + git rm --cached .env (the file stays on disk; rotate its values)\n"
        ),
    ),
    transform_project=transform,
    order=210,
)
