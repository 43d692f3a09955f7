"""Discovering codemods: the packages of ``redpanda_migrate.codemods`` plus entry points.

Nothing is listed by hand. Each entry of the ``codemods`` package is one of:

* a module or package whose ``CODEMOD`` is one codemod, its id the name with ``-`` for ``_``
  (``pin_dependencies.py``, ``cbv_to_fbv/``);
* a *family* package without a ``CODEMOD`` of its own: each of its modules that defines
  ``CODEMOD`` is a codemod whose id is ``<family>-<module>`` (``nginx/resolver.py`` is
  ``nginx-resolver``); its other modules are the family's helpers;
* ``shared/``, helpers several families use, never a codemod.

Names starting with ``_`` are never codemods. Third-party packages add codemods through the
``redpanda_migrate.codemods`` entry-point group, each entry pointing at a
:class:`~redpanda_migrate.codemod.Codemod` object.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

from redpanda_migrate.codemod import Codemod

ENTRY_POINT_GROUP = "redpanda_migrate.codemods"
CODEMODS_PACKAGE = "redpanda_migrate.codemods"
# helpers shared by several codemod families: never a codemod itself
SHARED_PACKAGE = "shared"
# id -> (codemod, module), for the built-in codemods this process imported (see catalogue.py)
IMPORTED_BUILTINS: dict[str, tuple[Codemod, str]] = {}
# whether the built-in codemods may be built from their stored declarations
_catalogue_enabled = True


class UnknownCodemod(ValueError):
    """An id given to ``--select``/``--skip`` or configuration names no codemod."""


class RegistryError(Exception):
    """A codemod module or entry point cannot be loaded, or two codemods share an id."""


def codemod_id_for_module(module_name: str) -> str:
    """Derive a codemod's public id from its module name.

    :param module_name: the last component of the module name, e.g. ``pin_dependencies``.
    :returns: the id, e.g. ``pin-dependencies``.
    """
    return module_name.replace("_", "-")


def _describe(error: Exception) -> str:
    where = ""
    if isinstance(error, SyntaxError) and error.filename:
        where = f" ({error.filename}, line {error.lineno})"
    return f"{type(error).__name__}: {error.args[0] if error.args else error}{where}"


def _load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as error:  # a broken module is named, not shown as a traceback
        raise RegistryError(
            f"codemod module {name} cannot be loaded: {_describe(error)}"
        ) from error


def _checked(module: ModuleType, expected_id: str) -> Codemod:
    codemod = getattr(module, "CODEMOD", None)
    if not isinstance(codemod, Codemod):
        raise RegistryError(f"codemod module {module.__name__} defines no CODEMOD")
    if codemod.id != expected_id:
        raise RegistryError(
            f"codemod module {module.__name__} declares id {codemod.id!r}; "
            f"its id must be {expected_id!r}"
        )
    IMPORTED_BUILTINS[codemod.id] = (codemod, module.__name__)
    return codemod


def _family_codemods(family: ModuleType) -> list[Codemod]:
    """Collect a family package's codemods: each of its modules that defines ``CODEMOD``."""
    found = []
    for module_info in pkgutil.iter_modules(family.__path__):
        if module_info.name.startswith("_") or module_info.ispkg:
            continue
        module = _load(f"{family.__name__}.{module_info.name}")
        if hasattr(module, "CODEMOD"):
            family_name = family.__name__.rsplit(".", 1)[-1]
            expected = codemod_id_for_module(f"{family_name}_{module_info.name}")
            found.append(_checked(module, expected))
    if not found:
        raise RegistryError(f"codemod package {family.__name__} defines no CODEMOD")
    return found


def _builtin_codemods() -> list[Codemod]:
    # imported by name: the package lives in the top-level codemods/ folder of the source tree
    codemods_package = importlib.import_module(CODEMODS_PACKAGE)
    found = []
    for module_info in pkgutil.iter_modules(codemods_package.__path__):
        if module_info.name.startswith("_") or module_info.name == SHARED_PACKAGE:
            continue
        module = _load(f"{codemods_package.__name__}.{module_info.name}")
        if module_info.ispkg and not hasattr(module, "CODEMOD"):
            found.extend(_family_codemods(module))
        else:
            found.append(_checked(module, codemod_id_for_module(module_info.name)))
    return found


def _entry_point_codemods() -> list[Codemod]:
    found = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            codemod = entry_point.load()
        except Exception as error:  # a broken plug-in is named, not shown as a traceback
            raise RegistryError(
                f"entry point {entry_point.name!r} ({entry_point.value}) of group "
                f"{ENTRY_POINT_GROUP} cannot be loaded: {_describe(error)}"
            ) from error
        if not isinstance(codemod, Codemod):
            raise RegistryError(f"entry point {entry_point.name!r} is not a Codemod")
        found.append(codemod)
    return found


def _catalogued_codemods() -> list[Codemod] | None:
    from redpanda_migrate.catalogue import load_catalogue

    return load_catalogue()


def use_catalogue(enabled: bool) -> None:
    """Allow or forbid building the built-in codemods from the cache (``--no-cache``).

    :param enabled: ``False`` imports every codemod module.
    """
    global _catalogue_enabled
    _catalogue_enabled = enabled
    all_codemods.cache_clear()


def imported_builtins() -> list[tuple[Codemod, str]]:
    """List the built-in codemods this process imported, with their modules.

    :returns: ``(codemod, module name)`` pairs; empty when they came from the catalogue.
    """
    return list(IMPORTED_BUILTINS.values())


@cache
def all_codemods() -> tuple[Codemod, ...]:
    """Return every available codemod, in the order they run.

    :returns: codemods sorted by ``(order, id)``.
    :raises RegistryError: when a module cannot be loaded or is malformed, or two codemods
        share an id.
    """
    builtins = _catalogued_codemods() if _catalogue_enabled else None
    codemods = (builtins or _builtin_codemods()) + _entry_point_codemods()
    seen: set[str] = set()
    for codemod in codemods:
        if codemod.id in seen:
            raise RegistryError(f"two codemods share the id {codemod.id!r}")
        seen.add(codemod.id)
    return tuple(sorted(codemods, key=lambda codemod: (codemod.order, codemod.id)))


def codemods_by_id() -> dict[str, Codemod]:
    """Map every available codemod id to its codemod.

    :returns: a new dict, in run order.
    """
    return {codemod.id: codemod for codemod in all_codemods()}


def _check_known(ids: Iterable[str], known: dict[str, Codemod]) -> None:
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise UnknownCodemod(
            f"unknown codemod id(s): {', '.join(unknown)}; valid ids: {', '.join(known)}"
        )


def select_codemods(
    select: Iterable[str] | None = None, skip: Iterable[str] = ()
) -> tuple[Codemod, ...]:
    """Pick the codemods a run applies.

    :param select: ids to run; ``None`` or empty means all.
    :param skip: ids to leave out.
    :returns: the chosen codemods, in run order.
    :raises UnknownCodemod: when an id names no codemod; the message lists the valid ids.
    """
    known = codemods_by_id()
    selected = list(select or [])
    skipped = set(skip)
    _check_known([*selected, *skipped], known)
    wanted = set(selected) if selected else set(known)
    return tuple(c for c in known.values() if c.id in wanted and c.id not in skipped)
