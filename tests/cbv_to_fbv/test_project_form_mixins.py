"""cbv-to-fbv on views built on project form and delete mixins (get_form, get_messages...).

The ``project-form-mixins`` fixture holds, in small form, what large apps' shared mixins do: a
``get_form()`` that attaches a layout object to the form Django built, a ``get_messages()``
getter feeding ``messages.success``, a ``form_valid`` that the views extend with ``super()``, a
``dispatch()`` that checks ownership through ``self.get_object()`` (``except AttributeError`` for
create views and models without an owner) and a delete mixin's ``delete()`` that adds a message.
before/ and after/ must answer every request alike, in a real Django run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from harness import FIXTURES
from redpanda_migrate.codemods.cbv_to_fbv.accessors import inline_accessors
from redpanda_migrate.codemods.cbv_to_fbv.analysis import ViewSpec
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.compose_tail import compose_after_prelude, compose_tail
from redpanda_migrate.codemods.cbv_to_fbv.fold import fold_constant_branches
from redpanda_migrate.codemods.cbv_to_fbv.permission_test import permission_as_test

CASE = FIXTURES / "cbv-to-fbv" / "project-form-mixins"
PROBE = r"""
import json, os, re, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "probe_settings"
import django
django.setup()
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import setup_test_environment
from noteapp.models import Note, Notebook, Tag

setup_test_environment()
call_command("migrate", run_syncdb=True, verbosity=0)
ann = User.objects.create_user("ann", password="pw")
bob = User.objects.create_user("bob", password="pw")
bob.user_permissions.add(Permission.objects.get(codename="change_tag"))
cat = User.objects.create_user("cat", password="pw")
cat.user_permissions.add(Permission.objects.get(codename="add_tag"))
book = Notebook.objects.create(owner=ann, title="ann's")
note = Note.objects.create(notebook=book, text="first")
tag = Tag.objects.create(name="red")
PATHS = ["/notebooks/new/", f"/notes/{note.pk}/edit/", "/notes/999/edit/",
         f"/tags/{tag.pk}/edit/", "/tags/999/edit/", f"/notes/{note.pk}/delete/",
         "/notes/999/delete/"]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE"]
DATA = {"invalid": {"title": "", "text": "", "name": ""},
        "valid": {"title": "  mine  ", "text": "changed", "name": "blue"}}
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')

def observe(response):
    return {
        "status": response.status_code,
        "headers": {k: v for k, v in response.items()
                    if k in ("Allow", "Location", "Content-Type")},
        "templates": [t.name for t in response.templates],
        "body": TOKEN.sub(b"", response.content).decode("utf-8", "replace"),
        "messages": [str(m) for m in get_messages(response.wsgi_request)],
        "notebooks": sorted(Notebook.objects.values_list("title", flat=True)),
        "notes": sorted(Note.objects.values_list("text", flat=True)),
        "tags": sorted(Tag.objects.values_list("name", flat=True)),
    }

results = {}
for who in (None, "ann", "bob", "cat"):
    for method in METHODS:
        for path in PATHS:
            for label, data in DATA.items():
                if method not in ("POST", "PUT") and label == "valid":
                    continue
                client = Client(raise_request_exception=False)
                if who:
                    client.force_login(User.objects.get(username=who))
                with transaction.atomic():
                    if method == "POST":
                        response = client.post(path, data)
                    else:
                        response = client.generic(method, path)
                    results[f"{who} {method} {path} {label}"] = observe(response)
                    transaction.set_rollback(True)
