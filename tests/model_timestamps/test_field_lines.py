"""Fields placed as text insertions land where libcst's rewrite puts them, byte for byte."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from redpanda_migrate.codemods.model_timestamps.edit import add_fields
from redpanda_migrate.codemods.model_timestamps.field_lines import insert_field_lines

LINES = [
    "created_at = models.DateTimeField(auto_now_add=True)",
    "updated_at = models.DateTimeField(auto_now=True)",
]

LAYOUTS = {
    "after the last field, before comments": (
        "class A(models.Model):\n"
        "    name = models.CharField(max_length=3)  # keep\n"
        "    size = models.IntegerField(\n        default=1,\n    )\n"
        "    # about save\n\n"
        "    def save(self):\n        pass\n"
    ),
    "fields joined by semicolons": (
        "class A(models.Model):\n    a = models.IntegerField(); b = 1\n    c = 2\n"
    ),
    "docstring, then a method": (
        'class A(models.Model):\n    """Doc.\n\n    More.\n    """\n'
        "    def f(self):\n        pass\n"
    ),
    "docstring, a blank line, then a method": (
        'class A(models.Model):\n    """Doc."""\n\n    def f(self):\n        pass\n'
    ),
    "comments before the first statement": (
        "class A(\n    models.Model,\n):  # header\n    # lead\n\n    @property\n"
        "    def f(self):\n        return 1\n"
    ),
    "decorated method first, tab indentation": (
        "class A(models.Model):\n\t@property\n\tdef f(self):\n\t\treturn 1\n"
    ),
    "pass": "# before\nclass A(models.Model):\n    # why\n    pass\n\n\nx = 1\n",
    "ellipsis": "class A(models.Model):\n    ...\n",
    "pass with a comment": "class A(models.Model):\n    pass  # TODO\n",
    "two classes, one skipped": (
        "class A(models.Model):\n    x = models.IntegerField()\n\n\n"
        "class B(models.Model):\n    pass\n\n\n"
        "class C(models.Model):\n    '''Doc.'''\n    y = 1\n"
    ),
    "same name twice at the top level": (
        "class A(models.Model):\n    pass\n\n\nclass A(models.Model):\n    x = 1\n"
    ),
}


@pytest.mark.parametrize("source", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_text_insertion_matches_the_libcst_rewrite(source: str) -> None:
    additions = {"A": LINES, "C": LINES[:1]}
    placed = insert_field_lines(ast.parse(source), source, additions)
    assert placed is not None
    assert placed == add_fields(cst.parse_module(source), additions, None)
    assert placed != source


@pytest.mark.parametrize(
    "source",
    [
        "class A(models.Model): pass\n",  # a one-line body becomes a block: libcst's indent
        "class A(\n    models.Model): x = 1\n",
        "class A(models.Model):\n    pass\n\ndef f():\n    class A:\n        pass\n",
        "class A(models.Model):\r\n    pass\r\n",
        "class A(models.Model):\n    pass",
        'class A(models.Model):\n    f"Doc."\n    def f(self):\n        pass\n',
    ],
)
def test_layouts_left_to_libcst(source: str) -> None:
    assert insert_field_lines(ast.parse(source), source, {"A": LINES}) is None
