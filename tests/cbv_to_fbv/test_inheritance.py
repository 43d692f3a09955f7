"""Reading views through project bases: merged methods, __init__, dispatch checks, roots."""

from __future__ import annotations

import libcst as cst
import pytest
from redpanda_migrate.codemods.cbv_to_fbv.analysis import init_attributes
from redpanda_migrate.codemods.cbv_to_fbv.body import Unsupported
from redpanda_migrate.codemods.cbv_to_fbv.codemod import _package_dirs
from redpanda_migrate.codemods.cbv_to_fbv.compose import compose_init, compose_super
from redpanda_migrate.codemods.cbv_to_fbv.guards import is_guard_dispatch
from redpanda_migrate.codemods.cbv_to_fbv.inheritance import dotted_module


def _method(code: str) -> cst.FunctionDef:
    node = cst.parse_statement(code)
    assert isinstance(node, cst.FunctionDef)
    return node


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


BASE_CONTEXT = """\
def get_context_data(self, **kwargs):
    context = super().get_context_data(**kwargs)
    context["title"] = self.title
    return context
"""


def test_a_method_extending_its_base_is_the_base_then_the_method() -> None:
    override = _method(
        "def get_context_data(self, **kwargs):\n"
        "    context = super().get_context_data(**kwargs)\n"
        "    context['count'] = 1\n"
        "    return context\n"
    )
    merged = compose_super(override, _method(BASE_CONTEXT))
    assert merged is not None
    assert _code(merged) == (
        "def get_context_data(self, **kwargs):\n"
        "    context = super().get_context_data(**kwargs)\n"
        '    context["title"] = self.title\n'
        "    context['count'] = 1\n"
        "    return context\n"
    )


def test_a_returned_value_of_another_name_is_handed_over() -> None:
    override = _method(
        "def get_initial(self):\n    data = super().get_initial()\n    return data\n"
    )
    base = _method("def get_initial(self):\n    initial = {'a': 1}\n    return initial\n")
    merged = compose_super(override, base)
    assert merged is not None and "data = initial" in _code(merged)


@pytest.mark.parametrize(
    ("override", "why"),
    [
        (
            "def get_context_data(self, **kwargs):\n"
            "    context = super().get_context_data()\n    return context\n",
            "arguments not passed through",
        ),
        (
            "def get_context_data(self, **kwargs):\n    context = {}\n"
            "    context.update(super().get_context_data(**kwargs))\n    return context\n",
            "super() not the first statement",
        ),
        (
            "def get_context_data(self, **kwargs):\n"
            "    context = super().get_context_data(**kwargs)\n"
            "    return super().get_context_data(**kwargs)\n",
            "super() twice",
        ),
    ],
)
def test_methods_that_cannot_be_merged_are_left(override: str, why: str) -> None:
    assert compose_super(_method(override), _method(BASE_CONTEXT)) is None, why


def test_a_local_of_the_base_must_not_leak_into_the_method() -> None:
    base = _method("def get_initial(self):\n    x = 1\n    data = {'x': x}\n    return data\n")
    override = _method(
        "def get_initial(self):\n    data = super().get_initial()\n"
        "    data['y'] = x\n    return data\n"
    )
    assert compose_super(override, base) is None


def test_init_that_sets_attributes_is_attributes_with_a_subclass_s_arguments() -> None:
    base = _method(
        "def __init__(self, sex=None, url='a'):\n"
        "    self.model = Child\n    self.sex = sex\n    self.url = url\n"
    )
    sub = _method("def __init__(self):\n    super().__init__(sex='boy')\n")
    merged = compose_init(sub, base)
    assert merged is not None
    attrs = {name: _code(value) for name, value in init_attributes(merged).items()}
    assert attrs == {"model": "Child", "sex": "'boy'", "url": "'a'"}


def test_init_that_does_more_is_refused() -> None:
    with pytest.raises(Unsupported, match="more than set attributes"):
        init_attributes(_method("def __init__(self):\n    self.items = load()\n    log()\n"))


@pytest.mark.parametrize(
    ("code", "guard"),
    [
        (
            "def dispatch(self, request, *args, **kwargs):\n"
            "    if not request.user.is_staff:\n        return deny()\n"
            "    return super().dispatch(request, *args, **kwargs)\n",
            True,
        ),
        (
            "def dispatch(self, *args, **kwargs):\n    request = self.request\n"
            "    if request.user.is_anonymous:\n        return deny()\n"
            "    return super().dispatch(*args, **kwargs)\n",
            True,
        ),
        (
            "def dispatch(self, request, *args, **kwargs):\n"
            "    response = super().dispatch(request, *args, **kwargs)\n"
            "    response['X'] = '1'\n    return response\n",
            False,
        ),
        (
            "def dispatch(self, request, *args, **kwargs):\n    if args:\n        return deny()\n"
            "    return super().dispatch(request, *args, **kwargs)\n",
            False,
        ),
    ],
)
def test_guard_dispatch_shapes(code: str, guard: bool) -> None:
    assert is_guard_dispatch(_method(code)) is guard


def test_package_dirs_come_from_setuptools_and_pdm() -> None:
    assert _package_dirs('[tool.setuptools]\npackage-dir = {"" = "src"}\n') == {"src"}
    assert _package_dirs('[tool.pdm.build]\npackage-dir = "lib"\n') == {"lib"}
    assert _package_dirs("not toml [") == set()


def test_dotted_module_of_a_src_layout() -> None:
    assert dotted_module("src/helpdesk/views/staff.py", ["", "src"]) == "helpdesk.views.staff"
    assert dotted_module("shop/__init__.py", [""]) == "shop"
