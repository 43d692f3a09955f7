"""What a Compose service runs: its commands, its Dockerfile, and the project code it can read.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). Builds the :class:`ServiceView` and :class:`ProjectCode` the consumer
analysis decides on, statically: nothing of the target project is imported or run.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

import pathspec
from redpanda_migrate.codemods.compose_env_scoping.facts import ProjectCode, ServiceView
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import is_compose_file
from redpanda_migrate.codemods.shared.envvars import (
    EnvUsage,
    scan_python,
    sends_mail,
    shared_instances,
)
from ruamel.yaml.comments import CommentedMap

from redpanda_migrate.facts import is_settings_file


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


def build_context(node: Mapping[str, Any]) -> tuple[str, str] | None:
    """Return a service's build context and Dockerfile name, as written.

    :param node: the service's mapping.
    :returns: ``(context, dockerfile)``, or ``None`` when it does not build.
    """
    build = node.get("build")
    if isinstance(build, str):
        return build, "Dockerfile"
    if isinstance(build, Mapping):
        return str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))
    return None


def _dockerfile(node: Mapping[str, Any], files: Mapping[str, str]) -> tuple[str, str | None]:
    """Return the build context (project-relative) and the Dockerfile's text (``None``: absent)."""
    context = build_context(node)
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


def dockerfile_base(text: str) -> str | None:
    """Return the image a Dockerfile's final stage starts ``FROM``, through stage names.

    :param text: the Dockerfile.
    :returns: the image reference, or ``None`` when it is built from an ``ARG`` or unknown.
    """
    stages: dict[str, str | None] = {}
    base: str | None = None
    for line in text.splitlines():
        words = line.strip().split()
        if not words or words[0].upper() != "FROM":
            continue
        words = [word for word in words[1:] if not word.startswith("--")]
        base = stages.get(words[0].lower(), words[0]) if words else None
        if base is not None and "$" in base:
            base = None
        if len(words) >= 3 and words[1].upper() == "AS":
            stages[words[2].lower()] = base
    return base


def built_images(nodes: Iterable[Any], files: Mapping[str, str]) -> dict[str, str | None]:
    """Map each image some service builds (``build:`` and ``image:``) to its Dockerfile's base.

    :param nodes: every service definition.
    :param files: the project's files.
    :returns: image to base image (``None``: unknown, or different bases).
    """
    bases: dict[str, str | None] = {}
    for node in nodes:
        if not isinstance(node, Mapping) or "build" not in node or not node.get("image"):
            continue
        _, text = _dockerfile(node, files)
        base = dockerfile_base(text) if text else None
        image = str(node["image"])
        bases[image] = base if bases.get(image, base) == base else None
    return bases


def _json_list(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def service_view(
    name: str,
    nodes: list[CommentedMap],
    files: Mapping[str, str],
    project_images: Mapping[str, str | None],
) -> ServiceView:
    """Describe what a service runs, from all its definitions and its Dockerfile.

    :param name: the service's name.
    :param nodes: its definitions (the one being rewritten first, then the other files').
    :param files: the project's files.
    :param project_images: images that some service builds, with their base images.
    """
    commands: list[str] = []
    image = None
    builds = False
    volumes: list[str] = []
    dockerfile: tuple[str, ...] = ()
    copies: list[tuple[str, str]] = []
    missing = None
    bases: set[str | None] = set()
    for node in nodes:
        commands += _commands(node)
        image = image or node.get("image")
        builds = builds or "build" in node
        volumes += [str(v) for v in node.get("volumes") or [] if isinstance(v, str)]
        folder, text = _dockerfile(node, files)
        if text is None:
            missing = f"the Dockerfile of {name} is not in the project"
            continue
        if text:
            bases.add(dockerfile_base(text))
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
        _base_image(builds, bases, project_images.get(str(image)) if image else None),
    )


def _base_image(builds: bool, bases: set[str | None], built_base: str | None) -> str | None:
    """Return the one base image of its Dockerfiles, or of the image another service builds."""
    if builds:
        return next(iter(bases)) if len(bases) == 1 else None
    return built_base


def project_code(
    files: Mapping[str, str], all_paths: tuple[str, ...], patterns: Iterable[str]
) -> ProjectCode:
    """Analyse what the project's Python files and scripts read.

    :param files: the handed-over files.
    :param all_paths: every file of the project.
    :param patterns: the rule's file patterns (a file they do not cover was not handed over).
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
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    readable = frozenset(path for path in all_paths if spec.match_file(path))
    return ProjectCode(usage, scripts, tuple(mail), python_paths, all_paths, readable)
