"""Class-based views become function-based views: the standard's "Views" section.

Views written on Django's generic views (``View``, ``TemplateView``, ``RedirectView``,
``ListView``, ``DetailView``, ``CreateView``, ``UpdateView``, ``DeleteView``, ``FormView``) and
the access and message mixins become plain functions that answer every request exactly as the
classes did; the URLconfs that route to them (``SomeView.as_view(...)``) route to the functions
under the same URL names. What every view shares goes into one generated module,
``view_helpers.py``, next to the views. Classes that cannot be converted exactly (project base
classes, ``dispatch`` overrides, async handlers, DRF, templates reading ``view``...) are left
alone and refused with the reason.
"""

from __future__ import annotations

import builtins
import keyword
import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods._cbv_analysis import (
    MIXINS,
    ViewSpec,
    describe_class,
    dotted_name,
    generic_kind,
    qualified_base,
)
from redpanda_migrate.codemods._cbv_body import Unsupported
from redpanda_migrate.codemods._cbv_helpergen import (
    extend_helper_module,
    helper_module_text,
    is_generated,
)
from redpanda_migrate.codemods._cbv_helpers import HELPER_MODULE_NAME
from redpanda_migrate.codemods._cbv_imports import bound_names, update_imports
from redpanda_migrate.codemods._cbv_render import HELPERS, Rendered, render_view
from redpanda_migrate.codemods._cbv_scan import worth_parsing
from redpanda_migrate.codemods._cbv_urls import (
    ClassKey,
    Route,
    find_routes,
    name_lines,
    rewrite_urlconf,
)

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Views"
TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
VIEW_WORD = re.compile(r"(?<![\w.])view(?!\w)")


class _ParseFailed(InputError):
    def __init__(self, path: str, message: str, line: int | None) -> None:
        super().__init__(message, line)
        self.path = path


@dataclass
class _Candidate:
    path: str
    node: cst.ClassDef
    line: int
    routes: list[Route] = field(default_factory=list)
    spec: ViewSpec | None = None
    rendered: Rendered | None = None
    refused: str | None = None
    templates: set[str] = field(default_factory=set)


