"""How a settings module reads the environment, and writing new reads the same way.

Shared by ``settings-secrets`` and ``database-env-vars`` (Red Panda Approval V1-02, "Settings
Structure": django-environ or python-dotenv for environment variables). A module that already
reads through a django-environ ``Env`` instance gets ``env("X")``; one that imports
python-decouple's ``config`` gets ``config("X")``; any other gets ``os.environ``. New code is
written as source text and parsed with libcst, so it follows the module's quotes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from redpanda_migrate.codemods.shared.source_segments import SourceSegments

Kind = Literal["os", "environ", "decouple"]


@dataclass(frozen=True)
class EnvStyle:
    """The way one module reads variables.

    :param kind: ``os`` (``os.environ``), ``environ`` (django-environ) or ``decouple``.
    :param name: the callable's name for ``environ``/``decouple`` (``env``, ``config``).
    :param quote: the quote the module's strings use.
    """

    kind: Kind = "os"
    name: str = "os"
    quote: str = '"'

    def _text(self, value: str) -> str:
        return f"{self.quote}{value}{self.quote}"

    def required(self, variable: str) -> str:
        """Source of a read that fails loudly when the variable is missing.

        :param variable: the variable's name.
        :returns: ``os.environ["X"]`` (``KeyError``), ``env("X")`` (``ImproperlyConfigured``)
            or ``config("X")`` (``UndefinedValueError``).
        """
        if self.kind == "os":
            return f"os.environ[{self._text(variable)}]"
        return f"{self.name}({self._text(variable)})"

    def optional(self, variable: str, default: str) -> str:
        """Source of a read with a fallback.

        :param variable: the variable's name.
        :param default: the fallback's source (an expression).
        :returns: e.g. ``os.environ.get("X", "")``.
        """
        if self.kind == "os":
            return f"os.environ.get({self._text(variable)}, {default})"
        return f"{self.name}({self._text(variable)}, default={default})"

    def maybe(self, variable: str) -> str:
        """Source of a read that gives ``None`` when the variable is missing.

        :param variable: the variable's name.
        :returns: e.g. ``os.environ.get("X")`` or ``env("X", default=None)``.
        """
        if self.kind == "os":
            return f"os.environ.get({self._text(variable)})"
        return self.optional(variable, "None")

    def or_default(self, variable: str, default: str) -> str:
        """Source of a read whose fallback also covers an empty value (Compose's unset ``${X}``).

        :param variable: the variable's name.
        :param default: the fallback's source.
        :returns: e.g. ``os.environ.get("X") or "fallback"``.
        """
        return f"{self.maybe(variable)} or {default}"

    def boolean(self, variable: str, default: bool) -> str:
        """Source of a boolean read (``"true"``, ``"1"``, ``"yes"``, ``"on"`` are true).

        :param variable: the variable's name.
        :param default: the value when the variable is missing.
        :returns: e.g. ``env.bool("DEBUG", default=False)``.
        """
        if self.kind == "environ":
            return f"{self.name}.bool({self._text(variable)}, default={default})"
        if self.kind == "decouple":
            return f"{self.name}({self._text(variable)}, default={default}, cast=bool)"
        truthy = ", ".join(self._text(word) for word in ("1", "true", "yes", "on"))
        fallback = self._text(str(default))
        return f"os.environ.get({self._text(variable)}, {fallback}).lower() in ({truthy})"


def _quote(tree: ast.Module, text: str) -> str:
    doubles = singles = 0
    segments = SourceSegments(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            segment = segments.segment(node)
            if segment.startswith('"'):
                doubles += 1
            elif segment.startswith("'"):
                singles += 1
    return "'" if singles > doubles else '"'


def _environ_instance(tree: ast.Module) -> str | None:
    """Name of a module-level django-environ ``Env`` instance (``env = environ.Env()``)."""
    env_classes = {"environ.Env"}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "environ":
            env_classes |= {alias.asname or alias.name for alias in statement.names}
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and ast.unparse(statement.value.func) in env_classes
        ):
            return statement.targets[0].id
    return None


def _imported_env(tree: ast.Module) -> str | None:
    """``from .base import env`` or ``from config.env import env``: an instance made elsewhere."""
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module != "decouple":
            for alias in statement.names:
                if alias.name == "env":
                    return alias.asname or alias.name
    return None


def _decouple_config(tree: ast.Module) -> str | None:
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "decouple":
            for alias in statement.names:
                if alias.name == "config":
                    return alias.asname or alias.name
    return None


def detect_style(text: str) -> EnvStyle:
    """Tell how a settings module reads the environment ("Settings Structure").

    :param text: the module's source.
    :returns: its style; ``os`` when it uses neither django-environ nor python-decouple (or
        does not parse).
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return EnvStyle()
    quote = _quote(tree, text)
    instance = _environ_instance(tree) or _imported_env(tree)
    if instance is not None:
        return EnvStyle("environ", instance, quote)
    config = _decouple_config(tree)
    if config is not None:
        return EnvStyle("decouple", config, quote)
    return EnvStyle("os", "os", quote)
