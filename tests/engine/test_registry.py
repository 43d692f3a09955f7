"""Loading the catalogue: a broken codemod module is a one-line error naming it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

from redpanda_migrate import cli, registry


@pytest.fixture
def fresh_catalogue() -> Iterator[None]:
    registry.all_codemods.cache_clear()
    yield
    registry.all_codemods.cache_clear()


def test_a_broken_codemod_module_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fresh_catalogue: None
) -> None:
    real_import = importlib.import_module

    def import_module(name: str, package: str | None = None) -> object:
        if name.endswith(".pin_dependencies"):
            raise SyntaxError("invalid syntax", ("codemods/pin_dependencies.py", 3, 1, "x = (\n"))
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    monkeypatch.setattr(sys, "argv", ["redpanda-migrate", "list"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr == (
        "error: codemod module redpanda_migrate.codemods.pin_dependencies cannot be loaded: "
        "SyntaxError: invalid syntax (codemods/pin_dependencies.py, line 3)\n"
    )


def test_the_real_catalogue_loads(fresh_catalogue: None) -> None:
    ids = [codemod.id for codemod in registry.all_codemods()]
    assert len(ids) == len(set(ids)) >= 10


def test_every_package_is_installed() -> None:
    """A non-editable install ships exactly the packages the source tree has."""
    repo = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = set()
    for base, name in (
        (repo / "src" / "redpanda_migrate", "redpanda_migrate"),
        (repo / "codemods", "redpanda_migrate.codemods"),
    ):
        for init in base.rglob("__init__.py"):
            found.add(".".join([name, *init.parent.relative_to(base).parts]))
    assert listed == found
