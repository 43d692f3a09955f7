"""The root Compose stack as one run sees it: its files, services and ``env_file`` sources.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). Holds the data the planning and editing steps pass around, and reads
what each service's ``env_file:`` offers (values are kept in memory only, never shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redpanda_migrate.codemods.compose_env_scoping.fresh_clone import ABSENT
from redpanda_migrate.codemods.compose_env_scoping.inherited import EnvironmentCopy
from redpanda_migrate.codemods.compose_env_scoping.python_loaders import DotenvLoad
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import (
    EnvFileRef,
    Refusal,
    env_file_path,
    services_of,
)
from ruamel.yaml.comments import CommentedMap

from redpanda_migrate.codemod import Finding
from redpanda_migrate.secrets import env_values

DOTENV = ".env"
EXAMPLE = ".env.example"
# The files ``docker compose`` loads without ``-f``: the first base file present and the first
# override present, in this order (compose-go's DefaultFileNames / DefaultOverrideFileNames; the
# Compose specification: "If both files exist, Compose prefers the canonical compose.yaml").
# Every other root Compose file (``docker-compose.local.yml``, ``compose.prod.yaml``) is a
# variant, loaded only with ``-f``: instead of the default files, or on top of them.
BASE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
DEFAULT_FILES = frozenset(BASE_FILES + OVERRIDE_FILES)
# docker-compose v1 (end of life, still installed) looks for base files in another order and
# stops on two override files.
V1_BASE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")


def default_selection(paths: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """Split the root default file names present into the ones Compose loads and the others.

    :param paths: project-relative paths.
    :returns: ``(loaded, shadowed)``: the base and override file ``docker compose`` loads
        without ``-f``, and each other default file present with the reason it is not scoped.
    """
    present = set(paths)
    loaded: list[str] = []
    shadowed: dict[str, str] = {}
    for order in (BASE_FILES, OVERRIDE_FILES):
        found = [name for name in order if name in present]
        loaded += found[:1]
        for name in found[1:]:
            if order is BASE_FILES:
                v1 = next(n for n in V1_BASE_FILES if n in present)
                why = (
                    f"Compose loads one base file: docker compose prefers {found[0]}, "
                    f"docker-compose v1 {v1}"
                )
            else:
                why = (
                    f"docker compose merges only {found[0]} (docker-compose v1 stops on two "
                    "override files)"
                )
            shadowed[name] = (
                f"not scoped: {found[0]} also exists and {why}; remove or rename one, then "
                "run again"
            )
    return loaded, shadowed


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
        """Apply the recorded edits: in-line replacements first, then line ranges bottom-up.

        Of two edits starting on one line, the one that replaces lines goes first, so that an
        insertion there (entries appended to an ``environment:`` block that ``env_file``
        follows) lands before the following lines instead of being replaced with them.
        """
        lines = self.lines
        for line, start, end, new in sorted(self.inline_edits, reverse=True):
            lines[line] = lines[line][:start] + new + lines[line][end:]
        for start, end, new in sorted(self.line_edits, key=lambda edit: edit[:2], reverse=True):
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
    :param block: write an ``environment:`` block even when it stays empty: the service merges
        (``<<``) a service that gains one, and must not inherit it.
    :param copied: the entries the service inherits through a merge key (``<<``), copied into
        its own new block (merge keys are shallow: an own block replaces the inherited one).
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
    block: bool = False
    copied: EnvironmentCopy | None = None

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
    :param additions: variables new to ``.env``, with their value and first consumer.
    :param consumers: each variable the stack now takes from the root ``.env``, and its services.
    :param valued: the variables some service gets as ``${VAR}``.
    :param bare: the variables some service gets as a bare ``VAR`` (no value in its env file).
    :param shadowed: root default files that Compose does not load, because another one
        exists (read only for their interpolations).
    :param python_loads: the places where the project's Python code may load the root ``.env``
        (nothing may then be added to it).
    :param frozen: ids of ``environment:`` blocks whose literal secrets stay in place: a merging
        service needs a copy of the block, refused because of them.
    :param expected: when the root ``.env`` cannot be read (a fresh clone), the names it is
        expected to hold (see :func:`.fresh_clone.expected_names`); ``None`` when it was read.
    :param dotenv_problem: why nothing may be written to the root ``.env``, if so.
    """

    files: Mapping[str, str]
    composes: list[ComposeFile]
    dotenv: dict[str, str | None]
    additions: dict[str, tuple[str, str]] = field(default_factory=dict)
    consumers: dict[str, list[str]] = field(default_factory=dict)
    valued: set[str] = field(default_factory=set)
    bare: set[str] = field(default_factory=set)
    notes: list[Finding] = field(default_factory=list)
    refusals: list[Finding] = field(default_factory=list)
    shadowed: list[ComposeFile] = field(default_factory=list)
    python_loads: list[DotenvLoad] = field(default_factory=list)
    frozen: set[int] = field(default_factory=set)
    expected: dict[str, bool] | None = None
    dotenv_problem: str | None = None

    @property
    def selections(self) -> list[list[ComposeFile]]:
        """The sets of files Compose loads together: the default files, then each variant alone."""
        default = [compose for compose in self.composes if compose.path in DEFAULT_FILES]
        variants = [[compose] for compose in self.composes if compose.path not in DEFAULT_FILES]
        return ([default] if default else []) + variants

    def layerable(self, selection: list[ComposeFile]) -> list[ComposeFile]:
        """Return the files that ``-f`` may load with a selection, on top of it or under it.

        :param selection: one of :attr:`selections`.
        :returns: for the default files, every variant; for a variant, the default files.
        """
        if any(compose.path in DEFAULT_FILES for compose in selection):
            return [compose for compose in self.composes if compose.path not in DEFAULT_FILES]
        return [compose for compose in self.composes if compose.path in DEFAULT_FILES]

    def refuse(self, path: str, line: int | None, message: str) -> None:
        """Record a refusal (never with a value)."""
        self.refusals.append(Finding(path, line, message))

    def consumed_by(self, name: str, service: str, bare: bool = False) -> None:
        """Record that a service consumes a variable of the root ``.env``.

        :param name: the variable.
        :param service: the service.
        :param bare: ``True`` for a bare ``- VAR`` entry (no value: taken as Compose finds it),
            ``False`` for ``- VAR=${VAR}``.
        """
        (self.bare if bare else self.valued).add(name)
        users = self.consumers.setdefault(name, [])
        if service not in users:
            users.append(service)


