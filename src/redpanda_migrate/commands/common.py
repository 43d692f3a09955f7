"""What every subcommand shares: the typer app, exit codes, one-line errors, stdout as bytes."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, NoReturn

import typer

# Only typer is imported up front: ``--version`` and ``--help`` must answer at once, so each
# command imports the engine (libcst, the codemods, batch machinery) when it runs.
from redpanda_migrate import STANDARD_VERSION

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    pass

EXIT_OK = 0
EXIT_PENDING = 1
EXIT_USAGE = 2
EXIT_FILE_ERRORS = 3
SUBCOMMANDS = ("run", "list", "explain", "batch", "audit")
TOP_LEVEL_FLAGS = ("--help", "-h", "--version", "--install-completion", "--show-completion")

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # plain click help and usage errors: rendering them with rich costs a tenth of a second
    rich_markup_mode=None,
    help=(
        f"Upgrade Django projects to the Red Panda Approval standard ({STANDARD_VERSION}). "
        "`redpanda-migrate --dry-run` previews every change as a patch."
    ),
)


class OutputFormat(str, Enum):
    """Output formats of ``run`` and ``list``."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class ColourChoice(str, Enum):
    """When output gets colour."""

    auto = "auto"
    always = "always"
    never = "never"


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a one-line error on stderr and exit.

    :param message: what went wrong.
    :param code: the exit code.
    """
    typer.echo(f"redpanda-migrate: error: {message}", err=True)
    raise typer.Exit(code)


def split_ids(value: str | None) -> list[str] | None:
    """Split a comma-separated ``--select``/``--skip`` value.

    :param value: e.g. ``"pin-dependencies,nginx-resolver"``, or ``None`` when not given.
    :returns: the ids, or ``None`` when the flag was not given.
    """
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def write_stdout(text: str) -> None:
    """Write text to stdout as UTF-8 bytes, keeping CRLF and BOMs inside diffs intact.

    :param text: the text.
    """
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
