"""Old Memcached backends become PyMemcacheCache, configured from KVDB_* variables."""

from redpanda_migrate.codemods.memcached_backend.codemod import CODEMOD

__all__ = ["CODEMOD"]
