"""The form fields Django derives from a model, read statically, for ``modelform-fields``.

Red Panda Approval V1-02, "Forms": ``fields = "__all__"`` and ``exclude`` become the explicit
list Django would have used. Django's ``fields_for_model`` takes the model's editable concrete
and many-to-many fields sorted by creation, that is in definition order, fields of abstract
bases first. A field is not editable when it says ``editable=False``, when it is
``auto_now``/``auto_now_add``, an ``AutoField``, or a generic relation. Models are read with
:mod:`ast` from the project's source (never imported); anything that cannot be known exactly
(a base from another package, a non-literal ``editable``, an unknown kind of field) raises
:class:`Unknowable` with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from redpanda_migrate.codemods.shared.ast_names import dotted_name

AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
NOT_FORM_FIELDS = frozenset({"GenericForeignKey", "GenericRelation"})
RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
DJANGO_MODEL = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
MAX_DEPTH = 8
# bases from these packages are never models (mixins of the standard library, typing)
NOT_MODEL_ROOTS = frozenset({"abc", "builtins", "collections", "enum", "typing", "object"})


class Unknowable(Exception):
    """The model's form fields cannot be known statically; the message says why."""


@dataclass(frozen=True)
class ModelField:
    """One field of a model, as far as forms care.

    :param name: the attribute name.
    :param many_to_many: a many-to-many relation (Django sorts it in with the others).
    :param editable: it appears in a ``ModelForm`` with ``fields = "__all__"``.
    :param line: the line declaring it, which orders fields created in one module.
    """

    name: str
    many_to_many: bool
    editable: bool
    line: int = 0
    module: str = ""


def _known(*names: str, m2m: tuple[str, ...] = ()) -> tuple[ModelField, ...]:
    return tuple(ModelField(n, False, True) for n in names) + tuple(
        ModelField(n, True, True) for n in m2m
    )


# Django's own models and abstract bases, read from django/contrib/auth (Django 3.2 to 5.2):
# (creation rank, fields in creation order). AbstractBaseUser's module is imported first, then
# PermissionsMixin and AbstractUser are defined in that order, so ranks order their fields.
KNOWN_BASES: dict[str, tuple[int, tuple[ModelField, ...]]] = {}
_BASE_USER = _known("password", "last_login")
_PERMISSIONS = _known("is_superuser", m2m=("groups", "user_permissions"))
_ABSTRACT_USER = _known(
    "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"
)
KNOWN_BASES.update(
    {
        "django.contrib.auth.base_user.AbstractBaseUser": (0, _BASE_USER),
        "django.contrib.auth.models.AbstractBaseUser": (0, _BASE_USER),
        "django.contrib.auth.models.PermissionsMixin": (1, _PERMISSIONS),
        "django.contrib.auth.models.AbstractUser": (
            2,
            _BASE_USER + _PERMISSIONS + _ABSTRACT_USER,
        ),
    }
)
# concrete models of Django a project's forms often name
KNOWN_MODELS: dict[str, tuple[ModelField, ...]] = {
    "django.contrib.auth.models.User": _BASE_USER + _PERMISSIONS + _ABSTRACT_USER,
    "django.contrib.auth.models.Group": _known("name", m2m=("permissions",)),
}


