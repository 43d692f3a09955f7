"""Replace pytz with the standard library's zoneinfo: the standard's "Deprecated / Removed".

A project transform, because the dependency can only go once no module of the project uses
pytz any more. Each Python module is rewritten on its own by :mod:`codemods.pytz_to_zoneinfo.module`
(libcst, qualified names and scopes): completely, with a note wherever behaviour differs at DST
edges, or not at all, with a refusal for every use that has no safe rewrite. When no module
refused and none still uses pytz, :mod:`codemods.pytz_to_zoneinfo.dependencies` removes pytz from
``pyproject.toml`` and the requirements files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import libcst as cst
from redpanda_migrate.codemods.pytz_to_zoneinfo import names
from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import (
    TZDATA_ADDED_NOTE,
    TZDATA_NOTE,
    add_tzdata,
    declares_pytz,
    edit_dependency_file,
    image_without_zones,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.helper import helper_path, helper_text
from redpanda_migrate.codemods.pytz_to_zoneinfo.module import (
    ModuleResult,
    RewriteContext,
    rewrite_module,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.project import (
    django_pytz_reason,
    python_floor_refusal,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.zones import module_zones

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Deprecated / Removed"
DEPENDENCY_SUFFIXES = (".toml", ".txt", ".in", "setup.cfg", "Pipfile", "tox.ini", ".yml", ".yaml")
UNREAD_REASON = (
    "pytz stays in the dependencies: this module could not be read, so whether it still "
    "imports pytz is unknown (fix the file and run again)"
)
# Django's own pytz-era API: timezone.utc, and zones from get_current/default_timezone()
DJANGO_PYTZ_ERA_WORDS = ("utc", "get_current_timezone", "get_default_timezone")
# what a module does with a pytz zone it may have imported from another module
ZONE_WORDS = ("localize", "normalize", ".zone", "tzinfo")


def _is_dependency_file(path: str) -> bool:
    return path.endswith(DEPENDENCY_SUFFIXES)


def project_uses_pytz(files: dict[str, str]) -> bool:
    """Tell whether any candidate file imports or declares pytz.

    :param files: the candidate texts by path.
    :returns: ``True`` when a Python module mentions pytz or a dependency file declares it.
    """
    return any(
        ("pytz" in text) if path.endswith(".py") else declares_pytz(path, text)
        for path, text in files.items()
    )


def may_need_rewrite(text: str, project_uses_pytz: bool, has_zone_exports: bool) -> bool:
    """Tell cheaply whether a module can hold anything this codemod rewrites or refuses.

    Parsing with scope and qualified-name metadata is the expensive part of a run, and the
    codemod's needles (``utc``, ``tzinfo``, ``normalize``...) are common words: this keeps the
    parse for modules that mention pytz, Django's pytz-era API, or, when the project uses pytz,
    the methods of a zone that may come from another module.

    :param text: the module's text.
    :param project_uses_pytz: whether any candidate file imports or declares pytz.
    :param has_zone_exports: whether some module defines module-level pytz zones.
    :returns: ``False`` only when the rewrite would leave the module untouched and unflagged.
    """
    if "pytz" in text or "is_dst" in text or "USE_DEPRECATED_PYTZ" in text:
        return True
    if "django.utils" in text and any(word in text for word in DJANGO_PYTZ_ERA_WORDS):
        return True
    return (project_uses_pytz or has_zone_exports) and any(word in text for word in ZONE_WORDS)


def module_names(path: str) -> list[str]:
    """Every dotted name a module may be imported as, from the longest to the shortest.

    :param path: e.g. ``project/shop/zones.py``.
    :returns: ``["project.shop.zones", "shop.zones", "zones"]`` (``__init__`` dropped).
    """
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[index:]) for index in range(len(parts))]


def exported_zones(python: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Map the qualified names of module-level pytz zones to their module and kind.

    A name two modules could be imported as (two ``zones.py``) is left out: ambiguous.

    :param python: module texts by path.
    :returns: ``{"shop.zones.SHOP_TZ": ("project/shop/zones.py", "zone"), ...}``.
    """
    found: dict[str, tuple[str, str]] = {}
    ambiguous: set[str] = set()
    for path, text in python.items():
        if "pytz" not in text:
            continue
        for name, kind in module_zones(text).items():
            for module in module_names(path):
                key = f"{module}.{name}"
                if key in found:
                    ambiguous.add(key)
                found[key] = (path, kind)
    return {key: value for key, value in found.items() if key not in ambiguous}


@dataclass(frozen=True)
class _Modules:
    """The project's Python modules and what the rewrite of each needs to know.

    :param texts: module texts by path.
    :param flag_unknown: whether the project uses pytz (refuse untraceable ``localize()``).
    :param exports: module-level pytz zones by qualified name, with module and kind.
    :param roots: top-level names the project's own modules can be imported as.
    :param packages: folders holding an ``__init__.py``.
    :param django_pytz_reason: why Django's zones may still be pytz zones, or ``None``.
    """

    texts: dict[str, str]
    flag_unknown: bool
    exports: dict[str, tuple[str, str]]
    roots: frozenset[str]
    packages: frozenset[str] = frozenset()
    django_pytz_reason: str | None = None


