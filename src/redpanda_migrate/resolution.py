"""Resolving what a run works on: the project root, its configuration, the codemods it applies."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from redpanda_migrate.codemod import Codemod
from redpanda_migrate.config import ConfigError, ProjectConfig, load_config
from redpanda_migrate.registry import codemods_by_id, select_codemods


class BadInput(ValueError):
    """The run cannot start (missing path, not a directory, bad configuration): exit 2."""


def resolve_root(path: str | os.PathLike[str]) -> Path:
    """Check a project path given by the user and resolve it.

    :param path: the path as given.
    :returns: the resolved directory.
    :raises BadInput: when it does not exist or is not a directory.
    """
    root = Path(path)
    if not root.exists():
        raise BadInput(f"{path}: no such file or directory")
    if not root.is_dir():
        raise BadInput(f"{path}: not a directory (give the project's root folder)")
    return root.resolve()


def resolve_run(
    path: str | os.PathLike[str],
    select: Sequence[str] | None = None,
    skip: Sequence[str] | None = None,
) -> tuple[Path, ProjectConfig, tuple[Codemod, ...]]:
    """Resolve a project root, its configuration and the codemods a run applies.

    :param path: the project root.
    :param select: codemod ids to run; ``None`` uses the project's configuration (all by
        default). Command-line values win over configuration.
    :param skip: codemod ids to leave out; ``None`` uses the project's configuration.
    :returns: the resolved root, its configuration and the codemods in run order.
    :raises BadInput: for a bad path or configuration.
    :raises redpanda_migrate.registry.UnknownCodemod: for an unknown id.
    """
    root = resolve_root(path)
    try:
        config = load_config(root)
    except ConfigError as error:
        raise BadInput(str(error)) from None
    known = codemods_by_id()
    families = {codemod.family for codemod in known.values() if codemod.family}
    unknown = sorted(set(config.options) - set(known) - families)
    if unknown:
        raise BadInput(
            f"[tool.redpanda-migrate] has options for unknown codemod id(s): {', '.join(unknown)}; "
            f"valid ids: {', '.join([*known, *sorted(families)])}"
        )
    codemods = select_codemods(
        config.select if select is None else select, config.skip if skip is None else skip
    )
    if not codemods:
        raise BadInput(
            "--select and --skip leave no codemod to run (with [tool.redpanda-migrate] select "
            "and skip); valid ids: " + ", ".join(known)
        )
    return root, config, codemods
