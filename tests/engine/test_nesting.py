"""The cheap nesting bound never lets through a module the tokenizer would find too deep."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest
from harness import FIXTURES

from redpanda_migrate import nesting
from redpanda_migrate.nesting import nesting_problem, within_limits

SOURCES = Path(nesting.__file__).parent


def measured(text: str) -> tuple[int, int]:
    """Depth and longest chain as the tokenizer-driven measure finds them (no early stop)."""
    measure = nesting._Measure()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            measure.step(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    return measure.depth, measure.chain


TRICKY = [
    # separators inside strings and comments end no chain
    "x = a + '" + ",".join("b" * 30) + "' + " + " + ".join(["c"] * 30) + "\n",
    "x = (a  # , , ,\n + b + c + d + e + f + g)\n",
    'x = a + """\n,,,\n""" + ' + " + ".join(["c"] * 30) + "\n",
    # an inner comma does not end the chain around it
    "x = " + " + ".join(["f(a, b)"] * 30) + "\n",
    # comparisons hold "=" and still link
    "x = " + " == ".join(["a"] * 30) + "\n",
    "x = a <= b >= c != d == e and f or g if h else i\n",
    # a backslash continues the statement: the newline ends nothing
    "x = a + b + \\\n    c + d + \\\n    e + f + g + h + i + j\n",
    # implicit concatenation and prefixed strings
    "x = (" + " ".join(['f"{a}"', "rb'\\''", "'''x'''"] * 10) + ")\n",
    # strings that continue over lines, escaped quotes
    "x = 'a\\\nb' + 'c\\'d' + \"e\\\"f\" + g + h + i + j + k\n",
    # deep brackets and blocks
    "x = " + "(" * 12 + "1" + ")" * 12 + "\n",
    "".join("    " * level + "if a:\n" for level in range(10)) + "    " * 10 + "pass\n",
    "x = [{(a.b[c]).d(e)[f]: g} for h in i if j]\n",
    "def f(a: int = 1, *b, **c) -> dict[str, list[int]]:\n    return {**c, 'b': [*b]}\n",
    "x = lambda a: a + b + c + d + e + f + g + h + i + j + k + l + m\n",
    "x = a[1:2:3] + b[::] + c[..., None] + " + " + ".join(["d"] * 20) + "\n",
    # odd modules: unbalanced brackets, an unterminated string
    "x = (((a + b\n",
    "x = a + b)))\ny = (c\n",
    "x = 'abc\ny = " + " + ".join(["d"] * 30) + "\n",
    'x = """abc\n' + " + ".join(["d"] * 30) + "\n",
    "x = 1\r\ny = " + " + ".join(["d"] * 30) + "\r\n",
]


def corpus() -> list[str]:
    paths = sorted(FIXTURES.rglob("*.py")) + sorted(SOURCES.rglob("*.py"))
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:  # fixtures of unreadable files
            continue
    return TRICKY + texts


@pytest.mark.parametrize(("depth", "chain"), [(3, 4), (5, 8), (8, 16), (12, 30)])
def test_the_bound_only_passes_modules_within_the_limits(
    monkeypatch: pytest.MonkeyPatch, depth: int, chain: int
) -> None:
    # with small limits, real modules fall on both sides of them
    monkeypatch.setattr(nesting, "MAX_DEPTH", depth)
    monkeypatch.setattr(nesting, "MAX_CHAIN", chain)
    passed = 0
    for text in corpus():
        if within_limits(text):
            passed += 1
            found_depth, found_chain = measured(text)
            assert found_depth <= depth and found_chain <= chain, text
    assert passed > 10  # the bound does let through the modules that are plainly within


def test_a_module_over_the_limits_is_still_reported() -> None:
    assert not within_limits("x = " + "[" * 101 + "1" + "]" * 101 + "\n")
    assert nesting_problem("x = " + "[" * 101 + "1" + "]" * 101 + "\n") is not None
    chained = "y = " + " + ".join(["a"] * 202) + "\n"  # 201 links
    assert not within_limits(chained)
    assert nesting_problem(chained) is not None
    # the bound says "measure it", the tokenizer says it is fine
    fine_but_long = "y = " + " + ".join(["'a,b'"] * 150) + "\n"
    assert nesting_problem(fine_but_long) is None
