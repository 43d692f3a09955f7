"""Finding and rewriting the URLconf routes to class-based views, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": once a class becomes a function, every route keeps its URL
and its name (so ``reverse()`` and ``{% url %}`` still work) but calls the function:
``views.ProductListView.as_view()`` becomes ``views.product_list``, and
``from .views import ProductListView`` becomes ``from .views import product_list``.
"""

from __future__ import annotations

import io
import posixpath
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

ClassKey = tuple[str, str]  # (views module path, class name)
# Why a route cannot be rewritten: a stable text saying what to do; the place follows a colon.
ROUTE_ALIAS = "is imported under another name where it is routed; import it under its own name"
ROUTE_POSITIONAL_INITKWARGS = (
    "is routed with positional or ** arguments to as_view(); pass keyword arguments"
)
ROUTE_UNNAMED_GROUPS = (
    "is routed through a regex of unnamed groups (positional arguments); name the groups"
)
CALLED_POSITIONALLY = (
    "is called with positional arguments besides the request (view(request, x)); "
    "convert that caller by hand"
)


@dataclass(frozen=True)
class Route:
    """One ``<class>.as_view(...)`` call in a URLconf.

    :param path: the URLconf's path.
    :param line: the line of the call, for a route with a problem (its refusal names it);
        ``None`` for the others, whose lines nothing reports.
    :param target: the views module path and class name it routes to.
    :param initkwargs: the keyword arguments of ``as_view()``, with their values.
    :param problem: why this route cannot be rewritten, if it cannot.
    :param passes_args: the view is called with positional arguments besides the request
        (``X.as_view()(request, message)``): its function must take ``*args``.
    """

    path: str
    line: int | None
    target: ClassKey
    initkwargs: tuple[tuple[str, cst.BaseExpression], ...] = ()
    problem: str | None = None
    passes_args: bool = False


@dataclass
class _Imports:
    modules: dict[str, str] = field(default_factory=dict)  # alias -> module file
    members: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # alias -> (file, name, as)
    outside: set[str] = field(default_factory=set)  # names imported from outside the project


def module_file(dotted: str, files: Iterable[str], roots: Iterable[str]) -> str | None:
    """Find the project file of a dotted module name.

    :param dotted: e.g. ``shop.views``.
    :param files: every project file.
    :param roots: folders the project's code is imported from (``project/``, ``""``).
    :returns: the file path, or ``None`` when it is not in the project.
    """
    known = files if isinstance(files, set | frozenset) else set(files)
    relative = dotted.replace(".", "/")
    for root in roots:
        for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
            full = posixpath.join(root, candidate) if root else candidate
            if full in known:
                return full
    return None


def _relative_base(path: str, level: int) -> str:
    base = posixpath.dirname(path)
    for _ in range(level - 1):
        base = posixpath.dirname(base)
    return base


def _folders(files: Iterable[str]) -> set[str]:
    """Every folder holding a file, at any depth (``a``, ``a/b`` for ``a/b/c.py``)."""
    folders = set()
    for name in files:
        slash = name.find("/")
        while slash != -1:
            folders.add(name[:slash])
            slash = name.find("/", slash + 1)
    return folders


def _module_of_import(
    node: cst.ImportFrom,
    path: str,
    known: frozenset[str],
    folders: set[str],
    roots: Iterable[str],
) -> tuple[str | None, str | None]:
    """Return (dotted-or-relative module file for ``from X import``, package folder)."""
    module = cst.Module(body=[]).code_for_node(node.module) if node.module else ""
    if node.relative:
        base = _relative_base(path, len(node.relative))
        folder = posixpath.join(base, *module.split(".")) if module else base
        for candidate in (f"{folder}.py", f"{folder}/__init__.py"):
            if candidate in known:
                return candidate, folder
        return None, folder
    found = module_file(module, known, roots)
    folder = None
    for root in roots:
        candidate = (
            posixpath.join(root, module.replace(".", "/")) if root else module.replace(".", "/")
        )
        if candidate in folders:  # some file lies under it
            folder = candidate
            break
    return found, folder


def read_imports(
    module: cst.Module, path: str, files: Iterable[str], roots: Iterable[str]
) -> _Imports:
    """Map a URLconf's imported names to the project modules and members they stand for.

    :param module: the parsed URLconf.
    :param path: its path.
    :param files: every project file.
    :param roots: folders the project's code is imported from.
    :returns: module aliases and member aliases.
    """
    known = frozenset(files)
    folders = _folders(known)
    imports = _Imports()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                source, folder = _module_of_import(small, path, known, folders, roots)
                for alias in small.names:
                    name = cst.Module(body=[]).code_for_node(alias.name)
                    local = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                    submodule = None
                    if folder is not None:
                        for candidate in (f"{folder}/{name}.py", f"{folder}/{name}/__init__.py"):
                            if candidate in known:
                                submodule = candidate
                    if submodule is not None:
                        imports.modules[local] = submodule
                    elif source is not None:
                        imports.members[local] = (source, name, local)
                    elif folder is None:
                        imports.outside.add(local)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    if alias.asname is None:
                        continue
                    dotted = cst.Module(body=[]).code_for_node(alias.name)
                    found = module_file(dotted, known, roots)
                    if found is not None:
                        imports.modules[alias.asname.name.value] = found  # type: ignore[union-attr]
    return imports


