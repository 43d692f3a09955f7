"""Rewriting a settings module's Memcached caches, for ``memcached-backend``.

Red Panda Approval V1-02, "Memcached": the backend is ``PyMemcacheCache`` (pymemcache), its
``LOCATION`` comes from ``KVDB_LOCATION`` and its ``KEY_PREFIX`` from ``KVDB_PREFIX``. Each
``CACHES`` entry whose ``BACKEND`` is the removed ``MemcachedCache`` (python-memcached, gone
since Django 4.1) or ``PyLibMCCache`` gets the new backend; a literal ``LOCATION`` becomes
``os.environ.get("KVDB_LOCATION") or <the literal>`` and ``KEY_PREFIX`` likewise, so that a
run without the variables behaves as before. Only those values change (libcst).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from redpanda_migrate.codemods.shared.os_import import binds_os_module, with_os_import

MEMCACHED = "django.core.cache.backends.memcached."
OLD_BACKENDS = {
    MEMCACHED + "MemcachedCache": "python-memcached",
    MEMCACHED + "PyLibMCCache": "pylibmc",
}
NEW_BACKEND = MEMCACHED + "PyMemcacheCache"
LOCATION_VARIABLE = "KVDB_LOCATION"
PREFIX_VARIABLE = "KVDB_PREFIX"


@dataclass
class CacheEdits:
    """What the rewrite of one module did and found.

    :param changed_backends: the old backends replaced (their library names).
    :param notes: ``(line, message)`` pairs for the reviewer.
    :param refusals: ``(line, reason)`` pairs for caches left alone.
    :param needs_os: the new code reads ``os.environ`` and ``os`` must be imported.
    """

    changed_backends: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)
    needs_os: bool = False


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _key(element: cst.BaseDictElement) -> str | None:
    return _string_value(element.key) if isinstance(element, cst.DictElement) else None


def _string_like(template: cst.SimpleString, value: str) -> cst.SimpleString:
    quote = template.quote
    return cst.SimpleString(f"{quote}{value}{quote}")


def _env_or(variable: str, default: cst.BaseExpression, quote: str) -> cst.BaseExpression:
    """``os.environ.get("VAR") or <default>``: unset and empty both keep today's value."""
    read = cst.parse_expression(f"os.environ.get({quote}{variable}{quote})")
    return cst.BooleanOperation(
        left=read,
        operator=cst.Or(),
        right=default,
    )


def _reads_environment(node: cst.BaseExpression) -> bool:
    code = cst.Module(body=[]).code_for_node(node)
    return "environ" in code or "env(" in code or "getenv" in code or "config(" in code


