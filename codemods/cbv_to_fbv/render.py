"""Writing the function-based view that answers every request as a class-based view did.

Red Panda Approval V1-02, "Views": function-based views exclusively, explicit logic over
implicit inheritance, shared logic in utility functions, ``login_required`` on protected views.
One renderer per kind spells out what Django's generic view of that kind does (see
``django/views/generic/*.py``): :mod:`.pages` for pages, lists, details and plain
views, :mod:`.forms` for form, create and update views,
:mod:`.delete` for delete views; the access mixins
become decorators (:mod:`.access`), and what every view shares is a helper of
:mod:`.helpers`.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from redpanda_migrate.codemods.cbv_to_fbv.access import access_decorators, docstring
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    ViewSpec,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.builder import (
    HELPERS,
    ViewBuilder,
    node_code,
)
from redpanda_migrate.codemods.cbv_to_fbv.delete import DELETE_RENDERERS
from redpanda_migrate.codemods.cbv_to_fbv.forms import FORM_RENDERERS
from redpanda_migrate.codemods.cbv_to_fbv.guards import GUARD_KINDS, emit_get_guard
from redpanda_migrate.codemods.cbv_to_fbv.own_methods import emit_own_methods
from redpanda_migrate.codemods.cbv_to_fbv.pages import PAGE_RENDERERS, render_plain_view
from redpanda_migrate.codemods.cbv_to_fbv.text import LINE_LENGTH, wrap_line
from redpanda_migrate.codemods.cbv_to_fbv.urls import CALLED_POSITIONALLY


@dataclass
class Rendered:
    """The code replacing one class.

    :param text: module-level source: helper definitions, then the decorated function.
    :param imports: ``(module, name)`` pairs the code needs.
    """

    text: str
    imports: set[tuple[str, str]] = field(default_factory=set)


RENDERERS = {**PAGE_RENDERERS, **FORM_RENDERERS, **DELETE_RENDERERS}


def render_view(
    spec: ViewSpec, taken: AbstractSet[str] = frozenset(), width: int = LINE_LENGTH
) -> Rendered:
    """Write the function-based view (and what it needs) for one class-based view.

    Enforces "Views" of the standard: function-based views, explicit logic, shared helpers,
    access rules as decorators.

    :param spec: the class, as read by :func:`~codemods.cbv_to_fbv.analysis.describe_class`.
    :param taken: module-level names already in use, which new definitions avoid.
    :param width: the project's line length, which the generated code is wrapped at.
    :returns: the module-level code and the imports it needs.
    :raises Unsupported: when some part of the class has no exact plain equivalent.
    """
    builder = ViewBuilder(spec, taken, width)
    emit_own_methods(builder)
    if spec.kind == "view":
        methods, signature = render_plain_view(builder)
        if spec.takes_args and "*" not in signature.replace("**", ""):
            raise Unsupported(f"{CALLED_POSITIONALLY}: its handlers take no *args")
    else:
        if spec.kind in GUARD_KINDS:
            emit_get_guard(builder)
        methods = RENDERERS[spec.kind](builder)
        signature = "request, *args, **kwargs" if spec.takes_args else "request, **kwargs"
    decorators = [f"@{node_code(decorator)}" for decorator in spec.dispatch_decorators]
    decorators += access_decorators(builder)
    if spec.kind == "redirect":
        require = builder.need("django.views.decorators.http", "require_http_methods")
        decorators.append(f"@{require}({methods!r})".replace("'", '"'))
    else:
        allow = builder.need(HELPERS, "allow_methods")
        decorators.append(f"@{allow}({', '.join(f'{m!r}' for m in methods)})".replace("'", '"'))
    lines = [
        *decorators,
        f"def {spec.func_name}({signature}):",
        docstring(spec, width),
        *builder.lines,
    ]
    lines = [wrap_line(line, width) for line in lines]
    blocks = [*builder.before, "\n".join(lines)]
    return Rendered("\n\n\n".join(blocks) + "\n", builder.imports)
