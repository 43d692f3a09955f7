"""pytz-to-zoneinfo: the declared Python and Django, and the other dependency formats."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import edit_dependency_file
from redpanda_migrate.codemods.pytz_to_zoneinfo.project import (
    django_pytz_reason,
    python_floor_refusal,
)


@pytest.mark.parametrize(
    ("files", "requires_python", "refused_in"),
    [
        pytest.param({}, ">=3.8", "pyproject.toml", id="requires-python-3.8"),
        pytest.param({}, ">=3.9", None, id="requires-python-3.9"),
        pytest.param(
            {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.8"\n'},
            None,
            "pyproject.toml",
            id="poetry-caret",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\n'},
            None,
            None,
            id="poetry-caret-3.10",
        ),
        pytest.param(
            {"setup.py": 'from setuptools import setup\nsetup(python_requires=">=3.6")\n'},
            None,
            "setup.py",
            id="setup-py",
        ),
        pytest.param(
            {"setup.cfg": "[options]\npython_requires = >=3.9\n"}, None, None, id="setup-cfg-3.9"
        ),
        pytest.param(
            {"Pipfile": '[requires]\npython_version = "3.8"\n'}, None, "Pipfile", id="pipfile"
        ),
        pytest.param({"setup.py": "setup(\n"}, None, None, id="unparseable-setup-py"),
    ],
)
def test_python_floor(
    files: dict[str, str], requires_python: str | None, refused_in: str | None
) -> None:
    refusal = python_floor_refusal(files, requires_python)
    assert (refusal[0] if refusal else None) == refused_in
    if refusal:
        assert "raise the floor to 3.9" in refusal[2]


@pytest.mark.parametrize(
    ("files", "still_pytz"),
    [
        pytest.param({}, True, id="undeclared"),
        pytest.param({"requirements.txt": "Django>=4.2,<6\n"}, False, id="requirements-4.2"),
        pytest.param({"requirements.txt": "django==3.2.25\n"}, True, id="requirements-3.2"),
        pytest.param({"requirements.txt": "Django\n"}, True, id="unpinned"),
        pytest.param(
            {"setup.cfg": "[options]\ninstall_requires =\n    Django>=3.2\n"}, True, id="setup-cfg"
        ),
        pytest.param(
            {"pyproject.toml": '[tool.poetry.dependencies]\nDjango = "^4.2"\n'},
            False,
            id="poetry",
        ),
        pytest.param(
            {
                "requirements.txt": "Django>=4.2\n",
                "tox.ini": "[testenv]\ndeps =\n    django32: Django~=3.2.0\n",
            },
            True,
            id="tox-tests-on-3.2",
        ),
    ],
)
def test_django_zones_may_still_be_pytz(files: dict[str, str], still_pytz: bool) -> None:
    assert (django_pytz_reason(files) is not None) == still_pytz


def test_setup_cfg_keeps_every_other_byte() -> None:
    text = "[options]\r\ninstall_requires =\r\n    Django>=4.2\r\n    PyTZ ; python_version<'4'\r\n"
    edit = edit_dependency_file("setup.cfg", text)
    assert edit.text == "[options]\r\ninstall_requires =\r\n    Django>=4.2\r\n"
    assert edit.removed_lines == [4]


def test_pytz_on_the_key_line_leaves_the_key() -> None:
    edit = edit_dependency_file("tox.ini", "[testenv]\ndeps = pytz\ncommands = pytest\n")
    assert edit.text == "[testenv]\ndeps =\ncommands = pytest\n"


def test_requirements_outside_requirement_keys_stay() -> None:
    text = "[metadata]\nkeywords = pytz\n[flake8]\nignore = pytz\n"
    assert edit_dependency_file("setup.cfg", text).text is text


def test_conda_environment() -> None:
    text = (
        "dependencies:\n  - conda-forge::pytz>=2024\n  - tzdata\n"
        "  - pip:\n      - PyTZ==2024.1\n      - requests\n"
    )
    edit = edit_dependency_file("environment.yml", text)
    assert edit.text == "dependencies:\n  - tzdata\n  - pip:\n      - requests\n"
    assert edit.declares_tzdata


def test_not_a_conda_environment_is_left_alone() -> None:
    text = "services:\n  web:\n    image: pytz\n"
    assert edit_dependency_file("environment.yml", text).text is text
