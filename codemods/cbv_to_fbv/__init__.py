"""Class-based views become function-based views: the standard's "Views" section."""

from redpanda_migrate.codemods.cbv_to_fbv.codemod import CODEMOD

__all__ = ["CODEMOD"]
