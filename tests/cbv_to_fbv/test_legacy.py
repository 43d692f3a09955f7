"""Acceptance test of cbv-to-fbv: the legacy shop's view tests pass before and after it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES, LEGACY, manage, run_cli

VIEWS = "project/shop/views.py"


@pytest.fixture
def legacy_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "legacy"
    shutil.copytree(LEGACY, copy, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3"))
    return copy


def test_view_suite_passes_before_and_after_the_conversion(legacy_copy: Path) -> None:
    before = manage(legacy_copy, "test", "--noinput", "shop.tests.test_views")
    assert before.returncode == 0, before.stderr
    test_file = legacy_copy / "project/shop/tests/test_views.py"
    suite = test_file.read_bytes()

    code, stdout, stderr = run_cli("run", str(legacy_copy), "--select", "cbv-to-fbv")
    assert code == 0, stdout + stderr

    views = (legacy_copy / VIEWS).read_text()
    assert "as_view" not in (legacy_copy / "project/shop/urls.py").read_text().replace(
        "views.StockView.as_view()", ""
    )
    assert "class ProductListView" not in views and "def product_list(request" in views
    assert "class StockView" in views  # refused: it overrides dispatch()
    assert (legacy_copy / "project/shop/view_helpers.py").exists()
    assert test_file.read_bytes() == suite  # the suite itself is unchanged

    after = manage(legacy_copy, "test", "--noinput")
    assert after.returncode == 0, after.stderr
    assert "Ran " in after.stderr


def test_the_conversion_is_idempotent_on_the_legacy_project(legacy_copy: Path) -> None:
    assert run_cli("run", str(legacy_copy), "--select", "cbv-to-fbv")[0] == 0
    code, stdout, stderr = run_cli("run", str(legacy_copy), "--select", "cbv-to-fbv", "--check")
    assert code == 0, stdout + stderr


# Runs inside the legacy project (before and after the conversion) and prints, for a list of
# requests, everything a client can observe: status, headers, templates, context, body.
PROBE = r"""
import json, os, re, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.db import transaction
from shop.models import Category, Order, Product

settings.ALLOWED_HOSTS = ["testserver"]
setup_test_environment()
connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
tea = Category.objects.create(name="Tea", slug="tea")
Category.objects.create(name="Coffee", slug="coffee")
Category.objects.create(name="Cocoa", slug="cocoa")
for number in range(13):
    Product.objects.create(category=tea, name=f"Tea {number:02d}", slug=f"tea-{number:02d}",
                           price=3, is_active=number != 12)
User.objects.create_user("clerk", password="pw")
User.objects.create_user("boss", password="pw", is_staff=True)
manager = User.objects.create_user("manager", password="pw")
manager.user_permissions.add(Permission.objects.get(codename="delete_product"))
INVALID = {"name": "", "email": "x"}
VALID = {"name": "Herbs", "slug": "herbs", "email": "a@example.com", "message": "hi",
         "category": tea.pk, "price": "2.50", "is_active": "on", "description": ""}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
PATHS = ["/", "/help/", "/about/", "/catalogue/?a=1", "/products/", "/products/?page=2",
         "/products/?page=last", "/products/?page=x", "/products/?page=9",
         "/products/tea-01/", "/products/nope/", "/products/new/",
         "/products/tea-02/edit/", "/products/nope/edit/", "/products/tea-03/delete/",
         "/categories/", "/categories/?page=2", "/categories/new/", "/categories/tea/",
         "/contact/", "/report/", "/ping/",
         "/products/pages/1/", "/products/pages/2/?page=1", "/products/pages/3/",
         "/products/tea-01/live/", "/products/tea-12/live/", "/products/tea-12/card/",
         "/products/nope/card/", "/categories/tea/delete/", "/categories/cocoa/delete/",
         "/categories/nope/delete/", "/orders/new/", "/orders/new/?email=b@example.com"]
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
ADDRESS = re.compile(r" at 0x[0-9a-f]+")
HEADERS = ("Allow", "Location", "Content-Type", "Content-Length", "Cache-Control")

