"""Keeping a views module's imports right after ``cbv-to-fbv`` replaced its classes.

Red Panda Approval V1-02, "Views" (and ruff-clean output): the imports the new functions need
are added, merged into an existing ``from module import ...`` when there is one, and the names
only the classes used (generic views, mixins, ``method_decorator``, ``reverse_lazy``) go away.
Other imports are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from redpanda_migrate.codemods._cbv_body import Unsupported

# Modules whose names may become unused once the classes are gone.
PRUNABLE_MODULES = (
    "django.views",
    "django.views.generic",
    "django.views.generic.base",
    "django.views.generic.list",
    "django.views.generic.detail",
    "django.views.generic.edit",
    "django.contrib.auth.mixins",
    "django.contrib.messages.views",
    "django.utils.decorators",
    "django.urls",
)
LINE_LENGTH = 88


def _module_name(node: cst.ImportFrom) -> str:
    dots = "." * len(node.relative)
    name = cst.Module(body=[]).code_for_node(node.module) if node.module else ""
    return dots + name


def _alias_names(node: cst.ImportFrom) -> list[tuple[str, str | None]]:
    if isinstance(node.names, cst.ImportStar):
        return []
    result = []
    for alias in node.names:
        asname = alias.asname.name.value if alias.asname else None  # type: ignore[union-attr]
        result.append((cst.Module(body=[]).code_for_node(alias.name), asname))
    return result


def format_import(module: str, names: list[tuple[str, str | None]]) -> str:
    """Write a ``from module import ...`` statement the way ruff format would.

    :param module: the module, dots included for relative imports.
    :param names: ``(name, asname)`` pairs.
    :returns: one line, or a parenthesised block when it would be too long.
    """
    spelled = sorted(f"{name} as {asname}" if asname else name for name, asname in names)
    line = f"from {module} import {', '.join(spelled)}"
    if len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"    {name},\n" for name in spelled)
    return f"from {module} import (\n{inner})"


def bound_names(module: cst.Module) -> dict[str, str]:
    """Map every module-level name to what binds it (``import:<module>`` or ``def``).

    :param module: the parsed module.
    :returns: name -> binding description.
    """
    bound: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            bound[statement.name.value] = "def"
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom):
                    for name, asname in _alias_names(small):
                        bound[asname or name] = f"import:{_module_name(small)}:{name}"
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = cst.Module(body=[]).code_for_node(alias.name)
                        local = alias.asname.name.value if alias.asname else dotted.split(".")[0]  # type: ignore[union-attr]
                        bound[local] = f"import:{dotted}"
                elif isinstance(small, cst.Assign | cst.AnnAssign):
                    targets = (
                        [target.target for target in small.targets]
                        if isinstance(small, cst.Assign)
                        else [small.target]
                    )
                    for target in targets:
                        if isinstance(target, cst.Name):
                            bound[target.value] = "assign"
        else:
            bound.update(dict.fromkeys(_names_in_compound(statement), "compound"))
    return bound


def _names_in_compound(statement: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    statement.visit(Collector())
    return names


def used_names(module: cst.Module) -> set[str]:
    """Collect every name the module reads outside its import statements.

    :param module: the parsed module.
    :returns: the names (attribute names excluded).
    """
    names: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(Collector())
    return names


def _import_statement(text: str, leading: Iterable[cst.EmptyLine] = ()) -> cst.SimpleStatementLine:
    statement = cst.parse_statement(text)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement.with_changes(leading_lines=list(leading))


def _import_index(module: cst.Module, source: str, name: str) -> int | None:
    """Index of the first top-level ``from source import name`` (no alias) of a module."""
    for index, statement in enumerate(module.body):
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if isinstance(small, cst.ImportFrom) and _module_name(small) == source:
            if (name, None) in _alias_names(small):
                return index
    return None


def update_imports(
    module: cst.Module, needed: set[tuple[str, str]], first_use: int | None = None
) -> cst.Module:
    """Add the imports the new functions need and drop those only the classes used.

    A needed name imported only further down than ``first_use`` (decorators run when the
    module is imported, so the name must be bound before them) moves up: it is imported
    with the other new names and leaves the later import.

    :param module: the views module with its classes already replaced.
    :param needed: ``(module, name)`` pairs to import.
    :param first_use: index in ``module.body`` of the first generated statement.
    :returns: the module with its imports updated.
    :raises Unsupported: when a needed name is already bound to something else.
    """
    bound = bound_names(module)
    missing: dict[str, set[str]] = {}
    late: set[tuple[str, str]] = set()
    for source, name in sorted(needed):
        binding = bound.get(name)
        if binding is None:
            missing.setdefault(source, set()).add(name)
        elif binding != f"import:{source}:{name}" and not binding.startswith(f"import:{source}"):
            raise Unsupported(f"the module already defines {name!r}, which the functions need")
        elif first_use is not None:
            index = _import_index(module, source, name)
            if index is not None and index > first_use:
                late.add((source, name))
                missing.setdefault(source, set()).add(name)
    used = used_names(module) | {name for _source, name in needed}
    body: list[cst.BaseStatement] = []
    pending: Sequence[cst.EmptyLine] | None = None
    # top-level package -> where an import of it was removed (see _Slot)
    slots: dict[str, _Slot] = {}
    waiting: list[_Slot] = []
    previous: Sequence[cst.EmptyLine] = ()
    for position, statement in enumerate(module.body):
        _bind_slots(slots, waiting, len(body), previous)
        previous = statement.leading_lines
        if pending is not None and _is_import(statement):
            statement = statement.with_changes(leading_lines=pending)
        pending = None
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if not (
            isinstance(small, cst.ImportFrom)
            and len(statement.body) == 1  # type: ignore[union-attr]
            and not isinstance(small.names, cst.ImportStar)
        ):
            body.append(statement)
            continue
        source = _module_name(small)
        names = _alias_names(small)
        kept = list(names)
        if source in PRUNABLE_MODULES:
            kept = [(name, asname) for name, asname in names if (asname or name) in used]
        if first_use is not None and position > first_use:
            kept = [(name, asname) for name, asname in kept if (source, name) not in late]
            added = set()
        else:
            added = missing.pop(source, set())
        kept += [(name, None) for name in added]
        if kept == names:
            body.append(statement)
        elif kept:
            body.append(_import_statement(format_import(source, kept), statement.leading_lines))
        else:
            waiting.append(_Slot(_top(source), len(body), statement.leading_lines, ()))
            if not any(_is_import(kept_statement) for kept_statement in body):
                # the first import goes: the next statement takes its place (and spacing)
                pending = statement.leading_lines
            elif statement.leading_lines and not _peek_leading(module.body, position + 1):
                # it began a section that goes on: the next import begins it now
                pending = statement.leading_lines
    _bind_slots(slots, waiting, len(body) + 1, previous)
    # absolute imports first: relative ones go after them
    for source, names in sorted(missing.items(), key=lambda item: (item[0][0] == ".", item[0])):
        new = _import_statement(format_import(source, [(name, None) for name in names]))
        slot = slots.pop(_top(source), None)
        if slot is not None and not source.startswith(".") and not _has_top(body, source):
            # A removed import of the same package leaves its place (and spacing) to it.
            body.insert(slot.index, new.with_changes(leading_lines=slot.leading))
            if slot.index + 1 < len(body):
                body[slot.index + 1] = body[slot.index + 1].with_changes(
                    leading_lines=slot.follower_leading
                )
            _shift_slots(slots, slot.index)
            continue
        position, where = _insert_position(body, source)
        _shift_slots(slots, position)
        if where in ("before", "before-group"):
            new = new.with_changes(leading_lines=body[position].leading_lines)
            separator = [cst.EmptyLine()] if where == "before-group" else []
            body[position] = body[position].with_changes(leading_lines=separator)
        elif where == "after-group" or (position > 0 and not _is_import(body[position - 1])):
            new = new.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, new)
    return module.with_changes(body=body)


@dataclass
class _Slot:
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


def _bind_slots(
    slots: dict[str, _Slot], waiting: list[_Slot], length: int, leading: Sequence[cst.EmptyLine]
) -> None:
    """Record the slots whose follower was just appended (with its original leading lines)."""
    for slot in list(waiting):
        if slot.index < length:
            slot.follower_leading = leading
            slots.setdefault(slot.top, slot)
            waiting.remove(slot)


def _shift_slots(slots: dict[str, _Slot], position: int) -> None:
    for slot in slots.values():
        if slot.index >= position:
            slot.index += 1


def _top(source: str) -> str:
    return source if source.startswith(".") else source.split(".")[0]


def _has_top(body: Sequence[cst.BaseStatement], source: str) -> bool:
    return any(name.split(".")[0] == _top(source) for _index_, name in _absolute_imports(body))


def _peek_leading(body: Sequence[cst.BaseStatement], index: int) -> Sequence[cst.EmptyLine]:
    """Give the leading lines of the import at ``index``, a blank line when it is not one."""
    if index >= len(body) or not _is_import(body[index]):
        return [cst.EmptyLine()]
    return body[index].leading_lines


def _absolute_imports(body: Sequence[cst.BaseStatement]) -> list[tuple[int, str]]:
    """List the top-level imports of absolute modules: index and module name."""
    found = []
    for index, statement in enumerate(body):
        if not _is_import(statement):
            continue
        small = statement.body[0]  # type: ignore[attr-defined]
        if isinstance(small, cst.ImportFrom):
            name = _module_name(small)
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
    home = [index for index, name in imports.items() if name.split(".")[0] == _top(source)]
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


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[0], cst.Import | cst.ImportFrom
    )


def _insert_position(body: list[cst.BaseStatement], source: str) -> tuple[int, str]:
    """Where a new ``from source import ...`` goes: isort-like, by group then by name.

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
        if not _is_import(statement):
            break
        small = statement.body[0]  # type: ignore[attr-defined]
        if isinstance(small, cst.ImportFrom):
            name = _module_name(small)
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
    if isinstance(small, cst.ImportFrom) and _module_name(small) == "__future__":
        return True
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