class _CacheRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    def __init__(self, edits: CacheEdits) -> None:
        super().__init__()
        self.edits = edits
        self._opening_whitespace: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace("")

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(cst.metadata.PositionProvider, node).start.line

    def leave_Dict(self, original_node: cst.Dict, updated_node: cst.Dict) -> cst.Dict:
        elements = list(updated_node.elements)
        by_key = {_key(element): index for index, element in enumerate(elements)}
        if "BACKEND" not in by_key:
            return updated_node
        self._opening_whitespace = updated_node.lbrace.whitespace_after
        backend_element = elements[by_key["BACKEND"]]
        assert isinstance(backend_element, cst.DictElement)
        backend = _string_value(backend_element.value)
        if backend not in OLD_BACKENDS:
            return updated_node
        line = self._line(original_node)
        library = OLD_BACKENDS[backend]
        if "OPTIONS" in by_key:
            self.edits.refusals.append(
                (
                    line,
                    f"CACHES entry with OPTIONS for {library}: pymemcache takes other options; "
                    "translate them by hand (see Django's PyMemcacheCache docs), then rerun",
                )
            )
            return updated_node
        assert isinstance(backend_element.value, cst.SimpleString)
        quote = backend_element.value.quote
        elements[by_key["BACKEND"]] = backend_element.with_changes(
            value=_string_like(backend_element.value, NEW_BACKEND)
        )
        self.edits.changed_backends.append(library)
        self._wire(elements, by_key, "LOCATION", LOCATION_VARIABLE, quote, line)
        self._wire(elements, by_key, "KEY_PREFIX", PREFIX_VARIABLE, quote, line)
        return updated_node.with_changes(elements=elements)

    def _wire(
        self,
        elements: list[cst.BaseDictElement],
        by_key: dict[str | None, int],
        key: str,
        variable: str,
        quote: str,
        line: int,
    ) -> None:
        if key not in by_key:
            if key == "KEY_PREFIX":
                self._append(elements, key, _env_or(variable, cst.SimpleString(quote * 2), quote))
                self.edits.needs_os = True
            return
        element = elements[by_key[key]]
        assert isinstance(element, cst.DictElement)
        if isinstance(element.value, cst.SimpleString):
            elements[by_key[key]] = element.with_changes(
                value=_env_or(variable, element.value, quote)
            )
            self.edits.needs_os = True
        elif not _reads_environment(element.value):
            self.edits.notes.append(
                (line, f"{key} is not a plain string: read it from {variable} by hand")
            )

    def _append(self, elements: list[cst.BaseDictElement], key: str, value: cst.BaseExpression):
        last = elements[-1]
        assert isinstance(last, cst.DictElement)
        quote = "'" if isinstance(last.key, cst.SimpleString) and last.key.quote == "'" else '"'
        new = cst.DictElement(key=cst.SimpleString(f"{quote}{key}{quote}"), value=value)
        if not isinstance(last.comma, cst.Comma):
            # no trailing comma: the new entry goes on its own line when the entries are one a
            # line, else after ", "; it gets no trailing comma either
            separator = self._separator(elements)
            if not isinstance(separator.whitespace_after, cst.ParenthesizedWhitespace):
                separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            elements[-1] = last.with_changes(comma=separator)
            elements.append(new)
            return
        # the last comma is followed by the closing brace's indentation: the new entry takes
        # it, and the old last entry gets the separator the entries before it use
        elements[-1] = last.with_changes(comma=self._separator(elements))
        elements.append(new.with_changes(comma=last.comma))

    def _separator(self, elements: list[cst.BaseDictElement]) -> cst.Comma:
        """Return the comma between two entries: as the entries before use, or after the brace."""
        if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):
            return elements[-2].comma
        return cst.Comma(whitespace_after=self._opening_whitespace)


def _names_old_backend(text: str) -> bool:
    """Tell (with ``ast``, in C) whether a dict display maps ``"BACKEND"`` to an old backend.

    A module without one has nothing to rewrite and nothing to report, so libcst need not parse
    it; a module ``ast`` cannot parse goes to libcst, which reports the syntax error.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "BACKEND"
                    and isinstance(value, ast.Constant)
                    and value.value in OLD_BACKENDS
                ):
                    return True
    return False


def rewrite_caches(text: str) -> tuple[str, CacheEdits]:
    """Rewrite the old Memcached caches of one settings module ("Memcached" section).

    :param text: the module's source.
    :returns: the new source (the input when nothing changes) and what was done.
    :raises libcst.ParserSyntaxError: when the module does not parse.
    """
    edits = CacheEdits()
    if not _names_old_backend(text):
        return text, edits
    module = cst.parse_module(text)
    wrapper = cst.metadata.MetadataWrapper(module)
    new_module = wrapper.visit(_CacheRewriter(edits))
    if not edits.changed_backends:
        return text, edits
    if edits.needs_os:
        bound = binds_os_module(new_module)
        if bound is None:
            reason = "the name os is bound to something else here: cannot read the environment"
            refused = CacheEdits(refusals=[(1, reason)])
            return text, refused
        if not bound:
            new_module = with_os_import(new_module)
    return new_module.code, edits
