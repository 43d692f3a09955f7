"""A persistent cache of codemod outcomes, in the user's cache folder and never in the project.

An entry is keyed by everything its outcome depends on: the tool's *fingerprint* (its version,
the text of its own sources, the versions of the parsers it uses and of Python), the codemod's
id and options, the project facts and the path and text of every file handed over. Change any
of them and the key changes, so an entry is never wrong, merely unused; unchanged files are not
parsed again. Outcomes that saw a secret file (``.env``, a compose ``env_file``) are never
stored, nor are those of codemods from other packages, whose sources the fingerprint does not
cover. Entries are JSON, written atomically; a cache that cannot be read or written is skipped.

``--dry-run`` and ``--check`` write this cache and nothing else; ``--no-cache`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from redpanda_migrate import __version__
from redpanda_migrate.codemod import Codemod, FileOutcome, Finding, ProjectOutcome

APP_NAME = "redpanda-migrate"
# bump when the layout of entries changes
CACHE_FORMAT = "1"
# fingerprint folders kept: each version (or edit of an editable install) starts its own
KEPT_FINGERPRINTS = 4
FINGERPRINT_LENGTH = 24
# the packages whose sources make up the fingerprint; codemods elsewhere are never cached
OWN_PACKAGES = ("redpanda_migrate", "redpanda_migrate.codemods")
# libraries whose version can change what a codemod reads or writes
PARSER_DISTRIBUTIONS = (
    "libcst",
    "ruamel.yaml",
    "tomlkit",
    "crossplane",
    "python-dotenv",
    "packaging",
    "pathspec",
    "tzdata",
)


def default_cache_folder() -> Path:
    """Return the user's cache folder for the tool (``$XDG_CACHE_HOME/redpanda-migrate``...).

    :returns: the platform's per-user cache location, from platformdirs.
    """
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def _distribution_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


@cache
def tool_fingerprint() -> str:
    """Hash what makes a codemod's outcome differ for the same input.

    :returns: a hex digest over the tool's version and sources, the parsers' versions and
        Python's version; editing any source file of the tool changes it.
    """
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{sys.version}".encode())
    for name in PARSER_DISTRIBUTIONS:
        digest.update(f"\0{name}={_distribution_version(name)}".encode())
    for package_name in OWN_PACKAGES:
        for folder in import_module(package_name).__path__:
            for path in sorted(Path(folder).rglob("*.py")):
                digest.update(f"\0{path.relative_to(folder).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def is_cacheable(codemod: Codemod) -> bool:
    """Tell whether a codemod's outcomes may be cached: its transform is one of the tool's own.

    :param codemod: the codemod.
    :returns: ``True`` for the built-in codemods, whose sources the fingerprint covers.
    """
    transform = codemod.transform_file or codemod.transform_project
    module = getattr(transform, "__module__", None) or type(transform).__module__
    return isinstance(module, str) and module.startswith(OWN_PACKAGES[1] + ".")


def text_digest(text: str) -> str:
    """Hash a file's text.

    :param text: the text.
    :returns: a hex digest.
    """
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def options_text(options: Mapping[str, Any]) -> str:
    """Render a codemod's options in a stable form for a key.

    :param options: the ``[tool.redpanda-migrate.<id>]`` table.
    :returns: canonical JSON.
    """
    return json.dumps(options, sort_keys=True, default=repr)


def _findings(found: Iterable[Finding]) -> list[list[Any]]:
    return [[finding.path, finding.line, finding.message] for finding in found]


def _from_findings(stored: list[list[Any]]) -> tuple[Finding, ...]:
    return tuple(Finding(path, line, message) for path, line, message in stored)


def file_outcome_entry(outcome: FileOutcome) -> dict[str, Any]:
    """Turn a file transform's outcome into a cache entry.

    :param outcome: the outcome.
    :returns: JSON-ready data.
    """
    return {
        "text": outcome.text,
        "notes": _findings(outcome.notes),
        "refusals": _findings(outcome.refusals),
    }


def file_outcome_from(entry: dict[str, Any]) -> FileOutcome:
    """Rebuild a file transform's outcome from a cache entry.

    :param entry: what :func:`file_outcome_entry` returned.
    :returns: the outcome.
    """
    return FileOutcome(
        entry["text"], _from_findings(entry["notes"]), _from_findings(entry["refusals"])
    )


def project_outcome_entry(outcome: ProjectOutcome) -> dict[str, Any]:
    """Turn a project transform's outcome into a cache entry.

    :param outcome: the outcome.
    :returns: JSON-ready data.
    """
    return {
        "writes": dict(outcome.writes),
        "notes": _findings(outcome.notes),
        "refusals": _findings(outcome.refusals),
        "errors": _findings(outcome.errors),
        "untrack": list(outcome.untrack),
    }


def project_outcome_from(entry: dict[str, Any]) -> ProjectOutcome:
    """Rebuild a project transform's outcome from a cache entry.

    :param entry: what :func:`project_outcome_entry` returned.
    :returns: the outcome.
    """
    return ProjectOutcome(
        dict(entry["writes"]),
        _from_findings(entry["notes"]),
        _from_findings(entry["refusals"]),
        _from_findings(entry["errors"]),
        untrack=tuple(entry.get("untrack", ())),
    )


def _prune(folder: Path) -> None:
    """Remove the oldest fingerprint folders, so that old versions' entries do not pile up."""
    try:
        fingerprints = [
            child
            for child in folder.iterdir()
            if child.is_dir() and len(child.name) == FINGERPRINT_LENGTH and child.name.isalnum()
        ]
        fingerprints.sort(key=lambda child: child.stat().st_mtime, reverse=True)
    except OSError:
        return
    for stale in fingerprints[KEPT_FINGERPRINTS - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)


class OutcomeCache:
    """Entries stored under ``<folder>/<fingerprint>/<key[:2]>/<key>.json``.

    :param folder: the cache folder, or ``None`` for a cache that stores nothing.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / tool_fingerprint()[:FINGERPRINT_LENGTH] if folder else None
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_project(cls, root: Path, enabled: bool = True) -> OutcomeCache:
        """Open the user's cache for a run on ``root``; off when disabled or inside the project.

        :param root: the resolved project root.
        :param enabled: ``False`` for ``--no-cache``.
        :returns: the cache.
        """
        if not enabled:
            return cls(None)
        folder = default_cache_folder().absolute()
        if folder.resolve().is_relative_to(root):  # the project's files are never touched
            return cls(None)
        opened = cls(folder)
        if opened.folder is not None and not opened.folder.exists():
            _prune(folder)
        return opened

    @property
    def enabled(self) -> bool:
        """Whether entries are read and stored."""
        return self.folder is not None

    @staticmethod
    def key(*parts: str) -> str:
        """Combine the parts of a key.

        :param parts: strings, none of which may contain a NUL character ambiguously.
        :returns: a hex digest.
        """
        digest = hashlib.sha256()
        for part in parts:
            digest.update(f"{len(part)}:".encode())
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def load(self, key: str) -> Any | None:
        """Return the entry stored under ``key``, or ``None``.

        :param key: from :meth:`key`.
        """
        if self.folder is None:
            return None
        try:
            with self._path(key).open(encoding="utf-8") as stored:
                entry = json.load(stored)
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def store(self, key: str, entry: Any) -> None:
        """Store an entry atomically; a failure to write is ignored (the cache is optional).

        :param key: from :meth:`key`.
        :param entry: JSON-ready data.
        """
        if self.folder is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(entry, stream, ensure_ascii=False)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except (OSError, ValueError, TypeError):
            return