def observe(response):
    context = {}
    ctx = response.context
    if ctx is None:
        items = {}
    elif hasattr(ctx, "flatten"):
        items = ctx.flatten()
    else:
        items = {key: ctx[key] for key in ctx.keys()}
    for key, value in sorted(items.items()):
        if key in ("view", "csrf_token", "request", "user", "perms", "messages"):
            continue
        if hasattr(value, "is_bound"):
            fields = list(value.fields)
            value = (type(value).__name__, value.is_bound, value.errors, value.initial, fields)
        elif hasattr(value, "__iter__") and not isinstance(value, (str, dict)):
            value = list(value)
        context[key] = ADDRESS.sub("", repr(value))[:300]
    return {
        "status": response.status_code,
        "headers": {k: v for k, v in response.items() if k in HEADERS},
        "templates": [t.name for t in response.templates],
        "template_name": repr(getattr(response, "template_name", None)),
        "context": context,
        "body": TOKEN.sub(b"", response.content).decode("utf-8", "replace"),
        "messages": [str(m) for m in get_messages(response.wsgi_request)],
        "products": sorted(Product.objects.values_list("slug", flat=True)),
        "categories": sorted(Category.objects.values_list("slug", flat=True)),
        "orders": sorted(Order.objects.values_list("email", flat=True)),
    }

results = {}
for who in (None, "clerk", "boss", "manager"):
    for method in METHODS:
        for path in PATHS:
            client = Client(raise_request_exception=False)
            if who:
                client.force_login(User.objects.get(username=who))
            for label, data in (("invalid", INVALID), ("valid", VALID)):
                if method not in ("POST", "PUT") and label == "valid":
                    continue
                with transaction.atomic():
                    if method == "GET":
                        response = client.get(path)
                    elif method == "POST":
                        response = client.post(path, data)
                    else:
                        response = client.generic(method, path)
                    results[f"{who} {method} {path} {label}"] = observe(response)
                    transaction.set_rollback(True)
print(json.dumps(results, sort_keys=True))
"""


def probe(project: Path) -> dict:
    script = project / "project" / "cbv_probe.py"
    script.write_text(PROBE)
    result = subprocess.run(
        [sys.executable, "cbv_probe.py"],
        cwd=project / "project",
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
    )
    script.unlink()
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_request_gets_the_same_answer_after_the_conversion(legacy_copy: Path) -> None:
    before = probe(legacy_copy)
    assert run_cli("run", str(legacy_copy), "--select", "cbv-to-fbv")[0] == 0
    after = probe(legacy_copy)
    assert len(before) > 800
    created = before["clerk POST /categories/new/ valid"]
    assert created["status"] == 302 and created["messages"] == ["Category Herbs was created"]
    assert "herbs" in created["categories"]
    deleted = before["manager POST /products/tea-03/delete/ valid"]
    assert deleted["status"] == 302 and "tea-03" not in deleted["products"]
    assert before["clerk PUT /products/tea-02/edit/ valid"]["status"] == 200  # PUT has no POST
    assert before["None TRACE / invalid"]["headers"]["Allow"] == "GET, HEAD, OPTIONS"
    emptied = before["clerk POST /categories/cocoa/delete/ invalid"]  # first request
    assert emptied["messages"] == ["The category was deleted"]
    assert "cocoa" not in emptied["categories"]
    kept = before["clerk POST /categories/tea/delete/ invalid"]
    assert kept["status"] == 302 and "tea" in kept["categories"]
    assert before["None DELETE /categories/cocoa/delete/ invalid"]["status"] == 403
    assert before["clerk DELETE /categories/cocoa/delete/ invalid"]["messages"] == []
    assert before["None POST /orders/new/ valid"]["orders"] == ["a@example.com"]
    assert before["None POST /orders/new/ invalid"]["messages"] == ["Please correct the order."]
    assert before["None GET /products/tea-12/live/ invalid"]["status"] == 404
    assert before["None GET /products/pages/3/ invalid"]["status"] == 404
    differences = [key for key in before if before[key] != after.get(key)]
    details = []
    for key in differences[:5]:
        old, new = before[key], after.get(key, {})
        for part in old:
            if isinstance(old[part], dict):
                for name in set(old[part]) | set(new.get(part, {})):
                    if old[part].get(name) != new.get(part, {}).get(name):
                        details.append((key, part, name, old[part].get(name), new[part].get(name)))
            elif old[part] != new.get(part):
                details.append((key, part, old[part], new.get(part)))
    assert not differences, details


# The behaviour-probe fixture holds every kind of view, mixin and supported override over
# django.contrib.auth's Group model; before/ and after/ must answer every request alike.
PROBE_CASE = FIXTURES / "cbv-to-fbv" / "behaviour-probe"
BETA, GOLD = 2, 4  # primary keys of the groups the probe creates, in order, in a fresh database
GROUP_PROBE = r"""
import json, os, re, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "probe_settings"
import django
django.setup()
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
for name in ("alpha", "beta", "gamma", "gold", "secret", "zeta", "omega"):
    Group.objects.create(name=name)
