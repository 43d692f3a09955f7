"""Checks of Python code against "Imports & Code Style", "Code Organization" and "Security".

Every module is parsed once with :mod:`ast` (never imported); each check walks the tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from redpanda_migrate.audit.model import AuditInput, Check, CheckOutcome, Place

MAX_FILE_LINES = 1000
MUTABLE_CALLS = frozenset({"list", "dict", "set", "defaultdict", "OrderedDict"})


def _trees(project: AuditInput) -> Iterator[tuple[str, ast.Module]]:
    for path in project.python_files:
        tree = project.python_tree(path)
        if tree is not None:
            yield path, tree


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def bare_except(project: AuditInput) -> CheckOutcome:
    """Find bare ``except:`` clauses ("Imports & Code Style": don't use bare ``except:``).

    :param project: the project.
    :returns: one failure per bare ``except:``.
    """
    failures = [
        Place(path, node.lineno, "bare `except:` also catches SystemExit and KeyboardInterrupt")
        for path, tree in _trees(project)
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler) and node.type is None
    ]
    return CheckOutcome(tuple(failures), applicable=bool(project.python_files))


def import_star(project: AuditInput) -> CheckOutcome:
    """Find ``from module import *`` ("Imports & Code Style").

    Settings modules that layer a base settings module (``from .base import *``) are the
    common Django idiom the standard's single ``settings.py`` replaces, so they count too.

    :param project: the project.
    :returns: one failure per star import.
    """
    failures = [
        Place(
            path,
            node.lineno,
            f"`from {'.' * node.level}{node.module or ''} import *`: import names explicitly",
        )
        for path, tree in _trees(project)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
    ]
    return CheckOutcome(tuple(failures), applicable=bool(project.python_files))


def _is_mutable(default: ast.expr) -> bool:
    if isinstance(default, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp):
        return True
    return isinstance(default, ast.Call) and _call_name(default) in MUTABLE_CALLS


def mutable_defaults(project: AuditInput) -> CheckOutcome:
    """Find mutable default arguments ("Imports & Code Style").

    :param project: the project.
    :returns: one failure per mutable default.
    """
    failures = []
    for path, tree in _trees(project):
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]
            for default in defaults:
                if _is_mutable(default):
                    name = getattr(node, "name", "lambda")
                    failures.append(
                        Place(path, default.lineno, f"{name}(): mutable default argument")
                    )
    return CheckOutcome(tuple(failures), applicable=bool(project.python_files))


def mark_safe_variables(project: AuditInput) -> CheckOutcome:
    """Find ``mark_safe()`` on anything but a literal ("Security": not on user-supplied content).

    Whether a variable holds user input cannot be told statically: each is for review.

    :param project: the project.
    :returns: one review per ``mark_safe(non-literal)``.
    """
    reviews = [
        Place(
            path, node.lineno, "mark_safe() on a computed value: make sure no user input reaches it"
        )
        for path, tree in _trees(project)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _call_name(node) == "mark_safe"
        and node.args
        and not isinstance(node.args[0], ast.Constant)
    ]
    return CheckOutcome(reviews=tuple(reviews), applicable=bool(project.python_files))


def file_length(project: AuditInput) -> CheckOutcome:
    """Find Python files over 1,000 lines ("Code Organization": maximum file length 1000).

    :param project: the project.
    :returns: one failure per file that is too long.
    """
    failures = []
    for path in project.python_files:
        text = project.text(path)
        if text is not None and text.count("\n") > MAX_FILE_LINES:
            lines = text.count("\n")
            failures.append(Place(path, None, f"{lines} lines (at most {MAX_FILE_LINES})"))
    return CheckOutcome(tuple(failures), applicable=bool(project.python_files))


CHECKS = (
    Check("bare-except", "Imports & Code Style", "No bare `except:` clauses", bare_except),
    Check("import-star", "Imports & Code Style", "No `from module import *`", import_star),
    Check(
        "mutable-defaults", "Imports & Code Style", "No mutable default arguments", mutable_defaults
    ),
    Check("mark-safe", "Security", "No mark_safe() on user-supplied content", mark_safe_variables),
    Check("file-length", "Code Organization", "Files of at most 1,000 lines", file_length),
)
