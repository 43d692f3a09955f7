"""Uses of a class name that stand for another module's class, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": a class converts only when nothing else names it any more.
Two modules may each define a class of the same name (a public and a staff
``CreateTicketView``): ``staff.CreateTicketView`` in the public views module names the staff
class, through the module alias ``staff``, not the public one. Such uses are told apart by
reading the module's imports; every other use still counts.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.cbv_to_fbv.urls import read_imports


def foreign_uses(
    path: str,
    text: str,
    class_name: str,
    owner: str,
    files: Iterable[str],
    roots: Iterable[str],
    module: cst.Module | None = None,
) -> list[int] | None:
    """List the lines where ``alias.<class_name>`` names a class of another module.

    A module other than the owner that defines a top-level class of that name itself (and
    does not import the owner's) means its own class wherever it writes the bare name.

    :param path: the module's path.
    :param text: its source.
    :param class_name: the converted class's name.
    :param owner: the path of the module that defined the converted class.
    :param files: every project file.
    :param roots: folders the project's code is imported from.
    :param module: ``text`` parsed already (each text is parsed once per run).
    :returns: one line number per such use (empty when the module cannot be parsed), or
        ``None`` when every use in the module names its own class.
    """
    if module is None:
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            return []
    imports = read_imports(module, path, files, roots)
    own_class = any(
        isinstance(statement, cst.ClassDef) and statement.name.value == class_name
        for statement in module.body
    )
    if path != owner and own_class and class_name not in imports.members:
        return None
    # ``from django.views.generic import UpdateView``: the bare name is Django's class here
    outside = path != owner and class_name in imports.outside
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines: list[int] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            value = node.value
            if (
                node.attr.value == class_name
                and isinstance(value, cst.Name)
                and value.value in imports.modules
                and imports.modules[value.value] != owner
            ):
                lines.append(positions[node.attr].start.line)
            node.value.visit(self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if outside and node.value == class_name:
                lines.append(positions[node].start.line)

    wrapper.module.visit(Finder())
    return lines
