"""Class and instance attributes that hold pytz zones, for the ``pytz-to-zoneinfo`` codemod.

``self.tz = pytz.timezone(...)`` in ``setUp()``, or ``TZ = pytz.utc`` in a class body read as
``self.TZ``, ``cls.TZ`` or ``Shop.TZ``. An attribute is traced only when every assignment to
that attribute name in the module is a plain assignment of a pytz zone of one kind, made by
the class itself (through ``self``/``cls``/its name in its methods, or in its body); classes
that share an instance with it (bases and subclasses in the module) must not assign it, and
unrelated classes may only assign it a zone of the same kind. Anything else (``del``,
augmented or tuple assignment, ``obj.tz = ...``, ``setattr``, ``__dict__``, annotated or
decorated class bodies, enum-like bases) leaves the attribute untraced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    ClassScope,
    ExpressionContext,
    ExpressionContextProvider,
    QualifiedNameProvider,
    ScopeProvider,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.zones import Zones, expression_kind

DOUBT = "doubt"  # an assignment that is not a plain zone assignment by the class itself
DYNAMIC_ATTRIBUTES = frozenset({"__dict__", "__setattr__", "__delattr__", "__slots__"})
DYNAMIC_CALLS = frozenset({"setattr", "delattr", "vars"})
# bases whose class attributes are not plain attributes (enum members, record fields)
SPECIAL_BASE_WORDS = ("Enum", "Flag", "Choices", "NamedTuple", "TypedDict", "Model", "Settings")
SPECIAL_BASE_ROOTS = frozenset(
    {"enum", "typing", "typing_extensions", "pydantic", "pydantic_settings", "attr", "attrs"}
)


@dataclass
class _Write:
    """One assignment to an attribute name: its owning class (``None``: another object)."""

    owner: cst.ClassDef | None
    kind: str
    class_level: bool = False


@dataclass
class _Classes:
    """What the scan found: classes, their methods' receivers, writes and reads."""

    bases: dict[cst.ClassDef, list[cst.ClassDef]] = field(default_factory=dict)
    special: set[cst.ClassDef] = field(default_factory=set)
    receivers: dict[cst.Param, cst.ClassDef] = field(default_factory=dict)
    writes: dict[str, list[_Write]] = field(default_factory=dict)
    reads: list[tuple[cst.Attribute, cst.ClassDef]] = field(default_factory=list)
    dynamic: bool = False


