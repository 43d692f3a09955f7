"""Models modules read with ast give the summary libcst gives, and newer syntax still reads."""

from __future__ import annotations

import libcst as cst
import pytest
from redpanda_migrate.codemods.model_timestamps.reading import read_module
from redpanda_migrate.codemods.model_timestamps.reading_cst import read_cst_module
from redpanda_migrate.codemods.model_timestamps.source import UNKNOWN

from redpanda_migrate.codemod import InputError

TRICKY = '''\ufefffrom django.db import models
from . import base as b
from ..core.models import *
import django.contrib.gis.db.models as gis, os.path


@register
class Tag(models.Model, *mixins, metaclass=Meta, **options):
    """Doc."""

    name = models.CharField(max_length=10, unique=True, **extra); slug = models.SlugField()
    kind: str = models.CharField(
        max_length=3,
        null=True,
    )
    history = HistoricalRecords(inherit=True, app="x")
    plain = 3
    label: str

    @property
    def title(self):
        return self.name

    @functools.cached_property
    async def other(self):
        pass

    class Inner:
        pass

    class Meta(b.Base.Meta):
        abstract = False
        proxy = "yes" "no"
        managed = (True)
        db_table = "tags"
        ordering = ["name"]
        verbose_name = 1


class Short(b.Base): x = models.IntegerField(); y = 2


class OneLineMeta(models.Model):
    class Meta: abstract = True
    if DEBUG:
        debug = models.TextField()
'''


def summary(module: object) -> object:
    def value(v: object) -> object:
        return "UNKNOWN" if v is UNKNOWN else v

    return (
        module.path,
        module.dotted,
        module.imports,
        module.star_imports,
        {
            name: (
                info.line,
                info.bases,
                info.has_keyword_bases,
                {k: value(v) for k, v in info.meta.items()},
                info.meta_bases,
                info.has_meta,
                info.members,
            )
            for name, info in module.classes.items()
        },
    )


def test_ast_reading_matches_libcst_reading() -> None:
    path, roots = "shop/models/tag.py", ("",)
    by_ast = read_module(path, TRICKY, roots)
    by_cst = read_cst_module(path, cst.parse_module(TRICKY), roots)
    assert by_ast.syntax is not None  # read with ast, not through the fallback
    assert summary(by_ast) == summary(by_cst)
    tag = by_ast.classes["Tag"]
    assert tag.meta == {
        "abstract": False,
        "proxy": UNKNOWN,  # implicitly concatenated strings are not one literal
        "managed": True,
        "db_table": "tags",
        "ordering": UNKNOWN,
        "verbose_name": UNKNOWN,
    }
    assert tag.members["slug"].line == tag.members["name"].line == 11  # one line, two fields
    assert tag.members["name"].keywords == frozenset({"unique"})
    assert tag.members["kind"].keywords == frozenset({"null"})
    assert tag.members["title"].kind == "property"
    assert tag.members["other"].kind == "property"
    assert by_ast.classes["OneLineMeta"].meta == {}  # libcst reads no one-line Meta either
    assert "debug" not in by_ast.classes["OneLineMeta"].members


def test_syntax_newer_than_the_interpreter_is_read_by_libcst() -> None:
    text = "from django.db import models\n\nclass Loader[K, V](Base):\n    x = models.DateField()\n"
    module = read_module("app/models.py", text, ("",))
    expected = read_cst_module("app/models.py", cst.parse_module(text), ("",))
    assert summary(module) == summary(expected)
    assert module.classes["Loader"].members["x"].kind == "field"


@pytest.mark.parametrize("text", ["class A(:\n", "x = (\n"])
def test_a_syntax_error_keeps_libcst_message(text: str) -> None:
    with pytest.raises(InputError) as raised:
        read_module("shop/models.py", text, ("",))
    with pytest.raises(cst.ParserSyntaxError) as libcst_error:
        cst.parse_module(text)
    assert raised.value.message == (
        f"line {libcst_error.value.raw_line}: invalid Python: {libcst_error.value.message}"
    )
