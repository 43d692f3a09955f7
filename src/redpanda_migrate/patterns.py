"""Gitignore-style patterns, matched fast: one regular expression rejects most paths at once.

pathspec tries each pattern of a spec in turn, with git's priority rules (a later pattern
wins, a file pattern outranks a folder pattern). Most paths of a project match none of a
``.gitignore``'s patterns, so a single alternation of every pattern's expression answers
them with one search, and when no pattern negates (``!``) that search is the whole answer;
otherwise a path it matches goes through pathspec's exact rules. The answer is pathspec's in
every case: a path no pattern matches is never included, and without negations every path a
pattern matches is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pathspec

# pathspec's expressions name their groups (the folder mark): an alternation may not repeat one
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class PathPatterns:
    """Compiled gitignore-style patterns.

    :param lines: the patterns, as in a ``.gitignore`` file (comments and blank lines allowed).
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self.spec = pathspec.GitIgnoreSpec.from_lines(list(lines))
        self._any = _alternation(self.spec)
        # without a negation ("!"), git's priorities cannot exclude a path a pattern matches
        self._positive = not any(pattern.include is False for pattern in self.spec.patterns)

    def match_file(self, path: str) -> bool:
        """Tell whether the patterns select a path (as ``GitIgnoreSpec.match_file`` does).

        :param path: a project-relative POSIX path; a folder ends with ``/``.
        """
        if self._any is None:
            return self.spec.match_file(path)
        if self._any.search(path) is None:
            return False
        return self._positive or self.spec.match_file(path)


def _alternation(spec: pathspec.PathSpec) -> re.Pattern[str] | None:
    """One expression matching wherever any of the spec's patterns does (``None``: none made)."""
    parts = []
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None or regex is None:
            continue  # a comment or blank line matches nothing
        parts.append(f"(?:{_NAMED_GROUP.sub('(?:', regex.pattern)})")
    if not parts:
        return re.compile(r"(?!)")  # matches nothing, as an empty spec
    try:
        return re.compile("|".join(parts))
    except re.error:  # an expression that cannot be combined: pathspec alone decides
        return None
