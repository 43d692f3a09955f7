"""Deciding, per service, which variables its new ``environment:`` block lists.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping"). Every situation where one ``${VAR}`` from the root ``.env`` cannot give a
service exactly what its ``env_file`` gave is a refusal here, before any text is edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redpanda_migrate.codemods.compose_env_scoping.consumers import ProjectCode, consume
from redpanda_migrate.codemods.compose_env_scoping.dotfiles import dotenv_line
from redpanda_migrate.codemods.compose_env_scoping.fresh_clone import ABSENT
from redpanda_migrate.codemods.compose_env_scoping.inherited import (
    copy_environment,
    inherited_environment,
)
from redpanda_migrate.codemods.compose_env_scoping.services import built_images, service_view
from redpanda_migrate.codemods.compose_env_scoping.stack import (
    DEFAULT_FILES,
    ComposeFile,
    ServicePlan,
    Stack,
    env_file_source,
    extended_services,
    offered_values,
    service_defs,
)
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import (
    Refusal,
    env_file_refs,
    environment_names,
    interpolated_names,
    services_of,
)
from ruamel.yaml.comments import CommentedMap


def plan_service(
    stack: Stack,
    compose: ComposeFile,
    name: str,
    node: CommentedMap,
    others: list[CommentedMap],
    code: ProjectCode,
    project_images: Mapping[str, str | None],
) -> ServicePlan:
    """Decide the variables one ``env_file`` service keeps.

    Enforces "Per-Service Environment Scoping": only what the service consumes, never a
    variable it may need.

    :param stack: the stack (for ``.env`` values).
    :param compose: the Compose file.
    :param name: the service's name.
    :param node: its mapping.
    :param others: its definitions in the other root Compose files.
    :param code: what the project's code reads.
    :param project_images: images that some service builds, with their base images.
    :raises Refusal: when no exact rewrite exists.
    """
    source = env_file_source(name, node)
    line = source.lc.key("env_file")[0] + 1
    if "extends" in node:
        raise Refusal(f"{name} uses extends, which merges env_file and environment", line)
    merged = [m[1] if isinstance(m, tuple) else m for m in getattr(node, "merge", [])]
    if source is node and any(isinstance(m, Mapping) and "env_file" in m for m in merged):
        raise Refusal(
            f"{name}: its env_file overrides the one it merges (<<); without it, the merged "
            "env_file would apply",
            line,
        )
    for other in others:
        if "env_file" in other or "environment" in other or "extends" in other:
            raise Refusal(
                f"{name} is also defined in another Compose file with env_file, environment "
                "or extends: the files merge, scope it by hand",
                line,
            )
    refs = env_file_refs(source["env_file"], line)
    values, origins = offered_values(compose, refs, stack.files, line, stack.expected)
    existing: dict[str, Any] = {}
    if "environment" in node:
        existing, _ = environment_names(node["environment"], line)
    offered = [variable for variable in values if variable not in existing]
    consumption = consume(
        service_view(name, [node, *others], stack.files, project_images), offered, code
    )
    plan = ServicePlan(compose, name, node, source, values, origins)
    plan.kept, plan.dropped, plan.notes = consumption.kept, consumption.dropped, consumption.notes
    if any(value == ABSENT for value in values.values()):
        _scope_by_names(stack, plan, consumption.decided, line)
    if plan.kept and "environment" in node and "environment" not in node._ok:
        _copy_inherited(stack, plan)
    moving = [v for v in plan.kept if values[v] is not None and v not in stack.dotenv]
    if moving and stack.python_loads:
        sources = ", ".join(sorted({origins[v] for v in moving}))
        raise Refusal(
            f"{name}: env_file stays: moving {', '.join(moving)} from {sources} into the root "
            f".env {bare_python_reason(stack)}",
            line,
        )
    for variable in plan.kept:
        if "$" in (values[variable] or "") and len(set(origins.values())) > 1:
            raise Refusal(
                f"the value of {variable} contains '$' and {name} has several env files, whose "
                "values Compose may expand into it",
                line,
            )
        check_value(stack, variable, values[variable], line)
    return plan


def _scope_by_names(stack: Stack, plan: ServicePlan, decided: bool, line: int) -> None:
    """Finish a plan made from the names an absent root ``.env`` is expected to hold.

    :raises Refusal: when what the service reads cannot be decided: "every variable" is not
        known without the ``.env`` itself.
    """
    if not decided:
        reason = plan.notes[-1].removesuffix(": every variable kept") if plan.notes else ""
        raise Refusal(
            f"{plan.name}: env_file stays: the root .env is absent, so the variables it gives "
            f"cannot be listed, and {reason or 'what the service reads cannot be decided'}",
            line,
        )
    optional = {name for name, only_optional in (stack.expected or {}).items() if only_optional}
    omitted = [v for v in plan.kept if v in optional and plan.values[v] == ABSENT]
    if omitted:
        plan.kept = [v for v in plan.kept if v not in omitted]
        them = "them" if len(omitted) > 1 else "it"
        plan.notes.append(
            f"not passed: {', '.join(omitted)}: read with a default (in the code or as "
            f"${{VAR:-default}}) and listed in no template, so ${{VAR}} would set {them} empty "
            f"where {them} was unset; if your .env sets {them}, list {them} in the template "
            "and in this service's environment:"
        )
    plan.dropped = [v for v in plan.dropped if v not in optional or plan.values[v] != ABSENT]


def check_value(stack: Stack, variable: str, value: str | None, line: int) -> None:
    """Check that ``${VAR}`` from the root ``.env`` can give a service this value unchanged.

    :param stack: the stack (its ``.env`` values and Compose texts).
    :param variable: the variable.
    :param value: the value the service had (``None``: no value, resolved from the shell).
    :param line: 1-based line, for refusals.
    :raises Refusal: when the value cannot come from ``.env`` exactly.
    """
    if value is None or (variable in stack.dotenv and stack.dotenv[variable] == value):
        return  # no value, or one that stays where it is: ${VAR} reads the same .env line
    if value == ABSENT or stack.dotenv.get(variable) == ABSENT:
        raise Refusal(
            f"{variable} is expected in the root .env, which is absent here (a fresh clone): "
            "whether it gives the same value cannot be checked",
            line,
        )
    if "$" in value:
        raise Refusal(
            f"the value of {variable} contains '$', which Compose versions expand differently",
            line,
        )
    if variable in stack.dotenv:
        if stack.dotenv[variable] != value:
            raise Refusal(
                f"{variable} has another value in .env than in this service's env_file: "
                "${" + variable + "} cannot give both",
                line,
            )
        return
    if stack.python_loads:
        raise Refusal(f"moving {variable} into the root .env {bare_python_reason(stack)}", line)
    if stack.dotenv_problem:
        raise Refusal(f"moving {variable} into the root .env: {stack.dotenv_problem}", line)
    if dotenv_line(variable, value) is None:
        raise Refusal(f"the value of {variable} cannot be written to .env unchanged", line)
    if any(
        variable in interpolated_names(other.document)
        for other in [*stack.composes, *stack.shadowed]
    ):
        raise Refusal(
            f"{variable} is interpolated elsewhere in the Compose files; adding it to .env "
            "would change that",
            line,
        )


def bare_python_reason(stack: Stack) -> str:
    """Say why nothing may be added to the root ``.env``: the project's Python code loads it.

    Enforces the standard's layout (root ``.env`` for Compose interpolation only, ``project/.env``
    for bare-Python runs) without changing what a bare-Python run sees now.

    :param stack: the stack, with at least one entry in ``python_loads``.
    :returns: the end of a refusal sentence (names only, never values).
    """
    load = stack.python_loads[0]
    others = len({other.path for other in stack.python_loads} - {load.path})
    more = f" and {others} other file{'s' if others > 1 else ''}" if others else ""
    return (
        f"would change what bare-Python runs see: {load.path} loads it ({load.how}, line "
        f"{load.line}){more}; give bare-Python runs their own project/.env, as the standard's "
        "layout does"
    )


def plan_all(stack: Stack, code: ProjectCode) -> list[tuple[ServicePlan, bool]]:
    """Plan every ``env_file`` service of the stack; record a refusal for each that cannot be.

    :param stack: the stack.
    :param code: what the project's code reads.
    :returns: the accepted plans, each with whether it removes ``env_file`` from its source
        (an anchor shared by several services loses it once).
    """
    defs = service_defs(stack.composes)
    extended = extended_services(defs)
    project_images = built_images(
        (node for entries in defs.values() for _, node in entries), stack.files
    )
    plans: list[ServicePlan] = []
    for selection in stack.selections:
        layered = service_defs(stack.layerable(selection))
        for name, entries in service_defs(selection).items():
            for compose, node in entries:
                if not isinstance(node, CommentedMap) or "env_file" not in node:
                    continue
                others = [other for c, other in entries if c is not compose]
                others += [other for _, other in layered.get(name, [])]
                try:
                    _check_layering(name, node, compose, layered.get(name, []))
                    if name in extended:
                        raise Refusal(
                            f"{name} is extended by another service, which inherits its env_file",
                            _env_file_line(node),
                        )
                    plans.append(
                        plan_service(stack, compose, name, node, others, code, project_images)
                    )
                except Refusal as refusal:
                    stack.refuse(compose.path, refusal.line, str(refusal))
    return _group_anchors(stack, plans)


def _env_file_line(node: CommentedMap) -> int | None:
    return node.lc.key("env_file")[0] + 1 if "env_file" in node._ok else None


def _check_layering(
    name: str, node: CommentedMap, compose: ComposeFile, layered: list[tuple[ComposeFile, Any]]
) -> None:
    """Refuse a service that a variant file and the default files both configure.

    ``docker compose -f docker-compose.yml -f docker-compose.prod.yml`` merges them, ``-f
    docker-compose.prod.yml`` alone does not: which one the project does cannot be known.
    """
    for other_compose, other in layered:
        if isinstance(other, Mapping) and {"env_file", "environment", "extends"} & set(other):
            variant, default = (
                (compose, other_compose)
                if other_compose.path in DEFAULT_FILES
                else (other_compose, compose)
            )
            raise Refusal(
                f"{name} is also defined in {other_compose.path} with env_file, environment or "
                f"extends; {variant.path} is loaded with -f, either on top of {default.path} "
                "(merged) or instead of it: scope it by hand",
                _env_file_line(node),
            )


def _group_anchors(stack: Stack, plans: list[ServicePlan]) -> list[tuple[ServicePlan, bool]]:
    """Accept the plans sharing one ``env_file`` source all together, or refuse them all.

    Merge keys are shallow: a service that merges an anchor (``<<: *django``) and defines no
    ``environment:`` of its own inherits the anchor's. When the anchor is a service that gains
    an ``environment:`` block, every service that inherited its ``env_file`` gets its own block
    (even an empty one), so none inherits the anchor's new entries.
    """
    accepted: list[tuple[ServicePlan, bool]] = []
    by_source: dict[int, list[ServicePlan]] = {}
    for plan in plans:
        by_source.setdefault(id(plan.source), []).append(plan)
    for group in by_source.values():
        source = group[0].source
        group.sort(key=lambda plan: plan.node is not source)  # the anchor removes env_file
        reason = _anchor_problem(group, _inheritors(group[0].compose, source))
        if reason:
            for plan in group:
                stack.refuse(plan.compose.path, plan.line, f"{plan.name}: {reason}")
            continue
        if group[0].node is source and group[0].kept:
            try:
                for plan in group[1:]:
                    plan.block = True
                    if plan.copied is None and "environment" not in plan.node._ok:
                        _copy_inherited(stack, plan)
            except Refusal as refusal:
                for plan in group:
                    stack.refuse(plan.compose.path, plan.line, f"{plan.name}: {refusal}")
                continue
        accepted.extend((plan, index == 0) for index, plan in enumerate(group))
    return accepted


def _inheritors(compose: ComposeFile, source: CommentedMap) -> dict[str, CommentedMap]:
    """Name the services that get ``source``'s ``env_file`` through merge keys, at any depth."""
    return {
        str(name): node
        for name, node in services_of(compose.document).items()
        if isinstance(node, CommentedMap)
        and node is not source
        and "env_file" in node
        and "env_file" not in node._ok
        and node["env_file"] is source["env_file"]
    }


