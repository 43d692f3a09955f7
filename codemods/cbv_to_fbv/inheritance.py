"""Project base classes and mixins, read through to what they inherit, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A view often
inherits from a class of the project (``CoreAddView``, a ``LoginRequiredMixin`` that adds
``never_cache``) rather than from Django's views directly. This module finds those classes in
the project's own modules and lays a view out flat: Django's bases and mixins in method
resolution order (with the project mixins' ``method_decorator(..., name="dispatch")`` at their
place in the chain), and every attribute and method the view ends up with, the nearest
definition winning, as Python's lookup does. The flat class is then described and converted
like a class written directly on Django's views.
"""

from __future__ import annotations

import builtins
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    DispatchDecorators,
    DispatchGuard,
    dotted_name,
    qualified_base,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import NameUses, Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.compose import (
    calls_super,
    compose_init,
    compose_super,
    is_docstring_or_pass,
)
from redpanda_migrate.codemods.cbv_to_fbv.compose_tail import (
    compose_after_prelude,
    compose_tail,
)
from redpanda_migrate.codemods.cbv_to_fbv.foreign_names import qualify_clashing_globals
from redpanda_migrate.codemods.cbv_to_fbv.guards import is_guard_dispatch
from redpanda_migrate.codemods.cbv_to_fbv.hoist import hoist_base_method, narrow_pass_through
from redpanda_migrate.codemods.cbv_to_fbv.index import LazyClasses, SourceIndex
from redpanda_migrate.codemods.cbv_to_fbv.urls import module_file

ClassKey = tuple[str, str]  # (module path, class name)


@dataclass
class FlatClass:
    """A view with its project bases read through.

    :param chain: Django's bases and mixins (dotted names) and the project mixins' dispatch
        decorators, in method resolution order.
    :param node: the class with the members it inherits from project bases added to its body
        (its own first), and every ``super(Owner, self)`` written ``super()``.
    :param project_bases: the project classes it inherits from, nearest first.
    :param imports: ``(module, name)`` pairs inherited members need in the view's module.
    """

    chain: list[str | DispatchDecorators | DispatchGuard]
    node: cst.ClassDef
    project_bases: list[ClassKey] = field(default_factory=list)
    imports: set[tuple[str, str]] = field(default_factory=set)


def dotted_module(path: str, roots: Iterable[str]) -> str | None:
    """Spell a project file as the dotted module Python imports it under.

    :param path: ``src/helpdesk/views/staff.py``.
    :param roots: the folders the project's code is imported from.
    :returns: ``helpdesk.views.staff``, or ``None`` when no root holds it.
    """
    stem = path[: -len("/__init__.py")] if path.endswith("/__init__.py") else path[:-3]
    for root in sorted(roots, key=len, reverse=True):
        if not root:
            return stem.replace("/", ".")
        if stem.startswith(f"{root}/"):
            return stem[len(root) + 1 :].replace("/", ".")
    return None


