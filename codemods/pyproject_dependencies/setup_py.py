"""Reading a ``setup.py`` statically, and taking its dependencies out of it.

Part of the "Environment Standards" codemod (pyproject.toml, no setup.py). ``setup.py`` is never
run: the ``setup()`` call is found with ``ast`` and its keywords are read only when they are
literals, or names bound once at module level to a literal (``version = "1.2"``). A value
computed when ``setup.py`` runs (``install_requires=get_requirements()``) is refused with the
reason. Removing the moved keywords is a libcst edit of the call alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

MOVED_KEYWORDS = ("install_requires", "extras_require", "name", "version", "python_requires")
# setup() keywords that are [project] metadata: each maps to the field a created [project]
# must list as dynamic, so that setuptools keeps taking it from setup.py
DYNAMIC_FIELDS = {
    "description": "description",
    "long_description": "readme",
    "long_description_content_type": "readme",
    "author": "authors",
    "author_email": "authors",
    "maintainer": "maintainers",
    "maintainer_email": "maintainers",
    "license": "license",
    "url": "urls",
    "project_urls": "urls",
    "download_url": "urls",
    "classifiers": "classifiers",
    "keywords": "keywords",
    "entry_points": "entry-points",
    "tests_require": "",
    "setup_requires": "",
}
ENTRY_POINT_FIELDS = ("scripts", "gui-scripts", "entry-points")


class SetupProblem(Exception):
    """``setup.py`` cannot be read statically; the message says why and what to do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class SetupCall:
    """What a ``setup()`` call declares, read statically.

    :param line: the call's line.
    :param values: literal values of the moved keywords it passes.
    :param other_keywords: its other keywords, in order.
    :param only_call: the module holds nothing but imports, a docstring and this call.
    """

    line: int
    values: dict[str, object] = field(default_factory=dict)
    other_keywords: list[str] = field(default_factory=list)
    only_call: bool = False

    def dynamic_fields(self) -> list[str]:
        """Return the ``[project]`` fields setup.py still fills, for a created ``dynamic``."""
        fields: list[str] = []
        for keyword in self.other_keywords:
            name = DYNAMIC_FIELDS.get(keyword, "")
            names = ENTRY_POINT_FIELDS if name == "entry-points" else (name,)
            fields += [n for n in names if n and n not in fields]
        return fields


def _is_setup(node: ast.expr) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(node.value)
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            bound.setdefault(node.target.id, []).extend([node.value] * 2 if node.value else [])
    uses: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            uses[node.id] = uses.get(node.id, 0) + 1
    # bound once and read only by setup() (R.append(...) or R += [...] would change it)
    return {
        name: values[0]
        for name, values in bound.items()
        if len(values) == 1 and uses.get(name, 0) == 2
    }


def _literal(keyword: ast.keyword, names: dict[str, ast.expr]) -> object:
    value = keyword.value
    if isinstance(value, ast.Name) and value.id in names:
        value = names[value.id]
    try:
        return ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        computed = ast.unparse(keyword.value)
        raise SetupProblem(
            f"setup.py computes {keyword.arg} ({computed}) when it runs, which cannot be read "
            f"without running it: write the value as a literal in setup.py (or move it to "
            f"pyproject.toml [project] yourself), then run again",
            keyword.value.lineno,
        ) from None


def read_setup_py(text: str) -> SetupCall | None:
    """Find the ``setup()`` call of a ``setup.py`` and read its moved keywords statically.

    Enforces the standard's "Environment Standards" (no setup.py) without running the file.

    :param text: the file's text.
    :returns: the call, or ``None`` when there is none.
    :raises SetupProblem: for a computed value, ``**kwargs`` or several calls.
    :raises SyntaxError: when the file does not parse.
    """
    tree = ast.parse(text)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_setup(node)]
    if not calls:
        return None
    if len(calls) > 1:
        raise SetupProblem("setup.py calls setup() more than once", calls[1].lineno)
    call = calls[0]
    if call.args or any(keyword.arg is None for keyword in call.keywords):
        raise SetupProblem(
            "setup() takes positional or **keyword arguments, which cannot be read without "
            "running setup.py: pass its keywords by name, then run again",
            call.lineno,
        )
    names = _module_literals(tree)
    found = SetupCall(call.lineno)
    for keyword in call.keywords:
        if keyword.arg in MOVED_KEYWORDS:
            found.values[str(keyword.arg)] = _literal(keyword, names)
        else:
            found.other_keywords.append(str(keyword.arg))
    simple = (ast.Import, ast.ImportFrom, ast.Expr)
    found.only_call = all(
        isinstance(node, simple)
        and (not isinstance(node, ast.Expr) or isinstance(node.value, (ast.Constant, ast.Call)))
        for node in tree.body
    ) and any(isinstance(node, ast.Expr) and node.value is call for node in tree.body)
    return found


class _DropKeywords(cst.CSTTransformer):
    def __init__(self, dropped: set[str]) -> None:
        super().__init__()
        self.dropped = dropped

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        func = updated.func
        name = func.value if isinstance(func, cst.Name) else getattr(func, "attr", None)
        if getattr(name, "value", name) != "setup":
            return updated
        kept = [a for a in updated.args if a.keyword is None or a.keyword.value not in self.dropped]
        if kept and len(kept) < len(updated.args):
            last = updated.args[-1]
            kept[-1] = kept[-1].with_changes(comma=last.comma)
        return updated.with_changes(args=kept)


def drop_keywords(text: str, dropped: set[str]) -> str:
    """Remove keywords from the ``setup()`` call of a ``setup.py``, leaving the rest untouched.

    :param text: the file's text.
    :param dropped: the keywords moved to ``pyproject.toml``.
    :returns: the new text.
    """
    module = cst.parse_module(text)
    return module.visit(_DropKeywords(dropped)).code