class AttributeZones(cst.CSTVisitor):
    """Third pass of the zone analysis: find reads of attributes that always hold one kind."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ExpressionContextProvider)

    def __init__(self, zones: Zones) -> None:
        super().__init__()
        self.zones = zones
        self.found = _Classes()
        self.stack: list[cst.CSTNode] = []
        self.assignment: cst.Assign | None = None

    # -- classes and methods --------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = []
        for arg in node.bases:
            owner = self.class_of(arg.value) if isinstance(arg.value, cst.Name) else None
            if owner is not None:
                bases.append(owner)
            elif self.special_base(arg.value):
                self.found.special.add(node)
        if node.decorators or node.keywords:
            self.found.special.add(node)
        self.found.bases[node] = bases
        first = node.body.body[0] if node.body.body else None
        scope = self.get_metadata(ScopeProvider, first, None) if first is not None else None
        if isinstance(scope, ClassScope):
            for assignment in scope.assignments:
                kind = self.zones.local.get(getattr(assignment, "node", None), DOUBT)  # type: ignore[arg-type]
                write = _Write(node, kind, class_level=True)
                self.found.writes.setdefault(assignment.name, []).append(write)
        self.stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = self.stack[-1] if self.stack else None
        self.stack.append(node)
        if not isinstance(owner, cst.ClassDef):
            return
        decorators = {cst.helpers.get_full_name_for_node(d.decorator) for d in node.decorators}
        positional = [*node.params.posonly_params, *node.params.params]
        if "staticmethod" not in decorators and positional:
            self.found.receivers[positional[0]] = owner

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    # -- attributes -----------------------------------------------------------------------------

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = node.attr.value
        if name in DYNAMIC_ATTRIBUTES:
            self.found.dynamic = True
        context = self.get_metadata(ExpressionContextProvider, node, None)
        owner = self.receiver_class(node.value)
        if context in (ExpressionContext.STORE, ExpressionContext.DEL):
            # a class's own assignments are made in its body: ``Shop.tz = ...`` elsewhere is not
            owner = owner if owner in self.stack else None
            kind = self.assigned_kind(node) if context == ExpressionContext.STORE else DOUBT
            self.found.writes.setdefault(name, []).append(_Write(owner, kind))
        elif owner is not None:
            self.found.reads.append((node, owner))

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in DYNAMIC_CALLS:
            name = node.args[1].value if len(node.args) > 1 else None
            if node.func.value == "vars" or not isinstance(name, cst.SimpleString):
                self.found.dynamic = True
            elif isinstance(name.evaluated_value, str):
                self.found.writes.setdefault(name.evaluated_value, []).append(_Write(None, DOUBT))

    def assigned_kind(self, target: cst.Attribute) -> str:
        """Return the kind a store to ``target`` assigns.

        :param target: an attribute in a store context.
        :returns: the zone kind of a plain ``target = <zone>``, else ``DOUBT``.
        """
        statement = self.assignment
        if isinstance(statement, cst.Assign) and [t.target for t in statement.targets] == [target]:
            return expression_kind(self, statement.value, self.zones) or DOUBT
        return DOUBT

    def visit_Assign(self, node: cst.Assign) -> None:
        self.assignment = node

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self.assignment = None

    def receiver_class(self, node: cst.BaseExpression) -> cst.ClassDef | None:
        """Return the class whose ``self``/``cls`` (or own name) ``node`` is.

        :param node: the object of an attribute reference.
        :returns: the class, or ``None`` for any other object.
        """
        if not isinstance(node, cst.Name):
            return None
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return None
        assignments = list(scope[node.value])
        if len(assignments) != 1:
            return None
        bound = getattr(assignments[0], "node", None)
        if isinstance(bound, cst.Param):
            return self.found.receivers.get(bound)
        return bound if isinstance(bound, cst.ClassDef) else None

    def class_of(self, node: cst.Name) -> cst.ClassDef | None:
        """Return the module's class a base-class name is bound to.

        :param node: a name in a class's bases.
        :returns: the class, or ``None`` when defined elsewhere or bound more than once.
        """
        scope = self.get_metadata(ScopeProvider, node, None)
        assignments = list(scope[node.value]) if scope is not None else []
        bound = getattr(assignments[0], "node", None) if len(assignments) == 1 else None
        return bound if isinstance(bound, cst.ClassDef) else None

    def special_base(self, node: cst.BaseExpression) -> bool:
        """Tell whether a base makes class attributes something else (enum members, fields).

        :param node: a base-class expression not defined in the module.
        :returns: ``True`` for enum, typing, pydantic, attrs bases and look-alikes.
        """
        dotted = cst.helpers.get_full_name_for_node(node) or ""
        qualified = {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}
        if any(q.split(".")[0] in SPECIAL_BASE_ROOTS for q in qualified):
            return True
        return any(word in dotted.split(".")[-1] for word in SPECIAL_BASE_WORDS)

    # -- the verdict ----------------------------------------------------------------------------

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.found.dynamic:
            return
        for node, owner in self.found.reads:
            kind = traced_kind(self.found, owner, node.attr.value)
            if kind is not None:
                self.zones.attributes[node] = kind


def traced_kind(found: _Classes, owner: cst.ClassDef, name: str) -> str | None:
    """Return the kind ``owner.<name>`` always holds, or ``None`` when in any doubt.

    :param found: the module's classes and attribute writes.
    :param owner: the class the attribute is read through.
    :param name: the attribute name.
    :returns: a zone kind, or ``None``.
    """
    writes = found.writes.get(name, [])
    own = [w for w in writes if w.owner is owner]
    kinds = {w.kind for w in writes}
    if not own or len(kinds) != 1 or DOUBT in kinds:
        return None
    if any(w.class_level for w in own) and _lineage(found, owner) & found.special:
        return None
    related = _related(found, owner)
    if any(w.owner is None or (w.owner is not owner and w.owner in related) for w in writes):
        return None
    return kinds.pop()


def _lineage(found: _Classes, node: cst.ClassDef) -> set[cst.ClassDef]:
    """Return ``node`` and its bases defined in the module, transitively."""
    seen: set[cst.ClassDef] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(found.bases.get(current, []))
    return seen


def _related(found: _Classes, node: cst.ClassDef) -> set[cst.ClassDef]:
    """Return the module's classes that can share an instance with ``node``.

    Those are the classes with a common descendant (or self): bases, subclasses and the other
    bases of subclasses.
    """
    related: set[cst.ClassDef] = set()
    for candidate in found.bases:
        lineage = _lineage(found, candidate)
        if node in lineage:
            related |= lineage
    return related
