"""Measuring how deeply a Python module nests, cheaply, before any parser sees it.

libcst parses and visits recursively: about 150 nested brackets raise ``RecursionError`` in
its visitors, 1,500 crash its native parser outright (the process dies, no report), and a chain
of a few hundred operations (``a + a + ...``, ``x.f().g()...``) nests as deeply as brackets do.
A module over these limits is reported on its own and left unchanged; the tokenizer that
measures it keeps no tree, so it cannot overflow.
"""

from __future__ import annotations

import io
import re
import tokenize

# measured on libcst 1.x with Python's default recursion limit: 120 nested brackets and chains
# of 200 operations pass every codemod; 150 brackets and 300 chained calls do not
MAX_DEPTH = 100
MAX_CHAIN = 200
PYTHON_SUFFIXES = (".py", ".pyi")
OPENING = frozenset("([{")
CLOSING = frozenset(")]}")
# tokens that end one operand chain and start the next one at the same depth
CHAIN_BREAKS = frozenset({",", ";", ":", "=", ":=", "->", "lambda"}) | {
    op + "=" for op in ("+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^")
}
CHAINING_NAMES = frozenset({"and", "or", "not", "in", "is", "if", "else"})
OPERAND_TYPES = frozenset({tokenize.NAME, tokenize.NUMBER, tokenize.STRING})


# -- a bound first: most modules are measured without the tokenizer ---------------------------

# strings and comments as the tokenizer reads them (a quote left over means it read otherwise)
_STRING_OR_COMMENT = re.compile(
    r"#[^\n]*"
    r'|"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"
)
# operators that contain "=" and still link a chain
_COMPARISONS = re.compile(rb"==|!=|<=|>=")
_CHAINING_WORDS = re.compile(rb"\b(?:and|or|not|in|is|if|else)\b")
_LEADING_SPACE = re.compile(r"^[ \t\f]*", re.MULTILINE)
_INNERMOST = re.compile(rb"\(([^()]*)\)")


def _reduction_table() -> bytes:
    table = bytearray(range(256))
    for char in b".+-*/%@&|^~<>!":
        table[char] = ord("+")  # links a chain (counted once per character: at least once)
    for char in b",;:=":
        table[char] = ord(",")  # ends a chain at its level
    for char in b"([{":
        table[char] = ord("(")
    for char in b")]}":
        table[char] = ord(")")
    return bytes(table)


_REDUCE = _reduction_table()
# everything but what a bound needs: brackets, links, breaks, newlines and line continuations
_DROPPED = bytes(b for b in range(256) if b not in b".+-*/%@&|^~<>!,;:=()[]{}\n\\")


def within_limits(text: str) -> bool:
    """Tell cheaply that a module nests less deeply than the limits, when it plainly does.

    An upper bound of what :class:`_Measure` measures, in a few passes of ``re`` and
    ``bytes.translate`` instead of a Python loop over every token: every string counts as one
    link, every operator character as one link, every bracket pair as one link of the chain
    around it, and only ``,;:=`` (which always end a chain at their level) and ``NEWLINE``
    outside brackets end a chain; the depth of indentation is at most the number of distinct
    leading whitespaces. ``False`` means "measure it" (an odd module: unbalanced brackets, an
    unterminated string, a carriage return), never "too deep".

    :param text: the module's text.
    :returns: ``True`` only when the module is certainly within :data:`MAX_DEPTH` and
        :data:`MAX_CHAIN`.
    """
    if "\r" in text:
        return False
    code = _STRING_OR_COMMENT.sub("+", text)
    if "'" in code or '"' in code:
        return False
    indents = len(set(_LEADING_SPACE.findall(text)))
    if indents > MAX_DEPTH:
        return False
    reduced = _COMPARISONS.sub(b"+", code.encode("utf-8", "surrogatepass"))
    reduced = _CHAINING_WORDS.sub(b"+", reduced).translate(_REDUCE, _DROPPED)
    reduced = reduced.replace(b"\\\n", b"").replace(b"\\", b"")
    depth = 0
    while b"(" in reduced:
        depth += 1
        if depth + indents > MAX_DEPTH:
            return False
        groups = _INNERMOST.findall(reduced)
        if not groups:
            return False  # unbalanced
        if max(map(len, groups)) > MAX_CHAIN and any(
            _longest_chain(group.replace(b"\n", b"")) > MAX_CHAIN for group in groups
        ):
            return False
        reduced = _INNERMOST.sub(b"+", reduced)
    return b")" not in reduced and _longest_chain(reduced.replace(b"\n", b",")) <= MAX_CHAIN


def _longest_chain(links: bytes) -> int:
    return max(map(len, links.split(b",")))


class _Measure:
    def __init__(self) -> None:
        self.indent = 0
        self.chains = [0]  # one running chain per open bracket, plus the statement's own
        self.depth = 0
        self.chain = 0
        self.previous: tokenize.TokenInfo | None = None

    def step(self, token: tokenize.TokenInfo) -> None:
        kind, value = token.type, token.string
        if kind == tokenize.INDENT:
            self.indent += 1
        elif kind == tokenize.DEDENT:
            self.indent -= 1
        elif kind == tokenize.NEWLINE:
            self.chains = [0]
        elif kind == tokenize.OP and value in OPENING:
            if self._after_operand():  # a call or a subscript: one more link of the chain
                self._link()
            self.chains.append(0)
        elif kind == tokenize.OP and value in CLOSING:
            if len(self.chains) > 1:
                self.chains.pop()
        elif (kind == tokenize.OP and value in CHAIN_BREAKS) or value == "lambda":
            self.chains[-1] = 0
        elif kind == tokenize.OP or (kind == tokenize.NAME and value in CHAINING_NAMES):
            self._link()
        elif kind == tokenize.STRING and self.previous and self.previous.type == tokenize.STRING:
            self._link()  # implicit concatenation nests too
        self.depth = max(self.depth, self.indent + len(self.chains) - 1)
        if kind not in (tokenize.NL, tokenize.COMMENT):
            self.previous = token

    def _after_operand(self) -> bool:
        previous = self.previous
        if previous is None:
            return False
        if previous.type == tokenize.OP:
            return previous.string in CLOSING
        return previous.type in OPERAND_TYPES and previous.string not in CHAINING_NAMES

    def _link(self) -> None:
        self.chains[-1] += 1
        self.chain = max(self.chain, self.chains[-1])


def nesting_problem(text: str) -> str | None:
    """Tell why a Python module nests too deeply to be parsed safely, if it does.

    :param text: the module's text.
    :returns: a one-line reason, or ``None`` when it is within the limits (or does not tokenize:
        the parser then reports the syntax error itself).
    """
    if within_limits(text):
        return None
    measure = _Measure()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            measure.step(token)
            if measure.depth > MAX_DEPTH or measure.chain > MAX_CHAIN:
                break
    except (tokenize.TokenError, SyntaxError):
        pass
    if measure.depth > MAX_DEPTH:
        return (
            f"nested more than {MAX_DEPTH} levels deep (brackets and blocks): too deep to "
            "parse safely, left unchanged"
        )
    if measure.chain > MAX_CHAIN:
        return (
            f"an expression chains more than {MAX_CHAIN} operations: too deep to parse safely, "
            "left unchanged"
        )
    return None
