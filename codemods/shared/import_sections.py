"""Where a codemod puts a module's new imports: isort/ruff order, sections kept.

Used by ``cbv-to-fbv`` (Red Panda Approval V1-02, "Views", with ruff-clean output).
libcst's ``AddImportsVisitor`` merges into existing ``from`` statements but appends new ones
after the last import, which breaks isort sections; this module places them as isort would. A
new ``from X import ...`` joins
the blank-line-separated section that already imports from its package, in isort/ruff order
(``import X`` lines first, then ``from`` imports by module); when the only import of that
package was removed, the new one takes its place (a :class:`Slot`) and the section breaks
around it stay. The caller (``cbv_to_fbv.imports``) decides what to import; this module, where.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst


def module_name(node: cst.ImportFrom) -> str:
    """Spell the module of ``from module import ...``, dots included for relative imports."""
    dots = "." * len(node.relative)
    name = cst.Module(body=[]).code_for_node(node.module) if node.module else ""
    return dots + name


@dataclass
class Slot:
    """Where a removed import of a package was.

    :param top: the package.
    :param index: the index in the new body of the statement that took its place.
    :param leading: the removed import's leading lines.
    :param follower_leading: the original leading lines of the statement at ``index``.
    """

    top: str
    index: int
    leading: Sequence[cst.EmptyLine]
    follower_leading: Sequence[cst.EmptyLine]


def bind_slots(
    slots: dict[str, Slot], waiting: list[Slot], length: int, leading: Sequence[cst.EmptyLine]
) -> None:
    """Record the slots whose follower was just appended (with its original leading lines)."""
    for slot in list(waiting):
        if slot.index < length:
            slot.follower_leading = leading
            slots.setdefault(slot.top, slot)
            waiting.remove(slot)


def shift_slots(slots: dict[str, Slot], position: int) -> None:
    """Move the slots at or after ``position`` down by one: a statement was inserted there."""
    for slot in slots.values():
        if slot.index >= position:
            slot.index += 1


def top_package(source: str) -> str:
    """Give the package an import belongs to (a relative module stands for itself)."""
    return source if source.startswith(".") else source.split(".")[0]


def has_package(body: Sequence[cst.BaseStatement], source: str) -> bool:
    """Tell whether ``body`` imports (absolutely) from the package of ``source``."""
    return any(
        name.split(".")[0] == top_package(source) for _index_, name in _absolute_imports(body)
    )


def peek_leading(body: Sequence[cst.BaseStatement], index: int) -> Sequence[cst.EmptyLine]:
    """Give the leading lines of the import at ``index``, a blank line when it is not one."""
    if index >= len(body) or not is_import(body[index]):
        return [cst.EmptyLine()]
    return body[index].leading_lines


def _absolute_imports(body: Sequence[cst.BaseStatement]) -> list[tuple[int, str]]:
    """List the top-level imports of absolute modules: index and module name."""
    found = []
    for index, statement in enumerate(body):
        if not is_import(statement):
            continue
        small = statement.body[0]  # type: ignore[attr-defined]
        if isinstance(small, cst.ImportFrom):
            name = module_name(small)
        else:
            name = cst.Module(body=[]).code_for_node(small.names[0].name)
        if not name.startswith("."):
            found.append((index, name))
    return found


def _section_position(body: Sequence[cst.BaseStatement], source: str) -> tuple[int, str] | None:
    """Where ``from source import`` goes in the section (blank-line separated) of its package.

    Within a section, plain ``import X`` lines come first, then ``from`` imports sorted by
    module name, as isort and ruff order them.
    """
    imports = dict(_absolute_imports(body))
    home = [index for index, name in imports.items() if name.split(".")[0] == top_package(source)]
    if not home:
        return None
    start = home[0]
    while start > 0 and start - 1 in imports and not _starts_section(body[start]):
        start -= 1
    end = home[0]
    while end + 1 in imports and not _starts_section(body[end + 1]):
        end += 1
    froms = [
        (index, imports[index])
        for index in range(start, end + 1)
        if isinstance(body[index].body[0], cst.ImportFrom)  # type: ignore[attr-defined]
    ]
    before = [index for index, name in froms if name.lower() <= source.lower()]
    if before:
        return before[-1] + 1, "after"
    if froms:
        return froms[0][0], "before"
    return end + 1, "after"


def _starts_section(statement: cst.BaseStatement) -> bool:
    return any(line.comment is None for line in statement.leading_lines)


def is_import(statement: cst.BaseStatement) -> bool:
    """Tell whether a statement is an ``import`` or ``from ... import`` line."""
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[0], cst.Import | cst.ImportFrom
    )


def insert_position(body: list[cst.BaseStatement], source: str) -> tuple[int, str]:
    """Where a new ``from source import ...`` goes: isort-like, by group then by name.

    :param body: the module's statements.
    :param source: the module the new import imports from.
    :returns: the index, and ``after``/``before`` an import of its group, ``before-group``
        (first of its group, before the other group) or ``after-group``.
    """
    relative = source.startswith(".")
    section = None if relative else _section_position(body, source)
    if section is not None:
        return section
    first_code = 0
    absolute: list[tuple[int, str]] = []
    relatives: list[tuple[int, str]] = []
    for index, statement in enumerate(body):
        if _is_docstring_or_future(statement) and not absolute and not relatives:
            first_code = index + 1
            continue
        if not is_import(statement):
            break
        small = statement.body[0]  # type: ignore[attr-defined]
        if isinstance(small, cst.ImportFrom):
            name = module_name(small)
        else:
            name = cst.Module(body=[]).code_for_node(small.names[0].name)
        (relatives if name.startswith(".") else absolute).append((index, name))
    group, other_first, other_last = (
        (relatives, None, absolute[-1][0] + 1 if absolute else None)
        if relative
        else (absolute, relatives[0][0] if relatives else None, None)
    )
    before = [index for index, name in group if name <= source]
    if before:
        return before[-1] + 1, "after"
    if group:
        return group[0][0], "before"
    if other_first is not None:
        return other_first, "before-group"
    if other_last is not None:
        return other_last, "after-group"
    return first_code, "after"


def _is_docstring_or_future(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    small = statement.body[0]
    if isinstance(small, cst.ImportFrom) and module_name(small) == "__future__":
        return True
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
