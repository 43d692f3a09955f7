"""compose-env-scoping: which names are secrets, which ``$`` Compose interpolates, and which
Django settings a variable feeds (the pieces behind items 5-7 of issue 14)."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods.compose_env_scoping.dotfiles import is_secret_like
from redpanda_migrate.codemods.compose_env_scoping.fresh_clone import expected_names
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import interpolations
from redpanda_migrate.codemods.shared.envvars import EnvUsage, scan_python


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "x"),
        ("DJANGO_SECRET_KEY", None),
        ("POSTGRES_PASSWORD", "postgres"),
        ("DB_PASS", None),
        ("GITHUB_TOKEN", None),
        ("STRIPE_API_KEY", None),
        ("SENTRY_DSN", None),
        ("AWS_SECRET_ACCESS_KEY", None),
        ("FLOWER_BASIC_AUTH", None),
        ("PROXY_AUTH", "admin:hunter2"),
        ("DATABASE_URL", "postgres://user:pw@db/app"),
    ],
)
def test_secrets(name: str, value: str | None) -> None:
    assert is_secret_like(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DD_SESSION_COOKIE_SECURE", "True"),
        ("CSRF_COOKIE_SECURE", "1"),
        ("POSTGRES_HOST_AUTH_METHOD", "trust"),
        ("AUTH_TYPE", None),
        ("MCP_REQUIRE_AUTH", None),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("TOKEN_EXPIRY", None),
        ("AWS_ACCESS_KEY_ID", None),
        ("SECRET_KEY", "false"),
        ("DATABASE_URL", "postgres://db/app"),
    ],
)
def test_not_secrets(name: str, value: str | None) -> None:
    assert not is_secret_like(name, value)


def test_interpolations_skip_escapes_and_tell_fallbacks() -> None:
    document = {
        "services": {
            "db": {
                "healthcheck": {"test": ["CMD-SHELL", "pg_isready -d $$POSTGRES_DB"]},
                "ports": ["${PORT:-5432}:5432"],
                "command": "run $MODE ${LEVEL:?set it} $$$ESCAPED_THEN_REAL",
            }
        }
    }
    assert interpolations(document) == {
        "PORT": True,
        "MODE": False,
        "LEVEL": False,
        "ESCAPED_THEN_REAL": False,
    }


def test_reads_name_the_setting_they_feed() -> None:
    usage = EnvUsage()
    scan_python(
        "settings.py",
        "import os\nimport environ\nenv = environ.Env()\n"
        'ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])\n'
        'CSRF_TRUSTED_ORIGINS = os.environ["HOSTS"].split(",")\n'
        'DEBUG = 1 if os.getenv("A") else 0\n'
        'def f():\n    return os.getenv("B")\n',
        usage,
    )
    assert {read.name: read.setting for read in usage.reads} == {
        "DJANGO_ALLOWED_HOSTS": "ALLOWED_HOSTS",
        "HOSTS": "CSRF_TRUSTED_ORIGINS",
        "A": "DEBUG",
        "B": None,
    }


def test_expected_names_of_an_absent_dotenv() -> None:
    usage = EnvUsage()
    scan_python(
        "settings.py",
        'import os\nA = os.environ["REQUIRED"]\nB = os.environ.get("OPTIONAL", "x")\n'
        'C = os.environ.get("LISTED", "y")\n',
        usage,
    )
    files = {".env.sample": "LISTED=\nTEMPLATE_ONLY=1\n"}
    document = {"services": {"web": {"ports": ["${PORT:-80}:80"], "command": "${MODE}"}}}
    assert expected_names(files, [document], usage) == {
        "LISTED": False,
        "TEMPLATE_ONLY": False,
        "MODE": False,
        "PORT": True,
        "REQUIRED": False,
        "OPTIONAL": True,
    }
