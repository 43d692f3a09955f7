"""What a service running a well-known image consumes: the variables that image documents.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). Also covers a service that builds ``FROM`` such an image (a custom
postgres with maintenance scripts): the image's variables, plus what its commands and the files
its Dockerfile copies in name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from redpanda_migrate.codemods.compose_env_scoping.facts import (
    Consumption,
    ProjectCode,
    ServiceView,
    keep_all,
)
from redpanda_migrate.codemods.shared.envvars import (
    escaped_variables,
    shell_reads_everything,
    shell_variables,
)

# Official images and the variables their documentation lists (prefixes), plus TZ.
IMAGE_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "postgres": ("POSTGRES_", "PG"),
    "postgis/postgis": ("POSTGRES_", "PG"),
    "timescale/timescaledb": ("POSTGRES_", "PG", "TS_TUNE_", "TIMESCALEDB_"),
    "mysql": ("MYSQL_",),
    "mariadb": ("MARIADB_", "MYSQL_"),
    "redis": (),
    "valkey/valkey": (),
    "rabbitmq": ("RABBITMQ_",),
    "memcached": (),
    "nginx": ("NGINX_",),
    "mongo": ("MONGO_INITDB_",),
    "minio/minio": ("MINIO_",),
}


def image_name(image: str) -> str:
    """Strip the registry, tag and digest of an image reference.

    :param image: e.g. ``docker.io/library/postgres:16@sha256:...``.
    :returns: e.g. ``postgres`` (``library/`` and Docker Hub's host dropped).
    """
    name = image.split("@")[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":")[0]
    for host in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        name = name.removeprefix(host)
    return name.removeprefix("library/")


def known_base(view: ServiceView) -> bool:
    """Tell whether a service's image is built ``FROM`` a well-known image.

    :param view: the service.
    """
    return bool(view.base_image) and image_name(view.base_image or "") in IMAGE_PREFIXES


def _copied_files(view: ServiceView, code: ProjectCode) -> tuple[set[str], list[str]]:
    """Return the project files the Dockerfile copies in, and what cannot be known of them."""
    found: set[str] = set()
    undecided: list[str] = []
    for _, source in view.copies:
        inside = [p for p in code.all_paths if not source or p.startswith(source + "/")]
        matches = [source] if source in code.all_paths else inside
        if not matches:
            undecided.append(f"its Dockerfile copies {source or '.'}, which is not in the project")
        found.update(matches)
    return found, undecided


def _copied_names(view: ServiceView, code: ProjectCode) -> tuple[set[str], list[str]]:
    """Return the variables the copied-in files name, and what cannot be known of them."""
    paths, undecided = _copied_files(view, code)
    names: set[str] = set()
    for path in sorted(paths):
        text = code.scripts.get(path)
        if PurePosixPath(path).name.startswith(".env"):
            continue  # an env file baked into the image is no consumer of env_file values
        if path.endswith(".py") or (text is None and path not in code.readable):
            undecided.append(f"{path}, copied into the image, was not read")
        elif text is not None and shell_reads_everything(text):
            undecided.append(f"{path}, copied into the image, passes its whole environment on")
        else:
            names |= shell_variables(text or "")
    return names, undecided


def consume_image(view: ServiceView, offered: list[str], code: ProjectCode) -> Consumption:
    """Decide what a service from a well-known or unknown image consumes.

    A service that builds ``FROM`` a well-known image consumes what that image documents, plus
    the variables its commands, its Dockerfile's ``ENTRYPOINT``/``CMD`` and the files the
    Dockerfile copies in name.

    :param view: the service.
    :param offered: the variables its env files give it.
    :param code: the project's files (for the files a Dockerfile copies in).
    """
    image = view.base_image if known_base(view) else view.image
    name = image_name(image or "")
    if name not in IMAGE_PREFIXES:
        return keep_all(
            offered,
            "unknown",
            f"what image {view.image or '(none)'} reads cannot be decided: every variable kept",
        )
    templates = [*view.volumes, *(destination for destination, _ in view.copies)]
    if name == "nginx" and any("templates" in path for path in templates):
        return keep_all(
            offered, "image", "nginx templates are filled from the environment: every variable kept"
        )
    # Compose interpolates $VAR in its own commands; only $$VAR reaches the container.
    named = set().union(*(escaped_variables(command) for command in view.commands))
    if view.builds:
        named |= set().union(*(shell_variables(c) for c in view.dockerfile_commands))
    if view.project_image and not view.builds:
        return keep_all(
            offered,
            "image",
            f"it runs image {view.image}, built FROM {image} by another service, whose copied-in "
            "files were not followed: every variable kept",
        )
    if view.builds:
        copied, undecided = _copied_names(view, code)
        if view.undecided:
            undecided.append(view.undecided)
        if undecided:
            return keep_all(offered, "image", "; ".join(undecided) + ": every variable kept")
        named |= copied
    prefixes = IMAGE_PREFIXES[name]
    kept = (
        [v for v in offered if v == "TZ" or v.startswith(prefixes) or v in named]
        if prefixes
        else [v for v in offered if v == "TZ" or v in named]
    )
    return Consumption(kept, [v for v in offered if v not in kept], "image")
