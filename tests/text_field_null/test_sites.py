"""The cheap paths of text-field-null: the text filter in front of the nullable-use search
(it must let through every module the search finds a place in, and keep most others from
being parsed) and the rewriting of the fields' statements alone (as the whole module would be).
"""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from redpanda_migrate.codemods.text_field_null.edit import (
    _FieldRewriter,
    _rewrite_statements,
    rewrite_fields,
)
from redpanda_migrate.codemods.text_field_null.sites import UseSites
from redpanda_migrate.codemods.text_field_null.usages import nullable_uses

NAMES = frozenset({"note", "title"})
MODELS = frozenset({"Item"})
STILL_NULLABLE = frozenset({"due"})
SITES = UseSites(NAMES, MODELS, STILL_NULLABLE)

USES = [
    "Item.objects.filter(note__isnull=False)",
    "Q(**{'order__note__isnull': True})",
    "item.note is None",
    "None is item.note",
    "x == None == item.note",
    "item.note == other == None",
    "(item.note) is not (None)",
    "item.note = None",
    "item.note = other.x = None",
    "item.note = (\n    None\n)",
    "Item.objects.create(note=None)",
    "Item.objects.create(\n    title='x',\n    note=None,\n)",
    "Item(author__note__exact=None)",
    "Item(note=\\\n    None)",
    "def make(note=None):\n    return Item(note=note)",
    "def make(note: str | None = None):\n    item.note = note",
    "def make(\n    note: Optional[\n        str\n    ] = None,\n):\n    Item(note=note)",
    "def make(data):\n    item.note = data.get('note')",
    "def make(data):\n    item.note = (\n        data\n        .get('note')\n    )",
    "def make(x):\n    Item.objects.create(note=x if x else None)",
    "def make(x):\n    Item.objects.create(\n        note=x\n        if x\n        else None)",
    "def copy(item):\n    Item(note=item.due)",
    "def copy(item):\n    Item.objects.update(note=item.due, title='t')",
    "class A:\n    @decorate(Item.objects.filter(note=None))\n    def f(self):\n        pass",
]

UNRELATED = [
    "note = None",
    "def render(note=None):\n    return format(note=None)",
    "if note is None:\n    pass",
    "Item.objects.create(note='x', other=None)",
    "item.title = 'x'\nitem.other = None",
    "def f(note=None):\n    self.other = note",
    "data = request.GET.get('note')",
]


def found(code: str) -> bool:
    return bool(nullable_uses("m.py", ast.parse(code), NAMES, MODELS, STILL_NULLABLE))


@pytest.mark.parametrize("code", USES)
def test_every_use_passes_the_filter_and_lies_on_its_lines(code: str) -> None:
    assert found(code)  # the search finds it: the filter must not drop it
    assert SITES.may_hold_uses(code)
    lines = SITES.lines(code)
    module = ast.parse(code)
    every = nullable_uses("m.py", module, NAMES, MODELS, STILL_NULLABLE)
    assert nullable_uses("m.py", module, NAMES, MODELS, STILL_NULLABLE, lines) == every


@pytest.mark.parametrize("code", UNRELATED)
def test_code_without_uses_is_not_parsed(code: str) -> None:
    assert not found(code)
    assert not SITES.may_hold_uses(code)


def test_statements_without_sites_are_left_out_in_order() -> None:
    code = (
        "def a():\n    item.note = None\n\n"
        "def b():\n    x = 1\n    y = 2\n\n"
        "def c():\n    if item.title is None:\n        item.note = None\n"
    )
    module = ast.parse(code)
    lines = SITES.lines(code)
    assert lines == [2, 9, 10]
    places = nullable_uses("m.py", module, NAMES, MODELS, STILL_NULLABLE, lines)
    assert places == nullable_uses("m.py", module, NAMES, MODELS, STILL_NULLABLE)
    assert [line for _, line, _ in places] == [2, 9, 10]


MODELS_MODULE = '''\
from django.db import models


class Item(models.Model):
    """Café."""

    note = models.CharField("Café", max_length=20, null=True)  # a comment
    title: str = models.CharField(
        max_length=20,
        null=True,
        default=None,
    )
    other = 1; more = models.CharField(null=True)

    class Meta:
        note = models.CharField(null=True)

    def f(self):
        note = models.CharField(null=True)
'''


@pytest.mark.parametrize("flags", [(True, True), (False, True), (True, False)])
def test_statements_alone_are_rewritten_as_the_whole_module_is(flags: tuple[bool, bool]) -> None:
    targets = {("Item", "note"): flags, ("Item", "title"): flags}
    whole = cst.parse_module(MODELS_MODULE).visit(_FieldRewriter(targets)).code
    assert whole != MODELS_MODULE
    assert _rewrite_statements(MODELS_MODULE, targets) == whole
    assert rewrite_fields(MODELS_MODULE, targets) == whole


def test_a_statement_sharing_its_line_is_left_to_the_whole_module() -> None:
    targets = {("Item", "more"): (True, True)}
    assert _rewrite_statements(MODELS_MODULE, targets) is None
    rewritten = rewrite_fields(MODELS_MODULE, targets)
    assert 'other = 1; more = models.CharField(blank=True, default="")' in rewritten
