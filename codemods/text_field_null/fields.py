"""Finding ``null=True`` on text fields in models modules, and judging each one.

Read with :mod:`ast`. A text field is Django's ``CharField`` or ``TextField`` or a subclass
Django ships (``SlugField``, ``EmailField``, ``URLField``), named through the module's imports
(``models.CharField``, ``CharField`` from ``django.db.models``, an alias). What makes a
conversion unsafe whatever the migrations say is decided here: ``null`` that is not a literal,
uniqueness (empty strings collide where NULLs do not), a default that is not a string literal,
abstract and unmanaged models.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from redpanda_migrate.codemods.shared.ast_names import dotted_name

TEXT_FIELD_CLASSES = frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField"})
FIELD_MODULES = frozenset({"django.db.models", "django.db.models.fields"})


@dataclass(frozen=True)
class NullTextField:
    """A text field declared with ``null=True`` (or ``null=<expression>``).

    :param path: the models module.
    :param line: the line of the field's assignment.
    :param model: the model's class name.
    :param name: the field's name.
    :param has_blank: the declaration passes ``blank`` (kept as it is).
    :param default_is_none: it passes ``default=None`` (becomes ``""``).
    :param has_default: it passes a ``default`` (a string is kept).
    :param default_unread: the default is not a literal (a constant's name): the migrations'
        serialised value must show it is a string.
    :param refusal: why it cannot be converted, ``None`` when it can as far as the model says.
    """

    path: str
    line: int
    model: str
    name: str
    has_blank: bool
    default_is_none: bool
    has_default: bool
    default_unread: bool = False
    refusal: str | None = None


def import_bindings(module: ast.Module) -> dict[str, str]:
    """Map the names a module's top-level imports bind to what they name.

    :param module: the parsed module.
    :returns: bound name -> dotted name (``models`` -> ``django.db.models``).
    """
    bindings = {}
    for statement in module.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    bindings[alias.asname] = alias.name
                else:
                    first = alias.name.split(".")[0]
                    bindings[first] = first
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                bindings[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
    return bindings


def is_text_field(call: ast.Call, bindings: dict[str, str]) -> bool:
    """Tell whether a call builds one of Django's text fields.

    :param call: the call.
    :param bindings: the module's import bindings.
    """
    name = dotted_name(call.func)
    head, _, rest = name.partition(".")
    if not name or head not in bindings:
        return False
    qualified = f"{bindings[head]}.{rest}" if rest else bindings[head]
    module, _, class_name = qualified.rpartition(".")
    return module in FIELD_MODULES and class_name in TEXT_FIELD_CLASSES


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_constant(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _meta(model: ast.ClassDef) -> ast.ClassDef | None:
    return next((s for s in model.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None)


def _meta_value(meta: ast.ClassDef | None, name: str) -> ast.expr | None:
    for statement in meta.body if meta else ():
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in statement.targets
        ):
            return statement.value
    return None


def _unique_together_names(meta: ast.ClassDef | None) -> set[str]:
    """Field names a ``unique_together`` or a ``UniqueConstraint`` of Meta mentions."""
    names: set[str] = set()
    together = _meta_value(meta, "unique_together")
    constraints = _meta_value(meta, "constraints")
    for node in (together, constraints):
        for inner in ast.walk(node) if node is not None else ():
            if node is constraints and not (
                isinstance(inner, ast.Call) and dotted_name(inner.func).endswith("UniqueConstraint")
            ):
                continue
            for leaf in ast.walk(inner):
                if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                    names.add(leaf.value)
    return names


def _model_refusal(model: ast.ClassDef) -> str | None:
    meta = _meta(model)
    if _is_constant(_meta_value(meta, "abstract"), True):
        return (
            f"abstract model {model.name}: the field lives in the table of every concrete "
            "subclass (perhaps in other apps); convert it by hand with a migration per app"
        )
    managed = _meta_value(meta, "managed")
    if managed is not None and not _is_constant(managed, True):
        return (
            f"{model.name} is not managed by Django (Meta.managed): its table is not ours to alter"
        )
    return None


def _field_refusal(call: ast.Call, name: str, unique_names: set[str]) -> str | None:
    null = _keyword(call, "null")
    if not _is_constant(null, True):
        written = ast.unparse(null) if null is not None else ""
        return (
            f"null={written} is not a literal True: whether the column takes NULL is decided "
            'elsewhere; if it is True, write blank=True, default="" by hand'
        )
    if _is_constant(_keyword(call, "unique"), True) or _is_constant(
        _keyword(call, "primary_key"), True
    ):
        return (
            "unique=True with null=True: NULLs never collide but empty strings do, so rows "
            "without a value would break the unique constraint (Django's documented exception "
            "for unique optional text); keep null=True here"
        )
    if name in unique_names:
        return (
            "part of a unique_together or UniqueConstraint with null=True: NULLs never collide "
            "but empty strings do; keep null=True or make the values unique first"
        )
    return None


def _literal_default(call: ast.Call) -> bool:
    default = _keyword(call, "default")
    return default is None or (
        isinstance(default, ast.Constant)
        and (default.value is None or isinstance(default.value, str))
    )


def _assigned_call(statement: ast.stmt) -> tuple[str, ast.Call] | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target, value = statement.target, statement.value
    else:
        return None
    if isinstance(target, ast.Name) and isinstance(value, ast.Call):
        return target.id, value
    return None


def null_text_fields(path: str, module: ast.Module) -> list[NullTextField]:
    """List the text fields of a models module's classes that pass ``null``.

    :param path: the module's path.
    :param module: the parsed module.
    :returns: each such field, with the reason it cannot be converted where one is known.
    """
    bindings = import_bindings(module)
    found = []
    for model in (s for s in module.body if isinstance(s, ast.ClassDef)):
        model_refusal = _model_refusal(model)
        unique_names = _unique_together_names(_meta(model))
        for statement in model.body:
            assigned = _assigned_call(statement)
            if assigned is None:
                continue
            name, call = assigned
            null = _keyword(call, "null")
            if null is None or _is_constant(null, False) or not is_text_field(call, bindings):
                continue
            default = _keyword(call, "default")
            found.append(
                NullTextField(
                    path,
                    statement.lineno,
                    model.name,
                    name,
                    has_blank=_keyword(call, "blank") is not None,
                    default_is_none=_is_constant(default, None),
                    has_default=default is not None,
                    default_unread=not _literal_default(call),
                    refusal=model_refusal or _field_refusal(call, name, unique_names),
                )
            )
    return found


def nullable_field_names(module: ast.Module) -> set[str]:
    """Return the names of the fields of any kind a models module declares ``null=True``.

    A value read from one of them (``ticket.due_date``) may be None.

    :param module: the parsed module.
    """
    names = set()
    for model in (s for s in module.body if isinstance(s, ast.ClassDef)):
        for statement in model.body:
            assigned = _assigned_call(statement)
            if assigned is not None and _is_constant(_keyword(assigned[1], "null"), True):
                names.add(assigned[0])
    return names
