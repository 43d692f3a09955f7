"""Rewriting one settings module's literal secrets and ``DEBUG = True``, for ``settings-secrets``.

Red Panda Approval V1-02, "Security": "Don't store secrets in settings.py (use environment
variables)" and "Don't use DEBUG=True in production". Module-level assignments are rewritten
with libcst, only their values:

* ``SECRET_KEY = "<literal>"`` reads the variable with no fallback (a missing key fails at
  start-up); an existing read with a literal fallback loses the fallback;
* ``DEBUG = True`` reads a boolean that is ``False`` when unset;
* a non-empty literal ``*_PASSWORD``/``*_SECRET``/``*_TOKEN``/``*_API_KEY`` setting, and a
  ``"PASSWORD"`` entry of a dict (``DATABASES``), read a variable whose fallback is ``""``.

The old literals are collected (the engine hides them from every diff and message) and comments
repeating them are removed; a module that still shows one elsewhere is refused.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node
from redpanda_migrate.codemods.shared.env_style import EnvStyle

SECRET_SETTING = re.compile(r"(^|_)(PASSWORD|PASSWD|SECRET|SECRET_KEY|API_KEY|TOKEN|PRIVATE_KEY)$")
ENV_READERS = {"os.environ.get", "os.getenv", "getenv", "environ.get"}


@dataclass(frozen=True)
class Policy:
    """What the rewrite of one module reads, and how.

    :param style: how the module reads the environment.
    :param secret_key_variable: the variable ``SECRET_KEY`` comes from.
    :param debug_variable: the variable ``DEBUG`` comes from.
    :param secret_key_required: a missing key fails at import (``False`` when a development
        module imports this one and must still start without the variable: the read then
        gives ``None`` and Django refuses an empty ``SECRET_KEY`` at start-up).
    """

    style: EnvStyle
    secret_key_variable: str = "SECRET_KEY"
    debug_variable: str = "DEBUG"
    secret_key_required: bool = True


@dataclass
class SecretEdits:
    """What the rewrite of one module did.

    :param variables: ``(variable, kind)`` of each new read; kind is ``secret-key``, ``debug``
        or ``password``.
    :param hidden: the literal secrets moved out (never shown).
    :param refusals: ``(line, reason)`` pairs.
    :param needs_os: the new code reads ``os.environ``.
    """

    variables: list[tuple[str, str]] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)
    needs_os: bool = False


def _literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _variable_for(path: list[str]) -> str:
    """``DATABASES.default.PASSWORD`` is the standard's ``APP_DB_PASSWORD``."""
    if len(path) == 3 and path[0] == "DATABASES" and path[2] == "PASSWORD":
        alias = path[1].upper()
        return "APP_DB_PASSWORD" if alias == "DEFAULT" else f"{alias}_DB_PASSWORD"
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(path).upper()).strip("_")


class _SecretRewriter(cst.CSTTransformer):
    def __init__(self, policy: Policy, edits: SecretEdits) -> None:
        super().__init__()
        self.policy = policy
        self.edits = edits
        self.setting: str | None = None
        self.keys: list[str | None] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        self.setting = target.value if isinstance(target, cst.Name) else None

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        setting, self.setting = self.setting, None
        value = updated_node.value
        if setting == "SECRET_KEY":
            return updated_node.with_changes(value=self._secret_key(value))
        if setting == "DEBUG" and isinstance(value, cst.Name) and value.value == "True":
            self.edits.variables.append((self.policy.debug_variable, "debug"))
            self.edits.needs_os |= self.policy.style.kind == "os"
            read = self.policy.style.boolean(self.policy.debug_variable, False)
            return updated_node.with_changes(value=cst.parse_expression(read))
        if setting and SECRET_SETTING.search(setting):
            literal = _literal(value)
            if literal:
                return updated_node.with_changes(value=self._password(setting, literal))
        return updated_node

    def _secret_key(self, value: cst.BaseExpression) -> cst.BaseExpression:
        style, variable = self.policy.style, self.policy.secret_key_variable
        literal = _literal(value)
        if literal:
            self.edits.hidden.append(literal)
            self.edits.variables.append((variable, "secret-key"))
            self.edits.needs_os |= style.kind == "os"
            if self.policy.secret_key_required:
                return cst.parse_expression(style.required(variable))
            return cst.parse_expression(style.maybe(variable))
        if isinstance(value, cst.Call):
            return self._drop_literal_default(value)
        return value

    def _drop_literal_default(self, call: cst.Call) -> cst.BaseExpression:
        """``os.environ.get("X", "<literal>")`` and ``env("X", default="<literal>")`` lose it."""
        name = get_full_name_for_node(call.func) or ""
        args = list(call.args)
        if not args or _literal(args[0].value) is None or args[0].keyword is not None:
            return call
        variable = _literal(args[0].value) or ""
        defaults = [
            index
            for index, arg in enumerate(args)
            if (index == 1 and arg.keyword is None and name in ENV_READERS)
            or (arg.keyword is not None and arg.keyword.value == "default")
        ]
        if len(defaults) != 1 or not _literal(args[defaults[0]].value):
            return call
        self.edits.hidden.append(_literal(args[defaults[0]].value) or "")
        self.edits.variables.append((variable, "secret-key"))
        if name in ("os.environ.get", "environ.get") and self.policy.secret_key_required:
            base = call.func.value if isinstance(call.func, cst.Attribute) else call.func
            return cst.Subscript(value=base, slice=[cst.SubscriptElement(cst.Index(args[0].value))])
        del args[defaults[0]]
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return call.with_changes(args=args)

    def _password(self, variable: str, literal: str) -> cst.BaseExpression:
        self.edits.hidden.append(literal)
        self.edits.variables.append((variable, "password"))
        self.edits.needs_os |= self.policy.style.kind == "os"
        empty = self.policy.style.quote * 2
        return cst.parse_expression(self.policy.style.optional(variable, empty))

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self.keys.append(_literal(node.key))

    def leave_DictElement(
        self, original_node: cst.DictElement, updated_node: cst.DictElement
    ) -> cst.DictElement:
        keys, self.keys = self.keys, self.keys[:-1]
        literal = _literal(updated_node.value)
        if keys[-1] != "PASSWORD" or not literal or self.setting is None or None in keys:
            return updated_node
        variable = _variable_for([self.setting, *[key or "" for key in keys]])
        return updated_node.with_changes(value=self._password(variable, literal))


