"""modelform-fields in a real Django: every form has the same fields, in the same order.

The fixture project's forms are built by Django 5.2 before and after the codemod, in
subprocesses: each form's fields (names, order, form field classes, required flags, widgets)
must be identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness import FIXTURES, copy_tree

CASE = FIXTURES / "modelform-fields" / "all-and-exclude"
PROBE = """
import inspect, json, django
django.setup()
from django import forms
from shop import forms as module
found = {}
for name, form in sorted(vars(module).items()):
    if inspect.isclass(form) and issubclass(form, forms.ModelForm) and form is not forms.ModelForm:
        found[name] = [
            [field_name, type(field).__name__, field.required, type(field.widget).__name__]
            for field_name, field in form.base_fields.items()
        ]
print(json.dumps(found))
"""


def form_fields(project: Path) -> dict[str, list]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment["PYTHONPATH"] = str(project)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_form_keeps_its_fields_and_their_order(tmp_path: Path) -> None:
    before = form_fields(copy_tree(CASE / "before", tmp_path / "before"))
    after = form_fields(copy_tree(CASE / "after", tmp_path / "after"))
    assert set(before) == {
        "CategoryForm",
        "ProductForm",
        "ProductNameForm",
        "ProductPriceForm",
        "TypoForm",
        "UserForm",
    }
    assert after == before
    # Django sorts many-to-many fields in with the others, by creation (abstract bases first)
    assert [f[0] for f in after["ProductForm"]] == [
        "note",
        "tags",
        "name",
        "price",
        "category",
        "owner",
    ]


def test_the_rewritten_forms_name_no_all_and_no_exclude() -> None:
    text = (CASE / "after" / "shop" / "forms.py").read_text()
    assert "__all__" not in text and "exclude" not in text