print(json.dumps(results, sort_keys=True))
"""


def _probe(project: Path) -> dict:
    (project / "probe.py").write_text(PROBE)
    result = subprocess.run(
        [sys.executable, "probe.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_views_on_project_form_mixins_answer_alike_before_and_after(tmp_path: Path) -> None:
    before = _probe(shutil.copytree(CASE / "before", tmp_path / "before"))
    after = _probe(shutil.copytree(CASE / "after", tmp_path / "after"))
    # the probe reaches each pattern: get_form() on GET, on an invalid POST and on a delete
    # view, get_messages() through form_valid, the owner check, delete()'s message on DELETE
    assert before["ann GET /notebooks/new/ invalid"]["body"].startswith(
        "New notebook|notebooksnew:Save|False|"
    )
    assert "notes1edit:Save|True|" in before["ann POST /notes/1/edit/ invalid"]["body"]
    assert before["bob GET /tags/1/edit/ invalid"]["body"].startswith("|tags1edit:Rename|")
    assert before["ann GET /notes/1/delete/ invalid"]["body"] == (
        "Delete first?|notes1delete:Yes, delete|first\n"
    )
    added = before["ann POST /notebooks/new/ valid"]
    assert added["messages"] == ["Notebook added"] and "mine" in added["notebooks"]
    assert before["bob GET /notes/1/edit/ invalid"]["status"] == 403  # not bob's notebook
    assert before["None GET /notes/1/edit/ invalid"]["status"] == 403  # checked before login
    assert before["None GET /notes/999/edit/ invalid"]["status"] == 404
    assert before["ann DELETE /notes/1/delete/ invalid"]["messages"] == ["Note deleted"]
    assert before["ann POST /notes/1/delete/ invalid"]["messages"] == []
    assert before["ann POST /notes/1/delete/ invalid"]["notes"] == []
    assert before["None GET /tags/1/edit/ invalid"]["status"] == 302  # no owner: login
    assert before["cat GET /tags/1/edit/ invalid"]["status"] == 200  # any one permission
    assert before["ann GET /tags/1/edit/ invalid"]["status"] == 403
    assert set(before) == set(after)
    for key in before:
        assert after[key] == before[key], key
    views = (CASE / "after" / "noteapp" / "views.py").read_text()
    assert "View(" not in views  # every view converted
    assert "if False" not in views and "for field in ()" not in views


def _method(source: str) -> cst.FunctionDef:
    node = cst.parse_statement(source)
    assert isinstance(node, cst.FunctionDef)
    return node


def test_a_getter_is_inlined_where_it_is_called_and_dropped() -> None:
    spec = ViewSpec("V", "v", "create")
    spec.methods = {
        "get_messages": _method("def get_messages(self):\n    return self.messages\n"),
        "form_valid": _method(
            "def form_valid(self, form):\n"
            "    if self.get_messages():\n"
            "        note(self.get_messages())\n"
            "    return super().form_valid(form)\n"
        ),
    }
    inline_accessors(spec)
    assert set(spec.methods) == {"form_valid"}
    code = cst.Module(body=[spec.methods["form_valid"]]).code
    assert "if self.messages:\n        note(self.messages)" in code


def test_a_getter_django_calls_itself_is_left_alone() -> None:
    spec = ViewSpec("V", "v", "update")
    spec.methods = {
        "get_success_url": _method("def get_success_url(self):\n    return '/'\n"),
        "form_valid": _method(
            "def form_valid(self, form):\n    go(self.get_success_url())\n    return x\n"
        ),
    }
    inline_accessors(spec)
    assert "get_success_url" in spec.methods
    assert "self.get_success_url()" in cst.Module(body=[spec.methods["form_valid"]]).code


def test_a_getter_reading_a_name_the_caller_binds_is_refused() -> None:
    spec = ViewSpec("V", "v", "create")
    spec.methods = {
        "label": _method("def label(self):\n    return prefix + self.title\n"),
        "form_valid": _method(
            "def form_valid(self, form):\n"
            "    prefix = 'x'\n"
            "    note(self.label())\n"
            "    return super().form_valid(form)\n"
        ),
    }
    with pytest.raises(Unsupported, match="binds 'prefix'"):
        inline_accessors(spec)


def test_a_method_ending_with_its_super_call_is_merged_with_the_base_method() -> None:
    override = _method(
        "def form_valid(self, form):\n"
        "    form.instance.owner = self.request.user\n"
        "    return super().form_valid(form)\n"
    )
    base = _method(
        "def form_valid(self, form):\n    note(form)\n    return super().form_valid(form)\n"
    )
    merged = compose_tail(override, base)
    assert merged is not None
    assert cst.Module(body=[merged]).code == (
        "def form_valid(self, form):\n"
        "    form.instance.owner = self.request.user\n"
        "    note(form)\n"
        "    return super().form_valid(form)\n"
    )
    shadowing = _method(
        "def form_valid(self, form):\n    note = 1\n    return super().form_valid(form)\n"
    )
    assert compose_tail(shadowing, base) is None  # the base's `note` would be the local
    midway = _method("def form_valid(self, form):\n    super().form_valid(form)\n    return x\n")
    assert compose_tail(midway, base) is None


def test_literal_branches_fold_and_others_stay() -> None:
    body = list(
        cst.parse_module(
            "for f in ():\n    strip(f)\n"
            "if '':\n    note()\n"
            "\n# hand over\nreturn done()\n"
            "if lazy('x'):\n    keep()\n"
            "if False:\n    a()\nelse:\n    b()\n"
        ).body
    )
    code = cst.Module(body=fold_constant_branches(body)).code
    assert code == "# hand over\nreturn done()\nif lazy('x'):\n    keep()\nb()\n"


def test_has_permission_becomes_the_test_of_require_access() -> None:
    spec = ViewSpec("V", "v", "update", mixins=["login", "permission"])
    spec.attrs = {"permission_required": cst.parse_expression("'app.change_tag'")}
    spec.methods = {
        "has_permission": _method(
            "def has_permission(self):\n"
            "    return any(self.request.user.has_perm(p)"
            " for p in self.get_permission_required())\n"
        )
    }
    permission_as_test(spec)
    assert spec.mixins == ["login", "user_test"]
    code = cst.Module(body=[spec.methods["test_func"]]).code
    assert "for p in ('app.change_tag',))" in code and "def test_func(self)" in code
    spec.methods = {"has_permission": _method("def has_permission(self, user):\n    return 1\n")}
    spec.mixins = ["permission"]
    with pytest.raises(Unsupported, match="it takes arguments"):
        permission_as_test(spec)


def test_lines_before_the_super_call_stay_before_the_base_lines() -> None:
    base = _method(
        "def get_context_data(self, **kwargs):\n"
        "    context = super().get_context_data(**kwargs)\n"
        "    context['title'] = self.title\n"
        "    return context\n"
    )
    override = _method(
        "def get_context_data(self, **kwargs):\n"
        "    pk = self.kwargs['pk']\n"
        "    context = super().get_context_data(**kwargs)\n"
        "    context['pk'] = pk\n"
        "    return context\n"
    )
    merged = compose_after_prelude(override, base)
    assert merged is not None
    assert cst.Module(body=[merged]).code == (
        "def get_context_data(self, **kwargs):\n"
        "    pk = self.kwargs['pk']\n"
        "    context = super().get_context_data(**kwargs)\n"
        "    context['title'] = self.title\n"
        "    context['pk'] = pk\n"
        "    return context\n"
    )
    clobbered = override.with_changes(
        body=override.body.with_changes(
            body=[cst.parse_statement("context = {}"), *override.body.body[1:]]
        )
    )
    assert compose_after_prelude(clobbered, base) is None  # the base binds `context` too
