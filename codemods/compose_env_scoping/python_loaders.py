"""Whether the project's own Python code may load the root ``.env``, found statically.

Shared helper of ``compose-env-scoping`` (the standard's "Docker Compose — Per-Service
Environment Scoping", whose layout keeps the root ``.env`` for Compose interpolation and gives
bare-Python runs their own ``project/.env``). Many projects load the root ``.env`` from Python
(``dotenv.load_dotenv()`` in ``manage.py``): moving a value into it would change what a
bare-Python run sees, so the rule must know. Python files are parsed with :mod:`ast`, never
imported. Recognised: python-dotenv (``load_dotenv``, ``dotenv_values``, ``find_dotenv``),
django-environ (``Env.read_env``), django-dotenv (``read_dotenv``), python-decouple (``config``,
``AutoConfig``, ``RepositoryEnv``) and pydantic-settings (``env_file``).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

# How a loader finds its file: ``fixed`` (a path that may be the root .env, whatever the
# caller's folder), ``dotenv`` (python-dotenv's find_dotenv: the first ``.env`` from the
# caller's folder upward) and ``decouple`` (the first ``settings.ini`` or ``.env`` upward).
FIXED, DOTENV_SEARCH, DECOUPLE_SEARCH = "fixed", "dotenv", "decouple"
DOTENV_FUNCTIONS = frozenset({"load_dotenv", "dotenv_values"})
NEEDLES = ("dotenv", "read_env", "decouple", "env_file")


@dataclass(frozen=True)
class DotenvLoad:
    """One place where Python code loads a dotenv file that may be the root ``.env``.

    :param path: the project-relative Python file.
    :param line: the 1-based line.
    :param how: the call, as a reviewer knows it (``dotenv.load_dotenv``).
    :param search: :data:`FIXED`, :data:`DOTENV_SEARCH` or :data:`DECOUPLE_SEARCH`.
    """

    path: str
    line: int
    how: str
    search: str

    def shield(self, present: Collection[str]) -> str | None:
        """Return the file this load reads instead of the root ``.env``, if one stops its search.

        :param present: the project's files (including git-ignored ``.env`` files handed over).
        :returns: that file's path, or ``None`` when the root ``.env`` may be read.
        """
        if self.search == FIXED:
            return None
        names = ("settings.ini", ".env") if self.search == DECOUPLE_SEARCH else (".env",)
        for folder in search_folders(self.path):
            for name in names:
                candidate = f"{folder}/{name}" if folder else name
                if folder or name != ".env":
                    if candidate in present:
                        return candidate
        return None


def search_folders(path: str) -> list[str]:
    """Return the folders an upward search from a file's folder visits, the root (``""``) last.

    :param path: a project-relative file path.
    """
    parents = [str(parent) for parent in PurePosixPath(path).parents]
    return [("" if folder == "." else folder) for folder in parents]


def may_be_root_dotenv(path: str) -> bool:
    """Tell whether a literal dotenv path may name the root ``.env``.

    A relative path is resolved from the working directory: the root (``.env``) or a folder
    below it (``../.env``). An absolute path or one into a subfolder (``project/.env``) is not.

    :param path: the literal path.
    """
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if not parts or parts[-1] != ".env" or path.startswith(("/", "~")):
        return False
    return all(part in (".", "..") for part in parts[:-1])


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _argument(call: ast.Call, keyword: str) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[0] if call.args else None


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _path_search(node: ast.expr | None, search: str) -> str | None:
    """Classify a loader's path argument: ``None`` (never the root .env) or a search kind."""
    if node is None:
        return search
    if isinstance(node, ast.Constant) and node.value is None:
        return search
    text = _literal(node)
    if text is not None:
        return FIXED if may_be_root_dotenv(text) else None
    if isinstance(node, (ast.Tuple, ast.List)):
        kinds = [_path_search(item, search) for item in node.elts]
        return FIXED if FIXED in kinds else None
    if isinstance(node, ast.Call) and _name(node.func) == "find_dotenv":
        filename = _literal(_argument(node, "filename"))
        if node.args or any(k.arg == "filename" for k in node.keywords):
            if filename is None:
                return FIXED
            if PurePosixPath(filename).name != ".env":
                return None
        usecwd = next((k.value for k in node.keywords if k.arg == "usecwd"), None)
        if usecwd is not None and not (isinstance(usecwd, ast.Constant) and not usecwd.value):
            return FIXED  # from the working directory: the root, when run from it
        return DOTENV_SEARCH
    return FIXED  # a computed path may be the root .env


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def _decouple_config_names(tree: ast.Module, shared: Collection[str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported = alias.name == "config" and node.module == "decouple"
                if imported or (node.module != "decouple" and alias.name in shared):
                    names.add(alias.asname or alias.name)
    return names


def _call_load(call: ast.Call, modules: set[str], config_names: set[str]) -> DotenvLoad | None:
    name = _name(call.func)
    line = call.lineno
    if name in DOTENV_FUNCTIONS:
        search = _path_search(_argument(call, "dotenv_path"), DOTENV_SEARCH)
        if any(k.arg == "stream" for k in call.keywords) and not call.args:
            search = FIXED  # a stream may be the root .env opened by hand
        return DotenvLoad("", line, f"dotenv.{name}", search) if search else None
    if name in ("read_env", "read_dotenv"):
        keyword = "env_file" if name == "read_env" else "dotenv"
        search = _path_search(_argument(call, keyword), FIXED)
        how = "environ.Env.read_env" if name == "read_env" else "dotenv.read_dotenv"
        return DotenvLoad("", line, how, search) if search else None
    if "decouple" in modules and name == "AutoConfig":
        argument = _argument(call, "search_path")
        if argument is None:
            return DotenvLoad("", line, "decouple.AutoConfig", DECOUPLE_SEARCH)
        literal = _literal(argument)
        if literal is not None and literal.startswith("/"):
            return None  # searches upward from a folder outside the project
        return DotenvLoad("", line, "decouple.AutoConfig", FIXED)
    if "decouple" in modules and name == "RepositoryEnv":
        search = _path_search(_argument(call, "source"), FIXED)
        return DotenvLoad("", line, "decouple.RepositoryEnv", search) if search else None
    if isinstance(call.func, ast.Name) and name in config_names:
        return DotenvLoad("", line, "decouple.config", DECOUPLE_SEARCH)
    if isinstance(call.func, ast.Attribute) and name == "config" and "decouple" in modules:
        base = call.func.value
        if isinstance(base, ast.Name) and base.id == "decouple":
            return DotenvLoad("", line, "decouple.config", DECOUPLE_SEARCH)
    return None


def _pydantic_loads(tree: ast.Module) -> list[DotenvLoad]:
    found = []
    for node in ast.walk(tree):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            values = [k.value for k in node.keywords if k.arg in ("env_file", "_env_file")]
        elif isinstance(node, ast.ClassDef):
            values = [
                item.value
                for item in node.body
                if isinstance(item, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "env_file" for t in item.targets)
            ]
        if isinstance(node, ast.Dict):
            values = [
                v for k, v in zip(node.keys, node.values, strict=True) if _literal(k) == "env_file"
            ]
        for value in values:
            if isinstance(value, ast.Constant) and value.value is None:
                continue
            if _path_search(value, FIXED):  # relative to the working directory
                found.append(DotenvLoad("", value.lineno, "pydantic-settings env_file", FIXED))
    return found


def dotenv_loads(path: str, text: str, shared: Collection[str] = ()) -> list[DotenvLoad]:
    """Find the calls of one Python file that may load the root ``.env``.

    :param path: project-relative path.
    :param text: the file's text (one that does not parse loads nothing known).
    :param shared: module-level python-decouple instances other files create, which this file
        may import and call.
    :returns: the loads, unshielded (see :meth:`DotenvLoad.shield`).
    """
    if not any(needle in text for needle in NEEDLES) and not shared:
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    modules = _imports(tree)
    config_names = _decouple_config_names(tree, shared) if "decouple" in text or shared else set()
    found: list[DotenvLoad] = []
    if modules & {"pydantic", "pydantic_settings"}:
        found += _pydantic_loads(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            load = _call_load(node, modules, config_names)
            if load is not None:
                found.append(load)
    return [DotenvLoad(path, load.line, load.how, load.search) for load in found]


def root_dotenv_loads(
    files: Mapping[str, str], present: Collection[str], shared: Collection[str] = ()
) -> tuple[list[DotenvLoad], list[tuple[DotenvLoad, str]]]:
    """Find every load of the root ``.env`` by the project's Python code.

    :param files: the handed-over files (Python files are read).
    :param present: every file known to exist (git-ignored ``.env`` files included).
    :param shared: module-level python-decouple instance names (``config = AutoConfig()``).
    :returns: ``(loads, shielded)``: the loads that may read the root ``.env``, sorted, and the
        others with the nearer file each reads instead.
    """
    loads: list[DotenvLoad] = []
    shielded: list[tuple[DotenvLoad, str]] = []
    for path, text in sorted(files.items()):
        if not path.endswith(".py"):
            continue
        for load in dotenv_loads(path, text, shared):
            nearer = load.shield(present)
            if nearer is None:
                loads.append(load)
            else:
                shielded.append((load, nearer))
    return sorted(loads, key=lambda load: (load.path.count("/"), load.path, load.line)), shielded


def shield_candidates(texts: Mapping[str, str]) -> Iterable[str]:
    """Name the nearer ``.env`` files that may stop an upward search before the root one.

    They are usually git-ignored, so the runner hands them over only on request (as secrets).

    :param texts: the candidate files.
    :returns: project-relative paths, each folder between a searching file and the root.
    """
    found: dict[str, None] = {}
    for path, text in texts.items():
        if not path.endswith(".py") or not any(n in text for n in ("dotenv", "decouple")):
            continue
        for folder in search_folders(path)[:-1]:
            found[f"{folder}/.env"] = None
    return list(found)
