"""Expression helpers for the ``pytz-to-zoneinfo`` rewrite: pytz member names, calls, sums."""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

PYTZ_SUBMODULES = frozenset({"exceptions", "tzinfo", "reference", "lazy", "tzfile"})
ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
DOTTED_PYTZ_NAME = re.compile(r"pytz(\.[A-Za-z_][A-Za-z0-9_]*)+")


def pytz_member(qualified_name: str) -> str | None:
    """Name the pytz member a qualified name refers to.

    :param qualified_name: e.g. ``pytz.exceptions.UnknownTimeZoneError``.
    :returns: ``UnknownTimeZoneError``; ``""`` for the module itself; ``None`` when not pytz,
        or for an attribute of a member (``pytz.utc.localize``: ``pytz.utc`` is the reference).
    """
    parts = qualified_name.split(".")
    if parts[0] != "pytz":
        return None
    if len(parts) > 1 and parts[1] in PYTZ_SUBMODULES:
        parts = parts[1:]
    if len(parts) == 1:
        return ""
    return parts[1] if len(parts) == 2 else None


def parenthesised(expression: cst.BaseExpression) -> cst.BaseExpression:
    """Wrap an expression in parentheses unless it binds tighter than an attribute access.

    :param expression: e.g. ``start + delta``.
    :returns: ``(start + delta)``; names, attributes, calls and subscripts unchanged.
    """
    if isinstance(expression, ATOMIC) or expression.lpar:
        return expression
    return expression.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def method_call(receiver: cst.BaseExpression, method: str, args: Sequence[cst.Arg]) -> cst.Call:
    """Build ``receiver.method(args)``.

    :param receiver: the object (parenthesised when needed).
    :param method: the method name.
    :param args: the arguments.
    :returns: the call.
    """
    return cst.Call(
        func=cst.Attribute(value=parenthesised(receiver), attr=cst.Name(method)),
        args=list(args),
    )


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    """Build a ``name=value`` argument without spaces around ``=``.

    :param name: the keyword.
    :param value: the value.
    :returns: the argument.
    """
    return cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def bare(arg: cst.Arg) -> cst.Arg:
    """Drop an argument's trailing comma (it becomes the last one).

    :param arg: the argument.
    :returns: the argument without its comma.
    """
    return arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)


def literal_bool(expression: cst.BaseExpression) -> bool | None | str:
    """Read a literal ``True``, ``False`` or ``None``.

    :param expression: e.g. the value of ``is_dst=``.
    :returns: the value, or ``"dynamic"`` for anything else.
    """
    if isinstance(expression, cst.Name) and expression.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expression.value]
    return "dynamic"


def datetime_side(value: cst.BaseExpression) -> str | None:
    """Tell which operand of ``dt + delta`` / ``delta + dt`` / ``dt - delta`` is the datetime.

    :param value: the ``normalize()`` argument.
    :returns: ``"left"`` or ``"right"``, or ``None`` when the expression is not such a sum
        or the order cannot be told (``a + b`` with two names).
    """
    if not isinstance(value, cst.BinaryOperation):
        return None
    if isinstance(value.operator, cst.Subtract) and not is_delta(value.left):
        return "left"
    if isinstance(value.operator, cst.Add):
        if is_delta(value.right) and not is_delta(value.left):
            return "left"
        if is_delta(value.left) and not is_delta(value.right):
            return "right"
    return None


def is_delta(node: cst.BaseExpression) -> bool:
    """Tell whether an expression is a ``timedelta(...)`` or ``relativedelta(...)`` call.

    :param node: the expression.
    :returns: ``True`` for such a call, by the called name's last part.
    """
    if not isinstance(node, cst.Call):
        return False
    name = cst.helpers.get_full_name_for_node(node.func) or ""
    return name.rsplit(".", 1)[-1] in ("timedelta", "relativedelta")
