"""cbv-to-fbv follows the project's configured line length; its output stays formatted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES
from redpanda_migrate.codemods.cbv_to_fbv.helper_module import (
    helper_module_text,
    helper_names,
)
from redpanda_migrate.codemods.cbv_to_fbv.imports import format_import
from redpanda_migrate.codemods.cbv_to_fbv.text import short_docstring, wrap_line
from redpanda_migrate.codemods.shared.line_length import configured_line_length


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 120\n"}, 120),
        ({"pyproject.toml": "[tool.black]\nline-length = 100\n"}, 100),
        (
            {"pyproject.toml": "[tool.ruff]\nline-length = 99\n[tool.black]\nline-length = 100\n"},
            99,
        ),
        (
            {
                "pyproject.toml": "[tool.ruff]\nline-length = 99\n",
                "ruff.toml": "line-length = 110\n",
            },
            110,
        ),
        ({".ruff.toml": "line-length = 79\n", "ruff.toml": "line-length = 110\n"}, 79),
        ({"setup.cfg": "[flake8]\nmax-line-length = 79\n"}, 79),
        ({"tox.ini": "[flake8]\nmax_line_length = 100\n"}, 100),
        ({"pyproject.toml": "[tool.ruff\nbroken"}, 88),
        ({"pyproject.toml": '[tool.ruff]\nline-length = "wide"\n'}, 88),
        ({"setup.cfg": "[flake8]\nmax-line-length = 5\n"}, 88),
        ({"app/pyproject.toml": "[tool.ruff]\nline-length = 120\n"}, 88),
    ],
)
def test_configured_line_length(files: dict[str, str], expected: int) -> None:
    assert configured_line_length(files) == expected


def test_wrapping_follows_the_width() -> None:
    call = (
        "    return TemplateResponse(request, object_template_names(obj, Book, '_form'), context)"
    )
    assert wrap_line(call, 120) == call
    assert wrap_line(call, 79).count("\n") == 2
    assert format_import(".view_helpers", [("allow_methods", None), ("get_object", None)], 40) == (
        "from .view_helpers import (\n    allow_methods,\n    get_object,\n)"
    )
    assert short_docstring("Give v's form class", "was V.get_form_class", 88) == (
        '    """Give v\'s form class (was V.get_form_class)."""'
    )
    assert short_docstring("Give v's form class", "was V.get_form_class", 40) == (
        '    """Give v\'s form class.\n\n    Was V.get_form_class.\n    """'
    )


def _ruff_format_changes(path: Path, width: int) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--isolated",
            "--line-length",
            str(width),
            "--diff",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


@pytest.mark.parametrize("width", [79, 88, 100, 120, 200])
def test_full_helper_module_is_stable_under_ruff_format_at_any_usual_width(
    tmp_path: Path, width: int
) -> None:
    path = tmp_path / "view_helpers.py"
    path.write_text(helper_module_text(helper_names()), encoding="utf-8")
    assert _ruff_format_changes(path, width) == ""
    assert max(len(line) for line in path.read_text(encoding="utf-8").splitlines()) <= 79


@pytest.mark.parametrize(("case", "width"), [("line-length-120", 120), ("line-length-79", 79)])
def test_generated_code_of_the_width_cases_is_stable_under_ruff_format(
    case: str, width: int
) -> None:
    after = FIXTURES / "cbv-to-fbv" / case / "after"
    generated = sorted(after.rglob("*.py"))
    assert generated
    for path in generated:
        assert _ruff_format_changes(path, width) == "", path
        longest = max(len(line) for line in path.read_text(encoding="utf-8").splitlines() or [""])
        assert longest <= width, path