def project_roots(paths: Iterable[str]) -> frozenset[str]:
    """Return every top-level name a project module may be imported as.

    :param paths: project-relative paths.
    :returns: e.g. ``{"project", "shop", "zones"}`` for ``project/shop/zones.py``.
    """
    return frozenset(
        name.split(".")[0]
        for path in paths
        if path.endswith(".py")
        for name in module_names(path)
        if name
    )


def _rewrite_all(modules: _Modules) -> dict[str, ModuleResult]:
    """Rewrite every module; a module tied to a refused module stays as is.

    Tied means: its zones are used by the refused module, it uses zones the refused module
    keeps, it passes zones to the refused module's functions, or it calls localize() on
    Django's zones while the refused module keeps ``USE_DEPRECATED_PYTZ`` on. Repeats until
    stable: leaving a module alone can make others refuse in turn.
    """
    # module left alone -> why (None: it refused itself, its exports are frozen)
    blocked: dict[str, str | None] = {}
    refused: dict[str, ModuleResult] = {}  # first refusal of each module: the root causes
    exports = modules.exports
    owners = _function_owners(modules.texts)
    while True:
        external = {k: kind for k, (path, kind) in exports.items() if path not in blocked}
        frozen = {k: path for k, (path, _) in exports.items() if path in blocked}
        results = {
            path: refused.get(path) or _rewrite_one(modules, path, (external, frozen), blocked)
            for path in sorted(modules.texts)
        }
        newly: dict[str, str | None] = {}
        left_alone = {path for path, result in results.items() if result.refusals}
        setting_kept = sorted(p for p in left_alone if results[p].sets_pytz_setting)
        for path, result in results.items():
            if path in left_alone:
                refused.setdefault(path, result)
                # a refused module keeps pytz, so its zones stay pytz zones for its importers,
                # and the zones it uses from other modules must stay pytz zones too
                if path not in blocked and _exports_of(path, exports):
                    newly[path] = None
                for key in result.used_zones:
                    owner = exports[key][0]
                    if owner != path and owner not in blocked:
                        newly.setdefault(owner, _used_reason(path))
                continue
            for callee in sorted(result.zone_calls):
                owner = owners(callee)
                if owner is not None and owner != path and owner in left_alone:
                    newly.setdefault(
                        path, names.PASSED_ZONE_REASON.format(callee=callee, owner=owner)
                    )
            if result.django_zone_methods and setting_kept:
                newly.setdefault(
                    path, names.DEPRECATED_SETTING_REASON.format(owner=setting_kept[0])
                )
        newly = {path: why for path, why in newly.items() if path not in blocked}
        if not newly:
            return results
        blocked.update(newly)


def _used_reason(path: str) -> str:
    return (
        f"left alone: its pytz time zones are used in {path}, where they could not "
        "be rewritten; rewriting this module alone would break that one"
    )


def _function_owners(texts: dict[str, str]) -> Callable[[str], str | None]:
    """Build a lookup from a called qualified name to the project module defining it.

    :param texts: module texts by path.
    :returns: ``owner("shop.util.to_local") -> "shop/util.py"`` (longest module prefix).
    """
    by_name = {name: path for path in sorted(texts) for name in module_names(path) if name}

    def owner(qualified: str) -> str | None:
        parts = qualified.split(".")
        for end in range(len(parts) - 1, 0, -1):
            found = by_name.get(".".join(parts[:end]))
            if found is not None:
                return found
        return None

    return owner


def _exports_of(path: str, exports: dict[str, tuple[str, str]]) -> bool:
    return any(owner == path for owner, _ in exports.values())


def _rewrite_one(
    modules: _Modules,
    path: str,
    zones: tuple[dict[str, str], dict[str, str]],
    blocked: dict[str, str | None],
) -> ModuleResult:
    text = modules.texts[path]
    why = blocked.get(path)
    if why is not None:
        return ModuleResult(text, refusals=[(None, why)], uses_pytz=True)
    external, frozen = zones
    package = tuple(module_names(path)[0].split("."))
    if not path.endswith("__init__.py"):
        package = package[:-1]
    folder = path.rpartition("/")[0]
    context = RewriteContext(
        in_package=folder in modules.packages,
        django_pytz_reason=modules.django_pytz_reason,
    )
    try:
        return rewrite_module(
            text, modules.flag_unknown, external, frozen, package, modules.roots, context
        )
    except cst.ParserSyntaxError as error:
        # a module that cannot be read may use any zone of any other module: stop here
        failure = InputError(
            f"invalid Python: {error.message}; no module was migrated from pytz",
            error.raw_line,
        )
        failure.path = path  # type: ignore[attr-defined]
        raise failure from None


