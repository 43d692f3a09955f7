"""dj-database-url calls become DATABASES read from individual DB_* variables."""

from redpanda_migrate.codemods.database_env_vars.codemod import CODEMOD

__all__ = ["CODEMOD"]
