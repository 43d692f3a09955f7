"""Running one codemod on one file, in this process or in a worker process.

A file transform's every exception becomes a one-line error for that file (the runner never
raises); worker processes get the project facts once, at start, and the codemod by id.
"""

from __future__ import annotations

from redpanda_migrate.codemod import Codemod, FileOutcome, InputError, SourceFile
from redpanda_migrate.facts import ProjectFacts
from redpanda_migrate.registry import codemods_by_id

_worker_facts: ProjectFacts | None = None


def init_worker(facts: ProjectFacts) -> None:
    """Give a worker process the project facts, once, when it starts."""
    global _worker_facts
    _worker_facts = facts


def describe_crash(codemod_id: str, error: Exception) -> str:
    """Say in one line that a codemod crashed on a file (a bug of ours, left unchanged)."""
    return (
        f"{codemod_id} failed on this file, which was left unchanged "
        f"(a bug in redpanda-migrate, please report it): {type(error).__name__}: {error}"
    )


def with_line(line: int | None, message: str) -> str:
    """Prefix a message with its line, when known."""
    return f"line {line}: {message}" if line else message


def run_file_transform(codemod: Codemod, source: SourceFile) -> FileOutcome | str:
    """Run one codemod on one file, turning every exception into an error message.

    :param codemod: the codemod (with a file transform).
    :param source: the file and facts.
    :returns: the outcome, or a one-line error message.
    """
    assert codemod.transform_file is not None
    try:
        return codemod.transform_file(source)
    except InputError as error:
        return with_line(error.line, error.message)
    except RecursionError:
        return f"{codemod.id}: the file is nested too deeply to be processed"
    except Exception as error:  # the runner never raises: a crash is reported per file
        return describe_crash(codemod.id, error)


def run_in_worker(task: tuple[str, str, str, dict]) -> FileOutcome | str:
    """Run ``(codemod id, path, text, options)`` in a worker process (picklable by name)."""
    codemod_id, path, text, options = task
    assert _worker_facts is not None
    codemod = codemods_by_id()[codemod_id]
    return run_file_transform(codemod, SourceFile(path, text, _worker_facts, options))
