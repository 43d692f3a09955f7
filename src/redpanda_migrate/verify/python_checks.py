"""Python checks: byte-compiling, Django's own checks and migrations, the project's tests.

Django runs with the project's interpreter, in a subprocess, on the scratch copy, with a
generated settings module that imports the project's settings and points every database at a
fresh SQLite file, so neither the user's database nor the tool's own process is touched.
"""

from __future__ import annotations

import ast
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from redpanda_migrate.secrets import is_secret_path
from redpanda_migrate.verify.model import Probe, default_regression
from redpanda_migrate.verify.process import run_command
from redpanda_migrate.verify.scratch import ScratchCopy

SETTINGS_MODULE = "_redpanda_verify_settings"
GENERATED_SETTINGS = '''"""Written by redpanda-migrate --verify in its scratch copy only."""
import os

from {module} import *  # noqa: F401,F403

DATABASES = {{
    alias: {{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(os.environ["REDPANDA_VERIFY_DB"], alias + ".sqlite3"),
    }}
    for alias in (globals().get("DATABASES") or {{"default": None}})
}}
'''
# compile() only: the modules are parsed and compiled, never imported
COMPILE_SCRIPT = """
import sys
failed = False
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as handle:
            compile(handle.read(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        failed = True
        print(f"{path}: {type(error).__name__}: {error}")
sys.exit(1 if failed else 0)
"""
DJANGO_COMMANDS = (
    ("manage.py check", ("check",)),
    ("manage.py makemigrations --check --dry-run", ("makemigrations", "--check", "--dry-run")),
    ("manage.py migrate (fresh SQLite)", ("migrate", "--noinput")),
)
PLACEHOLDER_SECRET = "redpanda-verify-placeholder-secret-key"


def project_interpreter(root: Path, given: Path | None) -> Path | None:
    """Pick the interpreter Django checks run with.

    :param root: the project root.
    :param given: ``--python``, when given.
    :returns: ``given``, else the project's ``.venv``/``venv`` Python, else ``None``.
    """
    if given is not None:
        return given
    for folder in (".venv", "venv"):
        candidate = root / folder / "bin" / "python"
        if candidate.exists():
            return candidate
    return None


def settings_module(manage_py_text: str) -> str | None:
    """Read the settings module a ``manage.py`` sets, without running it.

    :param manage_py_text: the file's text.
    :returns: the dotted name of ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")``.
    """
    try:
        tree = ast.parse(manage_py_text)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and len(node.args) == 2
            and all(isinstance(arg, ast.Constant) for arg in node.args)
            and node.args[0].value == "DJANGO_SETTINGS_MODULE"  # type: ignore[attr-defined]
            and isinstance(node.args[1].value, str)  # type: ignore[attr-defined]
        ):
            return node.args[1].value  # type: ignore[attr-defined,no-any-return]
    return None


