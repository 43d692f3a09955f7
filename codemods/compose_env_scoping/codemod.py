"""Per-service ``environment:`` blocks instead of a shared ``env_file:``.

Enforces the standard's "Docker Compose — Per-Service Environment Scoping" and its anti-patterns
("Don't share a single env_file: across services", "Don't put secrets in the compose file's
environment: block as literals", "Don't commit a populated .env"). Every service of the root
Compose files that uses ``env_file:`` gets an ``environment:`` block listing only the variables
it consumes, each interpolated from the root ``.env`` (``- VAR=${VAR}``), and loses its
``env_file:``. Values that lived in another env file move into ``.env`` (never shown);
``.env.example`` lists every variable with its consumers; ``.env`` is git- and docker-ignored.

This module declares the codemod and runs the steps; the steps live in ``stack``
(the stack and its env files), ``services`` (what a service runs), ``consumers``
and ``images`` (what it consumes, on ``facts``), ``plan`` (what
it keeps), ``edit`` (the text edits) and ``dotfiles`` (``.env``,
``.env.example``, ignore files).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from redpanda_migrate.codemods.compose_env_scoping.dotfiles import (
    append_lines,
    dotenv_line,
    ensure_ignored,
    update_example,
)
from redpanda_migrate.codemods.compose_env_scoping.edit import apply_plan, literal_secrets
from redpanda_migrate.codemods.compose_env_scoping.fresh_clone import (
    ABSENT,
    TEMPLATE_NAMES,
    dotenv_write_problem,
    expected_names,
    template_paths,
)
from redpanda_migrate.codemods.compose_env_scoping.plan import (
    plan_all,
    refuse_conflicts,
    refuse_inheritors,
)
from redpanda_migrate.codemods.compose_env_scoping.python_loaders import (
    DOTENV_SEARCH,
    DotenvLoad,
    root_dotenv_loads,
    shield_candidates,
)
from redpanda_migrate.codemods.compose_env_scoping.services import build_context, project_code
from redpanda_migrate.codemods.compose_env_scoping.stack import (
    DOTENV,
    EXAMPLE,
    ComposeFile,
    ServicePlan,
    Stack,
    default_selection,
)
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import (
    Refusal,
    env_file_path,
    env_file_refs,
    is_compose_file,
    load_compose,
    services_of,
)
from redpanda_migrate.codemods.shared.envvars import shared_instances
from ruamel.yaml.comments import CommentedMap

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)
from redpanda_migrate.secrets import env_values

SECTION = "Docker Compose — Per-Service Environment Scoping"
FILES = (
    "compose.yml",
    "compose.yaml",
    "compose.*.yml",
    "compose.*.yaml",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "**/*.py",
    "**/*.sh",
    "**/*.bash",
    "**/*entrypoint*",
    "**/start*",
    "**/Dockerfile*",
    "**/*.Dockerfile",
    "**/compose/**/*",
    "**/docker/**/*",
    "**/scripts/**/*",
    "**/bin/*",
)


def _count(number: int) -> str:
    return f"{number} variable" if number == 1 else f"{number} variables"


def _record(stack: Stack, plan: ServicePlan) -> None:
    for variable in plan.kept:
        value = plan.values[variable]
        stack.consumed_by(variable, plan.name, bare=value is None)
        if value is not None and variable not in stack.dotenv:
            stack.additions.setdefault(variable, (value, plan.name))
    for message in plan.notes:
        stack.notes.append(Finding(plan.compose.path, plan.line, f"{plan.name}: {message}"))
    if plan.dropped:
        stack.notes.append(
            Finding(
                plan.compose.path,
                plan.line,
                f"{plan.name}: env_file replaced by the {_count(len(plan.kept))} it consumes; "
                f"no longer passed: {', '.join(plan.dropped)}",
            )
        )
    moved = sorted({plan.origins[v] for v in plan.kept if plan.origins[v] != DOTENV})
    if moved:
        stack.notes.append(
            Finding(
                plan.compose.path,
                plan.line,
                f"{plan.name}: values now come from .env (interpolation, the shell wins) "
                f"instead of {', '.join(moved)}",
            )
        )


def _dotfile_writes(stack: Stack) -> dict[str, str]:
    files = stack.files
    writes: dict[str, str] = {}
    if stack.additions:
        lines = [dotenv_line(v, value) or "" for v, (value, _) in stack.additions.items()]
        writes[DOTENV] = append_lines(files.get(DOTENV), lines)
    template = _template_path(stack)
    present = {name for path in template_paths(files) for name in env_values(files[path])}
    consumers = {v: tuple(sorted(users)) for v, users in stack.consumers.items()}
    example = update_example(files.get(template), present, consumers, stack.bare - stack.valued)
    if example is not None:
        writes[template] = example
    gitignore = ensure_ignored(files.get(".gitignore"), True, True)
    if gitignore is not None:
        writes[".gitignore"] = gitignore
    builds_root = any(
        (build_context(node) or ("",))[0].rstrip("/") in (".", "./")
        for compose in stack.composes
        for node in services_of(compose.document).values()
        if isinstance(node, Mapping)
    )
    dockerignore = ensure_ignored(files.get(".dockerignore"), builds_root, False)
    if dockerignore is not None:
        writes[".dockerignore"] = dockerignore
    return writes


def _python_loads(
    files: Mapping[str, str], all_paths: Iterable[str]
) -> tuple[list[DotenvLoad], list[tuple[DotenvLoad, str]]]:
    shared = set()
    for path, text in files.items():
        if path.endswith(".py") and "decouple" in text:
            shared |= {n for n, kind in shared_instances(text).items() if kind == "decouple"}
    return root_dotenv_loads(files, set(all_paths) | set(files), shared)


def _shield_notes(shielded: list[tuple[DotenvLoad, str]]) -> list[Finding]:
    """Warn where python-dotenv's search stops at a nearer ``.env`` only when run from a file."""
    notes = []
    for load, nearer in shielded:
        if load.search != DOTENV_SEARCH:
            continue
        folder = nearer.rpartition("/")[0]
        notes.append(
            Finding(
                load.path,
                load.line,
                f"{load.how} reads {nearer}, not the root .env that now holds moved values; "
                "under a debugger, coverage or in a REPL it searches from the working "
                f"directory instead: run those from {folder}/",
            )
        )
    return notes


