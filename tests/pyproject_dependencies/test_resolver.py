"""pyproject-dependencies keeps what each old requirements file installed: pip's real resolver.

Each test builds tiny wheels of made-up distributions in a local folder (no network), resolves
``pip install -r <old file>`` before the codemod and the matching ``[project]`` group after it
with ``pip install --dry-run --report --no-index --find-links``: the same distributions must
install; a version may only move where an exact pin became a floor with a ceiling, and then
within that ceiling.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.harness import run_codemod
from tests.pin_dependencies.test_resolver import build_wheel

RELEASES = {
    "webframework": ["5.1.15", "5.2.7", "5.2.9", "6.0.1"],
    "staticserver": ["6.6.0", "6.9.0", "7.0.0"],
    "appserver": ["22.0.0", "23.0.0"],
    "taskqueue": ["5.3.0", "5.4.0", "6.0.0"],
    "testrunner": ["8.3.2", "8.4.0", "9.0.0"],
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    for name, versions in RELEASES.items():
        for version in versions:
            build_wheel(folder, name, version)
    return folder


def resolve(cwd: Path, index: Path, *requirements: str) -> dict[str, Version]:
    report = cwd.parent / f"{cwd.name}-report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
        + ["--no-index", "--find-links", str(index), "--report", str(report), *requirements],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=300,
    )
    installed = json.loads(report.read_text())["install"]
    return {
        canonicalize_name(item["metadata"]["name"]): Version(item["metadata"]["version"])
        for item in installed
    }


def declared(project: Path, extra: str = "") -> list[str]:
    """The requirement strings pip install '.[extra]' installs, from the new pyproject.toml."""
    table = tomlkit.parse((project / "pyproject.toml").read_text()).unwrap()["project"]
    extras = table.get("optional-dependencies", {}).get(extra, []) if extra else []
    return [*table.get("dependencies", []), *extras]


def ceiling(requirements: list[str], name: str) -> Version | None:
    for text in requirements:
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) == name:
            uppers = [s.version for s in requirement.specifier if s.operator == "<"]
            return Version(uppers[0]) if uppers else None
    return None


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_pinned_requirements_install_the_same_distributions_within_the_ceilings(
    tmp_path: Path, index: Path
) -> None:
    project = write(
        tmp_path / "site",
        {
            "requirements.txt": "webframework==5.1.15\nstaticserver==6.6.0\nappserver==22.0.0\n",
            "requirements-dev.txt": "-r requirements.txt\ntestrunner==8.3.2\n",
        },
    )
    before = {
        "": resolve(project, index, "-r", "requirements.txt"),
        "dev": resolve(project, index, "-r", "requirements-dev.txt"),
    }
    code, report = run_codemod(project, "pyproject-dependencies")
    assert code == 0 and not report["refusals"], report
    assert not (project / "requirements.txt").exists()
    assert not (project / "requirements-dev.txt").exists()
    for extra, installed_before in before.items():
        requirements = declared(project, extra)
        after = resolve(project, index, *requirements)
        assert after.keys() == installed_before.keys()
        for name, version in after.items():
            assert version >= installed_before[name]
            assert version < (ceiling(requirements, name) or Version("999"))
    # the loosened pins take the newest release below the next major, never the next major
    assert after["webframework"] == Version("5.2.9")
    assert after["testrunner"] == Version("8.4.0")


def test_each_old_file_maps_to_one_install_of_the_same_distributions(
    tmp_path: Path, index: Path
) -> None:
    """bakerydemo's layout: requirements.txt only includes requirements/production.txt."""
    project = write(
        tmp_path / "bakery",
        {
            "requirements.txt": "-r requirements/production.txt\n",
            "requirements/base.txt": "webframework>=5.2,<6.0\ntaskqueue>=5.3,<6.0\n",
            "requirements/production.txt": "-r base.txt\nappserver>=22.0,<23.0\n",
            "requirements/development.txt": "-r base.txt\ntestrunner==8.3.2\n",
        },
    )
    commands = {
        "production": ["-r", "requirements.txt"],
        "": ["-r", "requirements/base.txt"],
        "dev": ["-r", "requirements/development.txt"],
    }
    before = {extra: resolve(project, index, *args) for extra, args in commands.items()}
    code, report = run_codemod(project, "pyproject-dependencies")
    assert code == 0 and not report["refusals"], report
    assert not list(project.rglob("*.txt"))
    for extra, installed_before in before.items():
        after = resolve(project, index, *declared(project, extra))
        assert after.keys() == installed_before.keys(), extra
        # ranges resolve exactly as before; the one == pin may take patches below 9.0
        moved = {name for name in after if after[name] != installed_before[name]}
        assert moved <= {"testrunner"}, (extra, before, after)
    assert resolve(project, index, *declared(project, "dev"))["testrunner"] == Version("8.4.0")
