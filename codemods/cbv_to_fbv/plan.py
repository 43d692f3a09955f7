"""Planning and writing the conversion of a project's class-based views.

Red Panda Approval V1-02, "Views": function-based views exclusively. :mod:`.codemod`
finds the candidate classes and the routes to them; this module decides which of them convert
(:func:`plan_conversions`: the routes agree, no subclass or template stands in the way, the
function name is free, the renderer accepts the class) and produces the new text of every file
(:func:`plan_writes`: the views modules, their ``view_helpers.py`` and the URLconfs).
"""

from __future__ import annotations

import builtins
import keyword
import posixpath
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    ViewSpec,
    describe_class,
    dotted_name,
    module_imports,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.foreign_names import used_imports
from redpanda_migrate.codemods.cbv_to_fbv.helper_module import (
    extend_helper_module,
    helper_module_text,
    is_generated,
)
from redpanda_migrate.codemods.cbv_to_fbv.helpers import HELPER_MODULE_NAME
from redpanda_migrate.codemods.cbv_to_fbv.imports import bound_names, update_imports
from redpanda_migrate.codemods.cbv_to_fbv.inheritance import Flattener
from redpanda_migrate.codemods.cbv_to_fbv.normalize import normalize_view
from redpanda_migrate.codemods.cbv_to_fbv.other_routes import only_other_routes
from redpanda_migrate.codemods.cbv_to_fbv.references import foreign_uses
from redpanda_migrate.codemods.cbv_to_fbv.render import HELPERS, Rendered, render_view
from redpanda_migrate.codemods.cbv_to_fbv.urls import ClassKey, Route, name_lines, rewrite_urlconf
from redpanda_migrate.codemods.shared.line_length import DEFAULT_LINE_LENGTH

from redpanda_migrate.codemod import ProjectInput

NOT_ROUTED = "no URLconf routes to it with as_view(); route it, or delete it if it is unused"
GENERATED_INVALID = (
    "the function written for it would not parse (a bug in redpanda-migrate, please report "
    "it); convert by hand"
)
STILL_NAMED = (
    "is still named elsewhere (tests, strings, other modules, subclasses), which would break "
    "without the class; change those uses, then run again"
)
TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
VIEW_WORD = re.compile(r"(?<![\w.])view(?!\w)")


@dataclass
class Candidate:
    """A top-level class that may be a view, with what the planning learns about it."""

    path: str
    node: cst.ClassDef
    line: int
    routes: list[Route] = field(default_factory=list)
    spec: ViewSpec | None = None
    rendered: Rendered | None = None
    refused: str | None = None
    templates: set[str] = field(default_factory=set)
    is_base: bool = False
    project_bases: list[ClassKey] = field(default_factory=list)


def templates_using_view(files: Mapping[str, str]) -> dict[str, str]:
    """Find the templates whose tags read a ``view`` variable.

    :param files: the project's files, path -> text.
    :returns: template name (relative to its ``templates/`` folder) -> path.
    """
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


def _initkwargs(candidate: Candidate) -> dict[str, cst.BaseExpression]:
    spellings = set()
    for route in candidate.routes:
        if route.problem:
            raise Unsupported(f"{route.problem}: {route.path}:{route.line}")
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


def plan_conversions(
    candidates: list[Candidate],
    views_texts: Mapping[str, cst.Module],
    templates: Mapping[str, str],
    width: int | Callable[[], int] = DEFAULT_LINE_LENGTH,
    flattener: Flattener | None = None,
) -> dict[ClassKey, str]:
    """Describe and render every candidate; refuse those that cannot convert.

    :param candidates: every candidate class; ``refused``, ``spec`` and ``rendered`` are set.
    :param views_texts: the parsed modules holding the candidates, by path.
    :param templates: the templates that read ``view`` (:func:`templates_using_view`).
    :param width: the project's line length, which generated code is wrapped at (or what
        reads it, called only when a view is rendered).
    :param flattener: reads views through the project's base classes and mixins.
    :returns: (path, class name) -> function name, for the classes that convert.
    """
    renames: dict[ClassKey, str] = {}
    taken: dict[str, set[str]] = {
        path: set(bound_names(module)) for path, module in views_texts.items()
    }
    for candidate in candidates:
        if candidate.refused:
            continue
        try:
            if not candidate.routes:
                raise Unsupported(NOT_ROUTED)
            imports = module_imports(views_texts[candidate.path], candidate.path)
            node, chain, inherited_imports = candidate.node, None, set()
            if flattener is not None:
                flat = flattener.flatten((candidate.path, candidate.node.name.value))
                node, chain, inherited_imports = flat.node, flat.chain, flat.imports
                candidate.project_bases = flat.project_bases
            spec = describe_class(node, imports, _initkwargs(candidate), candidate.line, chain)
            app = posixpath.basename(posixpath.dirname(candidate.path))
            candidate.templates = _template_names(spec, app)
            for name in sorted(candidate.templates):
                if name in templates:
                    raise Unsupported(
                        f"its template {templates[name]} reads the `view` variable, which a "
                        "function-based view does not provide"
                    )
            spec.takes_args = any(route.passes_args for route in candidate.routes)
            key = (candidate.path, candidate.node.name.value)
            classes = flattener.classes if flattener is not None else None
            normalized_imports = normalize_view(
                spec, candidate.node, classes, key, candidate.project_bases
            )
            names = taken[candidate.path] | set(dir(builtins)) | set(keyword.kwlist)
            for attempt in (spec.func_name, f"{spec.func_name}_view"):
                if attempt not in names:
                    spec.func_name = attempt
                    break
            else:
                raise Unsupported(f"the module already uses the name {spec.func_name!r}")
            rendered = render_view(spec, names, width() if callable(width) else width)
            rendered.imports |= used_imports(inherited_imports | normalized_imports, rendered.text)
            try:
                generated = set(bound_names(cst.parse_module(rendered.text)))
            except cst.ParserSyntaxError:
                raise Unsupported(GENERATED_INVALID) from None
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
    candidates: list[Candidate], templates: Mapping[str, str], renames: dict[ClassKey, str]
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


