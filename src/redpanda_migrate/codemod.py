"""The codemod contract: what a rule declares and what its pure transform returns.

A codemod is one rule of the Red Panda Approval standard. It lives in one module of the
``redpanda_migrate.codemods`` package and exposes a module-level ``CODEMOD`` object built from
:class:`Codemod`. The engine discovers it, decides which files can concern it (``files`` globs,
then ``needles`` substrings), calls its pure transform with the text and the project facts, then
validates, diffs and writes the result itself. Transforms never touch the disk.

Two shapes of transform exist:

* ``transform_file(source: SourceFile) -> FileOutcome``: one file in, the same file out. The
  engine may run these in worker processes, one fresh call per file.
* ``transform_project(project: ProjectInput) -> ProjectOutcome``: several files in, any number
  of files created, changed or deleted (compose file + ``.env.example``, views + urls, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redpanda_migrate.facts import ProjectFacts


class InputError(Exception):
    """The input file cannot be processed (syntax error, unsupported construct of the format).

    Raised by a transform or a parsing helper; the engine reports it as a one-line error for the
    file and leaves the file as it was. It is not a bug in the codemod.

    :param message: what is wrong, in words the user understands.
    :param line: the 1-based line the problem is on, when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Finding:
    """A note or a refusal raised by a codemod.

    :param path: project-relative POSIX path of the file concerned.
    :param line: 1-based line number, or ``None`` when the finding concerns the whole file.
    :param message: for a note, what the reviewer must know; for a refusal, why no safe rewrite
        exists ("needs review").
    """

    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class SourceFile:
    """The input of a file transform.

    :param path: project-relative POSIX path.
    :param text: decoded text, newlines normalised to ``\\n`` when the file used CRLF
        consistently, without a UTF-8 BOM (the engine restores both on write).
    :param facts: facts about the whole project, computed once.
    :param options: this codemod's options from ``[tool.redpanda-migrate.<id>]``.
    """

    path: str
    text: str
    facts: ProjectFacts
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FileOutcome:
    """The result of a file transform.

    :param text: the new text; return the input text unchanged when nothing applies.
    :param notes: behaviour changes the reviewer must know about.
    :param refusals: places left alone because no safe rewrite exists.
    """

    text: str
    notes: tuple[Finding, ...] = ()
    refusals: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ProjectInput:
    """The input of a project transform.

    :param files: text of every candidate file (matching ``files`` globs, after ``needles``)
        plus every existing file named in ``also_reads``, keyed by project-relative POSIX path.
        Texts are normalised as in :class:`SourceFile` and reflect earlier codemods' output.
    :param facts: facts about the whole project, computed once.
    :param options: this codemod's options from ``[tool.redpanda-migrate.<id>]``.
    :param unreadable: paths matching ``files`` that could not be read (not UTF-8, binary,
        permission denied; already reported as errors). They may hold anything, so a
        project-wide step (dropping a dependency, say) must not assume they do not need it.
    """

    files: Mapping[str, str]
    facts: ProjectFacts
    options: Mapping[str, Any] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectOutcome:
    """The result of a project transform.

    :param writes: new text per path; ``None`` deletes the file. Paths not listed are unchanged.
    :param notes: behaviour changes the reviewer must know about.
    :param refusals: places left alone because no safe rewrite exists.
    :param errors: files that could not be processed (a syntax error, say), reported like an
        :class:`InputError` from a file transform while the other files go ahead.
    :param hidden_values: literal secrets the codemod moved out of committed code (a
        ``SECRET_KEY``): scrubbed from every diff and message; the cache stores where each
        one sits in the inputs, never the value.
    :param untrack: tracked paths to remove from the git index and keep on disk (a committed
        ``.env``). The engine does it (``git rm --cached``) only on a real run inside git, with
        the writes of the same change set, all or nothing; paths git does not track are ignored.
    """

    writes: Mapping[str, str | None] = field(default_factory=dict)
    notes: tuple[Finding, ...] = ()
    refusals: tuple[Finding, ...] = ()
    errors: tuple[Finding, ...] = ()
    hidden_values: tuple[str, ...] = ()
    untrack: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    """A before/after example shown by ``redpanda-migrate explain``.

    :param path: the file the example lives in, e.g. ``pyproject.toml``.
    :param before: text before the codemod.
    :param after: text after the codemod.
    """

    path: str
    before: str
    after: str


FileTransform = Callable[[SourceFile], FileOutcome]
ProjectTransform = Callable[[ProjectInput], ProjectOutcome]
Validator = Callable[[str, str], None]
SecretReads = Callable[[Mapping[str, str]], Iterable[str]]


@dataclass(frozen=True)
class Codemod:
    """A rule of the standard, as the engine sees it.

    :param id: public name used by ``--select``/``--skip``; the module name with ``-`` for ``_``.
    :param title: one line saying what it does.
    :param section: the section of the Red Panda Approval standard it enforces.
    :param files: gitignore-style patterns of the files it looks at (``**/*.py``).
    :param rationale: why the standard wants it, for ``explain`` and the docs.
    :param example: a before/after example.
    :param transform_file: the pure per-file transform (exactly one of the two transforms).
    :param transform_project: the pure multi-file transform.
    :param needles: a candidate file is only handed over when its text contains one of these
        substrings; empty means every matching file. This is what keeps runs fast.
    :param also_reads: exact paths handed to a project transform when they exist, even if git
        ignores them (``.env``, ``.gitignore``).
    :param secret_reads: for a project transform, ``(candidate texts) -> paths`` of further
        files to hand over that hold secrets (the ``env_file`` files a compose file names):
        their values are scrubbed from all output and their diffs hidden.
    :param validator: ``(path, text)`` check raising ``ValueError`` for output formats the
        engine does not know by extension (nginx configs, say).
    :param order: codemods run by ``(order, id)``; each sees the output of the ones before.
    :param family: the name of a table of options shared by a family of codemods
        (``[tool.redpanda-migrate.nginx]``); the codemod's own table wins key by key.
    """

    id: str
    title: str
    section: str
    files: tuple[str, ...]
    rationale: str
    example: Example
    transform_file: FileTransform | None = None
    transform_project: ProjectTransform | None = None
    needles: tuple[str, ...] = ()
    also_reads: tuple[str, ...] = ()
    secret_reads: SecretReads | None = None
    validator: Validator | None = None
    order: int = 500
    family: str = ""

    def __post_init__(self) -> None:
        """Reject a declaration with no transform or with both shapes."""
        if (self.transform_file is None) == (self.transform_project is None):
            raise ValueError(f"codemod {self.id!r}: define exactly one of the two transforms")

    def wants(self, text: str) -> bool:
        """Tell cheaply whether a candidate file's text can concern this codemod.

        :param text: the file's current text.
        :returns: ``True`` when there are no needles or one of them occurs in ``text``.
        """
        return not self.needles or any(needle in text for needle in self.needles)
