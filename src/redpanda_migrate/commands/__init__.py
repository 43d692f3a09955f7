"""The subcommands of ``redpanda-migrate``, a module each; :mod:`redpanda_migrate.cli` runs them."""