class _CommentScrubber(cst.CSTTransformer):
    """Drop comments that repeat an old secret (``# SECRET_KEY = '<the old key>'``)."""

    def __init__(self, hidden: list[str]) -> None:
        super().__init__()
        self.hidden = [value for value in hidden if value]

    def _shows(self, comment: cst.Comment | None) -> bool:
        return comment is not None and any(value in comment.value for value in self.hidden)

    def leave_EmptyLine(
        self, original_node: cst.EmptyLine, updated_node: cst.EmptyLine
    ) -> cst.EmptyLine | cst.RemovalSentinel:
        return cst.RemoveFromParent() if self._shows(updated_node.comment) else updated_node

    def leave_TrailingWhitespace(
        self, original_node: cst.TrailingWhitespace, updated_node: cst.TrailingWhitespace
    ) -> cst.TrailingWhitespace:
        if self._shows(updated_node.comment):
            return updated_node.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        return updated_node


def _settings_statements(tree: ast.AST) -> Iterator[ast.AST]:
    """Walk a module as the rewrite does: into every statement but functions and classes."""
    for node in ast.iter_child_nodes(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node
            yield from _settings_statements(node)


def _nonempty_string(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


def _may_change(setting: str, value: ast.expr) -> bool:
    """Tell whether the rewrite may change an assignment of ``value`` to ``setting``."""
    if setting == "SECRET_KEY":
        if isinstance(value, ast.Call):  # a read whose literal default goes
            first = value.args[0] if value.args else None
            if isinstance(first, ast.Starred):
                first = first.value
            return (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and len(value.args) + len(value.keywords) > 1
            )
        return _nonempty_string(value)
    if setting == "DEBUG" and isinstance(value, ast.Constant) and value.value is True:
        return True
    return bool(SECRET_SETTING.search(setting)) and _nonempty_string(value)


def may_rewrite(text: str) -> bool:
    """Tell (with ``ast``, before libcst parses it) whether a module has anything to rewrite.

    A superset of what :func:`rewrite_secrets` changes, outside functions and classes: a
    literal ``SECRET_KEY`` or one read with a literal default, ``DEBUG = True``, a literal
    secret-named setting, a literal ``"PASSWORD"`` entry of a dict. A module ``ast`` cannot
    parse goes to libcst, which reports the syntax error.

    :param text: the module's text.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    for node in _settings_statements(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and _may_change(target.id, node.value)
            for target in node.targets
        ):
            return True
        if isinstance(node, ast.Dict) and any(
            isinstance(key, ast.Constant) and key.value == "PASSWORD" and _nonempty_string(value)
            for key, value in zip(node.keys, node.values, strict=True)
        ):
            return True
    return False


def rewrite_secrets(module: cst.Module, policy: Policy) -> tuple[cst.Module, SecretEdits]:
    """Move one settings module's literal secrets and ``DEBUG = True`` to the environment.

    Enforces Red Panda Approval V1-02, "Security".

    :param module: the parsed module.
    :param policy: the variables and style to use.
    :returns: the new module (the input when nothing changes) and what was done; when the old
        literal still shows elsewhere in the module, the input and a refusal.
    """
    edits = SecretEdits()
    new_module = module.visit(_SecretRewriter(policy, edits))
    if not edits.variables:
        return module, edits
    if edits.hidden:
        new_module = new_module.visit(_CommentScrubber(edits.hidden))
        code = new_module.code
        for value in edits.hidden:
            if value and value in code:
                line = code[: code.index(value)].count("\n") + 1
                reason = (
                    "old secret still shown: a literal moved to the environment also appears "
                    f"on line {line} (a string or a test); remove it there, then rerun"
                )
                return module, SecretEdits(refusals=[(line, reason)])
    return new_module, edits