def _parse(path: str, text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise _ParseFailed(path, f"invalid Python: {error.message}", error.raw_line) from None


def module_imports(module: cst.Module, path: str) -> dict[str, str]:
    """Map a module's imported names to dotted names, relative imports made absolute-ish.

    Only what base-class resolution needs: ``from X import Y`` gives ``Y -> X.Y``,
    ``import X as Z`` gives ``Z -> X``.

    :param module: the parsed module.
    :param path: its path (relative imports keep their dots).
    :returns: local name -> dotted name.
    """
    imports: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                source = "." * len(small.relative) + (
                    cst.Module(body=[]).code_for_node(small.module) if small.module else ""
                )
                for alias in small.names:
                    name = cst.Module(body=[]).code_for_node(alias.name)
                    local = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                    imports[local] = f"{source}.{name}" if source else name
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = cst.Module(body=[]).code_for_node(alias.name)
                    if alias.asname:
                        imports[alias.asname.name.value] = dotted  # type: ignore[union-attr]
                    else:
                        imports[dotted.split(".")[0]] = dotted.split(".")[0]
    return imports


def _looks_like_view(node: cst.ClassDef, imports: Mapping[str, str], local: set[str]) -> bool:
    for arg in node.bases:
        written = dotted_name(arg.value)
        if written is None:
            continue
        qualified = qualified_base(written, imports)
        if generic_kind(qualified) or qualified in MIXINS or written in local:
            return True
        if qualified.startswith(("django.views.", "django.contrib.auth.mixins", "rest_framework")):
            return True
    return False


def _view_classes(path: str, module: cst.Module) -> list[tuple[cst.ClassDef, int]]:
    imports = module_imports(module, path)
    found: list[cst.ClassDef] = []
    local: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and _looks_like_view(statement, imports, local):
            local.add(statement.name.value)
            found.append(statement)
    if not found:
        return []  # positions cost a full code generation; only views need them
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return [(node, positions[node].start.line) for node in found]


def _roots(project: ProjectInput) -> list[str]:
    roots = [posixpath.dirname(path) for path in project.facts.manage_py_files]
    return [*roots, ""] if "" not in roots else roots


def _templates_using_view(files: Mapping[str, str]) -> dict[str, str]:
    """Template name -> path, for every template whose tags read a ``view`` variable."""
    found = {}
    for path, text in files.items():
        if "/templates/" not in f"/{path}" or path.endswith(".py"):
            continue
        for tag in TEMPLATE_TAG.findall(text):
            if VIEW_WORD.search(QUOTED.sub("", tag)):
                name = f"/{path}".rsplit("/templates/", 1)[1]
                found[name] = path
                break
    return found


def _template_names(spec: ViewSpec, app: str) -> set[str]:
    names = set()
    template = spec.attrs.get("template_name")
    if isinstance(template, cst.SimpleString):
        names.add(str(template.evaluated_value))
    model = spec.attrs.get("model")
    suffix = {
        "list": "_list",
        "detail": "_detail",
        "create": "_form",
        "update": "_form",
        "delete": "_confirm_delete",
    }.get(spec.kind)
    custom = spec.attrs.get("template_name_suffix")
    if suffix and isinstance(custom, cst.SimpleString):
        suffix = str(custom.evaluated_value)
    if suffix and model is not None:
        model_name = (dotted_name(model) or "").rsplit(".", 1)[-1].lower()
        names.add(f"{app}/{model_name}{suffix}.html")
    return names


def _initkwargs(candidate: _Candidate) -> dict[str, cst.BaseExpression]:
    spellings = set()
    for route in candidate.routes:
        if route.problem:
            raise Unsupported(f"{route.path}:{route.line} {route.problem}")
        spellings.add(
            tuple(
                (name, cst.Module(body=[]).code_for_node(value)) for name, value in route.initkwargs
            )
        )
    if len(spellings) > 1:
        raise Unsupported(
            "its URLconfs pass different as_view() arguments; one function cannot be all of them"
        )
    return dict(candidate.routes[0].initkwargs)


def _plan(
    candidates: list[_Candidate],
    views_texts: Mapping[str, cst.Module],
    templates: Mapping[str, str],
) -> dict[ClassKey, str]:
    """Describe and render every candidate; return class -> function for those that convert."""
    renames: dict[ClassKey, str] = {}
    taken: dict[str, set[str]] = {
        path: set(bound_names(module)) for path, module in views_texts.items()
    }
    local_classes = {(c.path, c.node.name.value) for c in candidates}
    for candidate in candidates:
        if candidate.refused:
            continue
        try:
            if not candidate.routes:
                raise Unsupported("no URLconf in the project routes to it with as_view()")
            for arg in candidate.node.bases:
                base = dotted_name(arg.value) or ""
                if (candidate.path, base) in local_classes:
                    raise Unsupported(f"inherits from the project's {base}; convert it by hand")
            for other in candidates:
                if other.path == candidate.path and any(
                    dotted_name(arg.value) == candidate.node.name.value for arg in other.node.bases
                ):
                    raise Unsupported(
                        f"{other.node.name.value} inherits from it; convert both by hand"
                    )
            imports = module_imports(views_texts[candidate.path], candidate.path)
            spec = describe_class(candidate.node, imports, _initkwargs(candidate), candidate.line)
            app = posixpath.basename(posixpath.dirname(candidate.path))
            candidate.templates = _template_names(spec, app)
            for name in sorted(candidate.templates):
                if name in templates:
                    raise Unsupported(
                        f"its template {templates[name]} reads the `view` variable, which a "
                        "function-based view does not provide"
                    )
            names = taken[candidate.path] | set(dir(builtins)) | set(keyword.kwlist)
            for attempt in (spec.func_name, f"{spec.func_name}_view"):
                if attempt not in names:
                    spec.func_name = attempt
                    break
            else:
                raise Unsupported(f"the module already uses the name {spec.func_name!r}")
            rendered = render_view(spec, names)
            generated = set(bound_names(cst.parse_module(rendered.text)))
            clash = generated & (names - {spec.class_name})
            if clash:
                raise Unsupported(f"the module already uses the name {sorted(clash)[0]!r}")
            taken[candidate.path] |= generated
            candidate.spec, candidate.rendered = spec, rendered
            renames[(candidate.path, candidate.node.name.value)] = spec.func_name
        except Unsupported as reason:
            candidate.refused = str(reason)
    if templates and renames:
        _refuse_for_unknown_templates(candidates, templates, renames)
    return renames


def _refuse_for_unknown_templates(
    candidates: list[_Candidate], templates: Mapping[str, str], renames: dict[ClassKey, str]
) -> None:
    known = set()
    for candidate in candidates:
        known |= candidate.templates
    unknown = sorted(path for name, path in templates.items() if name not in known)
    if not unknown:
        return
    for candidate in candidates:
        if candidate.spec is not None:
            candidate.refused = (
                f"{unknown[0]} reads the `view` variable and may be extended or included by "
                "this view's template; a function-based view does not provide it"
            )
            candidate.spec = candidate.rendered = None
            renames.pop((candidate.path, candidate.node.name.value), None)


def _rewrite_views_module(module: cst.Module, converted: list[_Candidate]) -> cst.Module:
    by_name = {c.node.name.value: c for c in converted}
    body: list[cst.BaseStatement] = []
    needed: set[tuple[str, str]] = set()
    first_use: int | None = None
    for statement in module.body:
        candidate = (
            by_name.get(statement.name.value) if isinstance(statement, cst.ClassDef) else None
        )
        if candidate is None or candidate.rendered is None:
            body.append(statement)
            continue
        if first_use is None:
            first_use = len(body)
        new = list(cst.parse_module(candidate.rendered.text).body)
        new[0] = new[0].with_changes(leading_lines=statement.leading_lines)
        body.extend(new)
        needed |= candidate.rendered.imports
    return update_imports(module.with_changes(body=body), needed, first_use)


def _leftover_references(
    texts: Mapping[str, str], renames: Mapping[ClassKey, str], rewritten: Collection[str]
) -> dict[ClassKey, str]:
    """Classes whose name still appears somewhere after the rewrite, with where."""
    leftovers = {}
    for key in renames:
        _path, class_name = key
        for path, text in sorted(texts.items()):
            if not path.endswith(".py") or class_name not in text:
                continue
            lines = name_lines(text, class_name)
            quoted = re.search(rf"[\"']{class_name}[\"']", text)
            if quoted:
                line = text.count("\n", 0, quoted.start()) + 1
                leftovers[key] = f"{path}:{line} names it in a string"
                break
            if lines and path in rewritten:
                leftovers[key] = f"{path} uses it other than in as_view() routes"
                break
            if lines:
                leftovers[key] = f"{path}:{lines[0]} uses it"
                break
    return leftovers


def transform(project: ProjectInput) -> ProjectOutcome:
    """Convert class-based views to function-based views and reroute their URLconfs.

    Enforces the standard's "Views" section: function-based views exclusively, explicit logic
    over implicit inheritance, shared logic in utility functions, ``login_required`` on
    protected views.

    :param project: the project's Python files and templates.
    :returns: the rewritten views modules and URLconfs, the helper module, and refusals.
    """
    py_files = {p: t for p, t in project.files.items() if p.endswith(".py")}
    all_files = list(project.facts.files) or list(project.files)
    roots = _roots(project)
    modules: dict[str, cst.Module] = {}
    for path, text in py_files.items():
        if worth_parsing(text):
            try:
                modules[path] = _parse(path, text)
            except _ParseFailed:
                continue
    candidates: list[_Candidate] = []
    routes: list[Route] = []
    for path, module in modules.items():
        if "as_view" in py_files[path]:
            routes.extend(find_routes(path, module, all_files, roots))
        for node, line in _view_classes(path, module):
            candidates.append(_Candidate(path, node, line))
    by_key = {(c.path, c.node.name.value): c for c in candidates}
    for route in routes:
        if route.target in by_key:
            by_key[route.target].routes.append(route)
    views_modules = {c.path: modules[c.path] for c in candidates}
    # Templates are read only when there is a view whose template could read `view`.
    templates = _templates_using_view(project.files) if candidates else {}
    writes: dict[str, str | None] = {}
    renames: dict[ClassKey, str] = {}
    for _attempt in range(len(candidates) + 1):
        for candidate in candidates:
            candidate.spec = candidate.rendered = None
        _refuse_unsafe_packages(candidates, project, all_files)
        renames = _plan(candidates, views_modules, templates)
        writes = _writes(candidates, renames, modules, project, all_files, roots)
        texts = {**py_files, **{p: t for p, t in writes.items() if t is not None}}
        leftovers = _leftover_references(texts, renames, writes)
        if not leftovers:
            break
        for key, where in leftovers.items():
            by_key[key].refused = f"{where}, which would break without the class"
    refusals = tuple(
        Finding(c.path, c.line, f"{c.node.name.value} was not converted: {c.refused}")
        for c in candidates
        if c.refused
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
    return ProjectOutcome(writes=writes, notes=notes, refusals=refusals)


def _refuse_unsafe_packages(
    candidates: list[_Candidate], project: ProjectInput, all_files: list[str]
) -> None:
    for candidate in candidates:
        folder = posixpath.dirname(candidate.path)
        if f"{folder}/__init__.py" not in all_files and folder:
            candidate.refused = (
                "its module is not in a package, so it cannot import the shared helpers"
            )
        helper = posixpath.join(folder, f"{HELPER_MODULE_NAME}.py")
        existing = project.files.get(helper)
        if helper in all_files and (existing is None or not is_generated(existing)):
            candidate.refused = f"{helper} exists and is not the helper module this tool writes"


def _writes(
    candidates: list[_Candidate],
    renames: Mapping[ClassKey, str],
    modules: Mapping[str, cst.Module],
    project: ProjectInput,
    all_files: list[str],
    roots: list[str],
) -> dict[str, str | None]:
    py_files = project.files
    writes: dict[str, str | None] = {}
    helpers_needed: dict[str, set[str]] = {}
    converted_by_path: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        if candidate.rendered is not None:
            converted_by_path.setdefault(candidate.path, []).append(candidate)
    for path, converted in converted_by_path.items():
        try:
            new_module = _rewrite_views_module(modules[path], converted)
        except Unsupported as reason:
            for candidate in converted:
                candidate.refused = str(reason)
            continue
        writes[path] = new_module.code
        helper = posixpath.join(posixpath.dirname(path), f"{HELPER_MODULE_NAME}.py")
        needed = helpers_needed.setdefault(helper, set())
        for candidate in converted:
            needed |= {name for module, name in candidate.rendered.imports if module == HELPERS}  # type: ignore[union-attr]
    for helper, needed in sorted(helpers_needed.items()):
        existing = project.files.get(helper)
        if not needed:
            continue
        if existing is None:
            writes[helper] = helper_module_text(needed)
            continue
        try:
            grown = extend_helper_module(existing, needed)
        except Unsupported as reason:
            folder = posixpath.dirname(helper)
            for candidate in candidates:
                if candidate.rendered is not None and posixpath.dirname(candidate.path) == folder:
                    candidate.refused = str(reason)
                    writes.pop(candidate.path, None)
            continue
        if grown is not None:
            writes[helper] = grown
    active = {key: name for key, name in renames.items() if key[0] in writes}
    for path, module in modules.items():
        if "as_view" not in py_files[path] or not active:
            continue
        if path in writes:
            module = cst.parse_module(writes[path])  # type: ignore[arg-type]
        new_module = rewrite_urlconf(path, module, active, all_files, roots)
        if new_module.code != py_files[path]:
            writes[path] = new_module.code
    return writes


CODEMOD = Codemod(
    id="cbv-to-fbv",
    title="Convert class-based views to function-based views and reroute their URLconfs",
    section=SECTION,
    files=("**/*.py", "**/templates/**/*.html", "**/templates/**/*.txt"),
    needles=("View", "as_view", "view"),
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
