"""Importing ``os`` into a settings module that starts reading the environment.

Shared by the codemods that move settings to environment variables (``memcached-backend``,
``settings-secrets``, ``database-env-vars``; Red Panda Approval V1-02, "Settings Structure").
"""

from __future__ import annotations

import sys

import libcst as cst
from libcst.helpers import get_full_name_for_node


def binds_os_module(module: cst.Module) -> bool | None:
    """Say whether a module imports ``os`` at its top level (``None``: the name is taken).

    :param module: the parsed module.
    :returns: ``True`` when ``import os`` binds it, ``False`` when nothing binds it, ``None``
        when ``os`` names something else (an alias, an assignment).
    """
    imported = False
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = get_full_name_for_node(alias.name)
                    bound = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                    if bound == "os":
                        if name != "os":
                            return None
                        imported = True
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = (
                        alias.asname.name.value  # type: ignore[union-attr]
                        if alias.asname
                        else get_full_name_for_node(alias.name)
                    )
                    if bound == "os":
                        return None
            elif isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name) and target.target.value == "os":
                        return None
    return imported


def with_os_import(module: cst.Module) -> cst.Module:
    """Add ``import os`` where isort puts it: among the standard library's imports.

    :param module: the parsed module, which does not bind ``os`` yet.
    :returns: the module with the import.
    """
    body = list(module.body)
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and _import_root(body[index]) == "__future__":
        index += 1
    while index < len(body):
        root = _import_root(body[index])
        if root is None or root not in sys.stdlib_module_names:
            break
        if isinstance(body[index].body[0], cst.ImportFrom) or root > "os":  # type: ignore[attr-defined]
            break
        index += 1
    line = cst.parse_statement("import os\n")
    following = body[index] if index < len(body) else None
    if following is not None:
        root = _import_root(following)
        if root is not None and root in sys.stdlib_module_names:
            # os joins the block: the block's leading blank lines stay in front of it
            line = line.with_changes(leading_lines=following.leading_lines)
            following = following.with_changes(leading_lines=())
            body[index] = following
        else:
            leading = following.leading_lines
            line = line.with_changes(leading_lines=leading)
            body[index] = following.with_changes(leading_lines=(cst.EmptyLine(),))
            if root is None:
                body[index] = following.with_changes(
                    leading_lines=(cst.EmptyLine(), cst.EmptyLine())
                    if isinstance(following, cst.ClassDef | cst.FunctionDef)
                    else (cst.EmptyLine(),)
                )
    body.insert(index, line)
    return module.with_changes(body=body)


def _import_root(statement: cst.BaseStatement) -> str | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return (get_full_name_for_node(small.names[0].name) or "").split(".")[0]
    if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
        return (get_full_name_for_node(small.module) or "").split(".")[0]
    return None


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )
