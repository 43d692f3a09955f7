"""Shared helpers of the nginx codemods: parsing with positions, context, includes, edits.

The standard's "Nginx Reverse Proxy" section is enforced by six codemods (``nginx-*``). They
share this module, which never re-serialises a configuration: it parses the text into a tree of
:class:`Directive` objects that remember their byte offsets, and codemods express their changes
as :class:`Edit` objects applied to the original text, so untouched lines stay byte-identical and
comments survive.

Parsing is checked twice: an offset-keeping lexer builds the tree, and crossplane's own lexer
and analyzer (the NGINX Inc. parser) must agree with it token for token and accept every
directive in its context. A file that crossplane rejects is not rewritten.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field

from redpanda_migrate.codemods.nginx.edit import (
    Edit,
    apply_edits,
    enclosing,
    insert_after,
    insert_at_http_level,
    insert_before,
    insert_first,
    insert_in_server,
    insert_last,
    levels,
    location_path,
    remove,
    replace,
)
from redpanda_migrate.codemods.nginx.parse import (
    Directive,
    NginxFile,
    parse_text,
    validate,
    walk,
)

from redpanda_migrate.codemod import Finding

__all__ = [
    "Directive",
    "Edit",
    "FileResult",
    "NginxFile",
    "SHARED_FOLDERS",
    "Project",
    "apply_edits",
    "enclosing",
    "ensure_forwarded_proto_map",
    "insert_after",
    "insert_at_http_level",
    "insert_before",
    "insert_first",
    "insert_in_server",
    "insert_last",
    "levels",
    "location_path",
    "map_statements",
    "parse_text",
    "remove",
    "replace",
    "validate",
    "variable_name",
    "walk",
]

# Where include paths point inside the nginx image, and the stock files it ships.
CONTAINER_PREFIX = "/etc/nginx/"
STOCK_FILES = frozenset(
    {
        "mime.types",
        "fastcgi_params",
        "fastcgi.conf",
        "uwsgi_params",
        "scgi_params",
        "koi-utf",
        "koi-win",
        "win-utf",
    }
)


# Folders the nginx image's own nginx.conf includes as a whole (``include .../*.conf;``).
SHARED_FOLDERS = frozenset({"conf.d", "sites-enabled", "http.d"})


@dataclass
class Project:
    """Every nginx file of a project, for include following and project-wide questions.

    :param files: parsed files by path.
    :param errors: files that could not be parsed, as findings.
    """

    files: dict[str, NginxFile] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    added: set[str] = field(default_factory=set)

    def resolve_include(self, including: str, pattern: str) -> list[NginxFile] | None:
        """Find the project files an ``include`` names.

        Container paths under ``/etc/nginx/`` and relative paths are matched against project
        files by their path suffix (``/etc/nginx/snippets/x.conf`` finds
        ``nginx/snippets/x.conf``), then by unique file name. A glob may match nothing; the
        stock files of the nginx image (``mime.types``, ``*_params`` but ``proxy_params``)
        hold none of the directives the codemods look at.

        :param including: the path of the file holding the include.
        :param pattern: the include argument.
        :returns: the files, or ``None`` when the include cannot be followed.
        """
        relative = pattern.removeprefix(CONTAINER_PREFIX)
        name = posixpath.basename(relative)
        if any(char in relative for char in "*?["):
            matches = [
                (p, f)
                for p, f in sorted(self.files.items())
                if fnmatch.fnmatch(p, "*" + relative.lstrip("/")) or fnmatch.fnmatch(p, relative)
            ]
            # several folders match (nginx/conf.d, other/conf.d): the including file's own tree
            folder = posixpath.dirname(including)
            near = [f for p, f in matches if folder and p.startswith(folder + "/")]
            return near or [f for _, f in matches]
        local = posixpath.normpath(posixpath.join(posixpath.dirname(including), relative))
        if local in self.files:
            return [self.files[local]]
        matches = [f for p, f in self.files.items() if p == relative or p.endswith("/" + relative)]
        if not matches:
            matches = [f for p, f in self.files.items() if posixpath.basename(p) == name]
        if len(matches) == 1:
            return matches
        if not matches and name in STOCK_FILES:
            return []
        return None

    def included(
        self, nginx: NginxFile, block: list[Directive], name: str
    ) -> list[Directive] | None:
        """Directives called ``name`` that a block pulls in through its ``include``s.

        :param nginx: the file holding the block.
        :param block: a block's children.
        :param name: the directive name looked for.
        :returns: the directives found, or ``None`` when an include cannot be followed.
        """
        found: list[Directive] = []
        for include in (d for d in block if d.name == "include" and d.args):
            files = self.resolve_include(nginx.path, include.args[0])
            if files is None:
                return None
            for included in files:
                if included is not nginx:
                    found.extend(d for d in included.top if d.name == name)
        return found

    def http_files(self, nginx: NginxFile) -> list[NginxFile] | None:
        """Return the project files whose http-level directives share this file's level.

        Files share an http level only when nginx loads them together: a full ``nginx.conf``
        and what it includes at http level; snippets of a folder the image's own
        ``nginx.conf`` includes as a whole (``conf.d``, ``sites-enabled``, ``http.d``) when no
        project ``nginx.conf`` includes them; any file and the files it includes. Other files
        (``nginx/https.conf`` beside ``nginx/reverse_proxy.conf``, one of which is mounted as
        ``/etc/nginx/conf.d/default.conf``) are alternatives: each is its own http level and
        must be valid alone.

        :param nginx: a file.
        :returns: the files, this one included, the level's first file first; ``[]`` for a
            fragment; ``None`` when an include at http level cannot be followed.
        """
        if nginx.http_scope() is None:
            return []
        if nginx.kind == "main":
            return self._http_closure([nginx])
        for root in self._roots():
            closure = self._root_level(root)
            if closure is not None and nginx in closure:
                return closure
        return self._root_level(nginx)

    def _roots(self) -> list[NginxFile]:
        """Return the files of kind main or http that no file includes, full configs first."""
        included: set[str] = set()
        for nginx in self.files.values():
            if nginx.kind == "fragment":
                continue
            closure = self._http_closure([nginx]) or []
            included.update(f.path for f in closure if f is not nginx)
        roots = [
            f
            for _, f in sorted(self.files.items())
            if f.kind != "fragment" and f.path not in included
        ]
        return sorted(roots, key=lambda f: f.kind != "main")

    def _root_level(self, root: NginxFile) -> list[NginxFile] | None:
        folder = posixpath.dirname(root.path)
        if root.kind == "main" or posixpath.basename(folder) not in SHARED_FOLDERS:
            return self._http_closure([root])
        # the image's nginx.conf includes the whole folder, unless a project nginx.conf does
        siblings = [
            f
            for p, f in sorted(self.files.items())
            if f.kind == "http" and posixpath.dirname(p) == folder
        ]
        return self._http_closure(siblings)

    def _http_closure(self, files: list[NginxFile]) -> list[NginxFile] | None:
        found = list(files)
        for nginx in found:
            scope = nginx.http_scope() if nginx.kind != "fragment" else nginx.top
            for include in (d for d in scope or () if d.name == "include" and d.args):
                included = self.resolve_include(nginx.path, include.args[0])
                if included is None:
                    return None
                found.extend(f for f in included if f not in found and f.kind != "main")
        return found

    def http_level(self, nginx: NginxFile) -> list[Directive] | None:
        """Return the http-level directives this file's servers inherit, from every file.

        :param nginx: a file.
        :returns: the directives (``[]`` for a fragment), ``None`` when an include at http
            level cannot be followed.
        """
        files = self.http_files(nginx)
        if files is None:
            return None
        return [
            d
            for f in files
            for d in (f.http_scope() if f.kind != "fragment" else f.top) or ()
            if d.name != "include"
        ]

    def effective(self, nginx: NginxFile, node: Directive, name: str) -> list[Directive] | None:
        """Return the directives called ``name`` that apply where ``node`` is, after inheritance.

        ``proxy_set_header``, ``add_header``, ``allow``/``deny``, ``access_log``,
        ``proxy_redirect``, ``resolver`` are inherited from the enclosing level only when the
        current level has none of its own: the nearest level that has some decides. The http
        level spans every file that shares it (:meth:`http_level`).

        :param nginx: the file.
        :param node: a directive (its enclosing blocks are looked at) or a block itself.
        :param name: the directive name (``allow`` also counts ``deny``).
        :returns: the directives of the deciding level, ``[]`` when no level has any, ``None``
            when an include on the way cannot be followed.
        """
        names = {"allow", "deny"} if name in ("allow", "deny") else {name}
        chain = ([node] if node.block is not None else []) + levels(node)
        scopes = [block.block or [] for block in chain if block.name != "http"]
        for scope in scopes:
            own = [d for d in scope if d.name in names]
            for each in sorted(names):
                extra = self.included(nginx, scope, each)
                if extra is None:
                    return None
                own.extend(extra)
            if own:
                return own
        level = self.http_level(nginx)
        if level is None:
            return None
        return [d for d in level if d.name in names]

    def where(self, directive: Directive) -> str:
        """Return ``path:line`` of a directive of any project file.

        :param directive: a parsed directive.
        :returns: e.g. ``nginx/nginx.conf:12``.
        """
        path = next((p for p, f in sorted(self.files.items()) if f.owns(directive)), "?")
        return f"{path}:{directive.line}"

    def level_files(self, nginx: NginxFile | None) -> list[NginxFile]:
        """Return the files sharing ``nginx``'s http level (every file when that is unknown).

        :param nginx: a file, or ``None`` for the whole project.
        :returns: the files.
        """
        files = self.http_files(nginx) if nginx is not None else None
        return files or list(self.files.values())

    def mark_added(self, name: str, nginx: NginxFile) -> None:
        """Remember that this run added something to a file's http level (a map, a resolver).

        :param name: what was added (``resolver``, ``$loggable``).
        :param nginx: the file it was added to.
        """
        self.added.add(f"{name}@{nginx.path}")

    def was_added(self, name: str, nginx: NginxFile) -> bool:
        """Tell whether this run added something to any file of ``nginx``'s http level.

        A file included by two alternative configs is in both levels: what it got counts for
        both.

        :param name: what was added.
        :param nginx: a file of that level.
        :returns: ``True`` when it was added to one of the level's files.
        """
        return any(f"{name}@{f.path}" in self.added for f in self.level_files(nginx))

    def defines_variable(self, variable: str, nginx: NginxFile | None = None) -> bool:
        """Tell whether a ``map`` or ``geo`` defines a variable at ``nginx``'s http level.

        :param variable: the name with ``$``.
        :param nginx: the file that needs it (``None``: anywhere in the project).
        :returns: ``True`` when it is defined (or was added by this run) at that level.
        """
        if nginx is not None and self.was_added(variable, nginx):
            return True
        return any(
            d.name in ("map", "geo") and d.args and d.args[-1] == variable
            for f in self.level_files(nginx)
            for d in walk(f.top)
        )

    def http_directives(
        self, name: str, nginx: NginxFile | None = None
    ) -> list[tuple[NginxFile, Directive]]:
        """Every http-level directive called ``name`` at ``nginx``'s http level.

        :param name: a directive name.
        :param nginx: a file of that level (``None``: the whole project).
        :returns: ``(file, directive)`` pairs.
        """
        return [
            (f, d) for f in self.level_files(nginx) for d in f.http_scope() or () if d.name == name
        ]


@dataclass
class FileResult:
    """What a codemod does to one file: edits, notes and refusals."""

    edits: list[Edit] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    refusals: list[Finding] = field(default_factory=list)


VARIABLE_NAME = re.compile(r"[^A-Za-z0-9_]")


def variable_name(name: str) -> str:
    """Return an nginx variable name made from any text (nginx allows letters, digits, ``_``).

    :param name: e.g. an upstream name ``django-app``.
    :returns: e.g. ``django_app``.
    """
    return VARIABLE_NAME.sub("_", name)


def map_statements(source: str, variable: str, entries: list[tuple[str, str]]) -> list[str]:
    """Return the lines of a ``map`` block (as statements for the insert helpers).

    :param source: the source variable (``$http_x_forwarded_proto``).
    :param variable: the new variable (``$proxy_x_forwarded_proto``).
    :param entries: ``(key, value)`` pairs.
    :returns: the block's lines, already indented inside.
    """
    return [f"map {source} {variable} {{", *(f"    {k} {v};" for k, v in entries), "}"]


FORWARDED_PROTO_MAP = map_statements(
    "$http_x_forwarded_proto",
    "$proxy_x_forwarded_proto",
    [("default", "$http_x_forwarded_proto"), ('""', "$scheme")],
)


def ensure_forwarded_proto_map(
    nginx: NginxFile, project: Project, result: FileResult, line: int
) -> bool:
    """Make sure ``$proxy_x_forwarded_proto`` is defined, adding the standard's map here.

    :param nginx: the file that needs the variable.
    :param project: the project (maps in other files count; one added map is remembered).
    :param result: where the edit or refusal goes.
    :param line: the line that needs the variable (for a refusal).
    :returns: ``True`` when the variable is (or will be) defined.
    """
    if project.defines_variable("$proxy_x_forwarded_proto", nginx):
        return True
    if nginx.http_scope() is None:
        result.refusals.append(
            Finding(
                nginx.path,
                line,
                "needs the $proxy_x_forwarded_proto map, which must live at http level, and "
                "this snippet is included inside a server or location: add the map to the "
                "conf.d file first",
            )
        )
        return False
    result.edits.append(insert_at_http_level(nginx, FORWARDED_PROTO_MAP))
    project.mark_added("$proxy_x_forwarded_proto", nginx)
    return True
