"""Which environment variables a project's code reads, found statically.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"): the variables a Django service consumes are the ones its Python code and
its start scripts read. Python files are parsed with :mod:`ast` (never imported); reads through
``os.environ``/``os.getenv``, django-environ (``env("X")``, ``env.bool``, ``env.db()``, ``Env``
schemes), python-decouple (``config("X")``) and pydantic-settings fields are recognised. Any other
use of the environment (``os.environ.copy()``, a computed name) makes consumption undecidable and
is reported as *dynamic*, so callers keep every variable.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

# django-environ methods taking the variable name first, and the default name of the
# argument-less URL helpers.
ENVIRON_METHODS = frozenset(
    {
        "str", "bool", "int", "float", "json", "list", "tuple", "dict", "url", "path",
        "decimal", "bytes", "parse_value", "get_value",
        "db_url", "db", "database_url", "cache_url", "cache", "email_url", "email",
        "search_url", "channels_url", "channels",
    }
)  # fmt: skip
ENVIRON_DEFAULT_NAMES = {
    "db_url": "DATABASE_URL",
    "db": "DATABASE_URL",
    "database_url": "DATABASE_URL",
    "cache_url": "CACHE_URL",
    "cache": "CACHE_URL",
    "email_url": "EMAIL_URL",
    "email": "EMAIL_URL",
    "search_url": "SEARCH_URL",
    "channels_url": "CHANNELS_URL",
    "channels": "CHANNELS_URL",
}
ENVIRON_HARMLESS = frozenset({"read_env", "smart_cast", "escape_proxy", "prefix", "scheme"})
OS_ENVIRON_READS = frozenset({"get", "setdefault", "pop", "__getitem__", "__contains__"})
SHELL_VARIABLE = re.compile(r"\$\$?\{?([A-Za-z_][A-Za-z0-9_]*)")
ESCAPED_VARIABLE = re.compile(r"\$\$\{?([A-Za-z_][A-Za-z0-9_]*)")
SHELL_DYNAMIC = re.compile(r"\b(envsubst|printenv)\b|^\s*env\s*$|\benv\s*\|", re.MULTILINE)
MAIL_SENDERS = re.compile(r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage)\b")


@dataclass(frozen=True)
class EnvRead:
    """One read of an environment variable.

    :param name: the variable's name.
    :param path: the file it is read in.
    :param line: the 1-based line.
    :param has_default: ``True`` when the code goes on without the variable.
    :param case_insensitive: ``True`` for pydantic-settings fields.
    :param default: the default's literal text, when it is a string literal.
    :param setting: the module-level name the read is assigned to (``ALLOWED_HOSTS =
        env.list("DJANGO_ALLOWED_HOSTS")``), when it is one.
    """

    name: str
    path: str
    line: int
    has_default: bool
    case_insensitive: bool = False
    default: str | None = None
    setting: str | None = None


@dataclass
class EnvUsage:
    """Everything the analysed files read from the environment.

    :param reads: each recognised read.
    :param dynamic: ``(path, line, what)`` of every use that cannot be decided statically.
    """

    reads: list[EnvRead] = field(default_factory=list)
    dynamic: list[tuple[str, int, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        """Return the names read, as written in the code."""
        return {read.name for read in self.reads}

    def reads_of(self, name: str) -> list[EnvRead]:
        """Return the reads of one variable (pydantic fields match case-insensitively).

        :param name: the variable's name.
        """
        return [
            read
            for read in self.reads
            if read.name == name or (read.case_insensitive and read.name.upper() == name.upper())
        ]


@dataclass
class _Bindings:
    os_modules: set[str] = field(default_factory=set)
    environ_names: set[str] = field(default_factory=set)
    getenv_names: set[str] = field(default_factory=set)
    environ_modules: set[str] = field(default_factory=set)
    env_classes: set[str] = field(default_factory=set)
    env_instances: set[str] = field(default_factory=set)
    decouple_modules: set[str] = field(default_factory=set)
    config_names: set[str] = field(default_factory=set)
    settings_bases: set[str] = field(default_factory=set)


def _collect_bindings(tree: ast.Module, shared: dict[str, str] | None = None) -> _Bindings:
    bound = _Bindings()
    shared = shared or {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                if alias.name == "os":
                    bound.os_modules.add(local)
                elif alias.name == "environ":
                    bound.environ_modules.add(local)
                elif alias.name == "decouple":
                    bound.decouple_modules.add(local)
        elif isinstance(node, ast.ImportFrom):
            _bind_shared(node, shared, bound)
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module == "os" and alias.name == "environ":
                    bound.environ_names.add(local)
                elif node.module == "os" and alias.name == "getenv":
                    bound.getenv_names.add(local)
                elif node.module == "environ" and alias.name in ("Env", "FileAwareEnv"):
                    bound.env_classes.add(local)
                elif node.module == "decouple" and alias.name == "config":
                    bound.config_names.add(local)
                elif node.module == "decouple" and alias.name in ("AutoConfig", "Config"):
                    bound.env_classes.add(f"decouple:{local}")
                elif node.module.startswith("pydantic") and alias.name == "BaseSettings":
                    bound.settings_bases.add(local)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            kind = _constructor_kind(node.value.func, bound)
            for target in node.targets:
                if isinstance(target, ast.Name) and kind == "environ":
                    bound.env_instances.add(target.id)
                elif isinstance(target, ast.Name) and kind == "decouple":
                    bound.config_names.add(target.id)
    return bound


def _bind_shared(node: ast.ImportFrom, shared: dict[str, str], bound: _Bindings) -> None:
    # ``from .base import env`` / ``from .base import *``: an instance made in another file.
    for alias in node.names:
        names = shared if alias.name == "*" else {alias.name: shared.get(alias.name)}
        for name, kind in names.items():
            local = name if alias.name == "*" else alias.asname or name
            if kind == "environ":
                bound.env_instances.add(local)
            elif kind == "decouple":
                bound.config_names.add(local)


def shared_instances(text: str) -> dict[str, str]:
    """Name the module-level django-environ and python-decouple instances a file creates.

    Other files import them (``from .base import env``), so their reads count too.

    :param text: a Python file's text.
    :returns: each instance name and its kind (``environ`` or ``decouple``).
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    bound = _collect_bindings(tree)
    found = {name: "environ" for name in bound.env_instances}
    found.update({name: "decouple" for name in bound.config_names})
    return found


