"""Telling, from the text alone, which Python files ``cbv-to-fbv`` has to parse.

Nearly every file of a Django project contains the word ``view``, so the codemod's needles hand
it most of the project. Parsing them all with libcst is what made the codemod slow; this module
answers cheaply whether a file can matter: it routes with ``as_view`` or it defines a top-level
class with a base that its imports could resolve to Django's views or access mixins (or Django
REST framework, refused later). The test is conservative: a file it keeps may still hold no
view, but a file it drops cannot hold one, because :func:`.analysis.qualified_base`
resolves bases only through the module's own imports.
"""

from __future__ import annotations

import re

# Dotted names a view base resolves under, and the packages above them (``import django``).
VIEW_PREFIXES = (
    "django.views",
    "django.contrib.auth.mixins",
    "django.contrib.messages.views",
    "rest_framework",
)
IMPORT = re.compile(
    r"^(?:from[ \t]+(?P<module>[\w.]+)[ \t]+import[ \t]*(?P<names>\([^)]*\)|[^\n]*)"
    r"|import[ \t]+(?P<plain>[^\n]*))",
    re.MULTILINE,
)
CLASS = re.compile(r"^class[ \t]+\w+[ \t]*\((?P<bases>.*?)\)[ \t]*:", re.MULTILINE | re.DOTALL)
COMMENT = re.compile(r"#[^\n]*")
IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
WORD = re.compile(r"[A-Za-z_]\w*")


def _could_lead_to_views(dotted: str) -> bool:
    """Tell whether ``dotted`` is a view prefix, lies under one, or is a package above one."""
    return any(
        dotted == prefix or dotted.startswith(f"{prefix}.") or prefix.startswith(f"{dotted}.")
        for prefix in VIEW_PREFIXES
    )


def _aliases(names: str) -> list[tuple[str, str]]:
    """Split ``a, b as c`` (parentheses and comments allowed) into ``(name, local)`` pairs."""
    pairs = []
    text = re.sub(r"#[^\n]*", "", names).strip("()\\ \t\n")
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        local = words[2] if len(words) == 3 and words[1] == "as" else words[0]
        pairs.append((words[0], local))
    return pairs


def view_import_names(text: str) -> set[str]:
    """Return the local names a module's imports bind that could lead to a view base.

    :param text: Python source.
    :returns: names such as ``ListView``, ``generic``, ``mixins`` or ``django``.
    """
    names = set()
    for match in IMPORT.finditer(text):
        if match.group("module"):
            module = match.group("module")
            for name, local in _aliases(match.group("names")):
                if _could_lead_to_views(f"{module}.{name}"):
                    names.add(local)
        else:
            for dotted, local in _aliases(match.group("plain")):
                if _could_lead_to_views(dotted):
                    names.add(local if local != dotted else dotted.split(".")[0])
    return names


def may_define_views(text: str) -> bool:
    """Tell whether a module may define a class-based view (so it is worth parsing).

    :param text: Python source.
    :returns: ``True`` when a top-level class names, among its bases, something the module's
        imports could resolve to Django's views or access mixins.
    """
    if "class" not in text:
        return False
    names = view_import_names(text)
    if not names:
        return False
    for match in CLASS.finditer(COMMENT.sub("", text)):
        if set(IDENTIFIER.findall(match.group("bases"))) & names:
            return True
    return False


def worth_parsing(text: str) -> bool:
    """Tell whether ``cbv-to-fbv`` needs a Python file's syntax tree.

    :param text: Python source.
    :returns: ``True`` for URLconfs using ``as_view`` and modules that may define views.
    """
    return "as_view" in text or may_define_views(text)


def may_subclass(text: str, class_names: set[str]) -> bool:
    """Tell whether a module may define a class on one of the given (project) classes.

    :param text: Python source.
    :param class_names: names of classes already known to be, or to lead to, views.
    :returns: ``True`` when a top-level class names one of them among its bases.
    """
    return not class_names.isdisjoint(base_words(text))


def base_words(text: str) -> set[str]:
    """Return the words written among the bases of a module's top-level classes.

    :param text: Python source.
    :returns: identifiers and attribute parts (``generic``, ``ListView``); empty without
        a class statement.
    """
    if "class" not in text:
        return set()
    words: set[str] = set()
    for match in CLASS.finditer(COMMENT.sub("", text)):
        words.update(WORD.findall(match.group("bases")))
    return words
