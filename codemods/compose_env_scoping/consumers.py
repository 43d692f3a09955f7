"""Which variables a Compose service consumes: Django services, well-known images, the rest.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). Every decision errs on the side of keeping a variable: a dropped variable
a container needed breaks it, a kept one only widens its view.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from pathlib import PurePosixPath

from redpanda_migrate.codemods.compose_env_scoping.facts import (
    Consumption,
    ProjectCode,
    ServiceView,
    keep_all,
)
from redpanda_migrate.codemods.compose_env_scoping.images import (
    consume_image,
    known_base,
)
from redpanda_migrate.codemods.compose_env_scoping.images import image_name as image_name
from redpanda_migrate.codemods.shared.envvars import (
    EnvRead,
    escaped_variables,
    shell_reads_everything,
    shell_variables,
)

DJANGO_COMMANDS = re.compile(
    r"\b(manage\.py|django-admin|gunicorn|uvicorn|daphne|hypercorn|uwsgi|waitress-serve|celery)\b"
)
HTTP_COMMANDS = re.compile(
    r"\b(gunicorn|uvicorn|daphne|hypercorn|uwsgi|waitress-serve|runserver\w*|granian)\b"
)
PYTHON_MODULE = re.compile(r"\bpython[\d.]*\s+(?:-\w+\s+)*-m\s+([\w.]+)")
PYTHON_SCRIPT = re.compile(r"\bpython[\d.]*\s+(?:-\w+\s+)*([^\s-][^\s]*\.py)\b")
KNOWN_MODULES = frozenset({"django", "celery", "gunicorn", "uvicorn", "daphne", "flower", "pip"})
NON_HTTP_COMMANDS = re.compile(r"\bcelery\b.*\b(worker|beat|flower|events)\b")
# The standard names these as HTTP-only: "NO ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, EMAIL_*" and
# "NOT ALLOWED_HOSTS/CSRF_TRUSTED_ORIGINS/MCP_REQUIRE_AUTH/EMAIL_*".
HTTP_ONLY = ("ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "MCP_REQUIRE_AUTH")
MAIL_PREFIX = "EMAIL_"
# Django settings only the request/response cycle reads (the standard's HTTP-only list, and the
# HTTP security settings of the same kind): a variable that feeds only these, whatever its name
# (``ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")``), is HTTP-only too.
HTTP_ONLY_SETTINGS = frozenset(
    {*HTTP_ONLY, "CORS_ALLOWED_ORIGINS", "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ALLOW_ALL_ORIGINS",
     "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
     "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
     "CSRF_COOKIE_SECURE", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT"}
)  # fmt: skip
# Variables the runtime or common libraries read without the project's code naming them.
RUNTIME_NAMES = frozenset(
    {
        "TZ", "LANG", "LANGUAGE", "HOME", "PATH", "DJANGO_SETTINGS_MODULE", "DATABASE_URL",
        "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_CONFIG_MODULE", "CELERY_LOADER",
        "C_FORCE_ROOT", "GUNICORN_CMD_ARGS", "IPYTHONDIR", "WEB_CONCURRENCY", "PORT",
        "FORWARDED_ALLOW_IPS",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    }
)  # fmt: skip
RUNTIME_PREFIXES = (
    "PYTHON", "LC_", "DJANGO_", "UVICORN_", "PG", "AWS_", "SENTRY_", "OTEL_",
    "GOOGLE_", "AZURE_", "NEW_RELIC_", "DD_", "WATCHFILES_", "UV_", "PIP_",
)  # fmt: skip


def _runtime_var(name: str, commands: str) -> bool:
    if name.startswith("FLOWER_"):
        return "flower" in commands
    return name in RUNTIME_NAMES or name.startswith(RUNTIME_PREFIXES)


def is_django(view: ServiceView) -> bool:
    """Tell whether a service runs the project's Django code.

    :param view: the service.
    :returns: ``True`` when it runs a Django or Celery command, or when it is built from the
        project or runs its image, unless that image is built ``FROM`` a well-known image.
    """
    text = " ".join(view.commands + view.dockerfile_commands)
    if DJANGO_COMMANDS.search(text):
        return True
    return (view.builds or view.project_image) and not known_base(view)


def serves_http(view: ServiceView, scripts: tuple[str, ...] = ()) -> bool:
    """Tell whether a Django service may serve HTTP (unknown counts as yes).

    :param view: the service.
    :param scripts: the texts of the project scripts its commands run (``/start-celeryworker``).
    :returns: ``False`` only for a positively recognised Celery worker, beat, flower or events,
        in its command or in the scripts it runs, with no HTTP server anywhere in them.
    """
    commands = view.commands or view.dockerfile_commands
    text = " ".join(commands + scripts)
    if HTTP_COMMANDS.search(text):
        return True
    return not (commands and NON_HTTP_COMMANDS.search(text))


SHELL_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")"})
WRAPPERS = frozenset({"exec", "sh", "bash", "ash", "dash", "tini", "dumb-init", "nohup", "env"})
BINARY_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/")
PROGRAMS = re.compile(
    r"^(python[\d.]*|pip[\d.]*|gunicorn|uvicorn|daphne|hypercorn|uwsgi|celery|flower|watchfiles"
    r"|granian|django-admin|sh|bash|ash|dash|env|tini|dumb-init|gosu|su-exec|wait-for-it)$"
)


def command_words(command: str) -> list[str]:
    """List the words of a shell command that stand in command position.

    ``sh -c "..."`` strings are read too; wrappers (``exec``, ``sh``, ``tini``, ``env A=1``) are
    looked through.

    :param command: a command, entrypoint or script line.
    """
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        tokens = command.split()
    words: list[str] = []
    expect, previous = True, ""
    for token in tokens:
        if previous == "-c":
            words += command_words(token)
            expect = False
        elif token in SHELL_SEPARATORS:
            expect = True
        elif expect:
            words.append(token)
            name = PurePosixPath(token).name
            expect = name in WRAPPERS or token.startswith("-") or "=" in token
        previous = token
    return words


def script_paths(commands: tuple[str, ...]) -> list[str]:
    """List the words of commands that name a script to run.

    :param commands: command/entrypoint texts.
    :returns: words that look like a script path (``./start.sh``, ``/app/entrypoint``,
        ``/start``): any ``.sh``/``entrypoint`` path, and any path in command position that
        is not a well-known program.
    """
    found = []
    for command in commands:
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        for word in words:
            if word.endswith(".sh") or (
                "/" in word and "entrypoint" in PurePosixPath(word).name.lower()
            ):
                found.append(word)
        for word in command_words(command):
            name = PurePosixPath(word).name
            if word.startswith(("/", "./")) and not word.endswith(".py") and word not in found:
                if not PROGRAMS.match(name) and "$" not in word:
                    found.append(word)
    return found


def resolve_script(
    word: str, copies: tuple[tuple[str, str], ...], paths: Iterable[str]
) -> str | None:
    """Find the project file a command's script word names.

    :param word: e.g. ``/start`` or ``/app/docker/entrypoint.sh``.
    :param copies: ``(destination, source)`` of the Dockerfile's ``COPY`` lines.
    :param paths: project paths.
    :returns: the project path, or ``None`` (also for a program of the image, under ``/bin``
        and the like, which is not a script of the project).
    """
    known = set(paths)
    for destination, source in copies:
        if word == destination and source in known:
            return source
        inside = word.removeprefix(destination.rstrip("/") + "/")
        candidate = f"{source}/{inside}" if source else inside
        if inside != word and candidate in known:
            return candidate
    return find_script(word, known)


def find_script(word: str, scripts: Iterable[str]) -> str | None:
    """Find the project file a command's script word names, by trailing path.

    :param word: e.g. ``/app/docker/entrypoint.sh``.
    :param scripts: project paths.
    :returns: the matching project path, or ``None``.
    """
    parts = PurePosixPath(word.lstrip("./")).parts
    for size in range(len(parts), 0, -1):
        tail = "/".join(parts[-size:])
        matches = [p for p in scripts if p == tail or p.endswith("/" + tail)]
        if len(matches) == 1:
            return matches[0]
    return None


def _script_names(
    view: ServiceView, code: ProjectCode
) -> tuple[set[str], list[str], tuple[str, ...]]:
    names: set[str] = set()
    undecided = []
    texts: list[str] = []
    commands = view.commands + view.dockerfile_commands
    primary = set(script_paths(view.commands or view.dockerfile_commands))
    for command in view.commands:  # Compose interpolates $VAR itself; $$VAR is the container's
        names |= escaped_variables(command)
    for command in view.dockerfile_commands:
        names |= shell_variables(command)
    for word in script_paths(commands):
        path = resolve_script(word, view.copies, code.all_paths)
        if path is None and word.startswith(BINARY_DIRS):
            continue  # a program of the image
        if path is None:
            undecided.append(f"script {word} is not in the project")
            continue
        if path not in code.scripts and path not in code.readable:
            undecided.append(f"script {path} was not read")
            continue
        names |= shell_variables(code.scripts.get(path, ""))
        if word in primary:  # the scripts of the command that runs (see serves_http)
            texts.append(code.scripts.get(path, "").replace("\\\n", " "))  # one command a line
        if shell_reads_everything(code.scripts.get(path, "")):
            undecided.append(f"{path} passes its whole environment on")
    pythons = code.python_paths
    for command in commands + tuple(code.scripts[p] for p in code.scripts if p.endswith(".sh")):
        for module in PYTHON_MODULE.findall(command):
            tail = module.replace(".", "/")
            if module.split(".")[0] not in KNOWN_MODULES and not (
                find_script(tail + ".py", pythons) or find_script(tail + "/__main__.py", pythons)
            ):
                undecided.append(f"it runs python -m {module}, which is not in the project")
        for script in PYTHON_SCRIPT.findall(command):
            if PurePosixPath(script).name != "manage.py" and not find_script(script, pythons):
                undecided.append(f"it runs {script}, which is not in the project")
    return names, undecided, tuple(texts)


def consume_django(view: ServiceView, offered: list[str], code: ProjectCode) -> Consumption:
    """Decide what a Django (or Celery) service consumes.

    :param view: the service.
    :param offered: the variables its env files give it.
    :param code: the project's reads.
    """
    names, undecided, scripts = _script_names(view, code)
    if view.undecided:
        undecided.append(view.undecided)
    undecided += [f"{p}:{line} reads {what}" for p, line, what in code.usage.dynamic]
    if undecided:
        return keep_all(offered, "django", "; ".join(undecided) + ": every variable kept")
    http = serves_http(view, scripts)
    command_text = " ".join(view.commands + view.dockerfile_commands)
    kept, dropped, notes = [], [], []
    for variable in offered:
        reads = code.usage.reads_of(variable)
        if not (reads or variable in names or _runtime_var(variable, command_text)):
            dropped.append(variable)
            continue
        if http or variable in names or not _http_only(variable, reads):
            kept.append(variable)
            continue
        required = [r for r in reads if not r.has_default]
        if required:
            kept.append(variable)
            notes.append(
                f"{variable} kept although {view.name} serves no HTTP: "
                f"{required[0].path}:{required[0].line} reads it without a default"
            )
        elif code.mail_senders and (
            variable.startswith(MAIL_PREFIX)
            or any((read.setting or "").startswith(MAIL_PREFIX) for read in reads)
        ):
            kept.append(variable)
            notes.append(
                f"{variable} kept although {view.name} serves no HTTP: "
                f"{code.mail_senders[0]} sends mail, which may run in it"
            )
        else:
            dropped.append(variable)
    return Consumption(kept, dropped, "django", notes)


def _http_only(variable: str, reads: list[EnvRead]) -> bool:
    """Tell whether a variable serves HTTP only: by its name, or by every setting it feeds."""
    if variable in HTTP_ONLY or variable.startswith(MAIL_PREFIX):
        return True
    settings = {read.setting for read in reads}
    return bool(reads) and all(
        setting is not None and (setting in HTTP_ONLY_SETTINGS or setting.startswith(MAIL_PREFIX))
        for setting in settings
    )


def consume(view: ServiceView, offered: list[str], code: ProjectCode) -> Consumption:
    """Decide which offered variables a service consumes.

    :param view: the service.
    :param offered: the variables its env files give it, in order.
    :param code: the project's reads.
    :returns: kept and dropped variables, with notes.
    """
    if is_django(view):
        if not runs_project_code(view):
            return keep_all(
                offered,
                "django",
                f"it runs image {view.image or '(none)'}, whose code is not in the project (no "
                "service builds it, no project folder is mounted): every variable kept",
            )
        return consume_django(view, offered, code)
    return consume_image(view, offered, code)


def runs_project_code(view: ServiceView) -> bool:
    """Tell whether what a Django service runs is the project's own code.

    Enforces "Per-Service Environment Scoping" without guessing: the project's reads say what a
    service consumes only when that code is what runs in it.

    :param view: the service.
    :returns: ``True`` when it builds from the project, runs the image another service builds,
        or bind-mounts a project folder (``.:/app``); ``False`` for a prebuilt image
        (``ghcr.io/saleor/saleor``), whose code is elsewhere.
    """
    if view.builds or view.project_image:
        return True
    return any(volume.startswith(".") and ":" in volume for volume in view.volumes)
