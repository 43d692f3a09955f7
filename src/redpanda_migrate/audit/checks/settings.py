"""Checks of Django settings: "Security", "Deprecated / Removed" (dj-database-url), "Memcached".

Settings modules are found by name (``settings.py``, ``settings_*.py``, a ``settings`` package),
read with :mod:`ast`, never imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from redpanda_migrate.audit.model import AuditInput, Check, CheckOutcome, Place
from redpanda_migrate.facts import is_development_settings, is_settings_file

OLD_MEMCACHED_BACKENDS = (
    "django.core.cache.backends.memcached.MemcachedCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)
ENV_TEMPLATES = (".env.example", ".env.sample", ".env.template", "env.example")
SECRET_SETTING = re.compile(r"(^|_)(PASSWORD|PASSWD|SECRET|SECRET_KEY|API_KEY|TOKEN|PRIVATE_KEY)$")
LOOPBACK_MEMCACHED = re.compile(r"^\s*KVDB_LOCATION\s*=\s*['\"]?(127\.0\.0\.1|localhost)\b", re.M)


def _settings(project: AuditInput) -> Iterator[tuple[str, ast.Module]]:
    for path in project.python_files:
        if is_settings_file(path):
            tree = project.python_tree(path)
            if tree is not None:
                yield path, tree


def _top_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.Assign]]:
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    yield target.id, statement


def settings_secrets(project: AuditInput) -> CheckOutcome:
    """Find secrets and ``DEBUG = True`` written into settings ("Security").

    Development settings modules (``settings/dev.py``, ``local``, ``test``, ...) are skipped, as
    the ``settings-secrets`` codemod skips them: they hold no production secret.

    :param project: the project.
    :returns: one failure per literal ``SECRET_KEY``, ``DEBUG = True``, database password or
        other literal secret setting (``EMAIL_HOST_PASSWORD``, ``*_API_KEY``, ...).
    """
    failures = []
    found_settings = False
    for path, tree in _settings(project):
        found_settings = True
        if is_development_settings(path):
            continue
        for name, statement in _top_assignments(tree):
            value = statement.value
            if not isinstance(value, ast.Constant):
                continue
            if name == "SECRET_KEY" and isinstance(value.value, str):
                message = "SECRET_KEY is a literal: read it from the environment"
                failures.append(Place(path, statement.lineno, message))
            if name == "DEBUG" and value.value is True:
                message = "DEBUG = True: read it from the environment, off by default"
                failures.append(Place(path, statement.lineno, message))
            elif name != "SECRET_KEY" and SECRET_SETTING.search(name) and value.value:
                if isinstance(value.value, str):
                    message = f"{name} is a literal: read it from the environment"
                    failures.append(Place(path, statement.lineno, message))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, item in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "PASSWORD"
                        and isinstance(item, ast.Constant)
                        and item.value
                    ):
                        message = "a database PASSWORD is a literal: read it from the environment"
                        failures.append(Place(path, key.lineno, message))
    return CheckOutcome(tuple(failures), applicable=found_settings)


def database_env_vars(project: AuditInput) -> CheckOutcome:
    """Find uses of dj-database-url ("Deprecated / Removed": individual DB variables instead).

    :param project: the project.
    :returns: one failure per import of ``dj_database_url``.
    """
    failures = []
    for path in project.python_files:
        tree = project.python_tree(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            if isinstance(node, ast.Import | ast.ImportFrom) and any(
                module.split(".")[0] == "dj_database_url" for module in modules
            ):
                message = "dj-database-url: build DATABASES from individual DB_* variables"
                failures.append(Place(path, node.lineno, message))
    return CheckOutcome(tuple(failures), applicable=any(True for _ in _settings(project)))


def memcached_backend(project: AuditInput) -> CheckOutcome:
    """Find old Memcached backends and loopback Memcached in env templates ("Memcached").

    :param project: the project.
    :returns: failures for ``MemcachedCache``/``PyLibMCCache``; reviews for
        ``KVDB_LOCATION=127.0.0.1`` in an env template (the container itself once containerised).
    """
    failures: list[Place] = []
    reviews: list[Place] = []
    for path, tree in _settings(project):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in OLD_MEMCACHED_BACKENDS:
                backend = str(node.value).rsplit(".", 1)[-1]
                message = f"{backend}: use PyMemcacheCache (pymemcache)"
                failures.append(Place(path, node.lineno, message))
    for path in project.named(*ENV_TEMPLATES):
        text = project.text(path) or ""
        match = LOOPBACK_MEMCACHED.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            message = "KVDB_LOCATION on loopback: inside a container that is the container itself"
            reviews.append(Place(path, line, message))
    return CheckOutcome(tuple(failures), tuple(reviews), applicable=bool(failures or reviews))


CHECKS = (
    Check(
        "settings-secrets", "Security", "No secrets or DEBUG = True in settings", settings_secrets
    ),
    Check(
        "database-env-vars",
        "Deprecated / Removed",
        "No dj-database-url; DATABASES from individual variables",
        database_env_vars,
    ),
    Check(
        "memcached-backend",
        "Memcached",
        "PyMemcacheCache, reachable from containers",
        memcached_backend,
    ),
)
