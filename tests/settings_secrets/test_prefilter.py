"""settings-secrets: the ast pre-filter keeps every module the libcst rewrite would change."""

from __future__ import annotations

import libcst as cst
import pytest
from redpanda_migrate.codemods.settings_secrets.rewrite import Policy, may_rewrite, rewrite_secrets
from redpanda_migrate.codemods.shared.env_style import detect_style

CASES = {
    'SECRET_KEY = "abc"\n': True,
    'SECRET_KEY = os.environ.get("SECRET_KEY", "abc")\n': True,
    'SECRET_KEY = env("SECRET_KEY", default="abc")\n': True,
    "DEBUG = True\n": True,
    "DEBUG = (True)\n": True,
    'EMAIL_HOST_PASSWORD = "hunter2"\n': True,
    'STRIPE_API_KEY = "sk" "_live"\n': True,
    'if PROD:\n    SECRET_KEY = "abc"\n': True,
    'DATABASES = {"default": {"PASSWORD": "pw"}}\n': True,
    # already read from the environment, or nothing secret, or not a setting
    'SECRET_KEY = os.environ["SECRET_KEY"]\n': False,
    'SECRET_KEY = os.environ.get("SECRET_KEY")\n': False,
    "DEBUG = False\n": False,
    "DEBUG = 1\n": False,
    'EMAIL_HOST_PASSWORD = ""\n': False,
    'EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")\n': False,
    'DATABASES = {"default": {"PASSWORD": ""}}\n': False,
    'def f():\n    SECRET_KEY = "abc"\n': False,
    'class Settings:\n    DEBUG = True\n    PASSWORD = "x"\n': False,
    'SECRET_KEY: str = "abc"\n': False,
}


@pytest.mark.parametrize(("text", "expected"), CASES.items())
def test_prefilter_matches_the_rewrite(text: str, expected: bool) -> None:
    assert may_rewrite(text) is expected
    _, edits = rewrite_secrets(cst.parse_module(text), Policy(detect_style(text)))
    assert bool(edits.variables) is expected


def test_a_module_ast_cannot_parse_goes_to_libcst() -> None:
    assert may_rewrite("SECRET_KEY = (\n")
