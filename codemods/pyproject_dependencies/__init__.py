"""Dependencies move from requirements files and setup.py into pyproject.toml."""

from redpanda_migrate.codemods.pyproject_dependencies.codemod import CODEMOD

__all__ = ["CODEMOD"]