def check_environment(python: Path | None, pythonpath: Path | None, database: Path) -> dict:
    """Build the environment of a Django check or of the project's test command.

    :param python: the project's interpreter (its folder goes first on ``PATH``).
    :param pythonpath: the folder holding the generated settings module.
    :param database: the folder of the throwaway SQLite databases.
    :returns: the environment.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    if python is not None:
        env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    env["REDPANDA_VERIFY_DB"] = str(database)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # settings that read a secret key from the environment get a placeholder, not the user's
    env.setdefault("SECRET_KEY", PLACEHOLDER_SECRET)
    env.setdefault("DJANGO_SECRET_KEY", PLACEHOLDER_SECRET)
    return env


class ByteCompile:
    """Every changed Python module still compiles (with the project's Python when known)."""

    kind = "byte-compile"
    cacheable = False

    def __init__(self, python: Path | None, timeout: float) -> None:
        self.python = str(python) if python is not None else sys.executable
        self.timeout = timeout

    def concerns(self, changed: Sequence[str]) -> bool:
        """Any changed ``.py`` file."""
        return any(path.endswith(".py") for path in changed)

    def probe(self, scratch: ScratchCopy, changed: Sequence[str]) -> dict[str, Probe]:
        """Compile each changed module that exists now, one probe per module."""
        modules = [p for p in changed if p.endswith(".py") and (scratch.root / p).is_file()]
        if not modules:
            return {}
        result = run_command(
            [self.python, "-c", COMPILE_SCRIPT, *modules], scratch.root, self.timeout
        )
        failing = {line.split(":", 1)[0]: line for line in result.output.splitlines()}
        if not result.ok and not failing:  # the interpreter itself failed: one shared answer
            return {p: Probe(f"byte-compile {p}", False, result.output, path=p) for p in modules}
        return {
            p: Probe(f"byte-compile {p}", p not in failing, failing.get(p, ""), path=p)
            for p in modules
        }

    def regression(self, before: Probe, after: Probe) -> str | None:
        """Report the error when it compiled before and does not now."""
        return default_regression(before, after)


class DjangoChecks:
    """``manage.py check``, ``makemigrations --check --dry-run`` and ``migrate`` on SQLite."""

    kind = "django"
    cacheable = True

    def __init__(self, python: Path, manage_py: str, module: str, timeout: float) -> None:
        self.python = python
        self.manage_py = manage_py
        self.module = module
        self.timeout = timeout

    def concerns(self, changed: Sequence[str]) -> bool:
        """Python files and ``.env`` files (settings read them)."""
        return any(path.endswith(".py") or is_secret_path(path) for path in changed)

    def install(self, scratch: ScratchCopy) -> None:
        """Write the generated settings module next to the copy's ``manage.py``.

        :param scratch: the scratch copy.
        """
        folder = (scratch.root / self.manage_py).parent
        (folder / f"{SETTINGS_MODULE}.py").write_text(
            GENERATED_SETTINGS.format(module=self.module), encoding="utf-8"
        )

    def probe(self, scratch: ScratchCopy, changed: Sequence[str]) -> dict[str, Probe]:
        """Run the three commands, each on a fresh database."""
        folder = (scratch.root / self.manage_py).parent
        probes = {}
        for name, arguments in DJANGO_COMMANDS:
            database = scratch.sandbox("db")
            env = check_environment(self.python, folder, database)
            result = run_command(
                [str(self.python), "manage.py", *arguments], folder, self.timeout, env
            )
            probes[name] = Probe(name, result.ok, result.output, path=self.manage_py)
        return probes

    def regression(self, before: Probe, after: Probe) -> str | None:
        """Report the output when it passed before and fails now."""
        return default_regression(before, after)


class VerifyCommand:
    """The project's own test command, ``[tool.redpanda-migrate] verify-command``."""

    kind = "verify-command"
    cacheable = True

    def __init__(
        self, command: str, python: Path | None, settings_folder: str | None, timeout: float
    ) -> None:
        self.argv = shlex.split(command)
        if python is not None and self.argv and self.argv[0] in ("python", "python3"):
            self.argv[0] = str(python)
        self.python = python
        self.settings_folder = settings_folder
        self.timeout = timeout
        self.name = f"verify-command `{command}`"

    def concerns(self, changed: Sequence[str]) -> bool:
        """Every change: the project's tests may read any file."""
        return bool(changed)

    def probe(self, scratch: ScratchCopy, changed: Sequence[str]) -> dict[str, Probe]:
        """Run the command at the copy's root."""
        folder = (
            scratch.root / self.settings_folder
            if self.settings_folder is not None
            and (scratch.root / self.settings_folder / f"{SETTINGS_MODULE}.py").is_file()
            else None
        )
        env = check_environment(self.python, folder, scratch.sandbox("db"))
        result = run_command(self.argv, scratch.root, self.timeout, env)
        return {"command": Probe(self.name, result.ok, result.output)}

    def regression(self, before: Probe, after: Probe) -> str | None:
        """Report the output when it passed before and fails now."""
        return default_regression(before, after)


def manage_py_path(files: Sequence[str]) -> str | None:
    """Pick the project's ``manage.py``: the one nearest the root.

    :param files: project-relative paths.
    :returns: its path, or ``None``.
    """
    found = [p for p in files if PurePosixPath(p).name == "manage.py"]
    return min(found, key=lambda p: (p.count("/"), p)) if found else None
