"""Running one check command in a subprocess with a time limit, never raising."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CommandResult:
    """What a command did.

    :param ok: exit status 0 within the time limit.
    :param output: standard output and error, interleaved as they came.
    :param stdout: standard output alone, when asked for separately.
    """

    ok: bool
    output: str
    stdout: str = ""


def run_command(
    argv: Sequence[str],
    cwd: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    separate_stdout: bool = False,
) -> CommandResult:
    """Run a command in its own process group; kill the whole group when it runs too long.

    :param argv: the command.
    :param cwd: where it runs (always inside the scratch copy or a sandbox).
    :param timeout: seconds before it is killed and reported failed.
    :param env: its environment (default: this process's).
    :param separate_stdout: keep standard output apart (for commands whose output is parsed).
    :returns: the result; a missing program or a timeout is a failed result with a message.
    """
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if separate_stdout else subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        return CommandResult(False, f"cannot run {argv[0]}: {error.strerror or error}")
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        return CommandResult(False, f"timed out after {timeout:g} s (killed)")
    stdout = out.decode("utf-8", "replace")
    stderr = (err or b"").decode("utf-8", "replace")
    if separate_stdout:
        return CommandResult(process.returncode == 0, stderr, stdout)
    return CommandResult(process.returncode == 0, stdout)