class ProjectClasses:
    """Every top-level class of the modules read, and how their bases resolve.

    Bases are resolved from each module's ``ast`` facts; a class's libcst node is parsed only
    when a conversion reads it (see :class:`.index.LazyClasses`).

    :param index: the project's Python modules.
    :param paths: the modules read first (those that may hold views), in order.
    :param files: every project file.
    :param roots: the folders the project's code is imported from.
    """

    def __init__(
        self,
        index: SourceIndex,
        paths: Iterable[str],
        files: Iterable[str],
        roots: list[str],
    ) -> None:
        self.index = index
        self.loaded: set[str] = set()
        # the classes being linearized, innermost last: a guard against bases that loop
        self._linearizing: list[ClassKey] = []
        self.imports: dict[str, dict[str, str]] = {}
        self.files = frozenset(files)
        self.roots = roots
        self.classes = LazyClasses(index)
        self._bases: dict[ClassKey, tuple[str | None, ...]] = {}
        self.top_level: dict[str, set[str]] = {}
        self._files_of: dict[tuple[str, str], str | None] = {}
        for path in paths:
            self._load(path)

    def _load(self, path: str) -> bool:
        """Read a project module a base lives in that the first scan skipped (a plain mixin)."""
        if path in self.loaded:
            return True
        facts = self.index.facts(path)
        if facts is None:
            return False
        self.loaded.add(path)
        self.imports[path] = facts.imports
        names = self.top_level.setdefault(path, set())
        names |= facts.top_level
        for name, _line in facts.class_lines:
            self.classes.register((path, name))
        for name, bases in facts.bases.items():
            self._bases[(path, name)] = bases
        return True

    def _file_of(self, path: str, module: str) -> str | None:
        key = (posixpath.dirname(path) if module.startswith(".") else "", module)
        if key not in self._files_of:
            self._files_of[key] = self._find_file(path, module)
        return self._files_of[key]

    def _find_file(self, path: str, module: str) -> str | None:
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            base = posixpath.dirname(path)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            rest = module[level:].replace(".", "/")
            folder = posixpath.join(base, rest) if rest else base
            for candidate in (f"{folder}.py", f"{folder}/__init__.py"):
                if self._load(candidate):
                    return candidate
            return None
        found = module_file(module, self.files, self.roots)
        return found if found is not None and self._load(found) else None

    def resolve(
        self, path: str, written: str, depth: int = 0, defining: str | None = None
    ) -> ClassKey | str:
        """Find the class a base spelled in a module stands for.

        :param path: the module the base is written in.
        :param written: the base as written (``mixins.LoginRequiredMixin``).
        :param defining: the name of the class whose base it is: in
            ``class ListView(ListView)`` the base is the name bound before the class, an import.
        :returns: the project class's key, or the dotted name of a class outside the project.
        """
        if "." not in written and written != defining and (path, written) in self.classes:
            return (path, written)
        qualified = qualified_base(written, self.imports.get(path, {}))
        module, _, name = qualified.rpartition(".")
        if not module or depth > 3:
            return qualified
        target = self._file_of(path, module)
        if target is None:
            return qualified
        if (target, name) in self.classes:
            return (target, name)
        if name in self.imports.get(target, {}):  # re-exported by a package's __init__
            return self.resolve(target, name, depth + 1)
        return qualified

    def bases(self, key: ClassKey) -> list[ClassKey | str]:
        """Resolve a project class's bases.

        :param key: the class.
        :returns: project class keys and outside dotted names, in the order written.
        :raises Unsupported: for a base that is not a plain (dotted) name.
        """
        resolved: list[ClassKey | str] = []
        for written in self._bases[key]:
            if written is None:
                raise Unsupported("has a computed base class")
            resolved.append(self.resolve(key[0], written, defining=key[1]))
        return resolved

    def ancestry(self, key: ClassKey) -> set[str]:
        """Collect the outside classes a project class inherits from, through project bases.

        :param key: the class.
        :returns: dotted names (``django.views.generic.edit.CreateView``, ``rest_framework...``).
        """
        seen: set[ClassKey] = set()
        found: set[str] = set()
        pending = [key]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                bases = self.bases(current)
            except Unsupported:
                continue
            for base in bases:
                if isinstance(base, str):
                    found.add(base)
                else:
                    pending.append(base)
        return found

    def linearize(self, key: ClassKey) -> list[ClassKey | str]:
        """Compute a class's method resolution order (C3), outside classes taken as leaves.

        :param key: the class.
        :returns: the class itself, then its ancestors in the order Python looks them up.
        :raises Unsupported: when Python itself could not order the bases.
        """
        if key in self._linearizing:
            raise Unsupported(f"inherits from itself through {key[1]} in {key[0]}")
        bases = self.bases(key)
        self._linearizing.append(key)
        try:
            sequences = [
                self.linearize(base) if not isinstance(base, str) else [base] for base in bases
            ]
        finally:
            self._linearizing.pop()
        sequences.append(list(bases))
        result: list[ClassKey | str] = [key]
        sequences = [list(sequence) for sequence in sequences if sequence]
        while sequences:
            for sequence in sequences:
                head = sequence[0]
                if not any(head in other[1:] for other in sequences):
                    break
            else:
                raise Unsupported("has bases Python cannot order (inconsistent MRO)")
            result.append(head)
            sequences = [[item for item in seq if item != head] for seq in sequences]
            sequences = [seq for seq in sequences if seq]
        return result


