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

import functools
import posixpath
from collections.abc import Iterable, Mapping

import libcst as cst
import tomlkit
from redpanda_migrate.codemods.cbv_to_fbv.analysis import generic_kind
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.index import (
    LazyModules,
    SourceIndex,
    routed_names,
    statements_mentioning,
)
from redpanda_migrate.codemods.cbv_to_fbv.inheritance import Flattener, ProjectClasses
from redpanda_migrate.codemods.cbv_to_fbv.plan import (
    STILL_NAMED,
    Candidate,
    leftover_references,
    plan_conversions,
    plan_writes,
    refuse_unsafe_packages,
    templates_using_view,
)
from redpanda_migrate.codemods.cbv_to_fbv.scan import base_words, worth_parsing
from redpanda_migrate.codemods.cbv_to_fbv.urls import ClassKey, Route, find_routes
from redpanda_migrate.codemods.shared.line_length import CONFIG_FILES, configured_line_length
from tomlkit.exceptions import TOMLKitError

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Views"


def _modules_to_read(py_files: Mapping[str, str], index: SourceIndex) -> list[str]:
    """List the modules that may define views, then those subclassing their classes.

    Read with ``ast`` (:class:`.index.SourceIndex`); a module that is not valid Python is
    left out.
    """
    paths = [path for path, text in py_files.items() if worth_parsing(text)]
    paths = [path for path in paths if index.facts(path) is not None]
    # Views built on project classes (``class BMIAdd(CoreAddView)``) import no Django view:
    # read the modules subclassing a class already found, until there are no more.
    known = _class_names(index, paths)
    words: dict[str, set[str]] = {}
    while known:
        read = set(paths)
        found = []
        for path, text in py_files.items():
            if path in read:
                continue
            if path not in words:
                words[path] = base_words(text)
            if not known.isdisjoint(words[path]) and index.facts(path) is not None:
                found.append(path)
        known = _class_names(index, found) - _class_names(index, paths)
        paths += found
    return paths


def _class_names(index: SourceIndex, paths: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        facts = index.facts(path)
        if facts is not None:
            names |= facts.class_names
    return names


def _view_classes(
    path: str, index: SourceIndex, classes: ProjectClasses
) -> list[tuple[cst.ClassDef | None, int, str]]:
    """Find the module's classes that are Django views (``django``) or DRF classes (``drf``).

    Classes that inherit neither (forms, serializers without DRF bases, test cases, mixins
    that are not views) are no concern of this codemod and are not reported. Only a module
    with a Django view is parsed with libcst (for the view's node; DRF classes get none).
    """
    facts = index.facts(path)
    if facts is None:
        return []
    found: list[tuple[int, int, str]] = []
    for position, (name, line) in enumerate(facts.class_lines):
        ancestry = classes.ancestry((path, name))
        if any(dotted.startswith("rest_framework") for dotted in ancestry):
            found.append((position, line, "drf"))
        elif any(generic_kind(dotted) for dotted in ancestry):
            found.append((position, line, "django"))
    if not any(kind == "django" for _position, _line, kind in found):
        return [(None, line, kind) for _position, line, kind in found]
    module = index.module(path)
    if module is None:
        return []  # valid Python that libcst cannot parse: left alone, as before
    nodes = [statement for statement in module.body if isinstance(statement, cst.ClassDef)]
    return [(nodes[position], line, kind) for position, line, kind in found]


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
    if not pyproject or "package-dir" not in pyproject:
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
    # the formatter settings (a tomlkit parse) are read only when a view is rendered
    width = functools.cache(lambda: configured_line_length(project.files))
    index = SourceIndex(py_files)
    paths = _modules_to_read(py_files, index)
    classes = ProjectClasses(index, paths, all_files, roots)
    candidates: list[Candidate] = []
    drf_classes: list[tuple[str, int]] = []
    for path in paths:
        for node, line, kind in _view_classes(path, index, classes):
            if node is not None and kind == "django":
                candidates.append(Candidate(path, node, line))
            elif kind == "drf":
                drf_classes.append((path, line))
    # Only routes to a candidate count, and a route names its class: libcst parses only the
    # URLconfs whose as_view() calls name one; only URLconfs naming one can be rewritten.
    names = {c.node.name.value for c in candidates}
    urlconfs = [
        path
        for path in paths
        if "as_view" in py_files[path] and any(name in py_files[path] for name in names)
    ]
    wanted = {c.path for c in candidates} | set(urlconfs)
    modules = LazyModules(index, [path for path in paths if path in wanted])
    routes: list[Route] = []
    for path in urlconfs:
        tree = index.tree(path)
        module = index.module(path) if tree is None or names & routed_names(tree) else None
        if module is not None:
            statements = None
            if tree is not None:
                statements = statements_mentioning(py_files[path], tree, module, "as_view")
            routes.extend(find_routes(path, module, all_files, roots, statements))
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
