"""Keeping a views module's imports right after ``cbv-to-fbv`` replaced its classes.

Red Panda Approval V1-02, "Views" (and ruff-clean output): the imports the new functions need
are added, merged into an existing ``from module import ...`` when there is one, and the names
only the classes used (generic views, mixins, ``method_decorator``, ``reverse_lazy``) go away.
Other imports are never touched.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.shared.import_sections import (
    Slot,
    bind_slots,
    has_package,
    insert_position,
    is_import,
    module_name,
    peek_leading,
    shift_slots,
    top_package,
)

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


def _alias_names(node: cst.ImportFrom) -> list[tuple[str, str | None]]:
    if isinstance(node.names, cst.ImportStar):
        return []
    result = []
    for alias in node.names:
        asname = alias.asname.name.value if alias.asname else None  # type: ignore[union-attr]
        result.append((cst.Module(body=[]).code_for_node(alias.name), asname))
    return result


def format_import(
    module: str, names: list[tuple[str, str | None]], width: int = LINE_LENGTH
) -> str:
    """Write a ``from module import ...`` statement the way ruff format would.

    :param module: the module, dots included for relative imports.
    :param names: ``(name, asname)`` pairs.
    :param width: the project's line length.
    :returns: one line, or a parenthesised block when it would be too long.
    """
    spelled = sorted(f"{name} as {asname}" if asname else name for name, asname in names)
    line = f"from {module} import {', '.join(spelled)}"
    if len(line) <= width:
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
                        bound[asname or name] = f"import:{module_name(small)}:{name}"
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
        if isinstance(small, cst.ImportFrom) and module_name(small) == source:
            if (name, None) in _alias_names(small):
                return index
    return None


def update_imports(
    module: cst.Module,
    needed: set[tuple[str, str]],
    first_use: int | None = None,
    width: int = LINE_LENGTH,
    prunable_names: Collection[str] = (),
) -> cst.Module:
    """Add the imports the new functions need and drop those only the classes used.

    A needed name imported only further down than ``first_use`` (decorators run when the
    module is imported, so the name must be bound before them) moves up: it is imported
    with the other new names and leaves the later import.

    :param module: the views module with its classes already replaced.
    :param needed: ``(module, name)`` pairs to import.
    :param first_use: index in ``module.body`` of the first generated statement.
    :param width: the project's line length, for import lines that must wrap.
    :param prunable_names: names the replaced classes used as bases (project mixins too):
        imported with ``from``, they go when nothing else uses them.
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
    # top-level package -> where an import of it was removed (see Slot)
    slots: dict[str, Slot] = {}
    waiting: list[Slot] = []
    previous: Sequence[cst.EmptyLine] = ()
    for position, statement in enumerate(module.body):
        bind_slots(slots, waiting, len(body), previous)
        previous = statement.leading_lines
        if pending is not None and is_import(statement):
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
        source = module_name(small)
        names = _alias_names(small)
        kept = list(names)
        if source in PRUNABLE_MODULES:
            kept = [(name, asname) for name, asname in names if (asname or name) in used]
        kept = [
            (name, asname)
            for name, asname in kept
            if (asname or name) in used or (asname or name) not in prunable_names
        ]
        if first_use is not None and position > first_use:
            kept = [(name, asname) for name, asname in kept if (source, name) not in late]
            added = set()
        else:
            added = missing.pop(source, set())
        kept += [(name, None) for name in added]
        if kept == names:
            body.append(statement)
        elif kept:
            body.append(
                _import_statement(format_import(source, kept, width), statement.leading_lines)
            )
        else:
            waiting.append(Slot(top_package(source), len(body), statement.leading_lines, ()))
            if not any(is_import(kept_statement) for kept_statement in body):
                # the first import goes: the next statement takes its place (and spacing)
                pending = statement.leading_lines
            elif statement.leading_lines and not peek_leading(module.body, position + 1):
                # it began a section that goes on: the next import begins it now
                pending = statement.leading_lines
    bind_slots(slots, waiting, len(body) + 1, previous)
    # absolute imports first: relative ones go after them
    for source, names in sorted(missing.items(), key=lambda item: (item[0][0] == ".", item[0])):
        new = _import_statement(format_import(source, [(name, None) for name in names], width))
        slot = slots.pop(top_package(source), None)
        if slot is not None and not source.startswith(".") and not has_package(body, source):
            # A removed import of the same package leaves its place (and spacing) to it.
            body.insert(slot.index, new.with_changes(leading_lines=slot.leading))
            if slot.index + 1 < len(body):
                body[slot.index + 1] = body[slot.index + 1].with_changes(
                    leading_lines=slot.follower_leading
                )
            shift_slots(slots, slot.index)
            continue
        position, where = insert_position(body, source)
        shift_slots(slots, position)
        if where in ("before", "before-group"):
            new = new.with_changes(leading_lines=body[position].leading_lines)
            separator = [cst.EmptyLine()] if where == "before-group" else []
            body[position] = body[position].with_changes(leading_lines=separator)
        elif where == "after-group" or (position > 0 and not is_import(body[position - 1])):
            new = new.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, new)
    return module.with_changes(body=body)