# Decorators that never look at their arguments: on a method they act as on a function.
PASS_THROUGH_DECORATORS = {
    "django.views.decorators.csrf.csrf_exempt",
    "django.views.decorators.clickjacking.xframe_options_exempt",
    "django.views.decorators.clickjacking.xframe_options_deny",
    "django.views.decorators.clickjacking.xframe_options_sameorigin",
}
DISPATCH_DECORATOR = (
    "decorates dispatch() with a decorator that expects a request, not self; wrap it in "
    "method_decorator() first"
)
SUPER_INTO_PROJECT_BASE = (
    "extends a method of a project base class with super(); merge the two methods by hand "
    "(or convert the base first)"
)


class _SuperOfOwner(cst.CSTTransformer):
    """``super(Owner, self)`` -> ``super()``: the same lookup inside a method of ``Owner``."""

    def __init__(self, owner: str) -> None:
        super().__init__()
        self.owner = owner

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if (
            isinstance(updated.func, cst.Name)
            and updated.func.value == "super"
            and len(updated.args) == 2
            and dotted_name(updated.args[0].value) == self.owner
            and dotted_name(updated.args[1].value) == "self"
        ):
            return updated.with_changes(args=())
        return updated


def _member_names(statement: cst.BaseStatement) -> list[str]:
    if isinstance(statement, cst.FunctionDef):
        return [statement.name.value]
    names = []
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Assign | cst.AnnAssign):
                targets = small.targets if isinstance(small, cst.Assign) else [small]
                names += [t.target.value for t in targets if isinstance(t.target, cst.Name)]
    return names


def _statements(node: cst.ClassDef) -> list[cst.BaseStatement]:
    if isinstance(node.body, cst.IndentedBlock):
        return list(node.body.body)
    return [cst.SimpleStatementLine(body=list(node.body.body))]


