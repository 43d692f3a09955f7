"""Per-service ``environment:`` blocks instead of a shared ``env_file:``.

Enforces the standard's "Docker Compose — Per-Service Environment Scoping" and its anti-patterns
("Don't share a single env_file: across services", "Don't put secrets in the compose file's
environment: block as literals", "Don't commit a populated .env"). Every service of the root
Compose files that uses ``env_file:`` gets an ``environment:`` block listing only the variables
it consumes, each interpolated from the root ``.env`` (``- VAR=${VAR}``), and loses its
``env_file:``. Values that lived in another env file move into ``.env`` (never shown);
``.env.example`` lists every variable with its consumers; ``.env`` is git- and docker-ignored.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pathspec
from redpanda_migrate.codemods._compose_consumers import ProjectCode, ServiceView, consume
from redpanda_migrate.codemods._compose_dotfiles import (
    append_lines,
    dotenv_line,
    ensure_ignored,
    is_secret_like,
    update_example,
)
from redpanda_migrate.codemods._compose_yaml import (
    EnvFileRef,
    Refusal,
    env_file_path,
    env_file_refs,
    environment_names,
    indent_of,
    is_compose_file,
    item_layout,
    load_compose,
    mapping_step,
    scalar_end,
    services_of,
    value_end,
)
from redpanda_migrate.codemods._envvars import (
    EnvUsage,
    scan_python,
    sends_mail,
    shared_instances,
)
from ruamel.yaml.comments import CommentedMap

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)
from redpanda_migrate.facts import is_settings_file
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
DOTENV = ".env"
EXAMPLE = ".env.example"


@dataclass
class ComposeFile:
    """One root Compose file being rewritten.

    :param path: project-relative path.
    :param text: its text.
    :param document: the loaded YAML.
    """

    path: str
    text: str
    document: CommentedMap | None
    line_edits: list[tuple[int, int, list[str]]] = field(default_factory=list)
    inline_edits: list[tuple[int, int, int, str]] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """The file's lines, each with its newline."""
        return self.text.splitlines(keepends=True)

    def rewritten(self) -> str:
        """Apply the recorded edits: in-line replacements first, then line ranges bottom-up."""
        lines = self.lines
        for line, start, end, new in sorted(self.inline_edits, reverse=True):
            lines[line] = lines[line][:start] + new + lines[line][end:]
        for start, end, new in sorted(self.line_edits, key=lambda edit: edit[0], reverse=True):
            lines[start:end] = new
        return "".join(lines)


@dataclass
class ServicePlan:
    """What happens to one service that uses ``env_file``.

    :param compose: its Compose file.
    :param name: the service's name.
    :param node: its mapping.
    :param source: the mapping that holds ``env_file`` (itself, or a merged anchor).
    :param values: the merged env-file values, in order (``None``: key without value).
    :param origins: the env file each value comes from.
    :param kept: the variables the service gets.
    :param dropped: the variables it no longer sees.
    """

    compose: ComposeFile
    name: str
    node: CommentedMap
    source: CommentedMap
    values: dict[str, str | None]
    origins: dict[str, str]
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def line(self) -> int:
        """1-based line of the ``env_file`` key that applies."""
        return self.source.lc.key("env_file")[0] + 1


@dataclass
class Stack:
    """Everything one run learns about the root Compose stack.

    :param files: the project's files as handed over.
    :param composes: the root Compose files.
    :param dotenv: the root ``.env`` values.
    """

    files: Mapping[str, str]
    composes: list[ComposeFile]
    dotenv: dict[str, str | None]
    additions: dict[str, tuple[str, str]] = field(default_factory=dict)
    consumers: dict[str, list[str]] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)
    refusals: list[Finding] = field(default_factory=list)

    def refuse(self, path: str, line: int | None, message: str) -> None:
        """Record a refusal (never with a value)."""
        self.refusals.append(Finding(path, line, message))

    def consumed_by(self, name: str, service: str) -> None:
        """Record that a service reads a variable through ``${VAR}``."""
        users = self.consumers.setdefault(name, [])
        if service not in users:
            users.append(service)


# -- reading the stack ------------------------------------------------------------------------


