"""The ``redpanda-migrate`` command line.

Exit codes: 0 success; 1 ``--check`` found pending changes; 2 bad usage or input; 3 some files
could not be processed (they are listed; the rest was done).
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Annotated

import typer

from redpanda_migrate import STANDARD_VERSION, __version__
from redpanda_migrate.commands.common import EXIT_USAGE, SUBCOMMANDS, TOP_LEVEL_FLAGS, app

__all__ = ["app", "default_to_run", "main"]

# objects allocated between two collections of the youngest generation (Python's default: 700)
GC_THRESHOLD = 50_000

# importing a command module registers its commands on the app: run first, as in --help
for _command_module in ("run", "rules", "fleet"):
    importlib.import_module(f"redpanda_migrate.commands.{_command_module}")


def version_callback(value: bool) -> None:
    """Print the version and the standard's version, then exit.

    :param value: whether ``--version`` was given.
    """
    if value:
        typer.echo(f"redpanda-migrate {__version__} (Red Panda Approval {STANDARD_VERSION})")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Upgrade Django projects to the Red Panda Approval standard."""


def default_to_run(argv: list[str]) -> list[str]:
    """Make ``redpanda-migrate --dry-run [PATH]`` mean ``redpanda-migrate run --dry-run``.

    :param argv: the arguments after the program name.
    :returns: the arguments, with ``run`` inserted when no subcommand was named.
    """
    if not argv or argv[0] in SUBCOMMANDS or argv[0] in TOP_LEVEL_FLAGS:
        return argv
    return ["run", *argv]


def main() -> None:
    """Entry point of the ``redpanda-migrate`` script."""
    # a run builds millions of short-lived syntax-tree objects and no reference cycles worth
    # collecting early: the collector's default thresholds would walk them over and over
    gc.set_threshold(GC_THRESHOLD, 20, 100)
    args = default_to_run(sys.argv[1:])
    if not any(arg in TOP_LEVEL_FLAGS for arg in args):
        from redpanda_migrate.registry import RegistryError, all_codemods, use_catalogue

        use_catalogue("--no-cache" not in args)
        try:
            all_codemods()  # load them once, up front: a broken one is a one-line error
        except RegistryError as error:
            typer.echo(f"error: {error}", err=True)
            raise SystemExit(EXIT_USAGE) from None
    app(args=args, prog_name="redpanda-migrate")
