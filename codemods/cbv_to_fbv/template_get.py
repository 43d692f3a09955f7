"""A ``TemplateView``'s ``get()`` read as Django's own code path, for ``cbv-to-fbv``.

Red Panda Approval V1-02, "Views": explicit logic over implicit inheritance. Each rewrite keeps
``TemplateView`` (``django/views/generic/base.py``, Django 4.2-5.2) exactly:

* In ``get(self, request, *args, **kwargs)``, the two statements ``context =
  self.get_context_data(**kwargs)`` and ``return self.render_to_response(context)`` are
  ``TemplateView.get``'s own body: ``return super().get(request, *args, **kwargs)``.
* A ``get()`` ending ``if C: ... return super().get(...) else: raise ...`` (one branch
  returning Django's page, the other never falling through) checks ``not C`` first.
* A view whose ``get()`` never builds Django's context (no ``super()``, no
  ``get_context_data``) answers as a plain view: ``self.render_to_response(context)`` is
  ``TemplateResponse(request, [template_name], context)``, as ``TemplateResponseMixin`` does.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import ViewSpec
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    NameUses,
    Unsupported,
    always_returns,
    parameter_names,
    parameters_without_self,
)

SUPER_GET = "return super().get(request, *args, **kwargs)"
_CONTEXT = "context = self.get_context_data(**kwargs)"
_RENDER = "return self.render_to_response(context)"
RENDER_WITH_OPTIONS = (
    "sets template_engine or response_class, which the plain TemplateResponse does not use; "
    "convert by hand"
)
TEMPLATE_GET_MIXED = (
    "overrides get() without Django's page and also get_context_data() or "
    "get_template_names(); move their lines into get() or convert by hand"
)


def code_of(node: cst.CSTNode) -> str:
    """Return a node's source, stripped.

    :param node: any libcst node.
    :returns: its code.
    """
    return cst.Module(body=[]).code_for_node(node).strip()


def block_of(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    """Return the statements of a block (one-line blocks as one statement line).

    :param suite: a block.
    :returns: its statements.
    """
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [cst.SimpleStatementLine(body=list(suite.body))]  # type: ignore[attr-defined,arg-type]


def name_count(statements: Iterable[cst.CSTNode], name: str) -> int:
    """Count the ``Name`` nodes spelling ``name`` (attribute names included).

    :param statements: the code.
    :param name: the identifier.
    :returns: how many times it occurs.
    """
    count = 0
    for statement in statements:
        uses = _NameCount(name)
        statement.visit(uses)
        count += uses.count
    return count


class _NameCount(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.count = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1


class Bound(NameUses):
    """Names bound anywhere in a body (assignment targets, loops, ``with ... as``)."""

    def __init__(self) -> None:
        super().__init__()
        self.bound: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound |= target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound |= target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound |= target_names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.bound |= target_names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.bound |= target_names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound |= target_names(node.target)


def target_names(node: cst.CSTNode) -> set[str]:
    """Return the names an assignment target binds (``a``, ``a, b``, ``[a, b]``).

    :param node: the target.
    :returns: the names.
    """
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, cst.Tuple | cst.List):
        names: set[str] = set()
        for element in node.elements:
            names |= target_names(element.value)
        return names
    return set()


class _TailToSuper(cst.CSTTransformer):
    """Replace Django's ``TemplateView.get`` body, spelled out, with ``super().get()``.

    ``context = self.get_context_data(**kwargs)`` then ``return
    self.render_to_response(context)``, in any block.
    """

    def __init__(self) -> None:
        super().__init__()
        self.replaced = 0

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = list(updated.body)
        out: list[cst.BaseStatement] = []
        index = 0
        while index < len(body):
            pair = body[index : index + 2]
            if len(pair) == 2 and [code_of(s) for s in pair] == [_CONTEXT, _RENDER]:
                line = cst.parse_statement(SUPER_GET + "\n")
                leading = getattr(pair[0], "leading_lines", ())
                out.append(line.with_changes(leading_lines=leading))
                self.replaced += 1
                index += 2
                continue
            out.append(body[index])
            index += 1
        return updated.with_changes(body=out)


def _ends_with_super_get(statements: list[cst.BaseStatement]) -> bool:
    return bool(statements) and code_of(statements[-1]) == SUPER_GET


def _guard_last_if(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``if C: <..., return super().get()> else: <never falls through>`` -> check first."""
    if not statements or not isinstance(statements[-1], cst.If):
        return statements
    last = statements[-1]
    orelse = last.orelse
    if not isinstance(orelse, cst.Else):
        return statements
    body, other = block_of(last.body), block_of(orelse.body)
    if _ends_with_super_get(body) and always_returns(other):
        check = cst.UnaryOperation(
            operator=cst.Not(),
            expression=last.test.with_changes(
                lpar=[cst.LeftParen()] if not last.test.lpar else last.test.lpar,
                rpar=[cst.RightParen()] if not last.test.rpar else last.test.rpar,
            ),
        )
        first = last.with_changes(test=check, body=orelse.body, orelse=None)
        return [*statements[:-1], first, *body]
    if _ends_with_super_get(other) and always_returns(body):
        first = last.with_changes(orelse=None)
        return [*statements[:-1], first, *other]
    return statements