def _text_of(value: Any) -> str:
    if isinstance(value, list):
        return shlex.join(str(item) for item in value)
    return str(value) if value is not None else ""


def _commands(node: Mapping[str, Any]) -> list[str]:
    found = [_text_of(node.get(key)) for key in ("command", "entrypoint") if node.get(key)]
    healthcheck = node.get("healthcheck")
    if isinstance(healthcheck, Mapping) and healthcheck.get("test"):
        found.append(_text_of(healthcheck["test"]))
    return found


def _build_context(node: Mapping[str, Any]) -> tuple[str, str] | None:
    build = node.get("build")
    if isinstance(build, str):
        return build, "Dockerfile"
    if isinstance(build, Mapping):
        return str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))
    return None


def _dockerfile(node: Mapping[str, Any], files: Mapping[str, str]) -> tuple[str, str | None]:
    """Return the build context (project-relative) and the Dockerfile's text (``None``: absent)."""
    context = _build_context(node)
    if context is None:
        return "", ""
    folder = str(PurePosixPath(context[0].removeprefix("./"))).removeprefix("./")
    path = str(PurePosixPath(folder) / context[1]).removeprefix("./")
    return ("" if folder == "." else folder), files.get(path)


def _dockerfile_commands(node: Mapping[str, Any], text: str) -> tuple[str, ...]:
    found = []
    for line in text.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word.upper() == "ENTRYPOINT" or (word.upper() == "CMD" and not node.get("command")):
            found.append(_text_of(_json_list(rest)))
    return tuple(found)


def _dockerfile_copies(folder: str, text: str) -> list[tuple[str, str]]:
    """``(destination, project path)`` of each ``COPY``/``ADD`` from the build context."""
    copies = []
    for line in text.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word.upper() not in ("COPY", "ADD"):
            continue
        value = _json_list(rest.strip())
        words = value if isinstance(value, list) else rest.split()
        if any(str(w).startswith("--from") for w in words):
            continue
        words = [str(w) for w in words if not str(w).startswith("--")]
        if len(words) < 2 or any("$" in w for w in words):
            continue
        for source in words[:-1]:
            path = str(PurePosixPath(folder) / source.removeprefix("./")).removeprefix("./")
            path = "" if path == "." else path
            destination = words[-1]
            if destination.endswith("/"):  # a file lands inside the folder
                copies.append((destination + PurePosixPath(source).name, path))
            copies.append((destination.rstrip("/") or "/", path))
    return copies


