"""cbv-to-fbv units: reading a class-based view statically (kinds, names, what it overrides)."""

from __future__ import annotations

import libcst as cst
import pytest
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    describe_class,
    function_name,
    generic_kind,
    is_static,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
    always_returns,
    split_final_return,
)
from redpanda_migrate.codemods.cbv_to_fbv.render import render_view
from redpanda_migrate.codemods.cbv_to_fbv.scan import worth_parsing
from redpanda_migrate.codemods.cbv_to_fbv.text import percent_to_format
from redpanda_migrate.codemods.cbv_to_fbv.urls import name_lines

IMPORTS = {
    "ListView": "django.views.generic.ListView",
    "TemplateView": "django.views.generic.TemplateView",
    "LoginRequiredMixin": "django.contrib.auth.mixins.LoginRequiredMixin",
    "generic": "django.views.generic",
}


def _class(source: str) -> cst.ClassDef:
    node = cst.parse_module(source).body[0]
    assert isinstance(node, cst.ClassDef)
    return node


@pytest.mark.parametrize(
    ("class_name", "expected"),
    [
        ("ProductListView", "product_list"),
        ("HomeView", "home"),
        ("HTMLExportView", "html_export"),
        ("View", "view"),
        ("Checkout", "checkout"),
    ],
)
def test_function_name(class_name: str, expected: str) -> None:
    assert function_name(class_name) == expected


@pytest.mark.parametrize(
    ("qualified", "kind"),
    [
        ("django.views.generic.ListView", "list"),
        ("django.views.generic.edit.CreateView", "create"),
        ("django.views.View", "view"),
        ("myapp.views.ListView", None),
        ("django.views.generic.dates.ArchiveIndexView", None),
    ],
)
def test_generic_kind(qualified: str, kind: str | None) -> None:
    assert generic_kind(qualified) == kind


@pytest.mark.parametrize(
    ("expression", "static"),
    [
        ('"shop/home.html"', True),
        ('["-price", "name"]', True),
        ('reverse_lazy("shop:list")', True),
        ("Product.objects.filter(active=True).order_by('name')", True),
        ("timezone.now()", False),
        ("Product.objects.filter(created__gte=timezone.now())", False),
        ('{"now": datetime.now()}', False),
    ],
)
def test_is_static(expression: str, static: bool) -> None:
    assert is_static(cst.parse_expression(expression)) is static


def test_describe_refuses_a_mixin_after_the_view() -> None:
    node = _class("class V(TemplateView, LoginRequiredMixin):\n    template_name = 'x'\n")
    with pytest.raises(Unsupported, match="never runs"):
        describe_class(node, IMPORTS, {}, 1)


def test_describe_folds_initkwargs_over_class_attributes() -> None:
    node = _class("class V(TemplateView):\n    template_name = 'a.html'\n")
    spec = describe_class(node, IMPORTS, {"template_name": cst.parse_expression("'b.html'")}, 1)
    assert cst.Module(body=[]).code_for_node(spec.attrs["template_name"]) == "'b.html'"


def test_describe_refuses_unknown_initkwargs() -> None:
    node = _class("class V(TemplateView):\n    template_name = 'a.html'\n")
    with pytest.raises(Unsupported, match="as_view\\(\\) argument the class does not have"):
        describe_class(node, IMPORTS, {"paginate_by": cst.parse_expression("3")}, 1)


def test_split_final_return_needs_a_single_final_return() -> None:
    body = list(cst.parse_module("if x:\n    return 1\nreturn 2\n").body)
    with pytest.raises(Unsupported, match="only return"):
        split_final_return(body, "get_queryset")
    prelude, value = split_final_return(list(cst.parse_module("y = 1\nreturn y\n").body), "m")
    assert len(prelude) == 1 and isinstance(value, cst.Name)


def test_name_lines_ignores_strings_and_comments() -> None:
    text = 'x = "HomeView"  # HomeView\ny = HomeView\n'
    assert name_lines(text, "HomeView") == [2]


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("/p/%(slug)s/", "/p/{slug}/"),
        ("/p/%(slug)s/?x=100%%", "/p/{slug}/?x=100%"),
        ("/p/{x}/%(pk)s", "/p/{{x}}/{pk}"),
        ("/p/%(pk)d/", None),
        ("/p/%s/", None),
    ],
)
def test_percent_to_format(url: str, template: str | None) -> None:
    assert percent_to_format(url) == template
    if template is not None:
        kwargs = {"slug": "tea", "pk": 3}
        try:
            expected = url % kwargs
        except KeyError:
            return
        assert template.format(**kwargs) == expected


@pytest.mark.parametrize(
    ("body", "never_falls_through"),
    [
        ("return 1\n", True),
        ("x = 1\n", False),
        ("try:\n    return 1\nexcept E:\n    return 2\n", True),
        ("try:\n    pass\nexcept E:\n    return 2\n", False),
        ("try:\n    return 1\nfinally:\n    pass\n", False),
        ("if a:\n    return 1\nelif b:\n    raise E\nelse:\n    return 3\n", True),
        ("if a:\n    return 1\n", False),
    ],
)
def test_always_returns(body: str, never_falls_through: bool) -> None:
    assert always_returns(list(cst.parse_module(body).body)) is never_falls_through


@pytest.mark.parametrize(
    "text",
    [
        "from django.views.generic import ListView\n\nclass A(ListView):\n    pass\n",
        "from django.views import generic\n\nclass A(generic.DetailView):\n    pass\n",
        "from django import views\n\nclass A(views.View):\n    pass\n",
        "import django.views.generic\n\nclass A(django.views.generic.View):\n    pass\n",
        "from django.contrib.auth import mixins as m\n\nclass A(m.LoginRequiredMixin, X): ...\n",
        "from django.views.generic import (\n    TemplateView,  # pages\n)\n\n"
        "class A(\n    Base,  # ours\n    TemplateView,\n):\n    pass\n",
        "from rest_framework.views import APIView\n\nclass A(APIView):\n    pass\n",
        "from x import y\n\nurlpatterns = [path('', V.as_view())]\n",
    ],
)
def test_files_that_may_hold_views_are_parsed(text: str) -> None:
    assert worth_parsing(text)


@pytest.mark.parametrize(
    "text",
    [
        "from django.db import models\n\nclass Product(models.Model):\n    view_count = 1\n",
        "from django.views.generic import ListView\n\nLIST = ListView\n",
        "from django.test import TestCase\n\nclass ViewTests(TestCase):\n    pass\n",
        "from .base import BaseView\n\nclass A(BaseView):\n    pass\n",
        "def view(request):\n    return None\n",
    ],
)
def test_files_that_cannot_hold_views_are_skipped(text: str) -> None:
    assert not worth_parsing(text)


def test_a_called_self_method_is_reported_as_a_call_not_a_read() -> None:
    node = _class(
        "class V(generic.DetailView):\n"
        "    model = Group\n"
        "    def get_template_names(self):\n"
        "        return [self.get_object().template]\n"
    )
    with pytest.raises(Unsupported) as refused:
        render_view(describe_class(node, IMPORTS, {}, 1))
    assert "calls self.get_object()" in str(refused.value)
    assert "reads self.get_object" not in str(refused.value)