def _anchor_problem(group: list[ServicePlan], inheritors: Mapping[str, CommentedMap]) -> str:
    source = group[0].source
    anchor = group[0] if group[0].node is source else None
    planned = {id(plan.node) for plan in group}
    missing = [name for name, node in inheritors.items() if id(node) not in planned]
    if missing:
        owner = f"service {anchor.name}" if anchor else "an anchor"
        return (
            f"shares env_file through {owner} with {', '.join(missing)}, which cannot be "
            "rewritten; scope them by hand"
        )
    if anchor is None and len(source) == 1:
        return (
            "the anchor it merges holds only env_file; remove that merge by hand (an empty "
            "anchor cannot be merged)"
        )
    return ""


def _copy_inherited(stack: Stack, plan: ServicePlan) -> None:
    """Give a plan the copy of the ``environment:`` its service inherits through ``<<``.

    Merge keys are shallow: the service's own block replaces the inherited one, so it starts
    with a copy of it (see :mod:`._compose_copy`).

    :raises Refusal: when the copy cannot be exact.
    """
    if "environment" not in plan.node:
        return
    try:
        provider = inherited_environment(plan.name, plan.node)
        plan.copied = copy_environment(plan.name, provider, plan.compose.lines, stack.frozen)
        count = len(plan.copied.entries)
        at = provider.lc.key("environment")[0] + 1
        plan.notes.append(
            f"its own environment: starts with a copy of the {count} "
            f"entr{'y' if count == 1 else 'ies'} it inherited (<<, line {at}): merge keys are "
            "shallow, an own block replaces the inherited one"
        )
    except Refusal as refusal:
        raise Refusal(str(refusal), refusal.line or plan.line) from None