def _json_list(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _view(name: str, nodes: list[CommentedMap], stack: Stack, project_images: set) -> ServiceView:
    commands: list[str] = []
    image = None
    builds = False
    volumes: list[str] = []
    dockerfile: tuple[str, ...] = ()
    copies: list[tuple[str, str]] = []
    missing = None
    for node in nodes:
        commands += _commands(node)
        image = image or node.get("image")
        builds = builds or "build" in node
        volumes += [str(v) for v in node.get("volumes") or [] if isinstance(v, str)]
        folder, text = _dockerfile(node, stack.files)
        if text is None:
            missing = f"the Dockerfile of {name} is not in the project"
            continue
        dockerfile = dockerfile or _dockerfile_commands(node, text)
        copies += _dockerfile_copies(folder, text)
    return ServiceView(
        name,
        str(image) if image else None,
        builds,
        tuple(commands),
        tuple(volumes),
        bool(image) and image in project_images,
        dockerfile,
        missing,
        tuple(copies),
    )


def _offered_values(
    compose: ComposeFile, refs: list[EnvFileRef], files: Mapping[str, str], line: int
) -> tuple[dict[str, str | None], dict[str, str]]:
    values: dict[str, str | None] = {}
    origins: dict[str, str] = {}
    for ref in refs:
        path = env_file_path(compose.path, ref)
        if path is None:
            raise Refusal(f"env_file {ref.path} lies outside the project", line)
        text = files.get(path)
        if text is None:
            if ref.required:
                raise Refusal(f"env_file {ref.path} does not exist (Compose would fail)", line)
            continue
        for name, value in env_values(text).items():
            values.pop(name, None)  # the last file wins, and sets the order
            values[name] = value
            origins[name] = path
    return values, origins


def _env_file_source(name: str, node: CommentedMap) -> CommentedMap:
    if "env_file" in node._ok:
        return node
    for merged in getattr(node, "merge", []):
        mapping = merged[1] if isinstance(merged, tuple) else merged
        if isinstance(mapping, CommentedMap) and "env_file" in mapping:
            if "env_file" not in mapping._ok:
                raise Refusal(f"{name}: env_file comes through nested merge keys")
            return mapping
    raise Refusal(f"{name}: env_file comes from a construct this tool does not follow")


# -- planning one service ---------------------------------------------------------------------


def plan_service(
    stack: Stack,
    compose: ComposeFile,
    name: str,
    node: CommentedMap,
    others: list[CommentedMap],
    code: ProjectCode,
    project_images: set,
) -> ServicePlan:
    """Decide the variables one ``env_file`` service keeps.

    Enforces "Per-Service Environment Scoping": only what the service consumes, never a
    variable it may need.

    :param stack: the stack (for ``.env`` values).
    :param compose: the Compose file.
    :param name: the service's name.
    :param node: its mapping.
    :param others: its definitions in the other root Compose files.
    :param code: what the project's code reads.
    :param project_images: images that some service builds.
    :raises Refusal: when no exact rewrite exists.
    """
    source = _env_file_source(name, node)
    line = source.lc.key("env_file")[0] + 1
    if "extends" in node:
        raise Refusal(f"{name} uses extends, which merges env_file and environment", line)
    merged = [m[1] if isinstance(m, tuple) else m for m in getattr(node, "merge", [])]
    if source is node and any(isinstance(m, Mapping) and "env_file" in m for m in merged):
        raise Refusal(
            f"{name}: its env_file overrides the one it merges (<<); without it, the merged "
            "env_file would apply",
            line,
        )
    for other in others:
        if "env_file" in other or "environment" in other or "extends" in other:
            raise Refusal(
                f"{name} is also defined in another Compose file with env_file, environment "
                "or extends: the files merge, scope it by hand",
                line,
            )
    refs = env_file_refs(source["env_file"], line)
    values, origins = _offered_values(compose, refs, stack.files, line)
    existing: dict[str, Any] = {}
    if "environment" in node:
        existing, _ = environment_names(node["environment"], line)
    offered = [variable for variable in values if variable not in existing]
    consumption = consume(_view(name, [node, *others], stack, project_images), offered, code)
    plan = ServicePlan(compose, name, node, source, values, origins)
    plan.kept, plan.dropped, plan.notes = consumption.kept, consumption.dropped, consumption.notes
    if plan.kept and "environment" in node and "environment" not in node._ok:
        raise Refusal(
            f"{name} inherits environment: through a merge key (<<); its own block would "
            "replace it, because merge keys are shallow",
            line,
        )
    for variable in plan.kept:
        if "$" in (values[variable] or "") and len(set(origins.values())) > 1:
            raise Refusal(
                f"the value of {variable} contains '$' and {name} has several env files, whose "
                "values Compose may expand into it",
                line,
            )
        _check_value(stack, compose, variable, values[variable], line)
    return plan


def _check_value(
    stack: Stack, compose: ComposeFile, variable: str, value: str | None, line: int
) -> None:
    if value is None or (variable in stack.dotenv and stack.dotenv[variable] == value):
        return  # no value, or one that stays where it is: ${VAR} reads the same .env line
    if "$" in value:
        raise Refusal(
            f"the value of {variable} contains '$', which Compose versions expand differently",
            line,
        )
    if variable in stack.dotenv:
        if stack.dotenv[variable] != value:
            raise Refusal(
                f"{variable} has another value in .env than in this service's env_file: "
                "${" + variable + "} cannot give both",
                line,
            )
        return
    if dotenv_line(variable, value) is None:
        raise Refusal(f"the value of {variable} cannot be written to .env unchanged", line)
    pattern = re.compile(r"\$\{?" + re.escape(variable) + r"\b")
    if any(pattern.search(other.text) for other in stack.composes):
        raise Refusal(
            f"{variable} is interpolated elsewhere in the Compose files; adding it to .env "
            "would change that",
            line,
        )


# -- editing the Compose text -----------------------------------------------------------------


def _entry(variable: str, value: str | None, form: str) -> str:
    if form == "map":
        return f"{variable}:" if value is None else f"{variable}: ${{{variable}}}"
    return f"- {variable}" if value is None else f"- {variable}=${{{variable}}}"


def _append_to_environment(plan: ServicePlan, entries: list[tuple[str, str | None]]) -> None:
    node, compose = plan.node, plan.compose
    lines = compose.lines
    environment = node["environment"]
    _, form = environment_names(environment, plan.line)
    key_line, key_col = node.lc.key("environment")
    inline = lines[key_line][key_col:].split(":", 1)[1].lstrip()
    if environment.fa.flow_style() or inline.startswith(("[", "{")):
        _append_flow(plan, lines, key_line, [_flow_entry(v, val, form) for v, val in entries])
        return
    if not environment:
        raise Refusal(f"{plan.name}: empty environment: block", key_line + 1)
    first_line, first_col = (
        environment.lc.key(next(iter(environment))) if form == "map" else environment.lc.item(0)
    )
    prefix = lines[first_line][:first_col]
    if form == "list":
        prefix = prefix[: prefix.rindex("-")]
    end = value_end(lines, key_line, key_col)
    new = [f"{prefix}{_entry(v, val, form)}\n" for v, val in entries]
    compose.line_edits.append((end, end, new))


def _flow_entry(variable: str, value: str | None, form: str) -> str:
    # "{" and "}" are flow indicators: a reference in a flow collection must be quoted.
    reference = "${" + variable + "}"
    if form == "map":
        return f"{variable}:" if value is None else f'{variable}: "{reference}"'
    return variable if value is None else f'"{variable}={reference}"'


def _append_flow(plan: ServicePlan, lines: list[str], key_line: int, items: list[str]) -> None:
    text = lines[key_line].rstrip("\n")
    closing = max(text.rfind("]"), text.rfind("}"))
    opening = max(text.find("["), text.find("{"))
    if closing < 0 or opening < 0 or text.count("[") + text.count("{") != 1:
        raise Refusal(f"{plan.name}: environment: in flow style over several lines", key_line + 1)
    inside = text[opening + 1 : closing].strip()
    added = ", ".join(items)
    joined = f"{text[:closing].rstrip()}, {added}" if inside else f"{text[:closing]}{added}"
    plan.compose.line_edits.append((key_line, key_line + 1, [joined + text[closing:] + "\n"]))


def _new_environment(plan: ServicePlan, at: int, key_col: int, entries) -> list[str]:
    compose = plan.compose
    services = services_of(compose.document)
    step = mapping_step(services, compose.document)  # type: ignore[arg-type]
    dash = item_layout(compose.lines, at, key_col, step)
    return [" " * key_col + "environment:\n"] + [
        f"{dash}{_entry(v, val, 'list')}\n" for v, val in entries
    ]


def _remove_env_file(mapping: CommentedMap, compose: ComposeFile) -> tuple[int, int, int]:
    key_line, key_col = mapping.lc.key("env_file")
    lines = compose.lines
    if "&" in lines[key_line].split("#")[0].split(":", 1)[1]:
        raise Refusal("env_file carries a YAML anchor used elsewhere", key_line + 1)
    return key_line, value_end(lines, key_line, key_col), key_col


def _merge_line(plan: ServicePlan) -> tuple[int, int]:
    node, lines = plan.node, plan.compose.lines
    own = [node.lc.key(key) for key in node._ok]
    if not own:
        raise Refusal(f"{plan.name} has no key of its own next to its merge key")
    col = own[0][1]
    start = min(line for line, _ in own)
    for index in range(start - 1, -1, -1):
        if lines[index].startswith(" " * col + "<<:"):
            return index, col
        if indent_of(lines[index]) < col and lines[index].strip():
            break
    for index in range(start, len(lines)):
        if lines[index].startswith(" " * col + "<<:"):
            return index, col
    raise Refusal(f"{plan.name}: cannot find its merge key line")


def apply_plan(plan: ServicePlan, remove_source: bool) -> None:
    """Record the text edits of one service plan in its Compose file.

    :param plan: the plan.
    :param remove_source: remove ``env_file`` from ``plan.source`` (its own, or the anchor's
        once every service merging it is planned).
    """
    compose = plan.compose
    entries = [(variable, plan.values[variable]) for variable in plan.kept]
    own = plan.source is plan.node
    if plan.source.fa.flow_style() or plan.node.fa.flow_style():
        raise Refusal(f"{plan.name}: written in flow style ({{...}})", plan.line)
    if remove_source:
        start, end, key_col = _remove_env_file(plan.source, compose)
    if entries and "environment" in plan.node:
        _append_to_environment(plan, entries)
        new: list[str] = []
    elif entries and own:
        new = _new_environment(plan, start, key_col, entries)
    elif entries:
        at, col = _merge_line(plan)
        compose.line_edits.append((at + 1, at + 1, _new_environment(plan, at, col, entries)))
        new = []
    else:
        new = []
    if remove_source:
        compose.line_edits.append((start, end, new))


# -- literal secrets --------------------------------------------------------------------------


def literal_secrets(stack: Stack, compose: ComposeFile, name: str, node: CommentedMap) -> None:
    """Turn literal secrets of an own ``environment:`` block into ``${VAR}`` references.

    Enforces the anti-pattern "Don't put secrets in the compose file's environment: block as
    literals"; the value moves to ``.env``.

    :param stack: the stack.
    :param compose: the Compose file.
    :param name: the service's name.
    :param node: its mapping.
    """
    if "environment" not in node._ok:
        return
    environment = node["environment"]
    line = node.lc.key("environment")[0] + 1
    try:
        values, form = environment_names(environment, line)
    except Refusal:
        return
    lines = compose.lines
    for index, (variable, value) in enumerate(values.items()):
        if not isinstance(value, str) or not value or not is_secret_like(variable, value):
            continue
        if "$" in value:
            if "$" not in value.replace("$$", ""):  # a literal with escaped dollars
                at = (
                    environment.lc.value(variable)[0]
                    if form == "map"
                    else environment.lc.item(index)[0]
                )
                stack.refuse(
                    compose.path,
                    at + 1,
                    f"literal secret left in place: {name}: the value of {variable} contains "
                    "'$$', which .env would expand differently by Compose version",
                )
            continue
        at, col = environment.lc.value(variable) if form == "map" else environment.lc.item(index)
        try:
            if environment.fa.flow_style():
                raise Refusal(f"{name}: literal {variable} in a flow-style block", at + 1)
            start, end = _literal_span(lines[at], col, form, name, variable, at + 1)
            _check_value(stack, compose, variable, value, at + 1)
            added = stack.additions.get(variable)
            if added is not None and added[0] != value:
                raise Refusal(f"{variable} has different values for different services", at + 1)
        except Refusal as refusal:
            stack.refuse(compose.path, refusal.line, f"literal secret left in place: {refusal}")
            continue
        compose.inline_edits.append((at, start, end, "${" + variable + "}"))
        stack.additions.setdefault(variable, (value, name))
        stack.consumed_by(variable, name)
        stack.notes.append(
            Finding(compose.path, at + 1, f"{name}: literal {variable} moved to .env")
        )


def _literal_span(
    text: str, col: int, form: str, name: str, variable: str, line: int
) -> tuple[int, int]:
    end = scalar_end(text, col)
    if end is None:
        raise Refusal(f"{name}: {variable} spans several lines", line)
    if form == "map":
        return col, end
    if text[col] in "'\"":
        raise Refusal(f"{name}: quoted list entry {variable}", line)
    return text.index("=", col) + 1, end


# -- the whole transform ----------------------------------------------------------------------


def project_code(files: Mapping[str, str], all_paths: tuple[str, ...]) -> ProjectCode:
    """Analyse what the project's Python files and scripts read.

    :param files: the handed-over files.
    :param all_paths: every file of the project.
    """
    usage = EnvUsage()
    mail = []
    scripts = {}
    shared: dict[str, str] = {}
    for path, text in sorted(files.items()):
        if path.endswith(".py"):
            shared.update(shared_instances(text))
    for path, text in sorted(files.items()):
        if path.endswith(".py"):
            scan_python(path, text, usage, shared)
            if not is_settings_file(path) and sends_mail(text):
                mail.append(path)
        elif not is_compose_file(path) and not PurePosixPath(path).name.startswith(".env"):
            scripts[path] = text
    python_paths = tuple(path for path in all_paths if path.endswith(".py"))
    spec = pathspec.GitIgnoreSpec.from_lines(FILES)
    readable = frozenset(path for path in all_paths if spec.match_file(path))
    return ProjectCode(usage, scripts, tuple(mail), python_paths, all_paths, readable)


def _service_defs(composes: list[ComposeFile]) -> dict[str, list[tuple[ComposeFile, Any]]]:
    defs: dict[str, list[tuple[ComposeFile, Any]]] = {}
    for compose in composes:
        for name, node in services_of(compose.document).items():
            defs.setdefault(str(name), []).append((compose, node))
    return defs


def _extended(defs: Mapping[str, list[tuple[ComposeFile, Any]]]) -> set[str]:
    names = set()
    for entries in defs.values():
        for _, node in entries:
            target = node.get("extends") if isinstance(node, Mapping) else None
            names.add(target if isinstance(target, str) else (target or {}).get("service"))
    return {name for name in names if name}


def _plan_all(stack: Stack, code: ProjectCode) -> list[tuple[ServicePlan, bool]]:
    defs = _service_defs(stack.composes)
    extended = _extended(defs)
    project_images = {
        node.get("image")
        for entries in defs.values()
        for _, node in entries
        if isinstance(node, Mapping) and "build" in node and node.get("image")
    }
    plans: list[ServicePlan] = []
    for name, entries in defs.items():
        for compose, node in entries:
            if not isinstance(node, CommentedMap) or "env_file" not in node:
                continue
            others = [other for c, other in entries if c is not compose]
            try:
                if name in extended:
                    raise Refusal(
                        f"{name} is extended by another service, which inherits its env_file",
                        node.lc.key("env_file")[0] + 1 if "env_file" in node._ok else None,
                    )
                plans.append(plan_service(stack, compose, name, node, others, code, project_images))
            except Refusal as refusal:
                stack.refuse(compose.path, refusal.line, str(refusal))
    return _group_anchors(stack, plans, defs)


def _group_anchors(
    stack: Stack, plans: list[ServicePlan], defs: Mapping[str, list]
) -> list[tuple[ServicePlan, bool]]:
    accepted: list[tuple[ServicePlan, bool]] = []
    by_source: dict[int, list[ServicePlan]] = {}
    for plan in plans:
        by_source.setdefault(id(plan.source), []).append(plan)
    for group in by_source.values():
        source = group[0].source
        users = [
            (name, node)
            for name, entries in defs.items()
            for compose, node in entries
            if compose is group[0].compose
            and isinstance(node, CommentedMap)
            and "env_file" in node
            and "env_file" not in node._ok
            and any(
                (m[1] if isinstance(m, tuple) else m) is source for m in getattr(node, "merge", [])
            )
        ]
        own = [plan for plan in group if plan.node is source]
        if own and users:
            for plan in group:
                stack.refuse(
                    plan.compose.path,
                    plan.line,
                    f"{plan.name}: env_file is shared through the anchor of service "
                    f"{own[0].name}; scope it by hand",
                )
            continue
        if not own and len(source) == 1:
            for plan in group:
                stack.refuse(
                    plan.compose.path,
                    plan.line,
                    f"{plan.name}: the anchor it merges holds only env_file; remove that merge "
                    "by hand (an empty anchor cannot be merged)",
                )
            continue
        if not own and len(group) != len(users):
            for plan in group:
                stack.refuse(
                    plan.compose.path,
                    plan.line,
                    f"{plan.name}: shares env_file through an anchor with a service that "
                    "cannot be rewritten",
                )
            continue
        accepted.extend((plan, index == 0) for index, plan in enumerate(group))
    return accepted


def _inherited(stack: Stack, accepted: list[tuple[ServicePlan, bool]]) -> set[int]:
    """Refuse plans whose service is merged by another (``<<: *web``) that would inherit."""
    own_blocks = {id(plan.node) for plan, _ in accepted if plan.kept}
    refused: set[int] = set()
    for plan, _ in accepted:
        if not plan.kept or plan.node is not plan.source:
            continue
        for name, node in services_of(plan.compose.document).items():
            merged = [m[1] if isinstance(m, tuple) else m for m in getattr(node, "merge", [])]
            if not any(m is plan.node for m in merged) or "environment" in node._ok:
                continue
            if id(node) in own_blocks:
                continue
            refused.add(id(plan.source))
            stack.refuse(
                plan.compose.path,
                plan.line,
                f"{plan.name}: service {name} merges it (<<) without an environment: of its "
                "own, so it would inherit the new entries; scope them by hand",
            )
            break
    return refused


def _conflicts(stack: Stack, accepted: list[tuple[ServicePlan, bool]]) -> set[int]:
    wanted: dict[str, dict[str | None, list[ServicePlan]]] = {}
    for plan, _ in accepted:
        for variable in plan.kept:
            if variable not in stack.dotenv:
                wanted.setdefault(variable, {}).setdefault(plan.values[variable], []).append(plan)
    refused: set[int] = set()
    for variable, by_value in wanted.items():
        if len(by_value) < 2:
            continue
        for plans in by_value.values():
            for plan in plans:
                refused.add(id(plan.source))
                stack.refuse(
                    plan.compose.path,
                    plan.line,
                    f"{plan.name}: {variable} has different values for different services; "
                    "one ${" + variable + "} cannot give both",
                )
    return refused


def _count(number: int) -> str:
    return f"{number} variable" if number == 1 else f"{number} variables"


def _record(stack: Stack, plan: ServicePlan) -> None:
    for variable in plan.kept:
        value = plan.values[variable]
        if value is not None:
            stack.consumed_by(variable, plan.name)
            if variable not in stack.dotenv:
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
    example_text = files.get(EXAMPLE)
    present = set(env_values(example_text or ""))
    consumers = {v: tuple(sorted(users)) for v, users in stack.consumers.items()}
    example = update_example(example_text, present, consumers)
    if example is not None:
        writes[EXAMPLE] = example
    gitignore = ensure_ignored(files.get(".gitignore"), True, True)
    if gitignore is not None:
        writes[".gitignore"] = gitignore
    builds_root = any(
        (_build_context(node) or ("",))[0].rstrip("/") in (".", "./")
        for compose in stack.composes
        for node in services_of(compose.document).values()
        if isinstance(node, Mapping)
    )
    dockerignore = ensure_ignored(files.get(".dockerignore"), builds_root, False)
    if dockerignore is not None:
        writes[".dockerignore"] = dockerignore
    return writes


def transform(project: ProjectInput) -> ProjectOutcome:
    """Scope every root Compose service's environment to what it consumes.

    Enforces "Docker Compose — Per-Service Environment Scoping" and its anti-patterns.

    :param project: the Compose files, Python files, scripts and dotfiles.
    :returns: the rewritten Compose files, ``.env`` additions, ``.env.example`` and ignore files.
    """
    paths = sorted(p for p in project.files if is_compose_file(p))
    stack = Stack(project.files, [], env_values(project.files.get(DOTENV, "")))
    for path in paths:
        if "/" in path:
            if "env_file" in project.files[path]:
                stack.refuse(
                    path,
                    None,
                    "only Compose files at the project root are scoped "
                    "(their .env and .env.example live beside them)",
                )
            continue
        stack.composes.append(
            ComposeFile(path, project.files[path], load_compose(path, project.files[path]))
        )
    if not stack.composes:
        return ProjectOutcome(refusals=tuple(stack.refusals))
    code = project_code(project.files, tuple(dict.fromkeys([*project.facts.files, *project.files])))
    accepted = _plan_all(stack, code)
    refused = _conflicts(stack, accepted) | _inherited(stack, accepted)
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
    return ProjectOutcome(writes, tuple(stack.notes), tuple(stack.refusals))


def secret_env_files(texts: Mapping[str, str]) -> Iterable[str]:
    """Name the ``env_file:`` files of the root Compose files, so their values stay hidden.

    :param texts: the candidate files.
    :returns: project-relative paths.
    """
    found: list[str] = []
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
    ),
    also_reads=(DOTENV, EXAMPLE, ".gitignore", ".dockerignore"),
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
