"""Fuzzing the whole pipeline: generated Python, mutated YAML, nginx and TOML.

Shared by ``tests/engine/test_fuzz.py`` (a small, deterministic budget in every test run) and
``benchmarks/fuzz.py`` (a long run). A project is built from one generated or mutated input
and run through every codemod as ``redpanda-migrate run`` does; the properties:

* the run never raises and reports no crash ("a bug in redpanda-migrate");
* what it writes re-parses (the engine checks it; a failure is such a crash report);
* a second run changes nothing (idempotence).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from redpanda_migrate.plan import apply_plan
from redpanda_migrate.runner import BadInput, plan_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CRASH_MARK = "a bug in redpanda-migrate"
# a header that makes every Python codemod look at the generated module
PYTHON_HEADER = (
    "import pytz\n"
    "from django.db import models\n"
    "from django.views.generic import ListView\n"
    "from django.views.generic import DetailView\n"
)
PYTHON_PLACES = ("app/models.py", "app/views.py", "project/settings.py")
MUTABLE_SUFFIXES = {"yaml": (".yml", ".yaml"), "nginx": (".conf",), "toml": ("pyproject.toml",)}
NOISE = ["\n", " ", "\t", "#", ":", "-", "{", "}", ";", "[", "]", '"', "'", "${", "$$", "=", "\\"]


@dataclass(frozen=True)
class Seed:
    """A fixture file to mutate, with the project it lives in.

    :param case: the fixture's ``before/`` folder.
    :param path: the file, relative to it.
    """

    case: Path
    path: str


def seeds(kind: str) -> list[Seed]:
    """List the fixture files of one format, in a stable order.

    :param kind: ``yaml``, ``nginx`` or ``toml``.
    """
    found = []
    for case in sorted(FIXTURES.glob("*/*/before")):
        for file in sorted(case.rglob("*")):
            if file.is_file() and file.name.endswith(MUTABLE_SUFFIXES[kind]):
                found.append(Seed(case, file.relative_to(case).as_posix()))
    return found


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """Mutate a text a few times: lines deleted, duplicated, swapped; noise inserted.

    :param draw: hypothesis's draw.
    :param text: the original.
    :returns: the mutated text.
    """
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent"]))
        if operation == "delete" and len(lines) > 1:
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            noise = draw(st.sampled_from(NOISE) | st.text(max_size=6))
            lines[index] = line[:at] + noise + line[at:]
        else:
            lines[index] = draw(st.sampled_from(["  ", "\t", ""])) + lines[index].lstrip()
    return "".join(lines)


def check_project(root: Path) -> None:
    """Run every codemod on a project twice and assert the fuzzing properties.

    :param root: the project (it is written to).
    :raises AssertionError: when a property fails.
    """
    try:
        plan = plan_project(root, jobs=1)
    except BadInput as error:  # a broken pyproject.toml: the CLI's one-line error, exit 2
        assert "\n" not in str(error)
        return
    problems = [f"{e.path}: {e.message}" for e in plan.errors]
    problems += [f"{f.path}: {f.message}" for _, f in plan.refusals]
    crashes = [problem for problem in problems if CRASH_MARK in problem]
    assert not crashes, crashes
    write_errors = apply_plan(plan)
    assert not write_errors, write_errors
    again = plan_project(root, jobs=1)
    assert not again.changes, [(c.codemod, c.path) for c in again.changes]


def check_python(source: str, place: str) -> None:
    """Check a project holding one generated Python module.

    :param source: the module's code (the header is put before it).
    :param place: where it goes in the project.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder)
        target = root / place
        target.parent.mkdir(parents=True)
        target.write_text(PYTHON_HEADER + source, encoding="utf-8")
        check_project(root)


def check_mutation(seed: Seed, text: str) -> None:
    """Check a copy of a fixture project with one of its files replaced.

    :param seed: the fixture file.
    :param text: its new text.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder) / "project"
        shutil.copytree(seed.case, root, symlinks=True)
        (root / seed.path).write_text(text, encoding="utf-8")
        check_project(root)
