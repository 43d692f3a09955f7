"""One run's view of the outcome cache: the keys of its codemods' outcomes, from its inputs.

Texts are hashed once per run (most texts are the same object from one codemod to the next),
the facts once. See :mod:`redpanda_migrate.cache` for what a key covers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from redpanda_migrate.cache import (
    OutcomeCache,
    file_outcome_entry,
    file_outcome_from,
    is_cacheable,
    options_text,
    project_outcome_entry,
    project_outcome_from,
    text_digest,
)
from redpanda_migrate.codemod import Codemod, FileOutcome, ProjectOutcome
from redpanda_migrate.facts import ProjectFacts


def facts_text(facts: ProjectFacts) -> str:
    """Render the project facts the same way in every process, for the keys.

    ``repr`` of a set follows string hashing, which changes from one process to the next
    (``PYTHONHASHSEED``): a key built from it would never match in a later run.

    :param facts: the facts.
    :returns: their fields, sets sorted.
    """
    values = []
    for item in fields(facts):
        value = getattr(facts, item.name)
        if isinstance(value, set | frozenset):
            value = ("set", tuple(sorted(value)))
        values.append((item.name, value))
    return repr(values)


NESTING_KEY = "nesting"
MATCHES_KEY = "matches"


class RunCache:
    """Keys, look-ups and stores for the codemods of one run.

    :param cache: the user's cache (or a disabled one).
    :param facts: the run's project facts.
    :param options: per-codemod options, by id.
    :param secret_paths: the workspace's set of secret files, kept up to date by it: outcomes
        that saw one are never stored.
    """

    def __init__(
        self,
        cache: OutcomeCache,
        facts: ProjectFacts,
        options: Mapping[str, Mapping[str, Any]],
        secret_paths: set[str],
    ) -> None:
        self.cache = cache
        self.facts = facts
        self.options = options
        self.secret_paths = secret_paths
        self._facts_digest = ""
        # path -> (text, digest) of the last text hashed
        self._digests: dict[str, tuple[str, str]] = {}
        # text digest -> why it nests too deeply ("" when it does not), from earlier runs
        self._nesting: dict[str, str] | None = None
        self._nesting_seen: set[str] = set()
        self._nesting_added = False
        self._paths_digest = ""
        # (codemod, path, before, after) digests of the outputs this run found valid
        self._valid: set[tuple[str, str, str, str]] = set()

    def digest(self, path: str, text: str) -> str:
        """Hash a file's text, once per text object.

        :param path: the file.
        :param text: its current text.
        :returns: the hash.
        """
        known = self._digests.get(path)
        if known is not None and known[0] is text:
            return known[1]
        digest = text_digest(text)
        self._digests[path] = (text, digest)
        return digest

    def key(self, codemod: Codemod, *inputs: str) -> str | None:
        """Return the key of a codemod's outcome on these inputs (``None``: not cached).

        :param codemod: the codemod.
        :param inputs: what else the outcome depends on.
        """
        if not self.cache.enabled or not is_cacheable(codemod):
            return None
        if not self._facts_digest:
            self._facts_digest = text_digest(facts_text(self.facts))
        shared = self.options.get(codemod.family, {}) if codemod.family else {}
        options = options_text({**shared, **self.options.get(codemod.id, {})})
        return self.cache.key(codemod.id, options, self._facts_digest, *inputs)

    def file_key(self, codemod: Codemod, path: str, text: str) -> str | None:
        """Return the key of a file transform's outcome on one file.

        :param codemod: the codemod.
        :param path: the file.
        :param text: its text.
        """
        if path in self.secret_paths:
            return None  # outcomes that saw a secret are never written to disk
        return self.key(codemod, "file", path, self.digest(path, text))

    def file_outcome(self, key: str | None) -> FileOutcome | None:
        """Return the stored outcome of a file transform, if any.

        :param key: from :meth:`file_key`.
        """
        entry = self.cache.load(key) if key is not None else None
        try:
            return file_outcome_from(entry) if entry is not None else None
        except (KeyError, TypeError, ValueError):  # an entry damaged on disk: not an answer
            return None

    def store_file_outcome(self, key: str | None, outcome: FileOutcome) -> None:
        """Store a file transform's outcome.

        :param key: from :meth:`file_key`.
        :param outcome: the outcome.
        """
        if key is not None:
            self.cache.store(key, file_outcome_entry(outcome))

    def project_outcome(
        self,
        codemod: Codemod,
        texts: Mapping[str, str],
        unreadable: tuple[str, ...],
        compute: Callable[[], ProjectOutcome],
    ) -> ProjectOutcome:
        """Return a project transform's outcome, stored or computed (and then stored).

        :param codemod: the codemod.
        :param texts: every file it is handed.
        :param unreadable: the matching files that could not be read.
        :param compute: runs the transform.
        """
        key = None
        if self.secret_paths.isdisjoint(texts):  # outcomes that saw a secret are never stored
            inputs = [f"{path}\0{self.digest(path, texts[path])}" for path in sorted(texts)]
            key = self.key(codemod, "project", "\0".join(unreadable), *inputs)
        entry = self.cache.load(key) if key is not None else None
        if entry is not None:
            try:
                outcome = project_outcome_from(entry)
                hidden = tuple(texts[p][start:end] for p, start, end in entry.get("hidden", ()))
                return replace(outcome, hidden_values=hidden) if hidden else outcome
            except (KeyError, TypeError, ValueError):  # an entry damaged on disk: not an answer
                pass
        outcome = compute()
        spans = hidden_spans(outcome.hidden_values, texts)
        if key is not None and spans is not None:
            self.cache.store(
                key, project_outcome_entry(outcome) | ({"hidden": spans} if spans else {})
            )
        return outcome

    def secret_reads(self, codemod: Codemod, texts: Mapping[str, str]) -> list[str]:
        """Return the further secret files a project transform asks for, remembered by input.

        :param codemod: a codemod with ``secret_reads``.
        :param texts: its candidate texts.
        :returns: the paths it names (what ``codemod.secret_reads`` returns).
        """
        assert codemod.secret_reads is not None
        inputs = [f"{path}\0{self.digest(path, texts[path])}" for path in sorted(texts)]
        key = self.key(codemod, "secret-reads", *inputs)
        stored = self.cache.load(key) if key is not None else None
        if isinstance(stored, list) and all(isinstance(path, str) for path in stored):
            return stored
        paths = list(codemod.secret_reads(dict(texts)))
        if key is not None:
            self.cache.store(key, paths)
        return paths

    def validate(
        self, codemod: Codemod, path: str, before: str | None, after: str, check: Callable[[], None]
    ) -> None:
        """Run an output check once per (codemod, path, before, after).

        :param codemod: the codemod that wrote ``after``.
        :param path: the file.
        :param before: its text before, ``None`` for a new file.
        :param after: the codemod's output.
        :param check: raises ``ValueError`` when the output does not parse.
        """
        before_hash = self.digest(path, before) if before is not None else ""
        after_hash = text_digest(after)
        seen = (codemod.id, path, before_hash, after_hash)
        if seen in self._valid:  # a change set is checked whole, then each change recorded
            return
        key = self.key(codemod, "valid", path, before_hash, after_hash)
        if key is None or self.cache.load(key) is None:
            check()
            if key is not None:
                self.cache.store(key, True)
        self._valid.add(seen)

    def nesting_problem(
        self, path: str, text: str, measure: Callable[[str], str | None]
    ) -> str | None:
        """Return why a Python file nests too deeply to parse, remembered by text hash.

        :param path: the file.
        :param text: its text.
        :param measure: :func:`redpanda_migrate.nesting.nesting_problem`.
        """
        if not self.cache.enabled:
            return measure(text)
        self._load_nesting()
        assert self._nesting is not None
        text_hash = self.digest(path, text)
        self._nesting_seen.add(text_hash)
        known = self._nesting.get(text_hash)
        if known is None:
            known = self._nesting[text_hash] = measure(text) or ""
            self._nesting_added = True
        return known or None

    def knows_nesting(self, path: str, text: str) -> bool:
        """Tell whether a text's nesting verdict is stored (by an earlier run or this one).

        :param path: the file.
        :param text: its text.
        """
        if not self.cache.enabled:
            return False
        self._load_nesting()
        assert self._nesting is not None
        return self.digest(path, text) in self._nesting

    def _load_nesting(self) -> None:
        if self._nesting is None:
            stored = self.cache.load(self._nesting_key())
            valid = isinstance(stored, dict) and all(isinstance(v, str) for v in stored.values())
            self._nesting = stored if valid else {}  # type: ignore[assignment]

    def save_nesting(self) -> None:
        """Store the nesting verdicts when this run measured any new text (only this run's)."""
        if self._nesting_added and self._nesting is not None:
            seen = {h: v for h, v in self._nesting.items() if h in self._nesting_seen}
            self.cache.store(self._nesting_key(), seen)
            self._nesting_added = False

    def _nesting_key(self) -> str:
        # one entry per project, so that it holds the texts of one project
        return self.cache.key(NESTING_KEY, self.facts.root_name)

    def matching_paths(
        self, patterns: tuple[str, ...], paths: tuple[str, ...], match: Callable[[str], bool]
    ) -> dict[str, bool]:
        """Tell which of the discovered files match a codemod's patterns, remembered by list.

        :param patterns: the patterns (gitignore style).
        :param paths: the project's discovered files, in a stable order.
        :param match: ``path -> bool`` for these patterns.
        :returns: ``{path: whether it matches}`` for every path.
        """
        key = None
        if self.cache.enabled:
            if not self._paths_digest:
                self._paths_digest = text_digest("\0".join(paths))
            key = self.cache.key(MATCHES_KEY, self._paths_digest, *patterns)
            stored = self.cache.load(key)
            if isinstance(stored, list) and all(isinstance(path, str) for path in stored):
                matched = set(stored)
                return {path: path in matched for path in paths}
        verdicts = {path: match(path) for path in paths}
        if key is not None:
            self.cache.store(key, [path for path, matches in verdicts.items() if matches])
        return verdicts

    def needle_verdicts(self, needles: tuple[str, ...]) -> NeedleVerdicts:
        """Open the remembered needle verdicts of a codemod.

        :param needles: its needles.
        """
        return NeedleVerdicts(self.cache, needles)


class NeedleVerdicts:
    """Whether each text holds one of a codemod's needles, remembered by text hash.

    Searching every Python file for a handful of substrings costs more than hashing it once,
    and the hash is needed for the outcome keys anyway.

    :param cache: where the verdicts of earlier runs are kept.
    :param needles: the codemod's needles.
    """

    # below this many needles a plain search is as cheap as a look-up
    MIN_NEEDLES = 3

    def __init__(self, cache: OutcomeCache, needles: tuple[str, ...]) -> None:
        self.cache = cache
        self.used = cache.enabled and len(needles) >= self.MIN_NEEDLES
        self.key = cache.key("needles", *needles) if self.used else ""
        stored = cache.load(self.key) if self.used else None
        self.known: dict[str, bool] = stored if isinstance(stored, dict) else {}
        self.added = 0

    def wants(
        self, codemod: Codemod, path: str, text: str, digest: Callable[[str, str], str]
    ) -> bool:
        """Tell whether a codemod wants a text, from the remembered verdict when there is one.

        :param codemod: the codemod whose needles these are.
        :param path: the candidate's path.
        :param text: its text.
        :param digest: ``(path, text) -> hash``.
        :returns: what ``codemod.wants(text)`` returns.
        """
        if not self.used:
            return codemod.wants(text)
        text_hash = digest(path, text)
        verdict = self.known.get(text_hash)
        if verdict is None:
            verdict = self.known[text_hash] = codemod.wants(text)
            self.added += 1
        return verdict

    def save(self) -> None:
        """Store the verdicts when this run added any."""
        if self.added:
            self.cache.store(self.key, self.known)


def hidden_spans(
    values: Iterable[str], texts: Mapping[str, str]
) -> list[tuple[str, int, int]] | None:
    """Say where each hidden value sits in the inputs, so a cache entry never holds one.

    :param values: the literal secrets a project transform moved (``hidden_values``).
    :param texts: the texts it was handed (the entry's key covers them).
    :returns: ``(path, start, end)`` per value, or ``None`` when one is not in any input (the
        outcome is then not stored).
    """
    spans = []
    for value in values:
        found = next(((p, t.find(value)) for p, t in sorted(texts.items()) if value in t), None)
        if found is None:
            return None
        spans.append((found[0], found[1], found[1] + len(value)))
    return spans