@dataclass(frozen=True)
class SourceModule:
    """A project module read with :mod:`ast`.

    :param path: project-relative POSIX path.
    :param dotted: its dotted name.
    :param tree: its syntax tree.
    """

    path: str
    dotted: str
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        """Tell whether the module is a package's ``__init__.py``."""
        return PurePosixPath(self.path).name == "__init__.py"

    def imports(self) -> dict[str, str]:
        """Map each name the module imports at its top level to the qualified name it stands for."""
        found: dict[str, str] = {}
        for statement in self.tree.body:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        found[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        found[head] = head
            elif isinstance(statement, ast.ImportFrom):
                base = self.imported_from(statement)
                for alias in statement.names:
                    found[alias.asname or alias.name] = f"{base}.{alias.name}"
        return found

    def imported_from(self, statement: ast.ImportFrom) -> str:
        """Return the qualified module a ``from ... import`` statement imports from."""
        base = statement.module or ""
        if not statement.level:
            return base
        package = self.dotted.split(".")
        if not self.is_package:
            package = package[:-1]
        package = package[: len(package) - (statement.level - 1)]
        return ".".join([*package, base] if base else package)

    def star_imports(self) -> list[str]:
        """Return the modules the module imports ``*`` from, as qualified names."""
        found = []
        for statement in self.tree.body:
            if isinstance(statement, ast.ImportFrom) and any(
                alias.name == "*" for alias in statement.names
            ):
                found.append(self.imported_from(statement))
        return found

    def classes(self) -> dict[str, ast.ClassDef]:
        """Return the module's top-level classes by name."""
        return {s.name: s for s in self.tree.body if isinstance(s, ast.ClassDef)}

    def for_lookups(self) -> SourceModule:
        """Return the module with only what model lookups read, for a run-long index.

        Lookups read the top-level imports and classes, and of a class its bases, ``Meta`` and
        attributes, never a function's body: the copy leaves functions out (a test module's
        methods are most of its tree, which would otherwise stay in memory all run).
        """
        body: list[ast.stmt] = []
        for statement in self.tree.body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                body.append(statement)
            elif isinstance(statement, ast.ClassDef):
                members = [
                    member
                    for member in statement.body
                    if not isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
                body.append(
                    ast.ClassDef(
                        name=statement.name,
                        bases=statement.bases,
                        keywords=statement.keywords,
                        body=members,
                        decorator_list=[],
                    )
                )
        return SourceModule(self.path, self.dotted, ast.Module(body=body, type_ignores=[]))


def qualified(module: SourceModule, text: str) -> str:
    """Qualify a dotted name written in a module through the module's imports."""
    head, _, rest = text.partition(".")
    imports = module.imports()
    if head in imports:
        return imports[head] + (f".{rest}" if rest else "")
    return f"{module.dotted}.{text}"


def _literal(call: ast.Call, keyword: str) -> object:
    for item in call.keywords:
        if item.arg == keyword:
            if isinstance(item.value, ast.Constant):
                return item.value.value
            raise Unknowable(f"{keyword}= is not a literal")
    return None


def _field(name: str, call: ast.Call, line: int) -> ModelField | None:
    kind = dotted_name(call.func).rsplit(".", 1)[-1]
    if kind in NOT_FORM_FIELDS:
        return None
    if not (kind.endswith("Field") or kind in RELATIONS):
        return None
    many = "ManyToMany" in kind
    editable = _literal(call, "editable") is not False
    if _literal(call, "auto_now") is True or _literal(call, "auto_now_add") is True:
        editable = False
    if kind in AUTO_FIELDS:
        editable = False
    return ModelField(name, many, editable, line)  # module: set by the caller


def _class_fields(node: ast.ClassDef, path: str) -> list[ModelField]:
    fields = []
    for statement in node.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            targets = [t for t in statement.targets if isinstance(t, ast.Name)]
            if len(targets) == 1:
                found = _field(targets[0].id, statement.value, statement.lineno)
                if found is not None:
                    fields.append(replace(found, module=path))
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(statement.value, ast.Call)
        ):
            found = _field(statement.target.id, statement.value, statement.lineno)
            if found is not None:
                fields.append(replace(found, module=path))
        elif isinstance(statement, ast.Expr | ast.Pass | ast.FunctionDef | ast.ClassDef):
            continue
    return fields


Lookup = Callable[[str], SourceModule | None]


def find_class(
    lookup: Lookup, module: SourceModule, text: str
) -> tuple[SourceModule, ast.ClassDef] | str:
    """Find the class a dotted name written in a module refers to.

    Re-exports (``from .product import Product`` in a models package) and star imports are
    followed.

    :param lookup: finds a project module by dotted name.
    :param module: where the name is written.
    :param text: the name as written (``Product``, ``models.Product``).
    :returns: the defining project module and class, or the qualified name of a class the
        project does not define (``django.contrib.auth.models.User``).
    """
    return _follow(lookup, qualified(module, text), 0)


def _follow(lookup: Lookup, full: str, depth: int) -> tuple[SourceModule, ast.ClassDef] | str:
    if depth > MAX_DEPTH:
        return full
    owner, _, name = full.rpartition(".")
    defining = lookup(owner)
    if defining is None:
        return full
    classes = defining.classes()
    if name in classes:
        return defining, classes[name]
    imported = defining.imports().get(name)
    if imported is not None and imported != full:
        return _follow(lookup, imported, depth + 1)
    for star in defining.star_imports():
        found = _follow(lookup, f"{star}.{name}", depth + 1)
        if not isinstance(found, str):
            return found
    return full


def _is_model(lookup: Lookup, module: SourceModule, node: ast.ClassDef, depth: int = 0) -> bool:
    """Tell whether a project class is a model (some base reaches ``models.Model``).

    :raises Unknowable: when a base from outside the project is not known.
    """
    if depth > MAX_DEPTH:
        raise Unknowable(f"{node.name}: inheritance too deep to follow")
    for base in node.bases:
        text = dotted_name(base)
        full = qualified(module, text) if text else ""
        if full in DJANGO_MODEL or full in KNOWN_BASES or full in KNOWN_MODELS:
            return True
        found = find_class(lookup, module, text) if text else text
        if isinstance(found, str):
            if full.split(".")[0] in NOT_MODEL_ROOTS:
                continue
            raise Unknowable(
                f"{node.name} derives from {full or 'an expression'}, outside the project: "
                "its fields cannot be read"
            )
        base_module, base_node = found
        if _is_model(lookup, base_module, base_node, depth + 1):
            return True
    return False


def _meta_flag(node: ast.ClassDef, option: str) -> bool:
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            for item in statement.body:
                if (
                    isinstance(item, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == option for t in item.targets)
                    and isinstance(item.value, ast.Constant)
                ):
                    return item.value.value is True
    return False


def form_fields(
    lookup: Lookup, module: SourceModule, node: ast.ClassDef, depth: int = 0
) -> list[ModelField]:
    """List a model's fields in the order Django's ``fields_for_model`` takes them.

    :param lookup: finds a project module by dotted name.
    :param module: the module defining the model.
    :param node: the model class.
    :param depth: inheritance levels followed so far.
    :returns: every field, in creation order (many-to-many fields included).
    :raises Unknowable: when a base or a field cannot be read exactly.
    """
    if depth > MAX_DEPTH:
        raise Unknowable(f"{node.name}: inheritance too deep to follow")
    inherited: list[ModelField] = []
    known: list[tuple[int, tuple[ModelField, ...]]] = []
    contributing = 0
    for base in node.bases:
        text = dotted_name(base)
        if not text:
            raise Unknowable(f"{node.name} has a base that is not a name")
        full = qualified(module, text)
        if full in DJANGO_MODEL:
            continue
        if full in KNOWN_BASES:
            known.append(KNOWN_BASES[full])
            continue
        if _meta_flag(node, "proxy") and full in KNOWN_MODELS:
            return list(KNOWN_MODELS[full])  # a proxy has its concrete model's fields
        found = find_class(lookup, module, text)
        if isinstance(found, str):
            if found in KNOWN_MODELS:
                raise Unknowable(f"{node.name} derives from the concrete model {found}")
            if full.split(".")[0] in NOT_MODEL_ROOTS:
                continue
            raise Unknowable(
                f"{node.name} derives from {found}, outside the project: its fields cannot be read"
            )
        base_module, base_node = found
        if not _is_model(lookup, base_module, base_node):
            continue  # a plain mixin: Django takes no fields from it
        if _meta_flag(node, "proxy"):
            return form_fields(lookup, base_module, base_node, depth + 1)
        if not _meta_flag(base_node, "abstract"):
            raise Unknowable(
                f"{node.name} derives from the concrete model {base_node.name} "
                "(multi-table inheritance)"
            )
        base_fields = form_fields(lookup, base_module, base_node, depth + 1)
        contributing += bool(base_fields)
        inherited.extend(base_fields)
    if contributing > 1:
        # Django orders fields by creation: several abstract bases interleave by definition
        # order, which is known only when they all live in one module
        if len({f.module for f in inherited}) > 1:
            raise Unknowable(
                f"{node.name}'s abstract bases live in different modules: their fields' "
                "order depends on import order"
            )
        inherited.sort(key=lambda f: f.line)
    # Django's bases were created when Django was imported, before any project model
    first: list[ModelField] = []
    for _, known_fields in sorted(known, key=lambda item: item[0]):
        first += [f for f in known_fields if f.name not in {g.name for g in first}]
    inherited = first + [f for f in inherited if f.name not in {g.name for g in first}]
    own = _class_fields(node, module.path)
    own_names = {f.name for f in own}
    fields = [f for f in inherited if f.name not in own_names] + own
    return fields
