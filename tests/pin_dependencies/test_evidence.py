"""The readers of lock files, requirements, classifiers, tox and CI matrices."""

from __future__ import annotations

import json

from packaging.version import Version
from redpanda_migrate.codemods.pin_dependencies import gather_evidence
from redpanda_migrate.codemods.pin_dependencies.pyproject import dependency_names


def installed(files: dict[str, str]) -> dict[str, str]:
    evidence = gather_evidence(files, "pyproject.toml", {"django", "django-appconf"})
    return {name: str(seen.version) for name, seen in evidence.installed.items()}


def test_every_lock_format_says_what_installs():
    pipfile_lock = json.dumps(
        {"default": {"django": {"version": "==5.2.15"}}, "develop": {"faker": {"version": "==36"}}}
    )
    assert installed({"Pipfile.lock": pipfile_lock}) == {"django": "5.2.15", "faker": "36"}
    for name in ("uv.lock", "poetry.lock", "pdm.lock"):
        lock = '[[package]]\nname = "Django"\nversion = "5.1.4"\n'
        assert installed({name: lock}) == {"django": "5.1.4"}


def test_pinned_requirements_count_with_markers_hashes_and_continuations():
    text = (
        "-i https://pypi.org/simple\n"
        "django==5.2.15; python_version >= '3.10'\n"
        "django-appconf==1.2.0 \\\n    --hash=sha256:00\n"
        "celery>=5  # a range says nothing\n"
    )
    assert installed({"requirements.txt": text}) == {"django": "5.2.15", "django-appconf": "1.2.0"}


def test_the_newest_of_several_locked_versions_wins():
    lock = '[[package]]\nname = "faker"\nversion = "37.10.0"\n\n'
    lock += '[[package]]\nname = "faker"\nversion = "37.11.0"\n'
    assert installed({"uv.lock": lock}) == {"faker": "37.11.0"}


def test_lock_files_of_another_project_do_not_count():
    lock = '[[package]]\nname = "django"\nversion = "5.1.4"\n'
    assert installed({"services/api/uv.lock": lock}) == {}


def test_tox_factors_and_matrix_include_are_tested_versions():
    tox = "[testenv]\ndeps =\n    dj42: Django>=4.2,<4.3\n    dj51: Django~=5.1.0\n"
    workflow = (
        "jobs:\n  t:\n    strategy:\n      matrix:\n        include:\n          - django: '5.2.*'\n"
    )
    evidence = gather_evidence(
        {"tox.ini": tox, ".github/workflows/t.yml": workflow}, "pyproject.toml", {"django"}
    )
    assert evidence.tested["django"].version == Version("5.2")
    assert evidence.tested["django"].path == ".github/workflows/t.yml"
    evidence = gather_evidence({"tox.ini": tox}, "pyproject.toml", {"django"})
    assert evidence.tested["django"].version == Version("5.1.0")


def test_unreadable_files_say_nothing():
    files = {
        "uv.lock": "not toml [[",
        "Pipfile.lock": "{",
        "tox.ini": "[x",
        "requirements.txt": "?",
    }
    assert installed(files) == {}


def test_a_matrix_key_spelled_with_an_escape_is_still_read():
    # the cheap "no matrix here" test must not skip it: YAML unescapes the key
    workflow = 'jobs:\n  t:\n    strategy:\n      "m\\x61trix":\n        django: ["5.1"]\n'
    evidence = gather_evidence({".github/workflows/t.yml": workflow}, "pyproject.toml", {"django"})
    assert evidence.tested["django"].version == Version("5.1")
    plain = "jobs:\n  t:\n    runs-on: ubuntu-latest\n"
    assert gather_evidence({".github/workflows/t.yml": plain}, "x", {"django"}).tested == {}


def test_dependency_names_agree_with_tomlkit_whatever_the_items():
    # strings are read with tomllib; anything else falls back to tomlkit's spelling of it
    strings = '[project]\ndependencies = ["Django>=5.2", "celery[redis]"]\n'
    assert dependency_names(strings) == {"django", "celery"}
    odd = (
        '[project]\ndependencies = ["Django>=5.2", 1e3]\n'
        '[project.optional-dependencies]\nx = ["A_b"]\n'
    )
    assert dependency_names(odd) == {"django", "1000-0", "a-b"}  # tomlkit writes 1000.0
