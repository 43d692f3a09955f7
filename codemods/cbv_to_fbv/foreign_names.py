"""Module-level names of a project base's module that the view's module binds differently.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. A project mixin's
method moved into a view's module keeps reading the globals of the mixin's module:
``logger.debug(...)`` in ``wger/utils/generic_views.py`` logs to *that* module's logger. When
the view's module has a ``logger`` of its own, importing the mixin's would clash and using the
view's would log elsewhere; the moved code reads it through its module instead
(``generic_views.logger``, with ``from wger.utils import generic_views``), the same object.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.body import NameUses
from redpanda_migrate.codemods.cbv_to_fbv.compose import _Bound


class _Qualify(cst.CSTTransformer):
    def __init__(self, names: Collection[str], module_name: str) -> None:
        super().__init__()
        self.names = names
        self.module_name = module_name

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False  # only ``x`` of ``x.attr`` can be a global: leave_Attribute visits it

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        value = original.value.visit(self)
        return updated.with_changes(value=value)

    def visit_Arg(self, node: cst.Arg) -> bool:
        return True

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        # ``keyword=`` is not a use of a name: keep it as written
        return updated.with_changes(keyword=original.keyword)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if original.value in self.names:
            return cst.Attribute(value=cst.Name(self.module_name), attr=cst.Name(original.value))
        return updated


def qualify_clashing_globals(
    statement: cst.BaseStatement,
    source_module: str | None,
    source_top_level: Iterable[str],
    view_bound: Collection[str],
) -> tuple[cst.BaseStatement, set[tuple[str, str]]]:
    """Read the base module's globals that the view's module rebinds through their module.

    :param statement: a method (or attribute) moved from the base's module.
    :param source_module: the base module's dotted name (``wger.utils.generic_views``).
    :param source_top_level: the names the base's module defines itself.
    :param view_bound: the names the view's module binds at its top level (or imports).
    :returns: the statement, with ``logger`` written ``generic_views.logger`` where the two
        modules differ, and the ``(package, module)`` import that needs; unchanged (and no
        import) when nothing clashes or the base's module cannot be imported that way.
    """
    if source_module is None or "." not in source_module:
        return statement, set()
    package, _, module_name = source_module.rpartition(".")
    uses = NameUses()
    statement.visit(uses)
    bound = _Bound()
    if isinstance(statement, cst.FunctionDef):
        statement.body.visit(bound)
        bound.names |= {param.name.value for param in statement.params.params}
    clashing = (set(source_top_level) & set(view_bound) & uses.names) - bound.names - {"self"}
    if not clashing or module_name in view_bound or module_name in uses.names:
        return statement, set()
    if isinstance(statement, cst.FunctionDef):
        qualified = statement.with_changes(
            body=statement.body.visit(_Qualify(clashing, module_name))
        )
    else:
        qualified = statement.visit(_Qualify(clashing, module_name))  # type: ignore[assignment]
    return qualified, {(package, module_name)}


def used_imports(imports: Iterable[tuple[str, str]], text: str) -> set[tuple[str, str]]:
    """Keep the imports of inherited code that the generated functions still use.

    Inherited lines can fold away (``for field in ():``), taking the last use of a name the
    base's module imported with them.

    :param imports: ``(module, name)`` pairs the inherited members needed.
    :param text: the generated code.
    :returns: the pairs whose name the code uses.
    """
    uses = NameUses()
    cst.parse_module(text).visit(uses)
    return {(module, name) for module, name in imports if name in uses.names}
