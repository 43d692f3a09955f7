"""Per-service ``environment:`` blocks instead of a shared ``env_file:``."""

from redpanda_migrate.codemods.compose_env_scoping.codemod import CODEMOD

__all__ = ["CODEMOD"]
