"""pyproject-dependencies against PyPI: ``pip install -r`` before, ``pip install .`` after.

The fixtures' old files name real distributions (Django, gunicorn, Pillow, ...). pip resolves
them from the package index, and builds the project with setuptools in an isolated environment
(``[tool.setuptools] py-modules = []`` for an application, ``dynamic`` fields from a kept
``setup.py``), as a developer's ``pip install .`` would. The tests need the index: they are
skipped when it cannot be reached, like the tests that need nginx or docker-compose.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.harness import FIXTURES, run_codemod
from tests.pyproject_dependencies.test_resolver import ceiling, declared

CASES = FIXTURES / "pyproject-dependencies"


def pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError:
        return False
    return True


needs_pypi = pytest.mark.skipif(not pypi_reachable(), reason="PyPI cannot be reached")


def pip_report(cwd: Path, *args: str) -> list[dict]:
    report = cwd.parent / f"{cwd.name}-report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
        + ["--report", str(report), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(report.read_text())["install"]


def versions(installed: list[dict], leave_out: str = "") -> dict[str, Version]:
    return {
        canonicalize_name(item["metadata"]["name"]): Version(item["metadata"]["version"])
        for item in installed
        if canonicalize_name(item["metadata"]["name"]) != leave_out
    }


@needs_pypi
def test_a_pinned_requirements_txt_and_pip_install_dot_install_the_same_distributions(
    tmp_path: Path,
) -> None:
    """django-locallibrary-tutorial's shape: one pinned requirements.txt, no pyproject.toml."""
    project = shutil.copytree(CASES / "pinned-requirements" / "before", tmp_path / "project")
    before = versions(pip_report(project, "-r", "requirements.txt"))
    code, report = run_codemod(project, "pyproject-dependencies")
    assert code == 0 and not report["refusals"], report
    assert not (project / "requirements.txt").exists()
    after = versions(pip_report(project, "."), leave_out="project")
    assert after.keys() == before.keys()
    requirements = declared(project)
    for name, version in after.items():
        assert before[name] <= version < (ceiling(requirements, name) or Version("9999"))


@needs_pypi
def test_setup_py_metadata_and_dependencies_survive_the_move(tmp_path: Path) -> None:
    """The kept setup.py still fills description and classifiers; the same packages install."""
    project = shutil.copytree(CASES / "setup-py-static" / "before", tmp_path / "shop")
    (project / "shop").mkdir()
    (project / "shop" / "__init__.py").write_text("")
    before = pip_report(project, ".")
    code, report = run_codemod(project, "pyproject-dependencies")
    assert code == 0 and not report["refusals"], report
    assert (project / "setup.py").exists() and not (project / "requirements.txt").exists()
    after = pip_report(project, ".")
    own = [
        next(i["metadata"] for i in run if i["metadata"]["name"] == "django-shop")
        for run in (before, after)
    ]
    for key in ("version", "summary", "classifier", "requires_python"):
        assert own[0].get(key) == own[1].get(key), key
    old, new = ([Requirement(r) for r in meta["requires_dist"]] for meta in own)
    assert [(r.name, r.extras, str(r.marker)) for r in old] == [
        (r.name, r.extras, str(r.marker)) for r in new
    ]
    assert versions(after).keys() == versions(before).keys()
