"""cbv-to-fbv units: reading modules with ``ast`` first, libcst only where a conversion needs it."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from redpanda_migrate.codemods.cbv_to_fbv.index import (
    LazyClasses,
    SourceIndex,
    facts_from_ast,
    facts_from_cst,
    routed_names,
    statements_mentioning,
)
from redpanda_migrate.codemods.cbv_to_fbv.urls import find_routes

MODULE = '''"""Views."""
import django.views.generic
import os.path as osp
from django.views import generic
from django.views.generic import ListView as Base, DetailView
from . import mixins
from .models import *
from ..core.views import CoreAddView


@decorate(
    arg=1,
)
class ProductList(mixins.Access, generic.ListView):
    model = Product


class Computed(make_base(), *more):
    pass


class ProductList(Base):  # defined twice: this one wins
    pass


async def handler(request):
    return None


def helper():
    pass


SETTING = OTHER = 3
a, b = 1, 2
count: int = 0
'''


def test_ast_facts_are_what_libcst_reads() -> None:
    from_ast = facts_from_ast(ast.parse(MODULE))
    from_cst = facts_from_cst(cst.parse_module(MODULE))
    assert from_ast == from_cst
    assert from_ast.imports == {
        "django": "django",
        "osp": "os.path",
        "generic": "django.views.generic",
        "Base": "django.views.generic.ListView",
        "DetailView": "django.views.generic.DetailView",
        "mixins": "..mixins",  # as analysis.module_imports spells it
        "CoreAddView": "..core.views.CoreAddView",
    }
    assert from_ast.class_lines == [("ProductList", 14), ("Computed", 18), ("ProductList", 22)]
    assert from_ast.bases == {"ProductList": ("Base",), "Computed": (None, "more")}
    assert from_ast.top_level == {
        "ProductList",
        "Computed",
        "handler",
        "helper",
        "SETTING",
        "OTHER",
    }


def test_a_module_is_parsed_once_and_invalid_python_has_no_facts() -> None:
    index = SourceIndex({"app/views.py": MODULE, "app/broken.py": "class (:\n"})
    assert index.module("app/views.py") is index.module("app/views.py")
    assert index.tree("app/views.py") is index.tree("app/views.py")
    assert index.facts("app/broken.py") is None
    assert index.facts("app/missing.py") is None
    assert index.module("app/broken.py") is None


def test_lazy_classes_parse_a_module_only_when_a_class_is_read() -> None:
    index = SourceIndex({"app/views.py": MODULE})
    classes = LazyClasses(index)
    classes.register(("app/views.py", "ProductList"))
    assert ("app/views.py", "ProductList") in classes
    assert list(classes) == [("app/views.py", "ProductList")]
    assert "app/views.py" not in index._modules  # nothing read yet
    node = classes[("app/views.py", "ProductList")]
    assert cst.Module(body=[]).code_for_node(node.bases[0].value) == "Base"  # the last one
    with pytest.raises(KeyError):
        classes[("app/views.py", "Computed")]  # not registered


URLCONF = """from django.urls import path, re_path
from shop import views
from shop.views import Cart as Basket, Home

# as_view in a comment
urlpatterns = [
    path("", Home.as_view(), name="home"),
    path("cart/", Basket.as_view(), name="cart"),
]
x = 1; y = 2
urlpatterns += [re_path(r"^p/(\\d+)/$", views.Product.as_view(template_name="p.html"))]


def search(request):
    return views.Search.as_view()(request, "message")
"""


def test_routed_names_are_every_class_an_as_view_call_may_name() -> None:
    assert routed_names(ast.parse(URLCONF)) == {"Home", "Basket", "Cart", "Product", "Search"}


def test_routes_found_from_the_as_view_statements_only_are_all_the_routes() -> None:
    module = cst.parse_module(URLCONF)
    files = ["shop/__init__.py", "shop/views.py", "shop/urls.py"]
    picked = statements_mentioning(URLCONF, ast.parse(URLCONF), module, "as_view")
    assert picked is not None
    # the two urlpatterns statements (the comment goes with the first) and the function;
    # not the imports, nor x = 1; y = 2
    assert len(picked) == 3
    every = find_routes("shop/urls.py", module, files, [""])
    some = find_routes("shop/urls.py", module, files, [""], picked)
    assert some == every
    assert [(r.target[1], r.problem is not None, r.passes_args) for r in every] == [
        ("Home", False, False),
        ("Cart", True, False),
        ("Product", True, False),
        ("Search", False, True),
    ]
    assert [r.line for r in every] == [None, 8, 11, None]  # lines only where reported