def normalize_template_get(spec: ViewSpec) -> None:
    """Spell a ``TemplateView``'s ``get()`` as a check before ``super().get()`` where it is one.

    :param spec: the view; its ``get`` is replaced when a rewrite applies.
    """
    method = spec.methods.get("get")
    if spec.kind != "template" or method is None:
        return
    try:
        params = parameter_names(parameters_without_self(method))
    except Unsupported:
        return
    if params != ["request", "args", "kwargs"]:
        return
    assigned = Bound()
    method.body.visit(assigned)
    if assigned.bound & {"request", "args", "kwargs"}:
        return  # the tail must see the arguments Django passed
    tail = _TailToSuper()
    body = method.body.visit(tail)
    if tail.replaced and name_count([body], "context") != 0:
        return  # `context` read elsewhere: the rewritten tail would not set it
    assert isinstance(body, cst.BaseSuite)
    statements = _guard_last_if(block_of(body))
    if isinstance(body, cst.IndentedBlock):
        body = body.with_changes(body=statements)
    spec.methods["get"] = method.with_changes(body=body)


class _RenderToResponse(cst.CSTTransformer):
    def __init__(self, template: cst.BaseExpression, content_type: cst.BaseExpression | None):
        super().__init__()
        self.template = template
        self.content_type = content_type

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if not (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
            and func.attr.value == "render_to_response"
        ):
            return updated
        if len(updated.args) != 1 or updated.args[0].keyword or updated.args[0].star:
            raise Unsupported(
                f"{TEMPLATE_GET_MIXED}: render_to_response() is called with more than the context"
            )
        args = [
            cst.Arg(cst.parse_expression("self.request")),
            cst.Arg(cst.List([cst.Element(self.template.deep_clone())])),
            cst.Arg(updated.args[0].value),
        ]
        if self.content_type is not None:
            args.append(
                cst.Arg(
                    self.content_type.deep_clone(),
                    keyword=cst.Name("content_type"),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
            )
        return cst.Call(func=cst.Name("TemplateResponse"), args=args)


def _calls_django_page(method: cst.FunctionDef) -> bool:
    code = code_of(method)
    return "super(" in code or "get_context_data" in code or "get_template_names" in code


def template_as_plain_view(spec: ViewSpec) -> set[tuple[str, str]]:
    """Read a ``TemplateView`` whose ``get()`` renders its own context as a plain view.

    ``TemplateView`` adds nothing to such a view but ``render_to_response()`` (and HEAD and
    OPTIONS, which a plain view with ``get()`` answers the same way).

    :param spec: the view; its kind becomes ``view`` when the rewrite applies.
    :returns: the imports the rewritten ``get()`` needs.
    :raises Unsupported: when the page depends on something the plain view would not do.
    """
    method = spec.methods.get("get")
    if spec.kind != "template" or method is None or _calls_django_page(method):
        return set()
    if "get_context_data" in spec.methods or "get_template_names" in spec.methods:
        raise Unsupported(f"{TEMPLATE_GET_MIXED}: {spec.class_name}")
    if "template_engine" in spec.attrs or "response_class" in spec.attrs:
        raise Unsupported(RENDER_WITH_OPTIONS)
    template = spec.attrs.get("template_name")
    if "render_to_response" in code_of(method) and template is None:
        raise Unsupported("renders a page without template_name; set template_name")
    imports: set[tuple[str, str]] = set()
    for name, other in list(spec.methods.items()):
        if "render_to_response" not in code_of(other):
            continue
        assert template is not None
        spec.methods[name] = other.visit(  # type: ignore[assignment]
            _RenderToResponse(template, spec.attrs.get("content_type"))
        )
        imports.add(("django.template.response", "TemplateResponse"))
    spec.origin_kind, spec.kind = spec.kind, "view"
    if spec.docstring is None and template is not None:
        spec.docstring = f"Render {code_of(template).strip(chr(34) + chr(39))} as get() decides."
    return imports
