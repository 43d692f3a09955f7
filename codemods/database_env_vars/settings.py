"""Rewriting a settings module's dj-database-url calls, for ``database-env-vars``.

Red Panda Approval V1-02, "Deprecated / Removed" (dj-database-url: "Use individual Django DB env
vars instead") and "Environment Variables" (``APP_DB_NAME``, ``APP_DB_USER``, ``APP_DB_PASSWORD``,
``DB_HOST``, ``DB_PORT``; ``DB_ENGINE``). Each ``dj_database_url.config(...)`` or
``dj_database_url.parse(<env read>)`` becomes the dict dj-database-url would have built, each part
read from its variable with the part of the default URL as fallback. The keyword arguments map to
Django's keys exactly (``conn_max_age`` -> ``CONN_MAX_AGE``, ``ssl_require`` -> ``OPTIONS``
``sslmode``, ...); anything else is refused. A test of the URL variable (``"DATABASE_URL" in
os.environ``) becomes a test of ``APP_DB_NAME``; any other use of it is refused.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider
from redpanda_migrate.codemods.database_env_vars.url import UrlParts, UrlRefusal, split_url
from redpanda_migrate.codemods.shared.env_style import EnvStyle

URL_VARIABLE = "DATABASE_URL"
KWARG_KEYS = {
    "conn_max_age": "CONN_MAX_AGE",
    "conn_health_checks": "CONN_HEALTH_CHECKS",
    "disable_server_side_cursors": "DISABLE_SERVER_SIDE_CURSORS",
    "test_options": "TEST",
}
ENV_GETTERS = {"os.environ.get", "os.getenv", "getenv", "environ.get"}


def variables_for(alias: str) -> dict[str, str]:
    """Name the standard's variable of each part, for one ``DATABASES`` alias.

    :param alias: ``default`` gets the standard's names; ``replica`` gets ``REPLICA_DB_NAME``...
    :returns: ``{"ENGINE": "DB_ENGINE", "NAME": "APP_DB_NAME", ...}``.
    """
    if alias == "default":
        return {
            "ENGINE": "DB_ENGINE",
            "NAME": "APP_DB_NAME",
            "USER": "APP_DB_USER",
            "PASSWORD": "APP_DB_PASSWORD",
            "HOST": "DB_HOST",
            "PORT": "DB_PORT",
        }
    prefix = "".join(c if c.isalnum() else "_" for c in alias.upper())
    return {
        part: f"{prefix}_DB_{part}"
        for part in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
    }


@dataclass
class DatabaseEdits:
    """What the rewrite of one module did.

    :param aliases: the ``DATABASES`` aliases now read from variables.
    :param url_variables: the URL variables no longer read (``DATABASE_URL``).
    :param notes: ``(line, message)`` pairs.
    :param refusals: ``(line, reason)`` pairs; any refusal leaves the module unchanged.
    :param needs_os: the new code reads ``os.environ``.
    """

    aliases: list[str] = field(default_factory=list)
    url_variables: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)
    needs_os: bool = False


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _Refused(Exception):
    pass


class _DatabaseRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, text: str, style: EnvStyle, names: set[str], edits: DatabaseEdits) -> None:
        super().__init__()
        self.text = text
        self.lines = text.splitlines()
        self.style = style
        self.names = names  # what dj_database_url / its functions are bound to
        self.edits = edits
        self.aliases: list[str] = []
        self.blocks: list[str] = []  # indentation of the blocks around the node

    def visit_Module(self, node: cst.Module) -> None:
        self.default_indent = node.default_indent

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node.indent if node.indent is not None else self.default_indent)

    def leave_IndentedBlock(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        self.blocks.pop()
        return updated_node

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _indent(self, node: cst.CSTNode) -> str:
        """Return the node's line indentation beyond its block's (libcst adds the block's)."""
        line = self.lines[self._line(node) - 1]
        indent = line[: len(line) - len(line.lstrip())]
        block = "".join(self.blocks)
        return indent[len(block) :] if indent.startswith(block) else indent

    def _refuse(self, node: cst.CSTNode, reason: str) -> None:
        self.edits.refusals.append((self._line(node), reason))

    # the alias a call fills: a key of a dict, or DATABASES["alias"] = ...
    def visit_DictElement(self, node: cst.DictElement) -> None:
        self.aliases.append(_string(node.key) or "default")

    def leave_DictElement(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        self.aliases.pop()
        return updated_node

    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target
        alias = "default"
        if isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index):
                alias = _string(index.value) or "default"
        self.aliases.append(alias)

    def leave_Assign(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        self.aliases.pop()
        return updated_node

    def _function(self, call: cst.Call) -> str | None:
        name = get_full_name_for_node(call.func) or ""
        for bound in self.names:
            if name in (f"{bound}.config", f"{bound}.parse"):
                return name.rsplit(".", 1)[-1]
            if name == bound and bound in ("config", "parse"):
                return bound
        return None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        function = self._function(updated_node)
        if function is None:
            return updated_node
        try:
            return self._convert(original_node, updated_node, function)
        except _Refused:
            return updated_node

    def _url_read(
        self, node: cst.CSTNode, expression: cst.BaseExpression
    ) -> tuple[str, tuple[ast.expr, str] | None, bool]:
        """``os.environ["X"]``, ``os.environ.get("X", default)``: (variable, default, required)."""
        if isinstance(expression, cst.Subscript):
            base = get_full_name_for_node(expression.value)
            index = expression.slice[0].slice if len(expression.slice) == 1 else None
            variable = _string(index.value) if isinstance(index, cst.Index) else None
            if base in ("os.environ", "environ") and variable:
                return variable, None, True
        if isinstance(expression, cst.Call):
            name = get_full_name_for_node(expression.func) or ""
            args = expression.args
            if name in ENV_GETTERS or name in (self.style.name,):
                variable = _string(args[0].value) if args else None
                defaults = [
                    a for a in args[1:] if a.keyword is None or a.keyword.value == "default"
                ]
                if variable and len(args) - 1 == len(defaults) <= 1:
                    default = self._ast(defaults[0].value) if defaults else None
                    return variable, default, False
        self._refuse(
            node, "dj_database_url.parse() of a URL not read from a variable: convert by hand"
        )
        raise _Refused

    def _ast(self, node: cst.BaseExpression) -> tuple[ast.expr, str]:
        code = cst.Module(body=[]).code_for_node(node).strip()
        return ast.parse(code, mode="eval").body, code

    def _convert(self, original: cst.Call, call: cst.Call, function: str) -> cst.BaseExpression:
        alias = self.aliases[-1] if self.aliases else "default"
        args = list(call.args)
        variable, required = URL_VARIABLE, False
        default: tuple[ast.expr, str] | None = None
        if function == "parse":
            if not args or args[0].keyword is not None:
                self._refuse(original, "dj_database_url.parse() without a URL: convert by hand")
                raise _Refused
            variable, default, required = self._url_read(original, args[0].value)
            args = args[1:]
        extra: list[tuple[str, str]] = []
        engine: str | None = None
        for arg in args:
            keyword = arg.keyword.value if arg.keyword else None
            source = cst.Module(body=[]).code_for_node(arg.value)
            if keyword == "default" and function == "config":
                default = self._ast(arg.value)
            elif keyword == "env" and function == "config" and _string(arg.value):
                variable = _string(arg.value) or URL_VARIABLE
            elif keyword == "engine" and _string(arg.value):
                engine = source
            elif keyword in KWARG_KEYS:
                extra.append((KWARG_KEYS[keyword], source))
            elif keyword == "ssl_require":
                if source == "True":
                    extra.append(
                        ("OPTIONS", '{"sslmode": "require"}'.replace('"', self.style.quote))
                    )
                elif source != "False":
                    q = self.style.quote
                    extra.append(
                        ("OPTIONS", f"{{{q}sslmode{q}: {q}require{q}}} if {source} else {{}}")
                    )
            else:
                what = f"argument {keyword}=" if keyword else "a positional argument"
                self._refuse(original, f"unsupported dj_database_url {what}: convert by hand")
                raise _Refused
        parts = self._parts(original, default)
        self.edits.aliases.append(alias)
        self.edits.url_variables.append(variable)
        self.edits.needs_os |= self.style.kind == "os"
        if parts is not None and parts.has_password:
            self.edits.notes.append(
                (
                    self._line(original),
                    "the default URL's password is now a fallback in settings: rotate it or "
                    "drop the fallback once every environment sets the variable",
                )
            )
        return cst.parse_expression(self._dict(original, alias, parts, engine, required, extra))

    def _parts(self, node: cst.CSTNode, default: tuple[ast.expr, str] | None) -> UrlParts | None:
        if default is None:
            return None
        expression, code = default
        if isinstance(expression, ast.Constant) and expression.value is None:
            return None
        try:
            return split_url(expression, code, self.style.quote)
        except UrlRefusal as refusal:
            self._refuse(node, f"default URL cannot be split exactly: {refusal}")
            raise _Refused from refusal

    def _dict(
        self,
        node: cst.CSTNode,
        alias: str,
        parts: UrlParts | None,
        engine: str | None,
        required: bool,
        extra: list[tuple[str, str]],
    ) -> str:
        q = self.style.quote
        names = variables_for(alias)
        entries = []
        if engine is not None:
            entries.append(("ENGINE", engine))
        else:
            fallback = f"{q}{parts.engine if parts else 'postgresql'}{q}"
            read = self.style.or_default(names["ENGINE"], fallback)
            entries.append(("ENGINE", f"{q}django.db.backends.{q} + ({read})"))
        for part in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
            if part == "NAME" and required and parts is None:
                entries.append((part, self.style.required(names[part])))
                continue
            fallback = parts.sources[part] if parts else q * 2
            if fallback == q * 2:
                entries.append((part, self.style.optional(names[part], fallback)))
            else:  # an empty value (Compose's unset ${X}) keeps the fallback too
                entries.append((part, self.style.or_default(names[part], fallback)))
        entries += extra
        indent = self._indent(node)
        body = "".join(f"{indent}    {q}{key}{q}: {value},\n" for key, value in entries)
        return "{\n" + body + indent + "}"


def rewrite_databases(text: str, style: EnvStyle) -> tuple[str, DatabaseEdits]:
    """Replace one settings module's dj-database-url calls ("Deprecated / Removed").

    :param text: the module's source.
    :param style: how the module reads the environment.
    :returns: the new source (the input when nothing changes or something is refused) and what
        was done.
    :raises libcst.ParserSyntaxError: when the module does not parse.
    """
    edits = DatabaseEdits()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        cst.parse_module(text)  # libcst's report when it fails too, as it always came first
        raise
    names = _bound_names(tree)
    if not names:
        return text, edits
    module = cst.parse_module(text)
    rewriter = _DatabaseRewriter(text, style, names, edits)
    # the module is parsed here and used nowhere else: the wrapper need not copy it
    new_module = MetadataWrapper(module, unsafe_skip_copy=True).visit(rewriter)
    if edits.refusals or not edits.aliases:
        return text, DatabaseEdits(refusals=edits.refusals)
    renames = {
        variable: variables_for(alias)["NAME"]
        for variable, alias in zip(edits.url_variables, edits.aliases, strict=True)
    }
    new_module = _without_imports(new_module.visit(_GuardRenamer(renames)))
    leftover = _leftover_uses(new_module.code, set(edits.url_variables), names)
    if leftover:
        return text, DatabaseEdits(refusals=_original_lines(leftover, new_module.code, text))
    return new_module.code, edits


def _original_lines(
    refusals: list[tuple[int, str]], new_text: str, text: str
) -> list[tuple[int, str]]:
    """Give refusals found in the rewritten text the line the same code has in the input."""
    new_lines, lines = new_text.splitlines(), text.splitlines()
    return [
        (lines.index(new_lines[line - 1]) + 1 if new_lines[line - 1] in lines else line, reason)
        for line, reason in refusals
    ]


def _bound_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name == "dj_database_url"}
        elif isinstance(node, ast.ImportFrom) and node.module == "dj_database_url":
            names |= {a.asname or a.name for a in node.names if a.name in ("config", "parse")}
    return names


class _GuardRenamer(cst.CSTTransformer):
    """``"DATABASE_URL" in os.environ``, ``os.getenv("DATABASE_URL")``: ``APP_DB_NAME`` is set."""

    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def _renamed(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        value = _string(node)
        if value in self.renames and isinstance(node, cst.SimpleString):
            return node.with_changes(value=f"{node.quote}{self.renames[value]}{node.quote}")
        return None

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.BaseExpression:
        target = updated_node.comparisons[0] if len(updated_node.comparisons) == 1 else None
        if (
            target is not None
            and isinstance(target.operator, cst.In | cst.NotIn)
            and get_full_name_for_node(target.comparator) in ("os.environ", "environ")
        ):
            renamed = self._renamed(updated_node.left)
            if renamed is not None:
                # a name set but empty (a copied .env.example) is no database either
                environ = cst.Module([]).code_for_node(target.comparator)
                name = cst.Module([]).code_for_node(renamed)
                negation = "not " if isinstance(target.operator, cst.NotIn) else ""
                test = cst.parse_expression(f"{negation}{environ}.get({name})")
                return test.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        name = get_full_name_for_node(updated_node.func) or ""
        if name in ENV_GETTERS and len(updated_node.args) == 1:
            renamed = self._renamed(updated_node.args[0].value)
            if renamed is not None:
                return updated_node.with_changes(
                    args=[updated_node.args[0].with_changes(value=renamed)]
                )
        return updated_node


def _is_dj_import(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return all(get_full_name_for_node(a.name) == "dj_database_url" for a in small.names)
    if isinstance(small, cst.ImportFrom) and small.module is not None:
        return get_full_name_for_node(small.module) == "dj_database_url"
    return False


def _without_imports(module: cst.Module) -> cst.Module:
    """Drop module-level imports of dj_database_url; their comments stay with what follows."""
    body = list(module.body)
    index = 0
    while index < len(body):
        if not _is_dj_import(body[index]):
            index += 1
            continue
        removed = body.pop(index)
        if index < len(body):
            following = body[index]
            comments = any(line.comment is not None for line in removed.leading_lines)
            if comments or not following.leading_lines:
                body[index] = following.with_changes(
                    leading_lines=(*removed.leading_lines, *following.leading_lines)
                )
    return module.with_changes(body=body)


def _leftover_uses(text: str, variables: set[str], names: set[str]) -> list[tuple[int, str]]:
    """Find uses of the URL variable or of dj_database_url that the rewrite left."""
    refusals = []
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in variables
        ):
            refusals.append(
                (
                    node.lineno,
                    f"{node.value} is read outside dj_database_url here: test APP_DB_NAME or "
                    "DB_ENGINE instead by hand, then rerun",
                )
            )
        elif isinstance(node, ast.Name) and node.id in names:
            refusals.append((node.lineno, "dj_database_url is used here too: convert by hand"))
        elif isinstance(node, ast.Import | ast.ImportFrom) and (
            getattr(node, "module", None) == "dj_database_url"
            or any(alias.name == "dj_database_url" for alias in node.names)
        ):
            refusals.append(
                (node.lineno, "dj_database_url imported inside a block: convert by hand")
            )
    return refusals
