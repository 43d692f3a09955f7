"""modelform-fields without libcst: the :mod:`ast` splice writes exactly what libcst writes.

Each module below is rewritten both ways (the :mod:`ast` plan and the libcst transformer,
with the same model fields); the plan must give the same text and the same refusals and
notes, or decline (``None``) for layouts only libcst rewrites exactly.
"""

from __future__ import annotations

import ast

import pytest
from redpanda_migrate.codemods.modelform_fields.ast_forms import plan_forms
from redpanda_migrate.codemods.modelform_fields.codemod import may_list_fields
from redpanda_migrate.codemods.modelform_fields.decisions import FormEdits
from redpanda_migrate.codemods.modelform_fields.forms import rewrite_with_libcst

MODELS = {
    "Product": ["name", "price", "category", "tags"],
    "Long": [f"a_rather_long_field_name_{n}" for n in range(6)],
    "Mid": ["first_name", "last_name", "email_address", "phone"],
}


def resolve(name: str) -> tuple[list[str], str | None]:
    if name in MODELS:
        return MODELS[name], None
    return [], f"model {name} is not defined in the project: list its fields by hand"


def form(meta: str, base: str = "forms.ModelForm", name: str = "F") -> str:
    return f"class {name}({base}):\n    class Meta:\n" + meta


SPLICED = {
    "all": form('        model = Product\n        fields = "__all__"\n'),
    "all single quotes, comment": form(
        "        model = Product\n        fields = '__all__'  # everything\n"
    ),
    "exclude": form("        model = Product\n        exclude = ['price']\n"),
    "exclude tuple": form('        model = Product\n        exclude = ("price",)\n'),
    "exclude bare tuple": form('        model = Product\n        exclude = "price",\n'),
    "exclude multi-line": form(
        '        model = Product\n        exclude = [\n            "price",  # no\n'
        '            "tags",\n        ]\n        widgets = {}\n'
    ),
    "fields and exclude": form(
        '        model = Product\n        fields = "__all__"\n        exclude = ["tags"]\n'
        "        # after\n        labels = {}\n"
    ),
    "exclude then fields": form(
        '        model = Product\n        exclude = ["tags"]  # x\n'
        '        fields = ["name", "tags"]\n'
    ),
    "exploded on one line": form('        model = Mid\n        fields = "__all__"\n'),
    "exploded per item": form("        model = Long\n        exclude = []\n"),
    "typo in exclude": form('        model = Product\n        exclude = ["nme"]\n'),
    "no model": form('        fields = "__all__"\n'),
    "model not a name": form('        model = get_model()\n        fields = "__all__"\n'),
    "outside model": form('        model = User\n        exclude = ["password"]\n'),
    "exclude not literal": form("        model = Product\n        exclude = EXCLUDED\n"),
    "fields not literal": form(
        '        model = Product\n        fields = FIELDS\n        exclude = ["a"]\n'
    ),
    "fields listed": form('        model = Product\n        fields = ["name"]\n'),
    "not a model form": form('        model = Product\n        fields = "__all__"\n', base="Form"),
    "nested in a function, tabs": (
        "def view():\n\tclass F(ModelForm):\n\t\tclass Meta:\n\t\t\tmodel = Long\n"
        '\t\t\tfields = "__all__"\n\treturn F\n'
    ),
    "forms in order": (
        form('        model = Nope\n        fields = "__all__"\n', name="A")
        + "\n"
        + "class B(ModelForm):\n    class Inner(ModelForm):\n        class Meta:\n"
        '            model = Product\n            exclude = ["x"]\n'
        "    class Meta:\n        exclude = []\n"
    ),
    "two Meta classes": (
        "class F(ModelForm):\n    class Meta:\n        exclude = []\n"
        '    class Meta:\n        model = Product\n        fields = "__all__"\n'
        '    class Meta:\n        model = Product\n        fields = "__all__"\n'
    ),
    "suite Meta without fields": form("        pass\n")
    + "class G(ModelForm):\n    class Meta: pass\n",
    "non-ASCII before": '"""Façade."""\n'
    + form('        model = Product\n        fields = "__all__"\n'),
}

DECLINED = {
    "one-line Meta": "class F(ModelForm):\n    class Meta: model = Product; fields = '__all__'\n",
    "semicolons": form('        model = Product; fields = "__all__"\n'),
    "parenthesised value": form('        model = Product\n        fields = ("__all__")\n'),
    "parenthesised target": form('        model = Product\n        (exclude) = ["a"]\n'),
    "prefixed string": form('        model = Product\n        fields = u"__all__"\n'),
    "comment above a deleted exclude": form(
        '        model = Product\n        fields = "__all__"\n'
        '        # why\n        exclude = ["a"]\n'
    ),
    "escaped element": form('        model = Product\n        exclude = ["pri\\x63e"]\n'),
    "decorated Meta": form('        model = Product\n        fields = "__all__"\n').replace(
        "    class Meta", "    @decorate\n    class Meta"
    ),
}


@pytest.mark.parametrize("case", sorted(SPLICED))
@pytest.mark.parametrize("line_length", [88, 40])
def test_the_splice_writes_what_libcst_writes(case: str, line_length: int) -> None:
    text = SPLICED[case]
    planned = plan_forms(text, ast.parse(text), resolve, line_length)
    assert planned is not None
    assert planned == rewrite_with_libcst(text, resolve, line_length)
    new_text, edits = planned
    if edits.converted or edits.refusals or edits.ignored:
        assert may_list_fields(text)
    ast.parse(new_text)


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_layouts_only_libcst_rewrites_exactly_are_declined(case: str) -> None:
    text = DECLINED[case]
    assert plan_forms(text, ast.parse(text), resolve, 88) is None
    assert may_list_fields(text)


def test_the_cases_rewrite_and_refuse() -> None:
    def plan(case: str, line_length: int = 88) -> tuple[str, FormEdits]:
        planned = plan_forms(SPLICED[case], ast.parse(SPLICED[case]), resolve, line_length)
        assert planned is not None
        return planned

    changed = {case for case, text in SPLICED.items() if plan(case, 40)[0] != text}
    assert {
        "all",
        "exclude",
        "fields and exclude",
        "exploded per item",
        "forms in order",
    } <= changed
    assert plan("fields and exclude")[0] == form(
        '        model = Product\n        fields = ["name", "price", "category"]\n'
        "        # after\n        labels = {}\n"
    )
    new_text, _ = plan("nested in a function, tabs", 40)
    assert '\t\t\tfields = [\n\t\t\t    "a_rather_long_field_name_0",\n' in new_text
    _, edits = plan("forms in order")
    assert [line for line, _ in edits.refusals] == [2, 11]
    assert [(line, name) for line, name, _ in edits.converted] == [(8, "Inner")]
    assert len(edits.ignored) == 1


def test_modules_without_such_a_meta_are_not_candidates() -> None:
    assert not may_list_fields("class F(ModelForm):\n    pass\n# exclude, __all__\n")
    assert not may_list_fields('__all__ = ["F"]\nclass F(ModelForm):\n    x = exclude == 1\n')
    assert may_list_fields("class F(ModelForm):\n  class Meta:\n    exclude \\\n = []\n")
    assert may_list_fields('class F(ModelForm):\n  class Meta:\n    (fields  # c\n) = "__all__"\n')
