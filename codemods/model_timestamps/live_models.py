"""Finding migrations that use an app's live models instead of ``apps.get_model``.

Part of the "Required Model Fields" codemod, and of the standard's "Fresh Migration Test": a
data migration that imports ``core.models`` runs the *current* model class against the
database as it was at that point of the history. Once the model gets ``created_at``, every
query it makes there selects a column that does not exist yet, and a fresh ``migrate`` fails
(``no such column: core_timer.created_at``). Such models are left alone with that reason.
Rewriting the import to ``apps.get_model`` is not safe in general: historical models have no
custom methods, managers or ``save()`` overrides, and migrations import the live model
precisely to run them ("The model must be imported to ensure its overridden save method is
run", babybuddy ``core/migrations/0028``).

Migrations are read with :mod:`ast` (nothing is edited here): imports anywhere in the module,
including inside ``RunPython`` functions, are followed to the project's models modules.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from redpanda_migrate.codemods.model_timestamps.source import module_dotted_name
from redpanda_migrate.codemods.shared.ast_names import dotted_name

ALL_MODELS = "*"
RELATIVE_FROM = re.compile(r"\bfrom\s*\.")


@dataclass(frozen=True)
class LiveUse:
    """A migration naming a model of a project models module directly.

    :param migration: path of the migration module.
    :param line: the line of the import.
    :param models_module: dotted name of the models module (``core.models``).
    :param name: the class name used, or :data:`ALL_MODELS` for a ``*`` import.
    :param spelled: the import as written, for messages.
    """

    migration: str
    line: int
    models_module: str
    name: str
    spelled: str


def is_migration(path: str) -> bool:
    """Tell whether a path is a migration module (``<app>/migrations/<name>.py``).

    :param path: project-relative POSIX path.
    :returns: ``True`` for a ``.py`` file directly in a ``migrations`` folder, ``__init__``
        excluded.
    """
    if not path.endswith(".py") or "migrations/" not in path:  # cheap test first
        return False
    pure = PurePosixPath(path)
    return (
        pure.suffix == ".py" and len(pure.parts) > 1 and pure.parts[-2] == "migrations"
    ) and pure.name != "__init__.py"


def may_import(path: str, text: str, names: set[str]) -> bool:
    """Tell cheaply whether a migration may import a module of a package with one of these names.

    A necessary condition, read from the lines holding ``import``: an import spells the package
    on the line of its ``import`` keyword (only a backslash moves it elsewhere, and then the
    migration is read), or is relative and climbs through the migration's own packages.

    :param path: project-relative path of the migration.
    :param text: its text.
    :param names: the last names of the app folders (``shop`` of ``src/shop``).
    :returns: ``False`` only when no import of the migration can name such a module.
    """
    at = text.find("import")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        line = text[start:end]
        before = text[text.rfind("\n", 0, max(start - 1, 0)) + 1 : max(start - 1, 0)]
        if "\\" in line or before.rstrip().endswith("\\"):
            return True
        if any(name in line for name in names):
            return True
        if RELATIVE_FROM.search(line) and any(name in path for name in names):
            return True
        at = text.find("import", end)
    return False


def _absolute(node: ast.ImportFrom, dotted: str) -> str:
    if not node.level:
        return node.module or ""
    package = dotted.split(".")[: -node.level]
    return ".".join([*package, node.module] if node.module else package)


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """Every statement of a module (imports may hide in functions), in :func:`ast.walk` order.

    Statements nest only in statements, ``except`` handlers and ``case`` blocks, so the walk
    skips expressions (most of a migration) and still meets the statements breadth first.
    """
    queue: deque[ast.AST] = deque([tree])
    while queue:
        node = queue.popleft()
        queue.extend(
            child
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case)
        )
        yield node


def _attribute_names(tree: ast.AST, chains: set[str]) -> dict[str, set[str]]:
    """Names ``X`` of every ``<chain>.X`` in the tree, per chain; ``*`` when it is used bare.

    One walk serves every chain: a use is bare when the chain occurs more often than as the
    object of an attribute.
    """
    found: dict[str, set[str]] = {chain: set() for chain in chains}
    occurrences: dict[str, int] = dict.fromkeys(chains, 0)
    as_object: dict[str, int] = dict.fromkeys(chains, 0)
    lasts = {chain.rpartition(".")[2] for chain in chains}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id in chains:
                occurrences[node.id] += 1
            continue
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in lasts and (spelled := dotted_name(node)) in chains:
            occurrences[spelled] += 1
        value = node.value
        if isinstance(value, ast.Name) and value.id in chains:
            owner = value.id
        elif isinstance(value, ast.Attribute) and value.attr in lasts:
            owner = dotted_name(value)
        else:
            continue
        if owner in chains:
            found[owner].add(node.attr)
            as_object[owner] += 1
    for chain in chains:
        if occurrences[chain] > as_object[chain]:
            found[chain].add(ALL_MODELS)
    return found


def _uses_in(
    path: str, tree: ast.Module, dotted: str, is_models: Callable[[str], bool]
) -> list[LiveUse]:
    # each entry a use, or (line, module, chain, spelled): a use per <chain>.X in the module
    entries: list[LiveUse | tuple[int, str, str, str]] = []
    for node in _statements(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, dotted)
            for alias in node.names:
                spelled = f"from {'.' * node.level}{node.module or ''} import {alias.name}"
                if is_models(source):
                    entries.append(LiveUse(path, node.lineno, source, alias.name, spelled))
                elif is_models(f"{source}.{alias.name}"):
                    target = f"{source}.{alias.name}"
                    entries.append((node.lineno, target, alias.asname or alias.name, spelled))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_models(alias.name):
                    spelled = f"import {alias.name}"
                    entries.append((node.lineno, alias.name, alias.asname or alias.name, spelled))
    chains = {entry[2] for entry in entries if isinstance(entry, tuple)}
    names = _attribute_names(tree, chains) if chains else {}
    uses: list[LiveUse] = []
    for entry in entries:
        if isinstance(entry, LiveUse):
            uses.append(entry)
            continue
        line, module, chain, spelled = entry
        uses += [LiveUse(path, line, module, name, spelled) for name in names[chain]]
    return uses


def live_model_uses(
    texts: Mapping[str, str], source_roots: tuple[str, ...], is_models: Callable[[str], bool]
) -> dict[str, list[LiveUse]]:
    """Find every migration naming a class of a project models module.

    :param texts: the project's Python files.
    :param source_roots: folders Python imports from.
    :param is_models: tells whether a dotted name is one of the project's models modules.
    :returns: dotted models module name -> the uses, in path order. Migrations that do not
        parse are skipped (the caller reports them elsewhere).
    """
    by_module: dict[str, list[LiveUse]] = defaultdict(list)
    for path in sorted(p for p in texts if is_migration(p)):
        text = texts[path]
        if "import" not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        dotted, _ = module_dotted_name(path, source_roots)
        for use in _uses_in(path, tree, dotted, is_models):
            by_module[use.models_module].append(use)
    return dict(by_module)


def live_use_reason(model: str, uses: list[LiveUse]) -> str:
    """Say why a model used live by migrations is left alone, and what to do.

    :param model: the model's class name.
    :param uses: the migrations using it.
    :returns: the refusal reason.
    """
    first = uses[0]
    more = f" (and {len(uses) - 1} more)" if len(uses) > 1 else ""
    return (
        f"{model} is used as the live model by {first.migration}:{first.line} "
        f"({first.spelled}){more}, not through apps.get_model(): once {model} has created_at/"
        "updated_at, a fresh migrate fails there (no such column); make that migration use "
        "apps.get_model() (or squash it away), then run again"
    )


@dataclass(frozen=True)
class FixtureLoad:
    """A migration loading fixture rows with the live models.

    ``serializers.deserialize(...)`` and ``call_command("loaddata", ...)`` build rows from the
    app registry's current models: once a model of those rows has ``created_at``, the save
    inserts a column the table does not have yet (django-helpdesk ``0003_initial_data_import``).

    :param migration: path of the migration module.
    :param line: the line of the call.
    :param names: the fixture names or file names the module spells as string literals.
    """

    migration: str
    line: int
    names: tuple[str, ...]


def _loads_fixtures(node: ast.Call) -> bool:
    name = dotted_name(node.func).rsplit(".", 1)[-1]
    if name == "deserialize":
        return True
    first = node.args[0] if node.args else None
    return name == "call_command" and isinstance(first, ast.Constant) and first.value == "loaddata"


def fixture_loads(texts: Mapping[str, str]) -> list[FixtureLoad]:
    """Find the migrations that load fixtures with the live models.

    :param texts: the project's Python files.
    :returns: one entry per migration, with the string literals that may name its fixtures.
    """
    found = []
    for path in sorted(p for p in texts if is_migration(p)):
        text = texts[path]
        if "deserialize" not in text and "loaddata" not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _loads_fixtures(n)]
        if not calls:
            continue
        strings = tuple(
            sorted(
                {
                    node.value
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)
                }
            )
        )
        found.append(FixtureLoad(path, min(call.lineno for call in calls), strings))
    return found