User.objects.create_user("plain", password="pw")
User.objects.create_user("staff", password="pw", is_staff=True)
editor = User.objects.create_user("editor", password="pw")
editor.user_permissions.add(Permission.objects.get(codename="change_group"))
pk = {group.name: group.pk for group in Group.objects.all()}
PATHS = ["/groups/", "/groups/?p=2", "/groups/?p=last", "/groups/?p=0", "/groups/?p=x",
         "/groups/?p=4", "/groups/page/2/", "/groups/page/last/", "/groups/page/9/",
         "/groups/index/", "/groups/new/", "/groups/new/?name=x", f"/groups/{pk['beta']}/",
         f"/groups/{pk['secret']}/", "/groups/999/", f"/groups/{pk['beta']}/edit/",
         f"/groups/{pk['zeta']}/delete/", f"/groups/{pk['omega']}/archive/", "/groups/999/edit/",
         f"/old/{pk['beta']}/", f"/old/{pk['beta']}/?a=1", "/contact/", "/strict/",
         "/staff/?q=1", "/ping/", f"/groups/{pk['gold']}/card/", f"/groups/{pk['beta']}/card/",
         f"/groups/{pk['beta']}/rename/", f"/groups/{pk['beta']}/rename/?short=1",
         "/greet/", "/greet/?plain=1", "/greet/hey/", "/groups/index/?plain=1",
         "/team/", "/team/?go=1", "/team/new/", "/team/new/?prefix=p",
         f"/team/{pk['zeta']}/delete/", f"/team/{pk['beta']}/report/",
         f"/team/{pk['beta']}/report/large/", "/team/staff/", "/team/embedded/"]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
DATA = {"invalid": {"name": "", "email": "nope"}, "valid": {"name": "delta", "email": "a@b.co"}}
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
ADDRESS = re.compile(r" at 0x[0-9a-f]+")
HEADERS = ("Allow", "Location", "Content-Type", "Content-Length", "Cache-Control",
           "X-Frame-Options")

def observe(response):
    ctx = response.context
    if ctx is None:
        items = {}
    elif hasattr(ctx, "flatten"):
        items = ctx.flatten()
    else:
        items = {key: ctx[key] for key in ctx.keys()}
    context = {}
    for key, value in sorted(items.items()):
        if key in ("view", "csrf_token", "request", "user", "perms", "messages", "True",
                   "False", "None", "DEFAULT_MESSAGE_LEVELS"):
            continue
        if hasattr(value, "is_bound"):
            value = (value.is_bound, value.errors, value.initial, list(value.fields))
        elif hasattr(value, "__iter__") and not isinstance(value, (str, dict)):
            value = list(value)
        context[key] = ADDRESS.sub("", repr(value))[:300]
    return {
        "status": response.status_code,
        "headers": {k: v for k, v in response.items() if k in HEADERS},
        "templates": [t.name for t in response.templates],
        "template_name": repr(getattr(response, "template_name", None)),
        "context": context,
        "body": TOKEN.sub(b"", response.content).decode("utf-8", "replace"),
        "messages": [str(m) for m in get_messages(response.wsgi_request)],
        "groups": sorted(Group.objects.values_list("name", flat=True)),
    }

results = {}
for who in (None, "plain", "staff", "editor"):
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