def transform(project: ProjectInput) -> ProjectOutcome:
    """Rewrite pytz to zoneinfo in every module, then drop the dependency when nothing needs it.

    Enforces the standard's "Deprecated / Removed" section: pytz -- use stdlib zoneinfo.

    :param project: the candidate Python modules, ``pyproject.toml`` and requirements files.
    :returns: the rewritten files, notes on behaviour changes, refusals for what is left alone.
    """
    files = dict(project.files)
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    uses_pytz = project_uses_pytz(files)
    floor = python_floor_refusal(files, project.facts.requires_python) if uses_pytz else None
    if floor is not None:
        return ProjectOutcome(refusals=(Finding(*floor),))
    exports = exported_zones(python)
    modules = _Modules(
        {
            path: text
            for path, text in python.items()
            if may_need_rewrite(text, uses_pytz, bool(exports))
        },
        uses_pytz,
        exports,
        project_roots(project.facts.files),
        packages=frozenset(
            path.rpartition("/")[0] for path in project.facts.files if path.endswith("__init__.py")
        ),
        django_pytz_reason=django_pytz_reason(files),
    )
    results = _rewrite_all(modules)
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    for path, result in results.items():
        notes.extend(Finding(path, line, message) for line, message in result.notes)
        refusals.extend(Finding(path, line, reason) for line, reason in result.refusals)
        if result.text != python[path]:
            writes[path] = result.text
        helper = helper_path(path)
        if result.needs_helper and helper not in project.facts.files and helper not in writes:
            writes[helper] = helper_text()
    if not any(result.uses_pytz or result.refusals for result in results.values()):
        unread_modules = [path for path in project.unreadable if path.endswith(".py")]
        if not unread_modules:
            _drop_dependency(files, writes, notes)
        elif any(declares_pytz(path, text) for path, text in files.items() if path not in python):
            # a module that could not be read may still import pytz
            refusals.append(Finding(unread_modules[0], None, UNREAD_REASON))
    return ProjectOutcome(writes=writes, notes=tuple(notes), refusals=tuple(refusals))


def _drop_dependency(
    files: dict[str, str], writes: dict[str, str | None], notes: list[Finding]
) -> None:
    edits = {
        path: edit_dependency_file(path, files[path])
        for path in sorted(files)
        if _is_dependency_file(path)
    }
    tzdata = any(edit.declares_tzdata for edit in edits.values())
    first_removal: Finding | None = None
    for path, edit in edits.items():
        notes.extend(Finding(path, line, message) for line, message in edit.notes)
        if edit.text != files[path]:
            writes[path] = edit.text
            if first_removal is None:
                first_removal = Finding(path, edit.removed_lines[0] or None, TZDATA_NOTE)
    if first_removal is None or tzdata:
        return
    image = image_without_zones(files.get("Dockerfile", ""))
    for path in sorted(writes) if image is not None else []:
        added = add_tzdata(path, writes[path] or "") if _is_dependency_file(path) else None
        if added is not None:
            writes[path] = added[0]
            notes.append(Finding(path, added[1], TZDATA_ADDED_NOTE.format(image=image)))
            return
    notes.append(first_removal)


CODEMOD = Codemod(
    id="pytz-to-zoneinfo",
    title="Replace pytz with the standard library's zoneinfo, then drop the dependency",
    section=SECTION,
    files=(
        "**/*.py",
        "pyproject.toml",
        "requirements*.txt",
        "requirements*.in",
        "**/requirements/*.txt",
        "**/requirements/*.in",
        "setup.cfg",
        "Pipfile",
        "tox.ini",
        "environment.yml",
        "environment.yaml",
    ),
    # where the project declares its Python and Django, whether or not they mention pytz
    also_reads=(
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "Pipfile",
        "tox.ini",
        "requirements.txt",
        "Dockerfile",
    ),
    # localize/normalize/.zone/tzinfo: modules using a zone imported from another module
    needles=(
        "pytz",
        "utc",
        "is_dst",
        "USE_DEPRECATED_PYTZ",
        "localize",
        "normalize",
        ".zone",
        "tzinfo",
    ),
    rationale=(
        "pytz predates PEP 495 and works against datetime: a zone must be attached with "
        "localize() and fixed with normalize() after arithmetic, and tzinfo=pytz.timezone(...) "
        "silently gives the zone's local mean time. Python 3.9's zoneinfo follows datetime's "
        "rules, reads the system or tzdata database, and is what Django 4+ uses; Django 5 "
        "removed the pytz-era API (timezone.utc, is_dst, USE_DEPRECATED_PYTZ)."
    ),
    example=Example(
        path="shop/timeutils.py",
        before=(
            'import pytz\n\nSHOP_TZ = pytz.timezone("Europe/Dublin")\n\n\n'
            "def opening(naive):\n    return SHOP_TZ.localize(naive)\n"
        ),
        after=(
            'from zoneinfo import ZoneInfo\n\nSHOP_TZ = ZoneInfo("Europe/Dublin")\n\n\n'
            "def opening(naive):\n    return naive.replace(tzinfo=SHOP_TZ)\n"
        ),
    ),
    transform_project=transform,
    order=400,
)
