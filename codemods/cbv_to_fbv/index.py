"""What ``cbv-to-fbv`` reads of a module before it converts anything, from ``ast``.

Red Panda Approval V1-02, "Views". Finding the class-based views of a project means reading
the imports and the top-level classes (their names, lines and bases) of every module that may
hold one, and of the modules their bases come from. ``ast`` (in C) gives that about ten times
faster than libcst, so the modules are read with ``ast`` first; libcst parses only the modules a
conversion reads or rewrites, each text once. A module ``ast`` cannot read (syntax newer than
the running Python) is read through libcst, with the same result.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.cbv_to_fbv.analysis import dotted_name, module_imports
from redpanda_migrate.codemods.shared.ast_names import dotted_name as ast_dotted_name


@dataclass
class ModuleFacts:
    """The top level of one module, as base-class resolution reads it.

    :param imports: local name -> dotted name (see :func:`.analysis.module_imports`).
    :param top_level: the names its classes, functions and simple assignments bind.
    :param class_lines: every top-level class, in order (a name defined twice comes twice),
        with the line of its ``class`` keyword.
    :param bases: each class's bases as written (dotted names; ``None`` for anything else),
        the last definition of a name winning.
    """

    imports: dict[str, str] = field(default_factory=dict)
    top_level: set[str] = field(default_factory=set)
    class_lines: list[tuple[str, int]] = field(default_factory=list)
    bases: dict[str, tuple[str | None, ...]] = field(default_factory=dict)

    @property
    def class_names(self) -> set[str]:
        """The names of the module's top-level classes."""
        return {name for name, _line in self.class_lines}