def _constructor_kind(func: ast.expr, bound: _Bindings) -> str | None:
    if isinstance(func, ast.Name) and func.id in bound.env_classes:
        return "environ"
    if isinstance(func, ast.Name) and f"decouple:{func.id}" in bound.env_classes:
        return "decouple"
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id in bound.environ_modules and func.attr in ("Env", "FileAwareEnv"):
            return "environ"
        if func.value.id in bound.decouple_modules and func.attr in ("AutoConfig", "Config"):
            return "decouple"
    return None


def _is_os_environ(node: ast.expr, bound: _Bindings) -> bool:
    if isinstance(node, ast.Name):
        return node.id in bound.environ_names
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id in bound.os_modules
    )


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _default_literal(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "default":
            return _literal(keyword.value)
    return _literal(call.args[1]) if len(call.args) == 2 else None


def _has_kw(call: ast.Call, name: str) -> bool:
    return any(keyword.arg == name for keyword in call.keywords)


class _Scanner:
    def __init__(
        self, path: str, tree: ast.Module, usage: EnvUsage, shared: dict[str, str] | None
    ) -> None:
        self.path = path
        self.tree = tree
        self.usage = usage
        self.bound = _collect_bindings(tree, shared)
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.scheme_defaults: set[str] = set()

    def read(self, name: str | None, node: ast.AST, has_default: bool, what: str) -> None:
        """Record one read of a variable (``name`` ``None``: a computed name, so anything)."""
        line = getattr(node, "lineno", 0)
        default = _default_literal(node) if isinstance(node, ast.Call) else None
        if name is None:
            self.usage.dynamic.append((self.path, line, f"{what} with a computed name"))
            return
        self.usage.reads.append(
            EnvRead(
                name,
                self.path,
                line,
                has_default or name in self.scheme_defaults,
                False,
                default,
                self._fed_setting(node),
            )
        )

    def _fed_setting(self, node: ast.AST) -> str | None:
        """Name the module-level variable whose assignment holds this read, if one does."""
        child, parent = node, self.parents.get(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            child, parent = parent, self.parents.get(parent)
        if parent is None or self.parents.get(parent) is not self.tree:
            return None  # not a module-level statement: no setting
        targets: list[ast.expr] = []
        if isinstance(parent, ast.Assign) and child is parent.value:
            targets = parent.targets
        elif isinstance(parent, (ast.AnnAssign, ast.AugAssign)) and child is parent.value:
            targets = [parent.target]
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        return names[0] if len(names) == 1 == len(targets) else None

    def scan(self) -> None:
        """Walk the module and record every environment read it makes."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self._scan_env_scheme(node)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.expr) and _is_os_environ(node, self.bound):
                self._scan_os_environ(node)
            elif isinstance(node, ast.Call):
                self._scan_call(node)
            elif isinstance(node, ast.ClassDef):
                self._scan_settings_class(node)

    def _scan_env_scheme(self, call: ast.Call) -> None:
        if _constructor_kind(call.func, self.bound) != "environ":
            return
        for keyword in call.keywords:
            if keyword.arg is None:
                self.usage.dynamic.append((self.path, call.lineno, "Env(**scheme)"))
            elif isinstance(keyword.value, ast.Tuple) and len(keyword.value.elts) >= 2:
                self.scheme_defaults.add(keyword.arg)

    def _scan_os_environ(self, node: ast.expr) -> None:
        parent = self.parents.get(node)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if not isinstance(parent.ctx, ast.Load):
                return  # a write or a del: not a read
            self.read(_literal(parent.slice), parent, False, "os.environ[...]")
            return
        if isinstance(parent, ast.Attribute) and parent.value is node:
            call = self.parents.get(parent)
            if parent.attr in OS_ENVIRON_READS and isinstance(call, ast.Call):
                has_default = parent.attr != "pop" or len(call.args) > 1
                name = _literal(call.args[0]) if call.args else None
                self.read(name, call, has_default, f"os.environ.{parent.attr}")
                return
        if isinstance(parent, ast.Compare) and node in parent.comparators:
            self.read(_literal(parent.left), parent, True, "'...' in os.environ")
            return
        self.usage.dynamic.append(
            (self.path, getattr(node, "lineno", 0), "the whole environment (os.environ)")
        )

    def _scan_call(self, call: ast.Call) -> None:
        func = call.func
        first = _literal(call.args[0]) if call.args else None
        if (
            isinstance(func, ast.Name)
            and func.id in self.bound.getenv_names
            or (
                isinstance(func, ast.Attribute)
                and func.attr == "getenv"
                and isinstance(func.value, ast.Name)
                and func.value.id in self.bound.os_modules
            )
        ):
            self.read(first, call, True, "os.getenv")
        elif isinstance(func, ast.Name) and func.id in self.bound.config_names:
            self.read(first, call, _has_kw(call, "default"), "config(...)")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "config"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.bound.decouple_modules
        ):
            self.read(first, call, _has_kw(call, "default"), "decouple.config(...)")
        elif isinstance(func, ast.Name) and func.id in self.bound.env_instances:
            has_default = _has_kw(call, "default") or len(call.args) >= 3
            self.read(first, call, has_default, "env(...)")
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.bound.env_instances
        ):
            self._scan_environ_method(call, func.attr, first)

    def _scan_environ_method(self, call: ast.Call, method: str, first: str | None) -> None:
        if method in ENVIRON_HARMLESS:
            return
        if method not in ENVIRON_METHODS:
            self.usage.dynamic.append((self.path, call.lineno, f"env.{method}(...)"))
            return
        if not call.args and method in ENVIRON_DEFAULT_NAMES:
            first = ENVIRON_DEFAULT_NAMES[method]
        has_default = _has_kw(call, "default") or len(call.args) >= 2
        self.read(first, call, has_default, f"env.{method}(...)")

    def _scan_settings_class(self, node: ast.ClassDef) -> None:
        bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
        if not bases & self.bound.settings_bases:
            return
        prefix = _settings_prefix(node)
        if prefix is None:
            self.usage.dynamic.append((self.path, node.lineno, f"{node.name} env_prefix"))
            return
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                name = statement.target.id
                if name == "model_config":
                    continue
                alias = _field_alias(statement.value)
                self.usage.reads.append(
                    EnvRead(
                        alias or prefix + name,
                        self.path,
                        statement.lineno,
                        statement.value is not None,
                        case_insensitive=True,
                    )
                )


def _settings_prefix(node: ast.ClassDef) -> str | None:
    for statement in ast.walk(node):
        if isinstance(statement, ast.keyword) and statement.arg == "env_prefix":
            return _literal(statement.value)
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "env_prefix" for t in statement.targets
        ):
            return _literal(statement.value)
    return ""


def _field_alias(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg in ("alias", "validation_alias", "env"):
                return _literal(keyword.value)
    return None


def scan_python(
    path: str, text: str, usage: EnvUsage, shared: dict[str, str] | None = None
) -> None:
    """Add the environment reads of one Python file to ``usage``.

    A file that does not parse is reported as dynamic: its reads cannot be known.

    :param path: project-relative path.
    :param text: the file's text.
    :param usage: collects the reads.
    :param shared: instances other files create (:func:`shared_instances`), which this file
        may import.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        usage.dynamic.append((path, 1, "a file that does not parse"))
        return
    _Scanner(path, tree, usage, shared).scan()


def shell_variables(text: str) -> set[str]:
    """Names of the variables a shell text (a command, a script) refers to.

    :param text: the command or script.
    :returns: every ``$NAME``, ``${NAME...}`` and Compose-escaped ``$$NAME``.
    """
    return set(SHELL_VARIABLE.findall(text))


def escaped_variables(text: str) -> set[str]:
    """Names of the variables a Compose ``command``/``healthcheck`` leaves to the container.

    In a Compose file, ``$VAR`` and ``${VAR}`` are interpolated by Compose itself (from the
    shell and the root ``.env``) before the container starts; only the escaped ``$$VAR`` reaches
    the container's shell, which reads it from the container's environment.

    :param text: the command, as written in the Compose file.
    :returns: every ``$$NAME`` and ``$${NAME...}``.
    """
    return set(ESCAPED_VARIABLE.findall(text))


def shell_reads_everything(text: str) -> bool:
    """Tell whether a script hands its whole environment on (``envsubst``, ``printenv``).

    :param text: the script.
    """
    return bool(SHELL_DYNAMIC.search(text))


def sends_mail(text: str) -> bool:
    """Tell whether a Python text sends mail through Django (so workers need ``EMAIL_*``).

    :param text: the file's text.
    """
    return bool(MAIL_SENDERS.search(text))
