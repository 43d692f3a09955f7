"""Models that a well-known generator shadows with a model of its own (django-simple-history).

Part of the "Required Model Fields" codemod. ``history = HistoricalRecords()`` makes
django-simple-history generate ``Historical<Model>`` in the same app, with a copy of every
field; its table is created by the app's migrations. A new field on the model is a new column
of the history table too, or saving crashes (``table exercises_historicalalias has no column
named created_at``). The generator copies ``auto_now``/``auto_now_add`` fields as plain
``DateTimeField(blank=True, editable=False)``, so the migration adds them the way
``makemigrations`` does (read from django-simple-history 3.x with Django 5.2).

Other generators need nothing: django-modeltranslation adds columns only for the fields its
``TranslationOptions`` list, django-mptt and django-treebeard are abstract bases (see
:mod:`.known_bases`). A history model the codemod cannot name (``custom_model_name=``, ``app=``,
``simple_history.register()``) is refused.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from redpanda_migrate.codemods.model_timestamps.inheritance import Lineage
from redpanda_migrate.codemods.model_timestamps.source import ClassInfo, Member

GENERATOR = "HistoricalRecords"
# keywords that move or rename the historical model: its migrations cannot be found statically
UNFOLLOWED_KEYWORDS = ("custom_model_name", "app", "table_name", "bases", "manager_name")


def _history_member(info: ClassInfo, lineage: Lineage) -> Member | None:
    for member in info.members.values():
        if member.kind == "attribute" and member.callee.rsplit(".", 1)[-1] == GENERATOR:
            return member
    for member, _ in lineage.non_fields.values():
        # an abstract base's HistoricalRecords reaches its children only with inherit=True
        is_generator = member.callee.rsplit(".", 1)[-1] == GENERATOR
        if member.kind == "attribute" and is_generator and "inherit" in member.keywords:
            return member
    return None


def historical_model(info: ClassInfo, lineage: Lineage) -> tuple[str | None, str | None]:
    """Name the historical model django-simple-history generates for a model, if any.

    :param info: the model class.
    :param lineage: what it inherits.
    :returns: ``(historical model name, None)``, ``(None, None)`` when it has no history, or
        ``(None, reason)`` when the historical model cannot be followed.
    """
    member = _history_member(info, lineage)
    if member is None:
        return None, None
    unfollowed = sorted(set(UNFOLLOWED_KEYWORDS) & member.keywords)
    if unfollowed:
        return None, (
            f"{info.name}.{member.name} = {GENERATOR}({unfollowed[0]}=...): the historical "
            "model django-simple-history generates needs created_at/updated_at too, and its "
            "name or app cannot be read statically; add the fields with makemigrations"
        )
    return f"Historical{info.name}", None


def registered_models(texts: Mapping[str, str]) -> dict[str, str]:
    """Find models given a history by ``simple_history.register(Model)``.

    :param texts: the project's Python files.
    :returns: class name -> path of the module registering it.
    """
    found: dict[str, str] = {}
    for path, text in sorted(texts.items()):
        if "simple_history" not in text or "register(" not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        local_names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "simple_history"
            for alias in node.names
            if alias.name == "register"
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            by_module = (
                isinstance(func, ast.Attribute)
                and func.attr == "register"
                and isinstance(func.value, ast.Name)
                and func.value.id == "simple_history"
            )
            if not (by_module or (isinstance(func, ast.Name) and func.id in local_names)):
                continue
            first = node.args[0]
            if isinstance(first, ast.Name | ast.Attribute):
                model = first.id if isinstance(first, ast.Name) else first.attr
                found.setdefault(model, path)
    return found