def refuse_inheritors(stack: Stack, accepted: list[tuple[ServicePlan, bool]]) -> set[int]:
    """Refuse plans whose service is merged by another (``<<: *web``) that would inherit.

    :param stack: the stack (refusals are recorded in it).
    :param accepted: the accepted plans.
    :returns: the ids of the refused plans' sources.
    """
    own_blocks = {id(plan.node) for plan, _ in accepted if plan.kept or plan.block}
    refused: set[int] = set()
    for plan, _ in accepted:
        if not plan.kept or plan.node is not plan.source:
            continue
        for name, node in services_of(plan.compose.document).items():
            merged = [m[1] if isinstance(m, tuple) else m for m in getattr(node, "merge", [])]
            if not any(m is plan.node for m in merged) or "environment" in node._ok:
                continue
            if id(node) in own_blocks:
                continue
            refused.add(id(plan.source))
            stack.refuse(
                plan.compose.path,
                plan.line,
                f"{plan.name}: service {name} merges it (<<) without an environment: of its "
                "own, so it would inherit the new entries; scope them by hand",
            )
            break
    return refused


def refuse_conflicts(stack: Stack, accepted: list[tuple[ServicePlan, bool]]) -> set[int]:
    """Refuse plans that need different values of one variable new to ``.env``.

    :param stack: the stack (refusals are recorded in it).
    :param accepted: the accepted plans.
    :returns: the ids of the refused plans' sources.
    """
    wanted: dict[str, dict[str | None, list[ServicePlan]]] = {}
    for plan, _ in accepted:
        for variable in plan.kept:
            if variable not in stack.dotenv:
                wanted.setdefault(variable, {}).setdefault(plan.values[variable], []).append(plan)
    clashes: dict[int, tuple[ServicePlan, list[str], set[str]]] = {}
    for variable, by_value in wanted.items():
        if len(by_value) < 2:
            continue
        files = {plan.compose.path for plans in by_value.values() for plan in plans}
        for plans in by_value.values():
            for plan in plans:
                entry = clashes.setdefault(id(plan), (plan, [], set()))
                entry[1].append(variable)
                entry[2].update(files)
    for plan, variables, files in clashes.values():
        stack.refuse(plan.compose.path, plan.line, _clash_reason(stack, plan, variables, files))
    return {id(plan.source) for plan, _, _ in clashes.values()}


def _clash_reason(stack: Stack, plan: ServicePlan, variables: list[str], files: set[str]) -> str:
    names = ", ".join(variables)
    verb = "has" if len(variables) == 1 else "have"
    reference = "${" + variables[0] + "}" if len(variables) == 1 else "${VAR} per variable"
    selections = {
        id(selection)
        for selection in stack.selections
        for compose in selection
        if compose.path in files
    }
    if len(selections) > 1:
        return (
            f"{plan.name}: {names} {verb} different values in the env files of "
            f"{', '.join(sorted(files))}, which are chosen with -f but all read the one root "
            f".env, so one {reference} cannot give both"
        )
    return (
        f"{plan.name}: {names} {verb} different values for different services; "
        f"one {reference} cannot give both"
    )
