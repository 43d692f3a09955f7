"""Which .env values are hidden from output, and how."""

from __future__ import annotations

from redpanda_migrate.secrets import (
    describe_secret_change,
    redact,
    secret_values,
    shown_in_the_clear,
)

ENV = """SECRET_KEY=abc123
DEBUG=False
DB_PORT=5432
APP_DB_PASSWORD=shop
CELERY_BROKER_URL=amqp://u:p@host/vh
LONG_ORDINARY=a-long-value-here
EMPTY=
BARE
"""


def test_secret_named_keys_and_long_values_are_hidden_everyday_words_are_not() -> None:
    assert secret_values(ENV) == {
        "abc123",
        "shop",
        "amqp://u:p@host/vh",
        "a-long-value-here",
    }


def test_redaction_replaces_whole_tokens_only() -> None:
    values = secret_values(ENV)
    message = "shop.models.Product uses shopping; DEBUG=False; key abc123; amqp://u:p@host/vh!"
    assert redact(message, values) == (
        "***.models.Product uses shopping; DEBUG=False; key ***; ***!"
    )


def test_secret_change_is_described_by_key_counts_only() -> None:
    summary = describe_secret_change(".env", "A=1\nB=2\n", "A=9\nC=3\nD=4\n")
    assert summary == ".env: 2 keys added, 1 keys removed, 1 keys changed (values hidden)"


def test_values_committed_files_already_show_are_not_hidden() -> None:
    values = {"postgres", "fixture-db-pass-1234"}
    compose = "services:\n  postgres:\n    image: postgres:16\n    env_file: .envs/.postgres\n"
    assert shown_in_the_clear(values, [compose]) == {"postgres"}
    # only whole tokens count: a longer word that contains the value shows nothing
    assert shown_in_the_clear({"postgres"}, ["image: postgresql\n"]) == set()
    assert shown_in_the_clear(values, []) == set()