class Flattener:
    """Lay out views flat over the project's classes (see :class:`FlatClass`).

    :param classes: the project's classes.
    """

    def __init__(self, classes: ProjectClasses) -> None:
        self.classes = classes

    def flatten(self, key: ClassKey) -> FlatClass:
        """Read a view through its project bases.

        :param key: the view class.
        :returns: its flat layout.
        :raises Unsupported: when an inherited member cannot be moved into the view's module,
            or a method overrides a project base's method and calls it with ``super()``.
        """
        path, name = key
        mro = self.classes.linearize(key)
        node = self.classes.classes[key]
        own = [s.visit(_SuperOfOwner(name)) for s in _statements(node)]
        defined: dict[str, str] = {member: name for s in own for member in _member_names(s)}
        methods: dict[str, cst.FunctionDef] = {
            s.name.value: s for s in own if isinstance(s, cst.FunctionDef)
        }
        flat = FlatClass(chain=[], node=node)
        own_dispatch = self._dispatch_entry(key, methods.get("dispatch"), path)
        if own_dispatch is not None:
            dispatch = methods.pop("dispatch")
            own = [s for s in own if s is not dispatch]
            defined.pop("dispatch")
            if not isinstance(own_dispatch, DispatchDecorators) or own_dispatch.codes:
                flat.chain.append(own_dispatch)
        merged = list(own)
        for entry in mro[1:]:
            if isinstance(entry, str):
                flat.chain.append(entry)
                continue
            flat.project_bases.append(entry)
            base_node = self.classes.classes[entry]
            group = self._decorators(entry, path)
            if group is not None:
                flat.chain.append(group)
            for statement in _statements(base_node):
                if is_docstring_or_pass(statement):
                    continue
                statement = statement.visit(_SuperOfOwner(entry[1]))
                if entry[0] != path:
                    statement, qualified = qualify_clashing_globals(
                        statement,
                        dotted_module(entry[0], self.classes.roots),
                        self.classes.top_level.get(entry[0], ()),
                        self.classes.top_level.get(path, set())
                        | {
                            local
                            for local in self.classes.imports.get(path, {})
                            if self.classes.resolve(path, local) != (entry[0], local)
                        },
                    )
                    flat.imports |= qualified
                if isinstance(statement, cst.FunctionDef) and statement.name.value == "dispatch":
                    found = self._dispatch_entry(entry, statement, path)
                    if found is not None:
                        if not isinstance(found, DispatchDecorators) or found.codes:
                            flat.chain.append(found)
                        continue
                names = _member_names(statement)
                if not names and not isinstance(statement, cst.FunctionDef):
                    raise Unsupported(
                        f"inherits from {entry[1]}, which has a class-level statement other "
                        f"than an attribute or a method; convert {entry[1]} by hand first"
                    )
                fresh = [member for member in names if member not in defined]
                if not fresh:
                    for member in names:
                        override = methods.get(member)
                        if member == "__init__" and override is not None:
                            assert isinstance(statement, cst.FunctionDef)
                            composed = compose_init(override, statement)
                            if composed is not None:
                                methods[member] = composed
                                merged = [composed if s is override else s for s in merged]
                                continue
                        if override is not None and calls_super(override, member):
                            assert isinstance(statement, cst.FunctionDef)
                            statement = narrow_pass_through(override, statement)
                            composed = compose_super(override, statement)
                            if composed is None:
                                composed = compose_tail(override, statement)
                            if composed is None:
                                composed = compose_after_prelude(override, statement)
                            if composed is not None:
                                methods[member] = composed
                                merged = [composed if s is override else s for s in merged]
                                if entry[0] != path:
                                    flat.imports |= self._foreign_names(entry[0], statement, path)
                                continue
                            hoisted = hoist_base_method(override, statement, member, defined)
                            if hoisted is not None:
                                methods[member], helper = hoisted
                                merged = [methods[member] if s is override else s for s in merged]
                                merged.append(helper)
                                methods[helper.name.value] = helper
                                defined[helper.name.value] = entry[1]
                                if entry[0] != path:
                                    flat.imports |= self._foreign_names(entry[0], statement, path)
                                continue
                            raise Unsupported(
                                f"{SUPER_INTO_PROJECT_BASE}: {defined[member]}.{member}() calls "
                                f"{entry[1]}.{member}()"
                            )
                    continue
                if len(fresh) != len(names):
                    raise Unsupported(f"inherits a multiple assignment from {entry[1]}")
                if isinstance(statement, cst.FunctionDef):
                    methods[statement.name.value] = statement
                for member in names:
                    defined[member] = entry[1]
                if entry[0] != path:
                    flat.imports |= self._foreign_names(entry[0], statement, path)
                merged.append(statement)
        if isinstance(node.body, cst.IndentedBlock):
            flat.node = node.with_changes(body=node.body.with_changes(body=merged))
        elif flat.project_bases:
            flat.node = node.with_changes(body=cst.IndentedBlock(body=merged))
        return flat

    def _dispatch_entry(
        self, key: ClassKey, method: cst.FunctionDef | None, view_path: str
    ) -> DispatchDecorators | DispatchGuard | None:
        """Read a class's ``dispatch()`` as decorators or a guard at its place in the chain."""
        found = self._passthrough_dispatch(key, method, view_path)
        if found is not None or method is None or not is_guard_dispatch(method):
            return found
        needed = self._foreign_names(key[0], method, view_path) if key[0] != view_path else set()
        return DispatchGuard(key[1], method, frozenset(needed))

    def _passthrough_dispatch(
        self, key: ClassKey, method: cst.FunctionDef | None, view_path: str
    ) -> DispatchDecorators | None:
        """Read ``dispatch()`` that only calls ``super().dispatch()`` as its decorators.

        ``@method_decorator(X)`` on it is ``X`` on the view at the class's place in the chain;
        a plain decorator qualifies only when it never looks at its arguments
        (:data:`PASS_THROUGH_DECORATORS`: ``csrf_exempt``, ``xframe_options_*``).

        :returns: the decorators (none for an undecorated pass-through), or ``None`` when the
            method does more than pass its arguments on.
        """
        if method is None or method.asynchronous is not None:
            return None
        body = method.body.body if isinstance(method.body, cst.IndentedBlock) else []
        statements = [s for s in body if not is_docstring_or_pass(s)]
        params = method.params
        names = [p.name.value for p in params.params]
        star = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
        double = params.star_kwarg.name.value if params.star_kwarg is not None else None
        expected = ", ".join([*names[1:], *([f"*{star}"] if star else []), f"**{double}"])
        if len(statements) != 1 or double is None or params.kwonly_params:
            return None
        code = cst.Module(body=[]).code_for_node(statements[0].with_changes(leading_lines=()))
        code = code.strip()
        if code != f"return super().dispatch({expected})":
            return None
        imports = self.classes.imports.get(key[0], {})
        codes: list[str] = []
        needed: set[tuple[str, str]] = set()
        for decorator in method.decorators:
            expression = decorator.decorator
            written = dotted_name(expression)
            if written is not None and qualified_base(written, imports) in PASS_THROUGH_DECORATORS:
                elements = [expression]
            elif (
                isinstance(expression, cst.Call)
                and qualified_base(dotted_name(expression.func) or "", imports)
                == "django.utils.decorators.method_decorator"
                and len(expression.args) == 1
                and expression.args[0].keyword is None
            ):
                value = expression.args[0].value
                elements = (
                    [element.value for element in value.elements]
                    if isinstance(value, cst.List | cst.Tuple)
                    else [value]
                )
            else:
                raise Unsupported(
                    f"{DISPATCH_DECORATOR}: {key[1]}.dispatch() "
                    f"@{cst.Module(body=[]).code_for_node(expression)}"
                )
            for element in elements:
                codes.append(cst.Module(body=[]).code_for_node(element))
                if key[0] != view_path:
                    needed |= self._foreign_names(key[0], element, view_path)
        return DispatchDecorators(f"{key[1]}.dispatch", tuple(codes), frozenset(needed))

    def _decorators(self, key: ClassKey, view_path: str) -> DispatchDecorators | None:
        node = self.classes.classes[key]
        if not node.decorators:
            return None
        imports = self.classes.imports.get(key[0], {})
        codes: list[str] = []
        needed: set[tuple[str, str]] = set()
        for decorator in node.decorators:
            call = decorator.decorator
            if not (
                isinstance(call, cst.Call)
                and qualified_base(dotted_name(call.func) or "", imports)
                == "django.utils.decorators.method_decorator"
            ):
                raise Unsupported(
                    f"inherits from {key[1]}, whose class decorator is not "
                    'method_decorator(..., name="dispatch"); convert it by hand first'
                )
            positional = [arg.value for arg in call.args if arg.keyword is None]
            names = [arg.value for arg in call.args if arg.keyword and arg.keyword.value == "name"]
            if (
                len(positional) != 1
                or len(names) != 1
                or not isinstance(names[0], cst.SimpleString)
                or names[0].evaluated_value != "dispatch"
            ):
                raise Unsupported(
                    f"inherits from {key[1]}, which decorates something other than dispatch"
                )
            value = positional[0]
            elements = (
                [element.value for element in value.elements]
                if isinstance(value, cst.List | cst.Tuple)
                else [value]
            )
            for element in elements:
                code = cst.Module(body=[]).code_for_node(element)
                if key[0] != view_path:
                    needed |= self._foreign_names(key[0], element, view_path)
                codes.append(code)
        return DispatchDecorators(key[1], tuple(codes), frozenset(needed))

    def _foreign_names(
        self, source_path: str, node: cst.CSTNode, view_path: str
    ) -> set[tuple[str, str]]:
        """List the imports code moved from ``source_path`` needs in the view's module."""
        uses = NameUses()
        node.visit(uses)
        imports = self.classes.imports.get(source_path, {})
        top_level = self.classes.top_level.get(source_path, set())
        needed: set[tuple[str, str]] = set()
        for used in sorted(uses.names):
            if used in imports:
                dotted = imports[used]
                module, _, original = dotted.rpartition(".")
                if not module or original != used:
                    raise Unsupported(
                        f"inherits code from {source_path} that uses {used}, imported there "
                        "in a way the view's module cannot repeat; convert the base by hand"
                    )
                if module.startswith("."):
                    target = self.classes._file_of(source_path, module)
                    absolute = (
                        dotted_module(target, self.classes.roots) if target is not None else None
                    )
                    if absolute is None:
                        raise Unsupported(
                            f"inherits code from {source_path} that uses {used}, which cannot "
                            "be imported from the view's module"
                        )
                    module = absolute
                needed.add((module, used))
            elif used in top_level:
                module = dotted_module(source_path, self.classes.roots)
                if module is None:
                    raise Unsupported(
                        f"inherits code from {source_path} that uses {used}, which cannot be "
                        "imported from the view's module"
                    )
                needed.add((module, used))
            elif used == "self" or hasattr(builtins, used):
                continue
        del view_path
        return needed