def _as_view_target(call: cst.Call, imports: _Imports) -> tuple[ClassKey, str] | None:
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "as_view"):
        return None
    owner = func.value
    if isinstance(owner, cst.Name) and owner.value in imports.members:
        source, name, local = imports.members[owner.value]
        return (source, name), "member" if local == name else "alias"
    if (
        isinstance(owner, cst.Attribute)
        and isinstance(owner.value, cst.Name)
        and owner.value.value in imports.modules
    ):
        return (imports.modules[owner.value.value], owner.attr.value), "module"
    return None


def _add_local_classes(imports: _Imports, module: cst.Module, path: str) -> None:
    """Let ``X.as_view()`` reach a class defined in the same module.

    ``SearchView.as_view()`` called from a function of the views module, or a view class
    written in ``urls.py`` itself.
    """
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            name = statement.name.value
            imports.members.setdefault(name, (path, name, name))


def find_routes(
    path: str,
    module: cst.Module,
    files: Iterable[str],
    roots: Iterable[str],
    statements: Sequence[cst.BaseStatement] | None = None,
) -> list[Route]:
    """List every ``as_view()`` call of a URLconf that routes to a class of the project.

    :param path: the URLconf's path.
    :param module: the parsed URLconf.
    :param files: every project file.
    :param roots: folders the project's code is imported from.
    :param statements: the module's top-level statements that hold its ``as_view`` calls,
        when known (the others are not visited); ``None``: every statement.
    :returns: the routes found.
    """
    imports = read_imports(module, path, files, roots)
    _add_local_classes(imports, module, path)
    routes: list[Route] = []
    calls: list[cst.Call] = []

    positional: set[cst.Call] = set()
    called_positionally: set[cst.Call] = set()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Call) and any(
                arg.star == "*" or (arg.keyword is None and index > 0)
                for index, arg in enumerate(node.args)
            ):
                # view = X.as_view(); view(request, *args): the function takes no positionals
                called_positionally.add(node.func)
                # wrapped first: protect_view(X.as_view())(request, *args)
                called_positionally.update(
                    arg.value for arg in node.func.args if isinstance(arg.value, cst.Call)
                )
            if _routes_positional_groups(node):
                positional.update(
                    arg.value for arg in node.args[1:2] if isinstance(arg.value, cst.Call)
                )
            found = _as_view_target(node, imports)
            if found is None:
                return
            target, how = found
            problem = ROUTE_ALIAS if how == "alias" else None
            kwargs = []
            for arg in node.args:
                if arg.keyword is None or arg.star:
                    problem = ROUTE_POSITIONAL_INITKWARGS
                else:
                    kwargs.append((arg.keyword.value, arg.value))
            if node in positional:
                problem = ROUTE_UNNAMED_GROUPS
            passes_args = node in called_positionally
            calls.append(node)
            routes.append(Route(path, None, target, tuple(kwargs), problem, passes_args))

    finder = Finder()
    for statement in module.body if statements is None else statements:
        statement.visit(finder)
    if not any(route.problem for route in routes):
        return routes  # positions cost a full code generation; only problems report lines
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return [
        replace(route, line=positions[call].start.line) if route.problem else route
        for route, call in zip(routes, calls, strict=True)
    ]


UNNAMED_GROUP = re.compile(r"(?<!\\)\((?!\?)")


def _routes_positional_groups(call: cst.Call) -> bool:
    """Tell whether a ``re_path()``/``url()`` call's regex has unnamed groups only.

    Django passes unnamed groups as positional arguments when the regex has no named group.
    """
    name = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
    if isinstance(call.func, cst.Name):
        name = call.func.value
    if name not in ("re_path", "url") or not call.args:
        return False
    pattern = call.args[0].value
    if not isinstance(pattern, cst.SimpleString | cst.ConcatenatedString):
        return False
    regex = str(pattern.evaluated_value)
    return bool(UNNAMED_GROUP.search(regex)) and "(?P<" not in regex


def rewrite_urlconf(
    path: str,
    module: cst.Module,
    renames: Mapping[ClassKey, str],
    files: Iterable[str],
    roots: Iterable[str],
) -> cst.Module:
    """Route a URLconf to the functions that replaced its class-based views.

    :param path: the URLconf's path.
    :param module: the parsed URLconf.
    :param renames: class -> function name, for the classes converted.
    :param files: every project file.
    :param roots: folders the project's code is imported from.
    :returns: the rewritten module (the same object when nothing changed).
    """
    imports = read_imports(module, path, files, roots)
    _add_local_classes(imports, module, path)
    for view_path, name in renames:
        if view_path == path:  # replaced by its function already: still the route's target
            imports.members.setdefault(name, (path, name, name))

    class Rewriter(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            found = _as_view_target(original, imports)
            if found is None or found[0] not in renames:
                return updated
            target, how = found
            owner = original.func.value  # type: ignore[attr-defined]
            if how == "alias":
                return updated
            if how == "member":
                return cst.Name(renames[target])
            return owner.with_changes(attr=cst.Name(renames[target]))

        def leave_ImportAlias(
            self, original: cst.ImportAlias, updated: cst.ImportAlias
        ) -> cst.ImportAlias:
            if original.asname is not None or not isinstance(original.name, cst.Name):
                return updated
            member = imports.members.get(original.name.value)
            if member is None:
                return updated
            key = (member[0], member[1])
            if key in renames:
                return updated.with_changes(name=cst.Name(renames[key]))
            return updated

    return module.visit(Rewriter())


def name_lines(text: str, name: str) -> list[int]:
    """List the lines where an identifier occurs as code (not in strings or comments).

    :param text: Python source.
    :param name: the identifier.
    :returns: 1-based line numbers, possibly repeated.
    """
    lines = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME and token.string == name:
                lines.append(token.start[0])
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [0]
    return lines
