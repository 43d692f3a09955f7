"""Deciding, model by model, whether ``created_at``/``updated_at`` must be added, and why not.

Enforces the standard's "Required Model Fields" for one class: the verdict says which of the
two fields to add, what the reviewer must know (notes), or why the class is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from redpanda_migrate.codemods.model_timestamps.history import historical_model
from redpanda_migrate.codemods.model_timestamps.inheritance import (
    Lineage,
    ProjectModules,
    effective_meta,
    lineage_of,
)
from redpanda_migrate.codemods.model_timestamps.source import UNKNOWN, ClassInfo, Member, ModuleInfo

TIMESTAMPS = ("created_at", "updated_at")
# classes named so, with no Meta and no field, are managers, querysets, choices, errors...
NOT_MODEL_NAMES = ("Manager", "QuerySet", "Queryset", "Choices", "Error", "Exception", "Config")
KIND_PHRASES = {
    "property": "a property",
    "method": "a method",
    "class": "a nested class",
    "attribute": "a plain attribute",
}
MEANINGS = {"created_at": "created", "updated_at": "updated"}
WANTED_FLAG = {"created_at": "auto_now_add", "updated_at": "auto_now"}
SYNONYMS = {
    "created": frozenset(
        {
            "created",
            "created_on",
            "created_date",
            "created_time",
            "created_datetime",
            "creation_date",
            "date_created",
            "datetime_created",
            "time_created",
            "date_added",
            "date_joined",
            "added_at",
            "added_on",
            "inserted_at",
        }
    ),
    "updated": frozenset(
        {
            "updated",
            "updated_on",
            "updated_date",
            "modified",
            "modified_at",
            "modified_on",
            "modified_date",
            "date_modified",
            "date_updated",
            "last_modified",
            "last_updated",
            "changed_at",
        }
    ),
}


@dataclass(frozen=True)
class Verdict:
    """What to do with one model class.

    :param model: the class name.
    :param line: the line of its ``class`` statement.
    :param add: the fields to add, among ``created_at`` and ``updated_at``.
    :param notes: what the reviewer must know.
    :param refusal: why the class is left alone, when no safe rewrite exists.
    :param history: the historical model django-simple-history generates for it, which gets
        the same fields.
    :param unsure: refused only because a base is unknown, although the class has neither
        fields nor ``Meta``: it is no model at all unless the app's migrations create it.
    """

    model: str
    line: int
    add: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    refusal: str | None = None
    history: str | None = None
    unsure: bool = False


def _has_fields_or_meta(info: ClassInfo) -> bool:
    return info.has_meta or any(member.kind == "field" for member in info.members.values())


def _looks_like_model(info: ClassInfo) -> bool:
    """Tell whether a class with a base of unknown nature may be a model (then it is refused)."""
    return _has_fields_or_meta(info) or not info.name.endswith(NOT_MODEL_NAMES)


def _meaning(member: Member) -> str | None:
    """Tell whether a date field records creation or modification, by flag or by name."""
    if "auto_now_add" in member.keywords or member.name in SYNONYMS["created"]:
        return "created"
    if "auto_now" in member.keywords or member.name in SYNONYMS["updated"]:
        return "updated"
    return None


def _skip_reason(info: ClassInfo, lineage: Lineage) -> str | None:
    if effective_meta(info, lineage, "proxy") is True:
        return (
            f"{info.name} is a proxy model: it has no table of its own (it shares its concrete "
            "parent's), so it gets no fields; left alone"
        )
    if lineage.concrete_parents:
        parents = ", ".join(dict.fromkeys(lineage.concrete_parents))
        return (
            f"{info.name} inherits from the concrete model {parents} (multi-table "
            "inheritance): created_at/updated_at belong on the parent's table; left alone"
        )
    if effective_meta(info, lineage, "managed") is False:
        return (
            f"{info.name} is unmanaged (Meta.managed = False): migrations do not create its "
            "table, so no migration can add the columns; left alone"
        )
    return None


def _unreadable_meta(info: ClassInfo, lineage: Lineage) -> str | None:
    for option in ("abstract", "proxy", "managed"):
        if effective_meta(info, lineage, option) is UNKNOWN:
            return f"{info.name}: Meta.{option} is not a literal True/False, so its kind is unknown"
    return None


def _own_and_inherited(info: ClassInfo, lineage: Lineage) -> dict[str, tuple[Member, str]]:
    members = dict(lineage.non_fields)
    members.update({name: (member, "") for name, member in lineage.fields.items()})
    members.update({name: (member, "") for name, member in info.members.items()})
    return members


def _conflict(name: str, member: Member, where: str) -> str:
    place = f" (inherited from {where})" if where else f" (line {member.line})"
    return (
        f"{name} is already {KIND_PHRASES.get(member.kind, member.kind)}{place}, not a field: "
        "adding the field would "
        "shadow it or clash with it; rename one of them first"
    )


def _definition_note(model: str, member: Member) -> str | None:
    wanted = WANTED_FLAG[member.name]
    if member.callee.rsplit(".", 1)[-1] == "DateTimeField" and wanted in member.keywords:
        return None
    return (
        f"{model}.{member.name} already exists as {member.callee}(...), not "
        f"DateTimeField({wanted}=True); left as it is"
    )


def _fields_to_add(info: ClassInfo, lineage: Lineage) -> Verdict:
    members = _own_and_inherited(info, lineage)
    add: list[str] = []
    notes: list[str] = []
    for name in TIMESTAMPS:
        if name in members:
            member, where = members[name]
            if member.kind != "field":
                return Verdict(info.name, info.line, refusal=_conflict(name, member, where))
            note = _definition_note(info.name, member)
            notes.extend([note] if note else [])
            continue
        meaning = MEANINGS[name]
        synonyms = sorted(
            member.name
            for member, _ in members.values()
            if member.kind == "field" and _meaning(member) == meaning
        )
        synonyms += sorted(
            f"{n} (from {base})" for n, (m, base) in lineage.known_fields.items() if m == meaning
        )
        if synonyms:
            notes.append(
                f"{info.name}.{synonyms[0]} already records when a row was {meaning}: "
                f"{name} is not added next to it (rename it with a migration if you want the "
                "standard's name)"
            )
            continue
        add.append(name)
    history, reason = historical_model(info, lineage) if add else (None, None)
    if reason:
        return Verdict(info.name, info.line, notes=tuple(notes), refusal=reason)
    return Verdict(info.name, info.line, tuple(add), tuple(notes), history=history)


def judge(modules: ProjectModules, module: ModuleInfo, info: ClassInfo) -> Verdict | None:
    """Decide what to do with one top-level class of a models module.

    Enforces the standard's "Required Model Fields" ("All models have created_at and
    updated_at") for concrete models; proxies, unmanaged models and multi-table inheritance
    children are left alone with a note.

    :param modules: the project's modules, to follow bases into other files.
    :param module: the models module.
    :param info: the class.
    :returns: the verdict, or ``None`` for a class that is not a concrete model (an abstract
        base, a mixin, a ``TextChoices``...).
    """
    lineage = lineage_of(modules, module, info)
    # a concrete parent makes a multi-table inheritance child whatever the unknown bases are
    if lineage.unknown_bases and not lineage.concrete_parents:
        if not _looks_like_model(info) and not lineage.is_model:
            return None
        return Verdict(
            info.name,
            info.line,
            refusal=(
                f"{info.name} inherits from {', '.join(lineage.unknown_bases)}, which is not "
                "in the project: cannot tell statically whether it is abstract, concrete or "
                "already provides timestamps"
            ),
            unsure=not _has_fields_or_meta(info),
        )
    if not lineage.is_model:
        return None
    problem = _unreadable_meta(info, lineage)
    if problem:
        return Verdict(info.name, info.line, refusal=problem)
    if effective_meta(info, lineage, "abstract") is True:
        return None  # its concrete children get the fields, each in its own table
    reason = _skip_reason(info, lineage)
    if reason:
        return Verdict(info.name, info.line, notes=(reason,))
    return _fields_to_add(info, lineage)
