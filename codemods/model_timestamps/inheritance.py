"""Telling statically what kind of Django model a class is, through its bases.

A base is resolved through the module's imports to a class of the project (read from its
source), to a well-known class of Django or of a popular package (described in
:mod:`._models_known`), or to something unknown. Unknown bases are never guessed at: the caller
refuses the class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from redpanda_migrate.codemods.model_timestamps.known_bases import (
    KnownBase,
    known_base,
    known_not_model,
)
from redpanda_migrate.codemods.model_timestamps.reading import read_module
from redpanda_migrate.codemods.model_timestamps.source import (
    UNKNOWN,
    ClassInfo,
    Member,
    ModuleInfo,
)

STDLIB_ROOTS = frozenset({"abc", "builtins", "collections", "dataclasses", "enum", "typing"})
MODEL_ROOTS = frozenset(
    {"django.db.models.Model", "django.db.models.base.Model", "django.contrib.gis.db.models.Model"}
)
NON_MODEL_SUFFIXES = ("Manager", "QuerySet", "Queryset", "Choices", "Mixin")


@dataclass(frozen=True)
class Resolved:
    """What a base expression stands for.

    :param kind: ``model`` (``models.Model``), ``project`` (a class of the project),
        ``known`` (an entry of :data:`._models_known.KNOWN_BASES`), ``other`` (surely not a
        model) or ``unknown``.
    :param name: the qualified name, for messages.
    :param module: for ``project``, the module defining the class.
    :param info: for ``project``, the class.
    :param known: for ``known``, its description.
    """

    kind: str
    name: str
    module: ModuleInfo | None = None
    info: ClassInfo | None = None
    known: KnownBase | None = None


@dataclass
class Lineage:
    """What a class inherits, gathered over its bases.

    :param is_model: some base chain reaches ``models.Model``.
    :param concrete_parents: qualified names of concrete model bases (multi-table inheritance).
    :param unknown_bases: qualified names that could not be resolved.
    :param fields: date fields inherited from abstract bases, name -> member.
    :param non_fields: other names inherited from abstract bases and mixins, name -> (member,
        where it is defined).
    :param known_fields: fields of well-known abstract bases, name -> ``created``/``updated``,
        with the base's name.
    :param managed: ``Meta.managed`` inherited from an abstract base, when one sets it.
    """

    is_model: bool = False
    concrete_parents: list[str] = field(default_factory=list)
    unknown_bases: list[str] = field(default_factory=list)
    fields: dict[str, Member] = field(default_factory=dict)
    non_fields: dict[str, tuple[Member, str]] = field(default_factory=dict)
    known_fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    managed: object = None


class ProjectModules:
    """The project's Python modules, read lazily by dotted name.

    :param texts: project-relative path -> text of the Python files at hand.
    :param source_roots: folders Python imports from.
    """

    def __init__(self, texts: Mapping[str, str], source_roots: tuple[str, ...]) -> None:
        self.texts = texts
        self.source_roots = source_roots
        self._by_path: dict[str, ModuleInfo] = {}

    def by_path(self, path: str) -> ModuleInfo:
        """Read the module at a path (cached).

        :param path: a path of :attr:`texts`.
        :returns: the module summary.
        :raises InputError: when it does not parse.
        """
        if path not in self._by_path:
            self._by_path[path] = read_module(path, self.texts[path], self.source_roots)
        return self._by_path[path]

    def forget_syntax(self, path: str) -> None:
        """Drop the syntax tree of a module that will not be rewritten.

        Judged modules keep only their summary: a large project's trees, kept alive, would make
        every garbage collection of the run walk them.

        :param path: a path already read.
        """
        self._by_path[path] = replace(self._by_path[path], syntax=None)

    def by_name(self, dotted: str) -> ModuleInfo | None:
        """Find a project module by dotted name under any source root.

        :param dotted: e.g. ``core.models``.
        :returns: the module, or ``None`` when the project does not hold it.
        """
        path = self.path_of(dotted)
        return self.by_path(path) if path is not None else None

    def path_of(self, dotted: str) -> str | None:
        """Find the path of a project module by dotted name, without reading it.

        :param dotted: e.g. ``core.models``.
        :returns: its path, or ``None`` when the project does not hold it.
        """
        relative = dotted.replace(".", "/")
        for root in self.source_roots:
            prefix = f"{root}/" if root else ""
            for candidate in (f"{prefix}{relative}.py", f"{prefix}{relative}/__init__.py"):
                if candidate in self.texts:
                    return candidate
        return None


def resolve_base(
    modules: ProjectModules, module: ModuleInfo, text: str, depth: int = 0
) -> Resolved:
    """Resolve a base class expression written in a module.

    :param modules: the project's modules.
    :param module: the module the expression is written in.
    :param text: the expression as dotted text (``models.Model``, ``Base``); ``""`` when it is
        not a dotted name.
    :param depth: re-export hops followed so far.
    :returns: what it stands for.
    """
    if not text:
        return Resolved("unknown", "<expression>")
    head, _, rest = text.partition(".")
    if head in module.classes and not rest:
        return Resolved("project", f"{module.dotted}.{head}", module, module.classes[head])
    if head in module.imports:
        qualified = module.imports[head] + (f".{rest}" if rest else "")
        return resolve_qualified(modules, qualified, depth)
    if module.star_imports:
        return Resolved("unknown", text)
    return Resolved("other", text)  # a builtin such as object or Exception


def resolve_qualified(modules: ProjectModules, qualified: str, depth: int = 0) -> Resolved:
    """Resolve a fully qualified class name.

    :param modules: the project's modules.
    :param qualified: e.g. ``django.db.models.Model`` or ``core.models.TimeStamped``.
    :param depth: re-export hops followed so far.
    :returns: what it stands for.
    """
    if qualified in MODEL_ROOTS:
        return Resolved("model", qualified)
    known = known_base(qualified)
    if known is not None:
        return Resolved("known", qualified, known=known)
    if known_not_model(qualified):
        return Resolved("other", qualified)
    if qualified.split(".")[0] in STDLIB_ROOTS:
        return Resolved("other", qualified)
    if qualified.startswith("django."):
        return _resolve_django(qualified)
    module_name, _, attribute = qualified.rpartition(".")
    found = modules.by_name(module_name) if module_name and depth < 8 else None
    if found is None:
        return Resolved("unknown", qualified)
    if attribute in found.classes:
        return Resolved("project", qualified, found, found.classes[attribute])
    if attribute in found.imports:  # re-exported, e.g. by a models/__init__.py
        return resolve_qualified(modules, found.imports[attribute], depth + 1)
    return Resolved("unknown", qualified)


def _resolve_django(qualified: str) -> Resolved:
    """Classify a Django class not in :data:`._models_known.KNOWN_BASES`.

    Classes of ``django.contrib`` named ``Abstract...`` are abstract models; the classes that
    ``django.contrib.<app>.models`` exports are concrete models, except managers and querysets;
    anything else of Django is not a model.
    """
    parts = qualified.split(".")
    if parts[1:2] == ["contrib"] and parts[-1].startswith("Abstract"):
        return Resolved("known", qualified, known=KnownBase(True))  # AbstractBaseSession...
    is_contrib_model = (
        len(parts) == 5
        and parts[1] == "contrib"
        and parts[3] == "models"
        and not parts[4].endswith(NON_MODEL_SUFFIXES)
    )
    if is_contrib_model:
        return Resolved("known", qualified, known=KnownBase(False))
    return Resolved("other", qualified)


def _merge_abstract(lineage: Lineage, parent: Lineage, info: ClassInfo, where: str) -> None:
    lineage.fields.update(parent.fields)
    lineage.non_fields.update(parent.non_fields)
    lineage.known_fields.update(parent.known_fields)
    lineage.concrete_parents.extend(parent.concrete_parents)
    for member in info.members.values():
        if member.kind == "field":
            lineage.fields[member.name] = member
        else:
            lineage.non_fields[member.name] = (member, where)
    if lineage.managed is None and "managed" in info.meta:
        lineage.managed = info.meta["managed"]
    if lineage.managed is None:
        lineage.managed = parent.managed


def lineage_of(
    modules: ProjectModules, module: ModuleInfo, info: ClassInfo, seen: frozenset[str] = frozenset()
) -> Lineage:
    """Gather what a class inherits from its bases.

    :param modules: the project's modules.
    :param module: the module defining the class.
    :param info: the class.
    :param seen: classes already on the path (guards against cycles).
    :returns: its lineage.
    """
    lineage = Lineage()
    key = f"{module.dotted}.{info.name}"
    for base in info.bases:
        resolved = resolve_base(modules, module, base)
        if resolved.kind == "model":
            lineage.is_model = True
        elif resolved.kind == "known":
            assert resolved.known is not None
            lineage.is_model = True
            if not resolved.known.abstract:
                lineage.concrete_parents.append(resolved.name)
            elif resolved.known.concrete_parent:
                parent_name = resolved.known.concrete_parent
                lineage.concrete_parents.append(f"{parent_name} (through {resolved.name})")
            for name, meaning in resolved.known.fields.items():
                lineage.known_fields[name] = (meaning, resolved.name)
        elif resolved.kind == "project":
            assert resolved.module is not None and resolved.info is not None
            if resolved.name in seen or resolved.name == key:
                lineage.unknown_bases.append(resolved.name)
                continue
            parent = lineage_of(modules, resolved.module, resolved.info, seen | {key})
            lineage.unknown_bases.extend(parent.unknown_bases)
            where = f"{resolved.module.path}:{resolved.info.line}"
            if resolved.info.meta.get("abstract") is UNKNOWN:
                lineage.unknown_bases.append(resolved.name)
                continue
            if parent.is_model and resolved.info.meta.get("abstract") is not True:
                lineage.is_model = True
                lineage.concrete_parents.append(resolved.name)
                continue
            lineage.is_model |= parent.is_model
            _merge_abstract(lineage, parent, resolved.info, where)
        elif resolved.kind == "unknown":
            lineage.unknown_bases.append(resolved.name)
    return lineage


def effective_meta(info: ClassInfo, lineage: Lineage, option: str) -> object:
    """Return the value of a ``Meta`` option for a class, as Django would see it.

    Only ``managed`` is inherited (from abstract bases, when the class's own ``Meta`` does not
    set it); ``abstract`` and ``proxy`` are the class's own.

    :param info: the class.
    :param lineage: its lineage.
    :param option: ``abstract``, ``proxy`` or ``managed``.
    :returns: the literal value, ``None`` when unset, :data:`UNKNOWN` when not a literal.
    """
    if option in info.meta:
        return info.meta[option]
    if option == "managed":
        return lineage.managed
    return None
