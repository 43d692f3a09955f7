"""Class-based views become function-based views: the standard's "Views" section.

Views written on Django's generic views (``View``, ``TemplateView``, ``RedirectView``,
``ListView``, ``DetailView``, ``CreateView``, ``UpdateView``, ``DeleteView``, ``FormView``) and
the access and message mixins become plain functions that answer every request exactly as the
classes did; the URLconfs that route to them (``SomeView.as_view(...)``) route to the functions
under the same URL names. What every view shares goes into one generated module,
``view_helpers.py``, next to the views. Classes that cannot be converted exactly (project base
classes, ``dispatch`` overrides, async handlers, DRF, templates reading ``view``...) are left
alone and refused with the reason.

This module finds the candidate classes and the routes to them and runs the rounds of
planning; :mod:`.plan` decides what converts and writes the files.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping

import libcst as cst
import tomlkit
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.cbv_to_fbv.analysis import generic_kind
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.inheritance import Flattener, ProjectClasses
from redpanda_migrate.codemods.cbv_to_fbv.plan import (
    STILL_NAMED,
    Candidate,
    leftover_references,
    module_imports,
    plan_conversions,
    plan_writes,
    refuse_unsafe_packages,
    templates_using_view,
)
from redpanda_migrate.codemods.cbv_to_fbv.scan import may_subclass, worth_parsing
from redpanda_migrate.codemods.cbv_to_fbv.urls import ClassKey, Route, find_routes
from redpanda_migrate.codemods.shared.line_length import CONFIG_FILES, configured_line_length
from tomlkit.exceptions import TOMLKitError

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Views"


class _ParseFailed(InputError):
    def __init__(self, path: str, message: str, line: int | None) -> None:
        super().__init__(message, line)
        self.path = path


def _parse(path: str, text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise _ParseFailed(path, f"invalid Python: {error.message}", error.raw_line) from None


def _parse_modules(py_files: Mapping[str, str]) -> dict[str, cst.Module]:
    """Parse the modules that may define views, then those subclassing their classes."""
    modules: dict[str, cst.Module] = {}
    for path, text in py_files.items():
        if worth_parsing(text):
            try:
                modules[path] = _parse(path, text)
            except _ParseFailed:
                continue
    # Views built on project classes (``class BMIAdd(CoreAddView)``) import no Django view:
    # parse the modules subclassing a class already found, until there are no more.
    known = _class_names(modules.values())
    while known:
        found = {}
        for path, text in py_files.items():
            if path not in modules and may_subclass(text, known):
                try:
                    found[path] = _parse(path, text)
                except _ParseFailed:
                    continue
        modules.update(found)
        known = _class_names(found.values()) - _class_names(
            m for p, m in modules.items() if p not in found
        )
    return modules


def _class_names(modules: Iterable[cst.Module]) -> set[str]:
    return {
        statement.name.value
        for module in modules
        for statement in module.body
        if isinstance(statement, cst.ClassDef)
    }


def _view_classes(
    path: str, module: cst.Module, classes: ProjectClasses
) -> list[tuple[cst.ClassDef, int, str]]:
    """Find the module's classes that are Django views (``django``) or DRF classes (``drf``).

    Classes that inherit neither (forms, serializers without DRF bases, test cases, mixins
    that are not views) are no concern of this codemod and are not reported.
    """
    found: list[tuple[cst.ClassDef, str]] = []
    for statement in module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        ancestry = classes.ancestry((path, statement.name.value))
        if any(name.startswith("rest_framework") for name in ancestry):
            found.append((statement, "drf"))
        elif any(generic_kind(name) for name in ancestry):
            found.append((statement, "django"))
    if not found:
        return []  # positions cost a full code generation; only views need them
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return [(node, positions[node].start.line, kind) for node, kind in found]


def _mark_bases(candidates: list[Candidate], classes: ProjectClasses) -> None:
    """Mark the classes no URLconf routes to that other views inherit from.

    Such a base is not a view of its own: it converts with its subclasses (which take its
    members), and is reported through them, not on its own.
    """
    inherited: set[tuple[str, str]] = set()
    for candidate in candidates:
        key = (candidate.path, candidate.node.name.value)
        try:
            inherited |= {entry for entry in classes.linearize(key)[1:] if isinstance(entry, tuple)}
        except Unsupported:
            continue
    for candidate in candidates:
        if not candidate.routes and (candidate.path, candidate.node.name.value) in inherited:
            candidate.is_base = True


def _roots(project: ProjectInput) -> list[str]:
    """List the folders the project's modules are imported from.

    The folders of ``manage.py`` (its own folder is on ``sys.path``), the top, a ``src/``
    layout, and the setuptools ``package-dir`` of ``pyproject.toml``.
    """
    roots = [posixpath.dirname(path) for path in project.facts.manage_py_files]
    files = list(project.facts.files) or list(project.files)
    folders = {"src"} if any(path.startswith("src/") for path in files) else set()
    folders |= _package_dirs(project.files.get("pyproject.toml"))
    for folder in sorted(folders):
        if folder not in roots:
            roots.append(folder)
    return [*roots, ""] if "" not in roots else roots


def _package_dirs(pyproject: str | None) -> set[str]:
    """Folders named by setuptools' or pdm's ``package-dir`` (a string or a table of them)."""
    if not pyproject:
        return set()
    try:
        # tomlkit, not tomllib: the tool runs on Python 3.10
        data = tomlkit.parse(pyproject).unwrap()
    except TOMLKitError:
        return set()
    tool = data.get("tool", {})
    settings = [
        tool.get("setuptools", {}).get("package-dir"),
        tool.get("pdm", {}).get("build", {}).get("package-dir"),
    ]
    values = []
    for setting in settings:
        values += list(setting.values()) if isinstance(setting, dict) else [setting]
    return {value.strip("./") for value in values if isinstance(value, str) and value.strip("./")}


def transform(project: ProjectInput) -> ProjectOutcome:
    """Convert class-based views to function-based views and reroute their URLconfs.

    Enforces the standard's "Views" section: function-based views exclusively, explicit logic
    over implicit inheritance, shared logic in utility functions, ``login_required`` on
    protected views.

    :param project: the project's Python files and templates, and its formatter settings
        (``pyproject.toml``, ``ruff.toml``, ``setup.cfg``...) for the line length.
    :returns: the rewritten views modules and URLconfs, the helper module, and refusals.
    """
    py_files = {p: t for p, t in project.files.items() if p.endswith(".py")}
    all_files = list(project.facts.files) or list(project.files)
    roots = _roots(project)
    width = configured_line_length(project.files)
    modules = _parse_modules(py_files)
    imports = {path: module_imports(module, path) for path, module in modules.items()}
    classes = ProjectClasses(modules, imports, all_files, roots, py_files)
    candidates: list[Candidate] = []
    routes: list[Route] = []
    drf_classes: list[tuple[str, int]] = []
    for path, module in modules.items():
        if "as_view" in py_files[path]:
            routes.extend(find_routes(path, module, all_files, roots))
        for node, line, kind in _view_classes(path, module, classes):
            if kind == "django":
                candidates.append(Candidate(path, node, line))
            else:
                drf_classes.append((path, line))
    by_key = {(c.path, c.node.name.value): c for c in candidates}
    for route in routes:
        if route.target in by_key:
            by_key[route.target].routes.append(route)
    _mark_bases(candidates, classes)
    flattener = Flattener(classes)
    views_modules = {c.path: modules[c.path] for c in candidates}
    # Templates are read only when there is a view whose template could read `view`.
    templates = templates_using_view(project.files) if candidates else {}
    writes: dict[str, str | None] = {}
    renames: dict[ClassKey, str] = {}
    for _attempt in range(len(candidates) + 1):
        for candidate in candidates:
            candidate.spec = candidate.rendered = None
        refuse_unsafe_packages(candidates, project, all_files)
        renames = plan_conversions(candidates, views_modules, templates, width, flattener)
        writes = plan_writes(candidates, renames, modules, project, all_files, roots, width)
        texts = {**py_files, **{p: t for p, t in writes.items() if t is not None}}
        leftovers = leftover_references(texts, renames, writes, all_files, roots)
        if not leftovers:
            break
        for key, where in leftovers.items():
            by_key[key].refused = f"{STILL_NAMED}: {where}"
    refusals = tuple(
        Finding(c.path, c.line, f"{c.node.name.value} was not converted: {c.refused}")
        for c in candidates
        if c.refused and not c.is_base
    )
    rendering = sorted(
        {
            c.path
            for c in candidates
            if c.spec is not None and c.spec.kind not in ("view", "redirect")
        }
    )
    notes = tuple(
        Finding(
            path,
            None,
            "class-based views became functions: their templates no longer receive the "
            "`view` context variable (none of their templates reads it)",
        )
        for path in rendering
        if path in writes
    )
    if drf_classes:
        path, line = min(drf_classes)
        notes += (
            Finding(
                path,
                line,
                f"{len(drf_classes)} Django REST framework class(es) left as they are: DRF is "
                "out of scope for cbv-to-fbv",
            ),
        )
    return ProjectOutcome(writes=writes, notes=notes, refusals=refusals)


CODEMOD = Codemod(
    id="cbv-to-fbv",
    title="Convert class-based views to function-based views and reroute their URLconfs",
    section=SECTION,
    files=("**/*.py", "**/templates/**/*.html", "**/templates/**/*.txt"),
    needles=("View", "as_view", "view", "Mixin"),
    also_reads=CONFIG_FILES,
    rationale=(
        "The standard wants function-based views exclusively: the logic of a view should be "
        "readable top to bottom in one function, not spread over a dozen generic-view "
        "mixins whose methods call each other implicitly. Access rules become decorators "
        "(login_required on protected views) and what views share becomes utility functions "
        "in one helper module. The converted functions answer every request exactly as the "
        "classes did: same status codes, Allow headers, pagination, templates, context and "
        "redirects, and the URL names stay the same."
    ),
    example=Example(
        path="shop/views.py",
        before=("class ProductListView(ListView):\n    model = Product\n    paginate_by = 10\n"),
        after=(
            '@allow_methods("GET", "HEAD", "OPTIONS")\n'
            "def product_list(request, **kwargs):\n"
            '    """List Product objects.\n\n'
            "    Converted from the class-based ProductListView (ListView).\n"
            '    """\n'
            "    queryset = Product._default_manager.all()\n"
            "    context = list_context(request, kwargs, queryset, paginate_by=10)\n"
            "    return TemplateResponse(request, list_template_names(queryset), context)\n"
        ),
    ),
    transform_project=transform,
    order=600,
)
