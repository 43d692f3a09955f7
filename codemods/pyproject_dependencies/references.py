"""Which other files name a dependency file about to be deleted, for ``pyproject-dependencies``.

Part of the "Environment Standards" codemod. A Dockerfile, CI workflow, Makefile, tox or a
script that runs ``pip install -r requirements.txt`` would break once the file is gone, and
``pip install .`` is not an exact replacement (the sources may not be copied yet at that step of
a Dockerfile, and it installs the project too), so such a reference refuses the deletion with
the line to change. Documentation that mentions the file only gets a note.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from redpanda_migrate.codemod import Finding

DOC_SUFFIXES = (".md", ".rst", ".txt", ".html")


def _pattern(path: str, folder: str) -> re.Pattern[str]:
    relative = path[len(folder) + 1 :] if folder else path
    return re.compile(rf"(?<![\w.-]){re.escape(relative)}(?![\w.-])")


def find_references(
    deleted: list[str], folder: str, texts: dict[str, str], skipped: set[str]
) -> tuple[list[Finding], list[Finding]]:
    """Find the lines of other files that name files about to be deleted.

    :param deleted: project-relative paths of the files to delete.
    :param folder: the package folder they belong to (``""`` for the root).
    :param texts: every file handed to the codemod.
    :param skipped: files whose mentions do not count (the deleted ones, the target).
    :returns: (references that break, mentions in documentation).
    """
    patterns = {path: _pattern(path, folder) for path in deleted}
    breaking: list[Finding] = []
    mentions: list[Finding] = []
    for other, text in sorted(texts.items()):
        if other in skipped or not any(p.search(text) for p in patterns.values()):
            continue
        is_doc = PurePosixPath(other).suffix.lower() in DOC_SUFFIXES
        for number, line in enumerate(text.splitlines(), start=1):
            named = [path for path, pattern in patterns.items() if pattern.search(line)]
            if not named:
                continue
            if is_doc:
                message = f"mentions a moved requirements file: {named[0]}; update the text"
                mentions.append(Finding(other, number, message))
            else:
                breaking.append(Finding(other, number, f"{named[0]}: {line.strip()[:120]}"))
    return breaking, mentions
