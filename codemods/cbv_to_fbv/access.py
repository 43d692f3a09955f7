"""Access mixins as decorators, and the docstrings of the converted views.

Red Panda Approval V1-02, "Views": ``login_required`` on protected views. ``LoginRequiredMixin``,
``PermissionRequiredMixin`` and ``UserPassesTestMixin`` become decorators that answer exactly
as the mixins' ``dispatch`` did; every function says which class it replaced.
"""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    DispatchDecorators,
    DispatchGuard,
    ViewSpec,
    is_queryset_chain,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    parameter_names,
    parameters_without_self,
    rewrite_body,
)
from redpanda_migrate.codemods.cbv_to_fbv.builder import (
    HELPERS,
    ViewBuilder,
    literal,
    node_code,
)
from redpanda_migrate.codemods.cbv_to_fbv.guards import dispatch_guard_decorator
from redpanda_migrate.codemods.cbv_to_fbv.text import paragraph

KIND_WORDS = {
    "template": "TemplateView",
    "redirect": "RedirectView",
    "list": "ListView",
    "detail": "DetailView",
    "create": "CreateView",
    "update": "UpdateView",
    "delete": "DeleteView",
    "form": "FormView",
    "view": "View",
}


def access_decorators(builder: ViewBuilder) -> list[str]:
    """Write the decorators replacing the class's access mixins, in the mixins' order.

    :param builder: the builder of the view (a ``UserPassesTestMixin`` adds its test function).
    :returns: decorator lines, ``@`` included.
    :raises Unsupported: for ``permission_required`` or ``test_func`` with no plain equivalent.
    """
    spec = builder.spec
    denial = []
    for name in ("login_url", "redirect_field_name", "raise_exception"):
        if spec.attrs.get(name) is not None:
            denial.append(f"{name}={builder.attr_code(name)}")
    if spec.attrs.get("permission_denied_message") is not None:
        denial.append(f"message={builder.attr_code('permission_denied_message')}")
    tail = "".join(f", {item}" for item in denial)
    decorators = []
    guards = 0
    for mixin in spec.mixins:
        if isinstance(mixin, DispatchGuard):
            decorators.append(f"@{dispatch_guard_decorator(builder, mixin, guards)}")
            guards += 1
        elif isinstance(mixin, DispatchDecorators):
            # a project mixin's method_decorator wraps the chain from its place on
            builder.imports |= mixin.imports
            decorators += [f"@{code}" for code in mixin.codes]
        elif mixin == "login":
            if spec.attrs.get("raise_exception") is not None or "message=" in tail:
                # login_required cannot answer 403: the mixin's own check does.
                decorators.append(f"@{builder.need(HELPERS, 'require_login')}({tail[2:]})")
                continue
            login = builder.need("django.contrib.auth.decorators", "login_required")
            options = [item for item in denial if not item.startswith("raise_exception")]
            decorators.append(f"@{login}({', '.join(options)})" if options else f"@{login}")
        elif mixin == "permission":
            perms = spec.attrs.get("permission_required")
            value = literal(perms)
            if isinstance(value, str):
                perms_text = node_code(perms)  # type: ignore[arg-type]
            elif isinstance(value, list) and isinstance(perms, cst.List | cst.Tuple):
                perms_text = ", ".join(node_code(element.value) for element in perms.elements)
            else:
                raise Unsupported("sets permission_required to something other than constants")
            helper = builder.need(HELPERS, "require_permissions")
            decorators.append(f"@{helper}({perms_text}{tail})")
        elif mixin == "user_test":
            test_name = f"{spec.func_name}_allowed"
            func = spec.methods["test_func"]
            if parameter_names(parameters_without_self(func)):
                raise Unsupported("test_func() takes arguments")
            statements = rewrite_body(
                func,
                builder.context(
                    "test_func", reserved=frozenset({"request", "kwargs"}), object_name=None
                ),
            )
            body = cst.Module(body=statements).code
            lines = [
                f"def {test_name}(request, **kwargs):",
                f'    """Tell whether the request may use {spec.func_name} (its test_func)."""',
                *("    " + line if line else "" for line in body.rstrip("\n").split("\n")),
            ]
            builder.before.append("\n".join(lines))
            helper = builder.need(HELPERS, "require_access")
            decorators.append(f"@{helper}({test_name}{tail})")
    return decorators


def docstring(spec: ViewSpec, width: int = 88) -> str:
    """Write the converted function's docstring: the class's own summary or one for its kind.

    :param spec: the class.
    :param width: the project's line length, which the origin paragraph is wrapped at.
    :returns: the indented docstring lines.
    """
    if spec.docstring and "\n" not in spec.docstring.strip() and '"' not in spec.docstring:
        summary = spec.docstring.strip()
    else:
        summary = _summary(spec)
    kind = KIND_WORDS[spec.origin_kind or spec.kind]
    origin = f"Converted from the class-based {spec.class_name} ({kind})."
    return f'    """{summary}\n\n{paragraph(origin, width)}\n    """'


def _summary(spec: ViewSpec) -> str:
    model = spec.attrs.get("model")
    queryset = spec.attrs.get("queryset")
    if model is not None:
        model_name = node_code(model)
    elif queryset is not None and is_queryset_chain(queryset):
        model_name = node_code(queryset).split(".objects")[0].split("._default_manager")[0]
    else:
        model_name = "object"
    article = "an" if model_name[:1].lower() in "aeiou" else "a"
    template = literal(spec.attrs.get("template_name"))
    page = f"Render {template}." if isinstance(template, str) else "Render the page."
    return {
        "template": page,
        "redirect": "Redirect to the page that replaced this one.",
        "list": f"List {model_name} objects.",
        "detail": f"Show one {model_name}.",
        "create": f"Create {article} {model_name} from the form.",
        "update": f"Edit {article} {model_name} with the form.",
        "delete": f"Delete {article} {model_name} after confirmation.",
        "form": "Show the form and handle its submission.",
        "view": "Answer the request.",
    }[spec.kind]