def offered_values(
    compose: ComposeFile,
    refs: list[EnvFileRef],
    files: Mapping[str, str],
    line: int,
    expected: Mapping[str, bool] | None = None,
) -> tuple[dict[str, str | None], dict[str, str]]:
    """Read what a service's env files offer, merged as Compose does (the last file wins).

    :param compose: the Compose file (env file paths are relative to its folder).
    :param refs: the ``env_file:`` entries.
    :param files: the project's files.
    :param line: 1-based line of ``env_file``, for refusals.
    :param expected: the names the root ``.env`` is expected to hold when it cannot be read
        (a fresh clone); they are offered with the value :data:`.fresh_clone.ABSENT`.
    :returns: ``(values, origins)``: each variable's value (``None``: a key without value) and
        the env file it comes from.
    :raises Refusal: for an env file outside the project, or missing and required.
    """
    values: dict[str, str | None] = {}
    origins: dict[str, str] = {}
    for ref in refs:
        path = env_file_path(compose.path, ref)
        if path is None:
            raise Refusal(f"env_file {ref.path} lies outside the project", line)
        text = files.get(path)
        entries: dict[str, str | None]
        if text is None and path == DOTENV and expected is not None:
            entries = dict.fromkeys(expected, ABSENT)  # names only: the values are unknown
        elif text is None:
            if ref.required:
                raise Refusal(
                    f"env_file {ref.path} does not exist (Compose would fail); if it is "
                    "git-ignored and so absent on a fresh clone, its values would have to move "
                    "into the root .env, which cannot be checked without them: scope it by hand",
                    line,
                )
            continue
        else:
            entries = env_values(text)
        for name, value in entries.items():
            values.pop(name, None)  # the last file wins, and sets the order
            values[name] = value
            origins[name] = path
    return values, origins


def env_file_source(name: str, node: CommentedMap) -> CommentedMap:
    """Return the mapping whose ``env_file`` applies to a service: its own, or a merged anchor's.

    :param name: the service's name.
    :param node: its mapping.
    :raises Refusal: for nested merge keys and constructs this rule does not follow.
    """
    if "env_file" in node._ok:
        return node
    for merged in getattr(node, "merge", []):
        mapping = merged[1] if isinstance(merged, tuple) else merged
        if isinstance(mapping, CommentedMap) and "env_file" in mapping:
            if "env_file" not in mapping._ok:
                raise Refusal(f"{name}: env_file comes through nested merge keys")
            return mapping
    raise Refusal(f"{name}: env_file comes from a construct this tool does not follow")


def service_defs(composes: list[ComposeFile]) -> dict[str, list[tuple[ComposeFile, Any]]]:
    """Group every service definition by name, across the given Compose files.

    :param composes: the Compose files of one stack.
    :returns: each service name with its ``(file, mapping)`` definitions, in file order.
    """
    defs: dict[str, list[tuple[ComposeFile, Any]]] = {}
    for compose in composes:
        for name, node in services_of(compose.document).items():
            defs.setdefault(str(name), []).append((compose, node))
    return defs


def extended_services(defs: Mapping[str, list[tuple[ComposeFile, Any]]]) -> set[str]:
    """Name the services that another service ``extends``.

    :param defs: the stack's service definitions (see :func:`service_defs`).
    """
    names = set()
    for entries in defs.values():
        for _, node in entries:
            target = node.get("extends") if isinstance(node, Mapping) else None
            names.add(target if isinstance(target, str) else (target or {}).get("service"))
    return {name for name in names if name}