def _deploy_note(stack: Stack) -> Finding:
    """Say what a fresh checkout needs: the values moved into the untracked root ``.env``."""
    names = ", ".join(stack.additions)
    return Finding(
        _main_compose(stack),
        None,
        f"before deploying, set {names} in .env; see {_template_path(stack)}: their values "
        "moved into this working copy's .env, which git does not track (a fresh checkout "
        "leaves them blank until they are set there)",
    )


def _fresh_clone_note(stack: Stack) -> Finding:
    """Say how services were scoped without the root ``.env``, and what that cannot see."""
    sources = ", ".join([*template_paths(stack.files), "the Compose files' ${VAR}"])
    return Finding(
        _main_compose(stack),
        None,
        f"the root .env is absent (git-ignored, as on a fresh clone): services were scoped by "
        f"the variable names of {sources} and what the code reads; a variable your .env sets "
        f"that none of them names is no longer passed: list it in {_template_path(stack)}",
    )


def _main_compose(stack: Stack) -> str:
    """Name the Compose file a stack-wide note is about: the first one rewritten."""
    edited = [c.path for c in stack.composes if c.line_edits or c.inline_edits]
    return (edited or [stack.composes[0].path])[0]


def _template_path(stack: Stack) -> str:
    """Name the root ``.env`` template to update: the project's own, else ``.env.example``."""
    return next(iter(template_paths(stack.files)), EXAMPLE)


