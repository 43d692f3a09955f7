"""ModelForms list their fields explicitly instead of ``"__all__"`` or ``exclude``."""

from redpanda_migrate.codemods.modelform_fields.codemod import CODEMOD

__all__ = ["CODEMOD"]
