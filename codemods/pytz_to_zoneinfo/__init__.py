"""Replace pytz with the standard library's zoneinfo: the standard's "Deprecated / Removed"."""

from redpanda_migrate.codemods.pytz_to_zoneinfo.codemod import CODEMOD

__all__ = ["CODEMOD"]
