"""Fast pattern matching gives pathspec's answer for every path, priorities and negations too."""

from __future__ import annotations

import itertools

import pathspec
import pytest

from redpanda_migrate.patterns import PathPatterns

GITIGNORES = {
    "usual": [
        "*.pyc",
        "__pycache__/",
        "/build",
        "dist/",
        ".env",
        "# a comment",
        "",
        "node_modules",
    ],
    "negated": ["*.log", "!keep.log", "logs/", "!logs/important.log", "docs/**/*.md"],
    "folder then file": ["static/*", "!static/keep/", "static/keep/*.tmp", "**/media/**"],
    "anchored": ["/settings_local.py", "config/*.local.py", "a/**/b", "[Tt]emp*", "?.txt"],
    "only comments": ["# nothing", ""],
    "codemod files": ["**/*.py", "!**/migrations/**", "docker-compose*.yml", "**/nginx/**/*.conf"],
}
PARTS = ["", "a/", "logs/", "static/", "static/keep/", "docs/x/", "src/media/", "config/"]
NAMES = ["x.py", "keep.log", "a.log", "important.log", "b", "b/", "Temp1", "x.txt", "xy.txt"]
NAMES += ["build", "build/", "readme.md", "y.tmp", ".env", "settings_local.py", "m.local.py"]
NAMES += ["migrations/0001.py", "docker-compose.prod.yml", "nginx/sites/app.conf", "dist/"]
PATHS = [folder + name for folder, name in itertools.product(PARTS, NAMES)]


@pytest.mark.parametrize("lines", GITIGNORES.values(), ids=GITIGNORES.keys())
def test_every_answer_is_pathspecs(lines: list[str]) -> None:
    exact = pathspec.GitIgnoreSpec.from_lines(lines)
    fast = PathPatterns(lines)
    answers = {path: fast.match_file(path) for path in PATHS}
    assert answers == {path: exact.match_file(path) for path in PATHS}
    # the paths tell matching from non-matching for every real spec
    assert any(answers.values()) == (lines != GITIGNORES["only comments"])
    assert not all(answers.values())
