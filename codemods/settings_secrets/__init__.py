"""Literal secrets and DEBUG = True in settings become environment variables."""

from redpanda_migrate.codemods.settings_secrets.codemod import CODEMOD

__all__ = ["CODEMOD"]
