"""Every concrete model gets ``created_at`` and ``updated_at``, with the migration adding them."""

from redpanda_migrate.codemods.model_timestamps.codemod import CODEMOD

__all__ = ["CODEMOD"]
