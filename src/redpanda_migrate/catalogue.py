"""The built-in codemods' declarations, remembered in the user's cache folder.

Importing every codemod (libcst, ruamel.yaml, tomlkit...) costs more than a whole run whose
outcomes all come from the cache. Once the codemods have been imported, their declarations (id,
title, globs, needles, order...) are stored under the tool's fingerprint, which changes with
any source file of the tool and any parser version; a later process builds its codemods from
them, and a codemod's module is imported only when one of its functions is first called.
Codemods from entry points are always imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from redpanda_migrate.cache import OutcomeCache, default_cache_folder
from redpanda_migrate.codemod import Codemod, Example

CATALOGUE_KEY = "catalogue"
CALLABLES = ("transform_file", "transform_project", "secret_reads", "validator")
# plain fields stored as they are
PLAIN_FIELDS = ("id", "title", "section", "rationale", "order")
TUPLE_FIELDS = ("files", "needles", "also_reads")


class DeferredFunction:
    """Stands for a function of a codemod module's ``CODEMOD``; imports the module when called.

    :param module_name: the module defining ``CODEMOD``.
    :param attribute: which of its functions (``transform_project``...).
    """

    def __init__(self, module_name: str, attribute: str) -> None:
        self.__module__ = module_name  # what redpanda_migrate.cache.is_cacheable looks at
        self.module_name = module_name
        self.attribute = attribute

    def __call__(self, *arguments: Any) -> Any:
        """Import the module and call the real function."""
        codemod = importlib.import_module(self.module_name).CODEMOD
        return getattr(codemod, self.attribute)(*arguments)


def _entry(codemod: Codemod, module_name: str) -> dict[str, Any]:
    entry: dict[str, Any] = {name: getattr(codemod, name) for name in PLAIN_FIELDS}
    entry.update({name: list(getattr(codemod, name)) for name in TUPLE_FIELDS})
    entry["example"] = [codemod.example.path, codemod.example.before, codemod.example.after]
    entry["callables"] = [name for name in CALLABLES if getattr(codemod, name) is not None]
    entry["module"] = module_name
    return entry


def _codemod(entry: dict[str, Any]) -> Codemod:
    fields: dict[str, Any] = {name: entry[name] for name in PLAIN_FIELDS}
    fields.update({name: tuple(entry[name]) for name in TUPLE_FIELDS})
    fields.update({name: DeferredFunction(entry["module"], name) for name in entry["callables"]})
    return Codemod(example=Example(*entry["example"]), **fields)


def load_catalogue() -> list[Codemod] | None:
    """Build the built-in codemods from the stored declarations, importing none of them.

    :returns: the codemods, or ``None`` when nothing usable is stored for this fingerprint.
    """
    entries = OutcomeCache(default_cache_folder()).load(OutcomeCache.key(CATALOGUE_KEY))
    if not isinstance(entries, list) or not entries:
        return None
    try:
        return [_codemod(entry) for entry in entries]
    except (KeyError, TypeError, ValueError):  # damaged on disk: import the codemods instead
        return None


def save_catalogue(cache: OutcomeCache, codemods: Iterable[tuple[Codemod, str]]) -> None:
    """Store the declarations of codemods that were imported.

    :param cache: the run's cache (disabled: nothing is stored).
    :param codemods: each codemod with the name of the module defining it.
    """
    entries = [_entry(codemod, module_name) for codemod, module_name in codemods]
    cache.store(OutcomeCache.key(CATALOGUE_KEY), entries)
