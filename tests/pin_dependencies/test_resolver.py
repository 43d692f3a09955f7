"""pin-dependencies never narrows what installs today: checked with pip's real resolver.

Each test builds tiny wheels of several releases of made-up distributions in a local folder,
runs the codemod through the CLI, and resolves the project's dependencies before and after
with ``pip install --dry-run --report --no-index --find-links`` (no network).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomlkit
from packaging.version import Version

from tests.harness import run_codemod

RELEASES = {
    "webframework": ["3.2.0", "4.2.16", "5.0.1", "5.2.7"],
    "sekizai": ["0.10.0", "4.1.0"],
    "appconf": ["1.0.4", "1.0.6", "2.0.0"],
    "localpkg": ["1.0+abc", "1.1"],
}


def build_wheel(folder: Path, name: str, version: str) -> None:
    """Write the smallest wheel pip accepts: metadata only."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = "".join(f"{path},,\n" for path in files) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        for path, text in {**files, f"{dist_info}/RECORD": record}.items():
            wheel.writestr(path, text)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    for name, versions in RELEASES.items():
        for version in versions:
            build_wheel(folder, name, version)
    return folder


def resolve(project: Path, index: Path) -> dict[str, Version]:
    """Resolve the project's [project] dependencies as pip would install them today."""
    document = tomlkit.parse((project / "pyproject.toml").read_text()).unwrap()
    requirements = document["project"]["dependencies"]
    report = project.parent / f"{project.name}-report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
        + ["--no-index", "--find-links", str(index), "--report", str(report), *requirements],
        check=True,
        capture_output=True,
        timeout=300,
    )
    installed = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"]: Version(item["metadata"]["version"]) for item in installed}


def make_project(root: Path, pyproject: str, others: dict[str, str] | None = None) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(pyproject)
    for path, text in (others or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_open_floors_without_a_lock_file_are_refused_not_capped(tmp_path: Path, index: Path):
    """The issue's django-wiki case: >=0.10 capped at <0.11 resolved 0.10.0 instead of 4.1.0."""
    project = make_project(
        tmp_path / "wiki",
        '[project]\nname = "wiki"\nclassifiers = ["Framework :: Django :: 4.2"]\n'
        'dependencies = ["webframework>=3.2", "sekizai>=0.10"]\n',
    )
    before = resolve(project, index)
    code, report = run_codemod(project, "pin-dependencies")
    assert code == 0, report
    assert before == {"webframework": Version("5.2.7"), "sekizai": Version("4.1.0")}
    assert resolve(project, index) == before
    reasons = [refusal["reason"] for refusal in report["refusals"]]
    assert len(reasons) == 2 and all("nothing says which version installs" in r for r in reasons)


def test_ceilings_from_the_lock_file_keep_every_version_installed_today(
    tmp_path: Path, index: Path
):
    project = make_project(
        tmp_path / "app",
        '[project]\nname = "app"\n'
        'dependencies = ["webframework>=3.2", "sekizai>=0.10", "appconf==1.0.4"]\n',
        {
            "uv.lock": 'version = 1\n\n[[package]]\nname = "webframework"\nversion = "5.2.7"\n\n'
            '[[package]]\nname = "sekizai"\nversion = "4.1.0"\n',
        },
    )
    before = resolve(project, index)
    code, report = run_codemod(project, "pin-dependencies")
    assert code == 0, report
    dependencies = tomlkit.parse((project / "pyproject.toml").read_text())["project"]
    assert list(dependencies["dependencies"]) == [
        "webframework>=3.2,<6.0",
        "sekizai>=0.10,<5.0",
        "appconf>=1.0.4,<2.0",
    ]
    after = resolve(project, index)
    assert all(after[name] >= version for name, version in before.items()), (before, after)
    assert after["appconf"] == Version("1.0.6")  # the loosened pin now takes newer patches
    loosened = [n["message"] for n in report["notes"] if "loosened" in n["message"]]
    assert loosened == [
        "appconf: ==1.0.4 loosened to a range: a fresh install may now get a newer release "
        "than the one you pinned; if you deploy from this file, commit a lock file (uv.lock, "
        "poetry.lock, pdm.lock, Pipfile.lock) to keep installs reproducible"
    ]


def test_ci_matrix_keeps_a_tested_major(tmp_path: Path, index: Path):
    """requirements pin 4.2.16, the CI matrix tests 5.2: the ceiling must keep 5.2."""
    workflow = (
        'jobs:\n  test:\n    strategy:\n      matrix:\n        django-version: ["4.2", "5.2"]\n'
    )
    project = make_project(
        tmp_path / "lib",
        '[project]\nname = "lib"\ndependencies = ["webframework>=4.2"]\n',
        {"requirements.txt": "webframework==4.2.16\n", ".github/workflows/ci.yml": workflow},
    )
    before = resolve(project, index)
    run_codemod(project, "pin-dependencies")
    text = (project / "pyproject.toml").read_text()
    # the matrix key is "django-version": it does not name webframework, so the lock decides
    assert 'dependencies = ["webframework>=4.2,<5.0"]' in text
    (project / "pyproject.toml").write_text(
        '[project]\nname = "lib"\ndependencies = ["webframework>=4.2"]\n'
    )
    (project / ".github/workflows/ci.yml").write_text(workflow.replace("django", "webframework"))
    run_codemod(project, "pin-dependencies")
    assert 'dependencies = ["webframework>=4.2,<6.0"]' in (project / "pyproject.toml").read_text()
    assert resolve(project, index)["webframework"] >= before["webframework"]


def test_a_local_version_is_refused_and_the_rest_still_pinned(tmp_path: Path, index: Path):
    """Issue 19, item 7: local==1.0+abc crashed the codemod and left the file unpinned."""
    project = make_project(
        tmp_path / "local",
        '[project]\nname = "local"\ndependencies = ["localpkg==1.0+abc", "appconf==1.0.6"]\n',
    )
    before = resolve(project, index)
    code, report = run_codemod(project, "pin-dependencies")
    assert code == 0, report
    text = (project / "pyproject.toml").read_text()
    assert 'dependencies = ["localpkg==1.0+abc", "appconf>=1.0.6,<2.0"]' in text
    assert (
        resolve(project, index)
        == before
        == {
            "localpkg": Version("1.0+abc"),
            "appconf": Version("1.0.6"),
        }
    )
    assert "pins a local build (+abc)" in report["refusals"][0]["reason"]
