"""Text fields with ``null=True`` become ``blank=True, default=""``, with the migration."""

from redpanda_migrate.codemods.text_field_null.codemod import CODEMOD

__all__ = ["CODEMOD"]
