"""Recording the text edits of a plan: ``env_file`` out, ``environment:`` entries in.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping" and its anti-pattern "Don't put secrets in the compose file's environment:
block as literals"). Edits are recorded on :class:`ComposeFile` as line ranges and in-line
replacements, so every line the rule does not need to change stays byte-identical.
"""

from __future__ import annotations

from redpanda_migrate.codemods.compose_env_scoping.dotfiles import is_secret_like
from redpanda_migrate.codemods.compose_env_scoping.plan import check_value
from redpanda_migrate.codemods.compose_env_scoping.stack import ComposeFile, ServicePlan, Stack
from redpanda_migrate.codemods.compose_env_scoping.yaml_text import (
    Refusal,
    environment_names,
    indent_of,
    item_layout,
    mapping_step,
    scalar_end,
    services_of,
    value_end,
)
from ruamel.yaml.comments import CommentedMap

from redpanda_migrate.codemod import Finding


def _entry(variable: str, value: str | None, form: str) -> str:
    if form == "map":
        return f"{variable}:" if value is None else f"{variable}: ${{{variable}}}"
    return f"- {variable}" if value is None else f"- {variable}=${{{variable}}}"


def _append_to_environment(plan: ServicePlan, entries: list[tuple[str, str | None]]) -> None:
    node, compose = plan.node, plan.compose
    lines = compose.lines
    environment = node["environment"]
    _, form = environment_names(environment, plan.line)
    key_line, key_col = node.lc.key("environment")
    inline = lines[key_line][key_col:].split(":", 1)[1].lstrip()
    if environment.fa.flow_style() or inline.startswith(("[", "{")):
        _append_flow(plan, lines, key_line, [_flow_entry(v, val, form) for v, val in entries])
        return
    if not environment:
        raise Refusal(f"{plan.name}: empty environment: block", key_line + 1)
    first_line, first_col = (
        environment.lc.key(next(iter(environment))) if form == "map" else environment.lc.item(0)
    )
    prefix = lines[first_line][:first_col]
    if form == "list":
        prefix = prefix[: prefix.rindex("-")]
    end = value_end(lines, key_line, key_col)
    new = [f"{prefix}{_entry(v, val, form)}\n" for v, val in entries]
    compose.line_edits.append((end, end, new))


def _flow_entry(variable: str, value: str | None, form: str) -> str:
    # "{" and "}" are flow indicators: a reference in a flow collection must be quoted.
    reference = "${" + variable + "}"
    if form == "map":
        return f"{variable}:" if value is None else f'{variable}: "{reference}"'
    return variable if value is None else f'"{variable}={reference}"'


def _append_flow(plan: ServicePlan, lines: list[str], key_line: int, items: list[str]) -> None:
    text = lines[key_line].rstrip("\n")
    closing = max(text.rfind("]"), text.rfind("}"))
    opening = max(text.find("["), text.find("{"))
    if closing < 0 or opening < 0 or text.count("[") + text.count("{") != 1:
        raise Refusal(f"{plan.name}: environment: in flow style over several lines", key_line + 1)
    inside = text[opening + 1 : closing].strip()
    added = ", ".join(items)
    joined = f"{text[:closing].rstrip()}, {added}" if inside else f"{text[:closing]}{added}"
    plan.compose.line_edits.append((key_line, key_line + 1, [joined + text[closing:] + "\n"]))


def _new_environment(plan: ServicePlan, at: int, key_col: int, entries) -> list[str]:
    compose = plan.compose
    copied = plan.copied
    if not entries and copied is None:  # an own, empty block: it must not inherit a merged one
        return [" " * key_col + "environment: []\n"]
    form = copied.form if copied else "list"
    services = services_of(compose.document)
    step = mapping_step(services, compose.document)  # type: ignore[arg-type]
    prefix = (
        item_layout(compose.lines, at, key_col, step) if form == "list" else " " * (key_col + step)
    )
    texts = [*(copied.entries if copied else ()), *(_entry(v, val, form) for v, val in entries)]
    return [" " * key_col + "environment:\n"] + [f"{prefix}{text}\n" for text in texts]


def _remove_env_file(mapping: CommentedMap, compose: ComposeFile) -> tuple[int, int, int]:
    key_line, key_col = mapping.lc.key("env_file")
    lines = compose.lines
    if "&" in lines[key_line].split("#")[0].split(":", 1)[1]:
        raise Refusal("env_file carries a YAML anchor used elsewhere", key_line + 1)
    return key_line, value_end(lines, key_line, key_col), key_col