def group_probe(project: Path) -> dict:
    (project / "group_probe.py").write_text(GROUP_PROBE)
    result = subprocess.run(
        [sys.executable, "group_probe.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_behaviour_probe_answers_alike_before_and_after(tmp_path: Path) -> None:
    before_tree = tmp_path / "before"
    shutil.copytree(PROBE_CASE / "before", before_tree)
    before = group_probe(before_tree)
    after = group_probe(shutil.copytree(PROBE_CASE / "after", tmp_path / "after"))
    # the probe reaches what it means to check
    last_page = before["None GET /groups/?p=last invalid"]["context"]["page_obj"]
    assert last_page == "[<Group: gamma>, <Group: beta>, <Group: alpha>]"  # orphans joined
    assert before["None GET /groups/?p=x invalid"]["status"] == 404
    assert before["None TRACE /groups/ invalid"]["headers"]["Allow"] == "GET, HEAD, OPTIONS"
    assert before["None OPTIONS /ping/ invalid"]["headers"]["Allow"] == "GET, POST, OPTIONS"
    assert before["None HEAD /ping/ invalid"]["status"] == 405
    assert before["None GET /strict/ invalid"]["status"] == 403
    assert before["plain GET /staff/?q=1 invalid"]["status"] == 403
    assert before["None GET /staff/?q=1 invalid"]["headers"]["Location"].startswith(
        "/staff-login/?back="
    )
    assert before["plain POST /groups/new/ valid"]["messages"] == ["delta was created"]
    assert before["plain POST /groups/new/ invalid"]["messages"] == ["Check the name"]
    deleted = [key for key, value in before.items() if "zeta" not in value["groups"]]
    assert any(" DELETE " in key for key in deleted) and any(" POST " in key for key in deleted)
    assert before["None POST /groups/999/edit/ invalid"]["status"] == 302  # login first
    assert before["plain GET /groups/999/edit/ invalid"]["status"] == 403
    # get_template_names, get_form_class and get_form_kwargs overrides
    assert before[f"None GET /groups/{GOLD}/card/ invalid"]["templates"] == ["auth/group_card.html"]
    assert before["None GET /greet/hey/ invalid"]["body"].startswith("hey:")
    assert before["None GET /greet/?plain=1 invalid"]["templates"][0] == "contact.html"
    assert before["None GET /groups/index/?plain=1 invalid"]["templates"] == ["strict.html"]
    assert before["None GET /groups/index/ invalid"]["templates"] == ["auth/group_index.html"]
    assert 'value="NEW"' in before["plain GET /groups/new/ invalid"]["body"]
    renamed = before[f"staff GET /groups/{BETA}/rename/?short=1 invalid"]["body"]
    assert renamed.startswith("beta|g|") and 'name="g-name"' in renamed
    assert before[f"plain GET /groups/{BETA}/rename/?short=1 invalid"]["status"] == 500
    assert before[f"plain GET /groups/{BETA}/rename/ invalid"]["body"].startswith("Name|None|")
    assert before[f"staff GET /groups/{BETA}/rename/ invalid"]["body"].startswith("Group name|")
    assert before[f"plain POST /groups/{BETA}/rename/ valid"]["headers"]["Location"] == (
        "/groups/delta/"
    )
    # views built on project base classes and mixins (based.py, mixins.py)
    assert before["editor POST /team/new/ valid"]["messages"] == ["Group delta added!"]
    assert "no-cache" in before["None GET /team/new/ invalid"]["headers"]["Cache-Control"]
    assert before["None GET /team/new/ invalid"]["headers"]["Location"].startswith("/team-login/")
    assert 'name="p-name"' in before["editor GET /team/new/?prefix=p invalid"]["body"]
    zeta = before["editor POST /team/6/delete/ invalid"]
    assert zeta["messages"] == ["Group zeta deleted."] and "zeta" not in zeta["groups"]
    assert before[f"editor GET /team/{BETA}/report/large/ invalid"]["body"].startswith(
        f"beta large /team/{BETA}/report/large/"
    )
    assert before["plain GET /team/staff/ invalid"]["status"] == 403
    assert before["staff GET /team/staff/ invalid"]["body"].startswith("home Staff 7")
    assert before["None GET /team/staff/ invalid"]["status"] == 302
    assert before["plain GET /team/?go=1 invalid"]["headers"]["Location"] == "/groups/"
    assert "X-Frame-Options" not in before["None GET /team/embedded/ invalid"]["headers"]
    assert before["None GET /team/ invalid"]["headers"]["X-Frame-Options"] == "DENY"
    differences = [key for key in before if before[key] != after.get(key)]
    details = [(key, before[key], after.get(key)) for key in differences[:3]]
    assert not differences, details
    assert set(before) == set(after)
