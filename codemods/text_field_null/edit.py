"""Rewriting ``null=True`` as ``blank=True, default=""`` in a models module, with libcst.

Only the arguments change: ``null=True`` is replaced where it stands by the arguments the field
lacks (``blank=True`` unless it passes ``blank``, ``default=""`` unless it passes a string
default; ``default=None`` becomes ``default=""``), so comments and layout stay. A one-per-line
call gets one new argument per line.
"""

from __future__ import annotations

import libcst as cst

Targets = dict[tuple[str, str], tuple[bool, bool]]  # (model, field) -> (add blank, add default)


def _quote(call: cst.Call) -> str:
    """Return the quote the call's own strings use (double when it has none)."""
    for argument in call.args:
        value = argument.value
        if isinstance(value, cst.SimpleString) and value.prefix == "":
            return value.quote[0]
    return '"'


def _new_arguments(
    argument: cst.Arg, previous: cst.Arg | None, names: list[tuple[str, str]]
) -> list[cst.Arg]:
    # the comma before an argument holds the whitespace that starts its line
    separator = (
        previous.comma
        if previous is not None and isinstance(previous.comma, cst.Comma)
        else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    )
    built = []
    for index, (keyword, value) in enumerate(names):
        last = index == len(names) - 1
        built.append(
            argument.with_changes(
                keyword=cst.Name(keyword),
                value=cst.parse_expression(value),
                comma=argument.comma if last else separator,
            )
        )
    return built


def _rewrite_call(call: cst.Call, add_blank: bool, add_default: bool) -> cst.Call:
    empty = _quote(call) * 2
    has_default = any(a.keyword is not None and a.keyword.value == "default" for a in call.args)
    arguments: list[cst.Arg] = []
    for argument in call.args:
        keyword = argument.keyword.value if argument.keyword else None
        if keyword == "null":
            added = [("blank", "True")] if add_blank else []
            added += [("default", empty)] if add_default and not has_default else []
            previous = arguments[-1] if arguments else None
            arguments += _new_arguments(argument, previous, added) if added else []
            if not added and arguments:  # the comma after null=True ends the line before
                arguments[-1] = arguments[-1].with_changes(comma=argument.comma)
        elif keyword == "default" and add_default:
            arguments.append(argument.with_changes(value=cst.parse_expression(empty)))
        else:
            arguments.append(argument)
    return call.with_changes(args=arguments)


class _FieldRewriter(cst.CSTTransformer):
    def __init__(self, targets: Targets) -> None:
        super().__init__()
        self.targets = targets
        self.models: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.models.append(node.name.value)
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.models.pop()
        return updated

    def _target(self, target: cst.BaseExpression) -> tuple[bool, bool] | None:
        if len(self.models) != 1 or not isinstance(target, cst.Name):
            return None
        return self.targets.get((self.models[0], target.value))

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        found = self._target(updated.targets[0].target) if len(updated.targets) == 1 else None
        if found is None or not isinstance(updated.value, cst.Call):
            return updated
        return updated.with_changes(value=_rewrite_call(updated.value, *found))

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        found = self._target(updated.target)
        if found is None or not isinstance(updated.value, cst.Call):
            return updated
        return updated.with_changes(value=_rewrite_call(updated.value, *found))


def rewrite_fields(text: str, targets: Targets) -> str:
    """Rewrite the given fields of a models module.

    :param text: the module's text.
    :param targets: ``(model, field)`` -> whether to add ``blank=True`` and whether to set
        ``default=""`` (added, or replacing ``default=None``).
    :returns: the new text.
    """
    module = cst.parse_module(text)
    return module.visit(_FieldRewriter(targets)).code