def _merge_line(plan: ServicePlan) -> tuple[int, int]:
    node, lines = plan.node, plan.compose.lines
    own = [node.lc.key(key) for key in node._ok]
    if not own:
        raise Refusal(f"{plan.name} has no key of its own next to its merge key")
    col = own[0][1]
    start = min(line for line, _ in own)
    for index in range(start - 1, -1, -1):
        if lines[index].startswith(" " * col + "<<:"):
            return index, col
        if indent_of(lines[index]) < col and lines[index].strip():
            break
    for index in range(start, len(lines)):
        if lines[index].startswith(" " * col + "<<:"):
            return index, col
    raise Refusal(f"{plan.name}: cannot find its merge key line")


def apply_plan(plan: ServicePlan, remove_source: bool) -> None:
    """Record the text edits of one service plan in its Compose file.

    :param plan: the plan.
    :param remove_source: remove ``env_file`` from ``plan.source`` (its own, or the anchor's
        once every service merging it is planned).
    """
    compose = plan.compose
    entries = [(variable, plan.values[variable]) for variable in plan.kept]
    own = plan.source is plan.node
    if plan.source.fa.flow_style() or plan.node.fa.flow_style():
        raise Refusal(f"{plan.name}: written in flow style ({{...}})", plan.line)
    if remove_source:
        start, end, key_col = _remove_env_file(plan.source, compose)
    needs_block = bool(entries) or (plan.block and "environment" not in plan.node._ok)
    if plan.copied is not None:  # an own block replaces the inherited one: copy it first
        needs_block = True
    if entries and "environment" in plan.node and plan.copied is None:
        _append_to_environment(plan, entries)
        new: list[str] = []
    elif needs_block and own:
        new = _new_environment(plan, start, key_col, entries)
    elif needs_block:
        at, col = _merge_line(plan)
        compose.line_edits.append((at + 1, at + 1, _new_environment(plan, at, col, entries)))
        new = []
    else:
        new = []
    if remove_source:
        compose.line_edits.append((start, end, new))


# -- literal secrets --------------------------------------------------------------------------


def literal_secrets(stack: Stack, compose: ComposeFile, name: str, node: CommentedMap) -> None:
    """Turn literal secrets of an own ``environment:`` block into ``${VAR}`` references.

    Enforces the anti-pattern "Don't put secrets in the compose file's environment: block as
    literals"; the value moves to ``.env``.

    :param stack: the stack.
    :param compose: the Compose file.
    :param name: the service's name.
    :param node: its mapping.
    """
    if "environment" not in node._ok:
        return
    environment = node["environment"]
    line = node.lc.key("environment")[0] + 1
    frozen = id(environment) in stack.frozen
    try:
        values, form = environment_names(environment, line)
    except Refusal:
        return
    lines = compose.lines
    for index, (variable, value) in enumerate(values.items()):
        if not isinstance(value, str) or not value or not is_secret_like(variable, value):
            continue
        if "$" in value:
            if "$" not in value.replace("$$", ""):  # a literal with escaped dollars
                at = (
                    environment.lc.value(variable)[0]
                    if form == "map"
                    else environment.lc.item(index)[0]
                )
                stack.refuse(
                    compose.path,
                    at + 1,
                    f"literal secret left in place: {name}: the value of {variable} contains "
                    "'$$', which .env would expand differently by Compose version",
                )
            continue
        at, col = environment.lc.value(variable) if form == "map" else environment.lc.item(index)
        try:
            if frozen:
                raise Refusal(
                    f"{name}: {variable} stays: a service merging this environment: (<<) "
                    "needs a copy of it",
                    at + 1,
                )
            if environment.fa.flow_style():
                raise Refusal(f"{name}: literal {variable} in a flow-style block", at + 1)
            start, end = _literal_span(lines[at], col, form, name, variable, at + 1)
            check_value(stack, variable, value, at + 1)
            added = stack.additions.get(variable)
            if added is not None and added[0] != value:
                raise Refusal(f"{variable} has different values for different services", at + 1)
        except Refusal as refusal:
            stack.refuse(compose.path, refusal.line, f"literal secret left in place: {refusal}")
            continue
        compose.inline_edits.append((at, start, end, "${" + variable + "}"))
        stack.additions.setdefault(variable, (value, name))
        stack.consumed_by(variable, name)
        stack.notes.append(
            Finding(compose.path, at + 1, f"{name}: literal {variable} moved to .env")
        )


def _literal_span(
    text: str, col: int, form: str, name: str, variable: str, line: int
) -> tuple[int, int]:
    end = scalar_end(text, col)
    if end is None:
        raise Refusal(f"{name}: {variable} spans several lines", line)
    if form == "map":
        return col, end
    if text[col] in "'\"":
        raise Refusal(f"{name}: quoted list entry {variable}", line)
    return text.index("=", col) + 1, end
