"""Routes left in a rewritten URLconf that name *another* class of the same name.

Red Panda Approval V1-02, "Views". A converted class must not be named anywhere once it is
gone; the check is by name, as an identifier token. Projects reuse short class names across
modules (``contract.AddView``, ``contract_type.AddView``): when one of them is refused, its
route stays, and its ``AddView`` token is no reference to the converted one. A file whose
every token of the name is such a route (resolved through its imports to a different module)
does not hold the converted class back; nor does another module that defines a class of that
name itself (and imports no such name), whose every mention is its own class.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.urls import ClassKey, find_routes, name_lines


def only_other_routes(
    path: str,
    text: str,
    key: ClassKey,
    files: Iterable[str],
    roots: Iterable[str],
    module: cst.Module | None = None,
) -> bool:
    """Tell whether every mention of ``key``'s class name in a file routes to another class.

    :param path: the file's path.
    :param text: its text after the rewrite.
    :param key: the converted class (module path, class name).
    :param files: every project file.
    :param roots: the folders the project's code is imported from.
    :param module: ``text`` parsed already (each text is parsed once per run).
    :returns: ``True`` when each token of the name is an ``as_view()`` route to a class of
        the same name in another module; ``False`` otherwise (or when the file cannot be read).
    """
    if module is None:
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            return False
    if path != key[0] and _defines_own(module, key[1]):
        return True
    if "as_view" not in text:
        return False
    routes = find_routes(path, module, list(files), list(roots))
    other = [
        route
        for route in routes
        if route.target[1] == key[1] and route.target[0] != key[0] and route.target[0]
    ]
    mentions = name_lines(text, key[1])
    return bool(other) and len(mentions) == len(other)


def _defines_own(module: cst.Module, name: str) -> bool:
    """Tell whether a module defines a top-level class ``name`` and imports no such name."""
    defines = any(
        isinstance(statement, cst.ClassDef) and statement.name.value == name
        for statement in module.body
    )
    if not defines:
        return False
    imported = False

    class _Imports(cst.CSTVisitor):
        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            nonlocal imported
            bound = node.asname.name if node.asname else node.name
            if isinstance(bound, cst.Name) and bound.value == name:
                imported = True

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            nonlocal imported
            if isinstance(node.names, cst.ImportStar):
                imported = True  # a star import may bind it too

    module.visit(_Imports())
    return not imported
