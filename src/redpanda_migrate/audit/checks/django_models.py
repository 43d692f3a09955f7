"""Checks of models, forms and migrations: "Model Naming", "Forms", "Migrations", "Models".

Models modules are ``models.py`` and the modules of a ``models`` package; a model is a class
with a base named ``Model`` (``models.Model``, ``TimeStampedModel``, ...). Read with :mod:`ast`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from redpanda_migrate.audit.model import AuditInput, Check, CheckOutcome, Place

RELATION_FIELDS = frozenset({"ForeignKey", "ManyToManyField"})
TEXT_FIELDS = frozenset(
    {"CharField", "TextField", "SlugField", "EmailField", "URLField", "CICharField"}
)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def is_models_module(path: str) -> bool:
    """Tell whether a path is a Django models module (``models.py`` or ``models/*.py``)."""
    pure = PurePosixPath(path)
    return pure.suffix == ".py" and (pure.name == "models.py" or pure.parent.name == "models")


def _classes(project: AuditInput, paths: tuple[str, ...]) -> Iterator[tuple[str, ast.ClassDef]]:
    for path in paths:
        tree = project.python_tree(path)
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    yield path, node


def _models(project: AuditInput) -> list[tuple[str, ast.ClassDef]]:
    return project.shared("models", lambda: list(_find_models(project)))


def _find_models(project: AuditInput) -> Iterator[tuple[str, ast.ClassDef]]:
    paths = tuple(p for p in project.python_files if is_models_module(p))
    for path, node in _classes(project, paths):
        if any(_name(base).endswith("Model") for base in node.bases):
            yield path, node


def _meta(node: ast.ClassDef) -> ast.ClassDef | None:
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            return statement
    return None


def _assigned(body: list[ast.stmt], name: str) -> ast.Assign | None:
    for statement in body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in statement.targets
        ):
            return statement
    return None


def _is_abstract(node: ast.ClassDef) -> bool:
    meta = _meta(node)
    assign = _assigned(meta.body, "abstract") if meta else None
    return bool(assign and isinstance(assign.value, ast.Constant) and assign.value.value is True)


def _field_calls(node: ast.ClassDef) -> Iterator[tuple[str, ast.Call]]:
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.targets[0], ast.Name)
        ):
            yield statement.targets[0].id, statement.value


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def related_names(project: AuditInput) -> CheckOutcome:
    """Find ``ForeignKey``/``ManyToManyField`` without ``related_name`` ("Model Naming").

    :param project: the project.
    :returns: one failure per relation field without ``related_name``.
    """
    failures = [
        Place(path, call.lineno, f"{model.name}.{field}: {_name(call)} without related_name")
        for path, model in _models(project)
        for field, call in _field_calls(model)
        if _name(call) in RELATION_FIELDS and _keyword(call, "related_name") is None
    ]
    return CheckOutcome(tuple(failures), applicable=bool(_models(project)))


def text_field_null(project: AuditInput) -> CheckOutcome:
    """Find ``null=True`` on text fields ("Models": use ``blank=True, default=""``).

    ``unique=True`` with ``null=True`` is Django's idiom for optional unique values, so such
    fields are for review rather than failures.

    :param project: the project.
    :returns: failures and reviews per field.
    """
    failures: list[Place] = []
    reviews: list[Place] = []
    for path, model in _models(project):
        for field, call in _field_calls(model):
            null = _keyword(call, "null")
            if _name(call) not in TEXT_FIELDS or not (
                isinstance(null, ast.Constant) and null.value is True
            ):
                continue
            place = Place(path, call.lineno, f"{model.name}.{field}: {_name(call)}(null=True)")
            unique = _keyword(call, "unique")
            is_unique = isinstance(unique, ast.Constant) and unique.value is True
            (reviews if is_unique else failures).append(place)
    return CheckOutcome(tuple(failures), tuple(reviews), applicable=bool(_models(project)))


def model_str(project: AuditInput) -> CheckOutcome:
    """Find concrete models deriving from ``models.Model`` without ``__str__`` ("Model Naming").

    :param project: the project.
    :returns: one failure per such model.
    """
    failures = []
    for path, model in _models(project):
        direct = any(
            isinstance(base, ast.Attribute) and base.attr == "Model" for base in model.bases
        )
        has_str = any(
            isinstance(item, ast.FunctionDef) and item.name == "__str__" for item in model.body
        )
        if direct and not has_str and not _is_abstract(model):
            failures.append(Place(path, model.lineno, f"{model.name} defines no __str__"))
    return CheckOutcome(tuple(failures), applicable=bool(_models(project)))


def meta_ordering(project: AuditInput) -> CheckOutcome:
    """Find ``Meta.ordering`` ("Models": not on large tables; order in queries instead).

    Whether a table is large is not in the code: each is for review.

    :param project: the project.
    :returns: one review per model with a default ordering.
    """
    reviews = []
    for path, model in _models(project):
        meta = _meta(model)
        ordering = _assigned(meta.body, "ordering") if meta else None
        if ordering is not None:
            message = (
                f"{model.name}: Meta.ordering sorts every query; order large tables in queries"
            )
            reviews.append(Place(path, ordering.lineno, message))
    return CheckOutcome(reviews=tuple(reviews), applicable=bool(_models(project)))


def modelform_fields(project: AuditInput) -> CheckOutcome:
    """Find ModelForms with ``fields = "__all__"`` or ``exclude`` ("Forms": explicit fields).

    :param project: the project.
    :returns: one failure per such form.
    """
    failures = []
    for path, form in _classes(project, project.python_files):
        if not any(_name(base).endswith("ModelForm") for base in form.bases):
            continue
        meta = _meta(form)
        if meta is None:
            continue
        fields = _assigned(meta.body, "fields")
        if fields is not None and isinstance(fields.value, ast.Constant):
            if fields.value.value == "__all__":
                failures.append(Place(path, fields.lineno, f'{form.name}: fields = "__all__"'))
        exclude = _assigned(meta.body, "exclude")
        if exclude is not None:
            failures.append(Place(path, exclude.lineno, f"{form.name}: exclude instead of fields"))
    return CheckOutcome(tuple(failures), applicable=bool(project.python_files))


def run_python_reverse(project: AuditInput) -> CheckOutcome:
    """Find ``RunPython`` operations without a reverse function ("Migrations").

    :param project: the project.
    :returns: one failure per irreversible ``RunPython``.
    """
    failures = []
    for path in project.migration_files:
        tree = project.python_tree(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _name(node) == "RunPython"
                and len(node.args) < 2
                and _keyword(node, "reverse_code") is None
            ):
                message = "RunPython without reverse_code (use migrations.RunPython.noop at least)"
                failures.append(Place(path, node.lineno, message))
    return CheckOutcome(tuple(failures), applicable=bool(project.migration_files))


CHECKS = (
    Check(
        "related-name", "Model Naming", "related_name on every ForeignKey and M2M", related_names
    ),
    Check("model-str", "Model Naming", "Every model defines __str__", model_str),
    Check(
        "text-field-null",
        "Models",
        'No null=True on text fields (blank=True, default="")',
        text_field_null,
    ),
    Check("meta-ordering", "Models", "No Meta.ordering on large tables", meta_ordering),
    Check("modelform-fields", "Forms", "ModelForms list their fields explicitly", modelform_fields),
    Check(
        "runpython-reverse", "Migrations", "RunPython has a reverse function", run_python_reverse
    ),
)
