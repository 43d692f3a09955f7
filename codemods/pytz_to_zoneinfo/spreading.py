"""Rewrite every module of a project, and spread refusals to the modules tied to them.

Part of the ``pytz-to-zoneinfo`` codemod (the standard's "Deprecated / Removed": pytz -- use
stdlib zoneinfo). A refused module keeps pytz, so every module whose rewrite would hand it a
``ZoneInfo``, or take one from it, is left alone with it: importers of its zones, owners of the
zones it uses, callers passing zones to its functions, and users of Django's zones while it
keeps ``USE_DEPRECATED_PYTZ``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import libcst as cst
from redpanda_migrate.codemods.pytz_to_zoneinfo import names
from redpanda_migrate.codemods.pytz_to_zoneinfo.module import (
    ModuleResult,
    RewriteContext,
    rewrite_module,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.zones import module_zones

from redpanda_migrate.codemod import InputError


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
class Modules:
    """The project's Python modules and what the rewrite of each needs to know.

    :param texts: module texts by path.
    :param flag_unknown: whether the project uses pytz (refuse untraceable ``localize()``).
    :param exports: module-level pytz zones by qualified name, with module and kind.
    :param roots: top-level names the project's own modules can be imported as.
    :param packages: folders holding an ``__init__.py``.
    :param django_pytz_reason: why Django's zones may still be pytz zones, or ``None``.
    :param passing_zones: modules that only hand Django's zones to calls (see
        :mod:`~redpanda_migrate.codemods.pytz_to_zoneinfo.prefilter`): rewriting one alone
        leaves it as it is, so it is parsed only once some module is left alone.
    """

    texts: dict[str, str]
    flag_unknown: bool
    exports: dict[str, tuple[str, str]]
    roots: frozenset[str]
    packages: frozenset[str] = frozenset()
    django_pytz_reason: str | None = None
    passing_zones: frozenset[str] = frozenset()


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


def rewrite_all(modules: Modules) -> dict[str, ModuleResult]:
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
    # unchanged and unflagged on their own; what they pass to calls matters once one is left alone
    deferred = modules.passing_zones
    while True:
        external = {k: kind for k, (path, kind) in exports.items() if path not in blocked}
        frozen = {k: path for k, (path, _) in exports.items() if path in blocked}
        results = {
            path: refused.get(path)
            or (
                ModuleResult(modules.texts[path])
                if path in deferred
                else _rewrite_one(modules, path, (external, frozen), blocked)
            )
            for path in sorted(modules.texts)
        }
        newly: dict[str, str | None] = {}
        left_alone = {path for path, result in results.items() if result.refusals}
        if left_alone and deferred:
            deferred = frozenset()
            continue
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
    modules: Modules,
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
