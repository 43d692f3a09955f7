"""``python -m redpanda_migrate``: the same command line as ``redpanda-migrate``."""

from redpanda_migrate.cli import main

main()
