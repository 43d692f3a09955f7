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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import dotted_name, module_imports


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


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


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
                _dotted(base.value if isinstance(base, ast.Starred) else base) or None
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
                wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
                positions = wrapper.resolve(cst.metadata.PositionProvider)
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
        self._modules: dict[str, cst.Module | None] = {}

    def facts(self, path: str) -> ModuleFacts | None:
        """Read a module's top level.

        :param path: a Python file of the project.
        :returns: its facts, or ``None`` when it is not a project file or is not valid Python.
        """
        if path in self._facts:
            return self._facts[path]
        text = self.texts.get(path)
        facts: ModuleFacts | None = None
        if text is not None:
            try:
                facts = facts_from_ast(ast.parse(text))
            except (SyntaxError, ValueError):
                module = self.module(path)
                facts = facts_from_cst(module) if module is not None else None
        self._facts[path] = facts
        return facts

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