def leftover_references(
    texts: Mapping[str, str],
    renames: Mapping[ClassKey, str],
    rewritten: Collection[str],
    files: Collection[str] = (),
    roots: Collection[str] = (),
) -> dict[ClassKey, str]:
    """Find the converted classes whose name still appears somewhere after the rewrite.

    :param texts: every Python file's text after the rewrite, by path.
    :param renames: (path, class name) -> function name of the converted classes.
    :param rewritten: the paths the rewrite changes.
    :param files: every project file, to resolve the routes left in a file.
    :param roots: the folders the project's code is imported from.
    :returns: (path, class name) -> where the name is still used.
    """
    leftovers = {}
    parsed: dict[str, cst.Module | None] = {}  # each text is parsed once, for every class

    def parse(text: str) -> cst.Module | None:
        if text not in parsed:
            try:
                parsed[text] = cst.parse_module(text)
            except cst.ParserSyntaxError:
                parsed[text] = None
        return parsed[text]

    for key in renames:
        owner, class_name = key
        for path, text in sorted(texts.items()):
            if not path.endswith(".py") or class_name not in text:
                continue
            lines = name_lines(text, class_name)
            module = parse(text) if lines and files else None
            if (
                lines
                and files
                and module is not None
                and only_other_routes(path, text, key, files, roots, module)
            ):
                continue  # routes to refused classes of the same name in other modules
            if lines and files:
                foreign = (
                    foreign_uses(path, text, class_name, owner, files, roots, module)
                    if module is not None
                    else []
                )
                if foreign is None:
                    continue
                for line in foreign:
                    if line in lines:
                        lines.remove(line)
            quoted = re.search(rf"[\"']{class_name}[\"']", text)
            if quoted:
                line = text.count("\n", 0, quoted.start()) + 1
                leftovers[key] = f"{path}:{line} (in a string)"
                break
            if lines and path in rewritten:
                leftovers[key] = f"{path} (other than in as_view() routes)"
                break
            if lines:
                leftovers[key] = f"{path}:{lines[0]}"
                break
    return leftovers


def refuse_unsafe_packages(
    candidates: list[Candidate], project: ProjectInput, all_files: list[str]
) -> None:
    """Refuse candidates whose folder cannot hold the shared helper module.

    :param candidates: every candidate; the refused ones get ``refused`` set.
    :param project: the project input (to read an existing ``view_helpers.py``).
    :param all_files: every file path of the project.
    """
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


def _rewrite_views_module(module: cst.Module, converted: list[Candidate], width: int) -> cst.Module:
    by_name = {c.node.name.value: c for c in converted}
    body: list[cst.BaseStatement] = []
    needed: set[tuple[str, str]] = set()
    prunable: set[str] = set()  # the bases' names: their imports go when nothing else uses them
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
        for arg in candidate.node.bases:
            prunable.add((dotted_name(arg.value) or "").split(".")[0])
    return update_imports(module.with_changes(body=body), needed, first_use, width, prunable)


def plan_writes(
    candidates: list[Candidate],
    renames: Mapping[ClassKey, str],
    modules: Mapping[str, cst.Module],
    project: ProjectInput,
    all_files: list[str],
    roots: list[str],
    width: int | Callable[[], int] = DEFAULT_LINE_LENGTH,
) -> dict[str, str | None]:
    """Produce the new text of every views module, helper module and URLconf.

    Candidates whose module or helper module cannot be written are refused here.

    :param candidates: every candidate, planned by :func:`plan_conversions`.
    :param renames: (path, class name) -> function name of the converted classes.
    :param modules: every parsed module, by path.
    :param project: the project input.
    :param all_files: every file path of the project.
    :param roots: the project roots (folders of ``manage.py``, and the top).
    :param width: the project's line length, for the views modules' new import lines (or
        what reads it).
    :returns: path -> new text.
    """
    py_files = project.files
    writes: dict[str, str | None] = {}
    helpers_needed: dict[str, set[str]] = {}
    converted_by_path: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.rendered is not None:
            converted_by_path.setdefault(candidate.path, []).append(candidate)
    for path, converted in converted_by_path.items():
        try:
            new_module = _rewrite_views_module(
                modules[path], converted, width() if callable(width) else width
            )
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
    for path in modules:
        if "as_view" not in py_files[path] or not active:
            continue
        module = modules.get(path)
        if module is None:
            continue  # valid Python that libcst cannot parse is left alone
        if path in writes:
            module = cst.parse_module(writes[path])  # type: ignore[arg-type]
        new_module = rewrite_urlconf(path, module, active, all_files, roots)
        if new_module.code != py_files[path]:
            writes[path] = new_module.code
    return writes
