"""The facts the consumer analysis of ``compose-env-scoping`` decides on, and its answer.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"): a :class:`ServiceView` says what runs in a service, :class:`ProjectCode`
what the project's code reads, :class:`Consumption` what the service keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redpanda_migrate.codemods.shared.envvars import EnvUsage


@dataclass
class Consumption:
    """What one service consumes of the variables offered to it.

    :param kept: variables the service gets, in offered order.
    :param dropped: variables it does not consume.
    :param kind: ``django``, ``image`` or ``unknown``.
    :param notes: what the reviewer must know (no values).
    :param decided: ``False`` when what the service reads could not be decided, so it keeps
        every variable offered (which, without the root ``.env``, may not be all it gets).
    """

    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    kind: str = "unknown"
    notes: list[str] = field(default_factory=list)
    decided: bool = True


@dataclass(frozen=True)
class ServiceView:
    """The parts of a service definition that say what runs in it.

    :param name: the service's name.
    :param image: ``image:``, if any.
    :param builds: ``True`` when the service has a ``build:``.
    :param commands: ``command``/``entrypoint``/healthcheck texts of every definition.
    :param volumes: the volume strings (to spot nginx templates).
    :param project_image: ``True`` when its image is the one another service builds.
    :param dockerfile_commands: ENTRYPOINT/CMD of its Dockerfile, when it builds one.
    :param undecided: why what runs in it cannot be known, if so.
    :param copies: ``(destination, source)`` of its Dockerfile's ``COPY``/``ADD`` lines.
    :param base_image: the image its Dockerfile (or the Dockerfile of the service that builds
        its image) starts ``FROM``, when known.
    """

    name: str
    image: str | None
    builds: bool
    commands: tuple[str, ...]
    volumes: tuple[str, ...] = ()
    project_image: bool = False
    dockerfile_commands: tuple[str, ...] = ()
    undecided: str | None = None
    copies: tuple[tuple[str, str], ...] = ()
    base_image: str | None = None


@dataclass(frozen=True)
class ProjectCode:
    """What the project's code reads, shared by every Django service.

    :param usage: reads found in the Python files.
    :param scripts: shell scripts and Dockerfiles by path.
    :param mail_senders: Python files (not settings) that send mail.
    :param python_paths: the project's Python files.
    :param all_paths: every file of the project.
    :param readable: the paths the rule's file patterns cover: one of them that was not handed
        over holds no needle, so it reads no ``$``; any other script cannot be read.
    """

    usage: EnvUsage
    scripts: Mapping[str, str]
    mail_senders: tuple[str, ...] = ()
    python_paths: tuple[str, ...] = ()
    all_paths: tuple[str, ...] = ()
    readable: frozenset[str] = frozenset()


def keep_all(offered: list[str], kind: str, reason: str) -> Consumption:
    """Keep every offered variable, with a note saying why.

    :param offered: the variables.
    :param kind: the service's kind (``django``, ``image``, ``unknown``).
    :param reason: the note (names only, never values).
    """
    return Consumption(list(offered), [], kind, [reason], decided=False)
