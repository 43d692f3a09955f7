"""pytz-to-zoneinfo: zones kept on ``self`` and as class attributes, traced only when certain."""

from __future__ import annotations

import textwrap

import pytest
from redpanda_migrate.codemods.pytz_to_zoneinfo.module import rewrite_module


def rewrite(source: str) -> str:
    result = rewrite_module(textwrap.dedent(source), flag_unknown_localize=True)
    assert not result.refusals, result.refusals
    return result.text


ATTRIBUTE_CLASS = """\
import pytz
{prelude}
class Shop{bases}:
    {body}
    def setUp(self):
        self.tz = pytz.timezone("Europe/Dublin")

    def opening(self, dt):
        return self.tz.localize(dt)
{after}"""


def attribute_module(prelude: str = "", bases: str = "", body: str = "", after: str = "") -> str:
    """Return a module whose ``Shop.opening`` localizes with the ``self.tz`` set in setUp."""
    return ATTRIBUTE_CLASS.format(prelude=prelude, bases=bases, body=body or "pass", after=after)


def test_zone_attributes_are_traced_through_self_cls_and_the_class() -> None:
    assert "return dt.replace(tzinfo=self.tz)" in rewrite(attribute_module())
    source = attribute_module(
        body='UTC = pytz.utc\n    TZ = pytz.timezone("Europe/London")\n',
        after=(
            "\n    @classmethod\n    def closing(cls, dt):\n"
            "        def inner():\n            return self_free(cls.TZ.localize(dt))\n"
            "        return inner(), Shop.UTC.zone, cls.TZ.zone\n"
        ),
    )
    text = rewrite(source)
    assert "return dt.replace(tzinfo=self.tz)" in text
    assert "return self_free(dt.replace(tzinfo=cls.TZ))" in text
    assert 'return inner(), "UTC", cls.TZ.key' in text  # the kind decides: UTC vs a real zone


@pytest.mark.parametrize(
    ("prelude", "bases", "body", "after"),
    [
        ("", "", "def reset(self):\n        self.tz = None\n", ""),
        ("", "", "def reset(self):\n        del self.tz\n", ""),
        ("", "", "def pair(self):\n        self.tz, self.x = pytz.utc, 1\n", ""),
        ("", "", "", '\ndef configure(obj):\n    obj.tz = pytz.timezone("Europe/London")\n'),
        ("", "", "def fill(self, name):\n        setattr(self, name, 1)\n", ""),
        ("", "", 'tz = pytz.timezone("Europe/Dublin")\n',
         "\nShop.tz = pytz.timezone('Europe/London')\n"),
        ("", "", "", '\nclass Branch(Shop):\n    tz = pytz.timezone("Europe/London")\n'),
        ("class Base:\n    tz = pytz.timezone('Europe/London')\n", "(Base)", "", ""),
        ("", "", "", "\nclass Other:\n    def setUp(self):\n        self.tz = pytz.utc\n"),
        ("from enum import Enum\n", "(Enum)", 'tz = pytz.timezone("Europe/Dublin")\n', ""),
        ("", "", "tz: object = pytz.timezone('Europe/Dublin')\n", ""),
        ("", "", "", "\n    @staticmethod\n    def s(self, dt):\n"
                     "        return self.tz.localize(dt)\n"),
        ("", "", "", "\n    def rebound(self, o, dt):\n        self = o\n"
                     "        return self.tz.localize(dt)\n"),
    ],
    ids=[
        "other-method-reassigns", "del", "tuple-assignment", "other-object", "setattr",
        "assigned-outside-the-class", "subclass-reassigns", "base-assigns", "other-kind-elsewhere",
        "enum", "annotated", "staticmethod", "self-rebound",
    ],
)  # fmt: skip
def test_zone_attributes_in_doubt_are_not_traced(
    prelude: str, bases: str, body: str, after: str
) -> None:
    source = attribute_module(prelude, bases, body, after)
    result = rewrite_module(source, flag_unknown_localize=True)
    assert result.text == source
    assert any("cannot trace to pytz" in reason for _, reason in result.refusals)