def facts_from_ast(tree: ast.Module) -> ModuleFacts:
    """Read a module's top level from its ``ast`` tree.

    :param tree: the parsed module.
    :returns: what :func:`facts_from_cst` returns for the same text.
    """
    facts = ModuleFacts()
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom):
            if any(alias.name == "*" for alias in statement.names):
                continue
            source = "." * statement.level + (statement.module or "")
            for alias in statement.names:
                local = alias.asname or alias.name
                facts.imports[local] = f"{source}.{alias.name}" if source else alias.name
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    facts.imports[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    facts.imports[head] = head
        elif isinstance(statement, ast.ClassDef):
            facts.top_level.add(statement.name)
            facts.class_lines.append((statement.name, statement.lineno))
            # libcst's bases are the positional and starred arguments, the star dropped
            facts.bases[statement.name] = tuple(
                ast_dotted_name(base.value if isinstance(base, ast.Starred) else base) or None
                for base in statement.bases
            )
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            facts.top_level.add(statement.name)
        elif isinstance(statement, ast.Assign):
            facts.top_level.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return facts


def facts_from_cst(module: cst.Module) -> ModuleFacts:
    """Read a module's top level from its libcst tree (for text ``ast`` cannot read).

    :param module: the parsed module.
    :returns: its imports, top-level names and classes.
    """
    facts = ModuleFacts(imports=module_imports(module, ""))
    positions = None
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            if positions is None:
                wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
                positions = wrapper.resolve(PositionProvider)
            name = statement.name.value
            facts.top_level.add(name)
            facts.class_lines.append((name, positions[statement].start.line))
            facts.bases[name] = tuple(dotted_name(arg.value) for arg in statement.bases)
        elif isinstance(statement, cst.FunctionDef):
            facts.top_level.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    facts.top_level.update(
                        t.target.value for t in small.targets if isinstance(t.target, cst.Name)
                    )
    return facts


class SourceIndex:
    """The project's Python texts, each read (``ast``) and parsed (libcst) at most once.

    :param texts: path -> source of every Python file.
    """

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = texts
        self._facts: dict[str, ModuleFacts | None] = {}
        self._trees: dict[str, ast.Module | None] = {}
        self._modules: dict[str, cst.Module | None] = {}

    def facts(self, path: str) -> ModuleFacts | None:
        """Read a module's top level.

        :param path: a Python file of the project.
        :returns: its facts, or ``None`` when it is not a project file or is not valid Python.
        """
        if path in self._facts:
            return self._facts[path]
        tree = self.tree(path)
        facts: ModuleFacts | None = None
        if tree is not None:
            facts = facts_from_ast(tree)
        elif path in self.texts:
            module = self.module(path)
            facts = facts_from_cst(module) if module is not None else None
        self._facts[path] = facts
        return facts

    def tree(self, path: str) -> ast.Module | None:
        """Parse a module with ``ast``, once.

        :param path: a Python file of the project.
        :returns: its tree, or ``None`` when it is not a project file or ``ast`` cannot
            parse it.
        """
        if path not in self._trees:
            text = self.texts.get(path)
            tree = None
            if text is not None:
                try:
                    tree = ast.parse(text)
                except (SyntaxError, ValueError):
                    tree = None
            self._trees[path] = tree
        return self._trees[path]

    def module(self, path: str) -> cst.Module | None:
        """Parse a module with libcst, once.

        :param path: a Python file of the project.
        :returns: its syntax tree, or ``None`` when it is not a project file or libcst
            cannot parse it.
        """
        if path in self._modules:
            return self._modules[path]
        text = self.texts.get(path)
        module: cst.Module | None = None
        if text is not None:
            try:
                module = cst.parse_module(text)
            except cst.ParserSyntaxError:
                module = None
        self._modules[path] = module
        return module


class LazyClasses(Mapping[tuple[str, str], cst.ClassDef]):
    """Project classes by (path, name); a class's libcst node is parsed when it is read.

    :param index: the project's modules.
    """

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self._keys: dict[tuple[str, str], None] = {}
        self._nodes: dict[tuple[str, str], cst.ClassDef] = {}

    def register(self, key: tuple[str, str]) -> None:
        """Add a class (its node is read later, if at all)."""
        self._keys[key] = None

    def __getitem__(self, key: tuple[str, str]) -> cst.ClassDef:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._nodes:
            module = self.index.module(key[0])
            if module is None:
                raise KeyError(key)
            for statement in module.body:  # the last definition of a name wins
                if isinstance(statement, cst.ClassDef):
                    self._nodes[(key[0], statement.name.value)] = statement
        return self._nodes[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys


class LazyModules(Mapping[str, cst.Module]):
    """Some of the project's modules by path, in order; each parsed by libcst when read.

    :param index: the project's modules.
    :param paths: the paths this mapping holds; reading one libcst cannot parse raises
        ``KeyError``.
    """

    def __init__(self, index: SourceIndex, paths: Iterable[str]) -> None:
        self.index = index
        self.paths = list(dict.fromkeys(paths))

    def __getitem__(self, path: str) -> cst.Module:
        module = self.index.module(path) if path in self.paths else None
        if module is None:
            raise KeyError(path)
        return module

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def routed_names(tree: ast.Module) -> set[str]:
    """List the class names a module's ``X.as_view()`` calls may route to.

    A superset of what :func:`.urls.find_routes` resolves: the name before ``.as_view``,
    and the original name of a top-level ``from ... import X as Y`` for a ``Y.as_view()``.

    :param tree: the module's ``ast`` tree.
    :returns: class names.
    """
    owners: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "as_view"
        ):
            owner = node.func.value
            if isinstance(owner, ast.Name):
                owners.add(owner.id)
            elif isinstance(owner, ast.Attribute):
                owners.add(owner.attr)
    names = set(owners)
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom):
            names.update(a.name for a in statement.names if a.asname and a.asname in owners)
    return names


def statements_mentioning(
    text: str, tree: ast.Module, module: cst.Module, word: str
) -> list[cst.BaseStatement] | None:
    """Pick the top-level statements of a module whose lines contain ``word``.

    Visiting a whole libcst tree costs about as much as parsing it; a search that can only
    match code containing ``word`` (``as_view``) visits these statements instead.

    :param text: the module's source.
    :param tree: its ``ast`` tree.
    :param module: its libcst tree.
    :param word: the text to look for (in code, strings or comments alike).
    :returns: the statements, in order, or ``None`` when the two trees do not line up.
    """
    if "\r" in text or "\f" in text:
        return None  # lines counted otherwise than by "\n": visit everything
    groups: list[int] = []  # how many ast statements each libcst statement holds
    for statement in module.body:
        groups.append(len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1)
    if sum(groups) != len(tree.body):
        return None
    lines = set()
    start = text.find(word)
    while start != -1:
        lines.add(text.count("\n", 0, start) + 1)
        start = text.find(word, start + 1)
    picked: list[cst.BaseStatement] = []
    first, previous_end = 0, 0
    for statement, count in zip(module.body, groups, strict=True):
        last = tree.body[first + count - 1]
        end = last.end_lineno or last.lineno
        if any(previous_end < line <= end for line in lines):
            picked.append(statement)
        first, previous_end = first + count, end
    if lines and not picked:
        return None
    return picked
