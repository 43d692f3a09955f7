"""Measuring how deeply a Python module nests, cheaply, before any parser sees it.

libcst parses and visits recursively: about 150 nested brackets raise ``RecursionError`` in
its visitors, 1,500 crash its native parser outright (the process dies, no report), and a chain
of a few hundred operations (``a + a + ...``, ``x.f().g()...``) nests as deeply as brackets do.
A module over these limits is reported on its own and left unchanged; the tokenizer that
measures it keeps no tree, so it cannot overflow.
"""

from __future__ import annotations

import io
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