def transform(project: ProjectInput) -> ProjectOutcome:
    """Scope every root Compose service's environment to what it consumes.

    Enforces "Docker Compose — Per-Service Environment Scoping" and its anti-patterns.

    :param project: the Compose files, Python files, scripts and dotfiles.
    :returns: the rewritten Compose files, ``.env`` additions, ``.env.example`` and ignore files.
    """
    paths = sorted(p for p in project.files if is_compose_file(p))
    stack = Stack(project.files, [], env_values(project.files.get(DOTENV, "")))
    _, shadowed = default_selection(path for path in paths if "/" not in path)
    for path in paths:
        text = project.files[path]
        if "/" in path:
            if "env_file" in text:
                stack.refuse(
                    path,
                    None,
                    "only Compose files at the project root are scoped "
                    "(their .env and .env.example live beside them)",
                )
            continue
        compose = ComposeFile(path, text, load_compose(path, text))
        if path in shadowed:
            stack.shadowed.append(compose)
            if "env_file" in text or "environment" in text:
                stack.refuse(path, None, shadowed[path])
            continue
        stack.composes.append(compose)
    if not stack.composes:
        return ProjectOutcome(refusals=tuple(stack.refusals))
    all_paths = tuple(dict.fromkeys([*project.facts.files, *project.files]))
    code = project_code(project.files, all_paths, FILES)
    stack.dotenv_problem = dotenv_write_problem(project.facts)
    if DOTENV not in project.files and DOTENV in secret_env_files(project.files):
        documents = [c.document for c in [*stack.composes, *stack.shadowed]]
        stack.expected = expected_names(project.files, documents, code.usage)
        stack.dotenv = dict.fromkeys(stack.expected, ABSENT)
    stack.python_loads, shielded = _python_loads(project.files, all_paths)
    accepted = plan_all(stack, code)
    refused = refuse_conflicts(stack, accepted) | refuse_inheritors(stack, accepted)
    changed = False
    for plan, remove_source in accepted:
        if id(plan.source) in refused:
            continue
        try:
            apply_plan(plan, remove_source)
        except Refusal as refusal:
            stack.refuse(plan.compose.path, refusal.line or plan.line, str(refusal))
            continue
        _record(stack, plan)
        changed = True
    for compose in stack.composes:
        for name, node in services_of(compose.document).items():
            if isinstance(node, CommentedMap):
                literal_secrets(stack, compose, str(name), node)
    writes: dict[str, str | None] = {
        c.path: c.rewritten() for c in stack.composes if c.line_edits or c.inline_edits
    }
    if changed or writes:
        writes.update(_dotfile_writes(stack))
    if stack.additions:
        stack.notes += _shield_notes(shielded)
        stack.notes.append(_deploy_note(stack))
    tracked = project.facts.tracked_files
    if writes and tracked is not None and DOTENV in tracked:
        stack.notes.append(
            Finding(
                DOTENV,
                None,
                "the root .env is tracked by git (the standard: never commit a populated .env): "
                "untrack it with git rm --cached .env, rotate the secrets it held, and keep "
                "its names in .env.example",
            )
        )
    if changed and stack.expected is not None:
        stack.notes.append(_fresh_clone_note(stack))
    return ProjectOutcome(writes, tuple(stack.notes), tuple(stack.refusals))


def secret_env_files(texts: Mapping[str, str]) -> Iterable[str]:
    """Name the ``env_file:`` files of the root Compose files, so their values stay hidden.

    Also the ``.env`` files nearer than the root one to Python code that searches upward for
    it (``load_dotenv()``), usually git-ignored: they decide whether it reads the root one.

    :param texts: the candidate files.
    :returns: project-relative paths.
    """
    found: list[str] = list(shield_candidates(texts))
    for path, text in texts.items():
        if not is_compose_file(path) or "/" in path:
            continue
        try:
            document = load_compose(path, text)
        except Exception:  # an invalid file is reported by the transform itself
            continue
        nodes = list(services_of(document).values()) + [
            value for key, value in (document or {}).items() if key != "services"
        ]
        for node in nodes:
            if not isinstance(node, Mapping) or "env_file" not in node:
                continue
            try:
                refs = env_file_refs(node["env_file"], 0)
            except Refusal:
                continue
            found += [p for ref in refs if (p := env_file_path(path, ref)) and p not in found]
    return found


CODEMOD = Codemod(
    id="compose-env-scoping",
    title="Per-service environment: blocks instead of a shared env_file",
    section=SECTION,
    files=FILES,
    needles=(
        "env_file",
        "environment",
        "environ",
        "getenv",
        "config(",
        "env(",
        "env.",
        "BaseSettings",
        "send_mail",
        "mail_admins",
        "mail_managers",
        "EmailMessage",
        "$",
        "FROM",
        "#!",
        "envsubst",
        "printenv",
        "dotenv",
        "read_env",
        "decouple",
    ),
    also_reads=(DOTENV, *TEMPLATE_NAMES, ".gitignore", ".dockerignore"),
    secret_reads=secret_env_files,
    rationale=(
        "A shared env_file: gives every container every secret, and nobody can tell from the "
        "compose file which service uses which variable. The standard wants each service to "
        "declare only the variables it consumes, interpolated from the untracked root .env "
        "(- VAR=${VAR}), with .env.example documenting every variable and its consumers. "
        "Interpolation is also parsed the same way every time, unlike env_file contents."
    ),
    example=Example(
        path="docker-compose.yml",
        before=(
            "services:\n  worker:\n    build: .\n    command: celery -A config worker\n"
            "    env_file: .env\n"
        ),
        after=(
            "services:\n  worker:\n    build: .\n    command: celery -A config worker\n"
            "    environment:\n      - SECRET_KEY=${SECRET_KEY}\n"
            "      - CELERY_BROKER_URL=${CELERY_BROKER_URL}\n"
        ),
    ),
    transform_project=transform,
    order=200,
)
