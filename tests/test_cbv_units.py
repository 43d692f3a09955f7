"""Unit tests of the cbv-to-fbv building blocks (the fixtures test the whole codemod)."""

from __future__ import annotations

import subprocess
import sys

import libcst as cst
import pytest
from redpanda_migrate.codemods._cbv_analysis import (
    describe_class,
    function_name,
    generic_kind,
    is_static,
)
from redpanda_migrate.codemods._cbv_body import Unsupported, always_returns, split_final_return
from redpanda_migrate.codemods._cbv_helpers import HELPER_MODULE_TEXT
from redpanda_migrate.codemods._cbv_imports import format_import, update_imports
from redpanda_migrate.codemods._cbv_render import render_view
from redpanda_migrate.codemods._cbv_scan import worth_parsing
from redpanda_migrate.codemods._cbv_text import percent_to_format, wrap_line
from redpanda_migrate.codemods._cbv_urls import name_lines

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
    with pytest.raises(Unsupported, match="sets paginate_by"):
        describe_class(node, IMPORTS, {"paginate_by": cst.parse_expression("3")}, 1)


def test_rendered_list_view_compiles_and_reads_well() -> None:
    node = _class(
        "class ProductListView(LoginRequiredMixin, generic.ListView):\n"
        "    model = Product\n"
        "    paginate_by = 5\n"
        "    ordering = '-price'\n"
    )
    rendered = render_view(describe_class(node, IMPORTS, {}, 1))
    compile(rendered.text, "<generated>", "exec")
    assert rendered.text.startswith('@login_required\n@allow_methods("GET", "HEAD", "OPTIONS")\n')
    assert 'Product._default_manager.all().order_by("-price")' in rendered.text.replace("'", '"')
    assert ("django.contrib.auth.decorators", "login_required") in rendered.imports


def test_split_final_return_needs_a_single_final_return() -> None:
    body = list(cst.parse_module("if x:\n    return 1\nreturn 2\n").body)
    with pytest.raises(Unsupported, match="only return"):
        split_final_return(body, "get_queryset")
    prelude, value = split_final_return(list(cst.parse_module("y = 1\nreturn y\n").body), "m")
    assert len(prelude) == 1 and isinstance(value, cst.Name)


def test_wrap_line_only_wraps_whole_calls() -> None:
    long_call = "    return TemplateResponse(request, " + "x" * 60 + ", context)"
    assert wrap_line(long_call).splitlines()[0] == "    return TemplateResponse("
    not_a_call = "    x = f(" + "a" * 80 + ") + g(b)"
    assert wrap_line(not_a_call) == not_a_call


def test_format_import_wraps_long_lists() -> None:
    assert format_import("django.http", [("b", None), ("a", None)]) == (
        "from django.http import a, b"
    )
    names = [(f"name_{index:02d}", None) for index in range(10)]
    assert format_import(".view_helpers", names).startswith("from .view_helpers import (\n")


def test_update_imports_prunes_only_what_the_classes_used() -> None:
    module = cst.parse_module(
        "import os\n"
        "from django.urls import reverse_lazy\n"
        "from django.views.generic import ListView\n"
        "from .models import Product\n"
        "\n\n"
        "def product_list(request):\n"
        "    return reverse(os.sep)\n"
    )
    updated = update_imports(module, {("django.urls", "reverse")})
    assert updated.code.splitlines()[:3] == [
        "import os",
        "from django.urls import reverse",
        "from .models import Product",
    ]


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


def test_wrap_line_never_turns_a_parenthesised_value_into_a_tuple() -> None:
    line = "    queryset = (" + "Book.objects.filter(borrower=request.user).order_by('x')" * 2 + ")"
    assert wrap_line(line) == line
    multi = "    queryset = (\n        Book.objects.all()\n" + " " * 90 + "\n    )"
    assert wrap_line(multi) == multi


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


def test_update_imports_moves_a_decorator_import_above_its_first_use() -> None:
    module = cst.parse_module(
        "from django.shortcuts import render\n"
        "\n\n"
        "@login_required\n"
        "def mine(request):\n"
        "    return render(request, 'x.html')\n"
        "\n\n"
        "from django.contrib.auth.decorators import login_required, permission_required\n"
    )
    code = update_imports(
        module, {("django.contrib.auth.decorators", "login_required")}, first_use=1
    ).code
    assert code.index("import login_required\n") < code.index("@login_required")
    assert "from django.contrib.auth.decorators import permission_required\n" in code
    compile(code, "<views>", "exec")


def test_rendered_delete_view_keeps_delete_apart_from_the_post_form_flow() -> None:
    node = _class(
        "class GroupDelete(SuccessMessageMixin, generic.DeleteView):\n"
        "    model = Group\n"
        "    success_url = '/groups/'\n"
        "    success_message = 'Deleted %(name)s'\n"
    )
    imports = {
        **IMPORTS,
        "SuccessMessageMixin": "django.contrib.messages.views.SuccessMessageMixin",
    }
    text = render_view(describe_class(node, imports, {}, 1)).text
    delete_branch, post_branch = text.split('if request.method == "POST":')
    assert 'if request.method == "DELETE":' in delete_branch
    assert "messages" not in delete_branch  # DELETE never ran form_valid()
    assert '"Deleted {name}".format(**form.cleaned_data)' in post_branch
    assert "form.is_valid()" in post_branch
    compile(text, "<generated>", "exec")


def test_delete_form_valid_with_success_message_adds_it_where_super_deletes() -> None:
    node = _class(
        "class GroupDelete(SuccessMessageMixin, generic.DeleteView):\n"
        "    model = Group\n"
        "    success_url = '/groups/'\n"
        "    success_message = 'Deleted'\n"
        "    def form_valid(self, form):\n"
        "        if self.object.user_set.exists():\n"
        "            return HttpResponse(status=409)\n"
        "        return super().form_valid(form)\n"
    )
    imports = {
        **IMPORTS,
        "SuccessMessageMixin": "django.contrib.messages.views.SuccessMessageMixin",
    }
    text = render_view(describe_class(node, imports, {}, 1)).text
    delete_branch, post_branch = text.split('if request.method == "POST":')
    assert "messages" not in delete_branch
    early, late = post_branch.split("obj.delete()")
    assert "HttpResponse(status=409)" in early and "messages" not in early
    assert late.index("messages.success(request, 'Deleted')") < late.index("return ")
    compile(text, "<generated>", "exec")
    create = _class(
        "class GroupCreate(SuccessMessageMixin, generic.CreateView):\n"
        "    model = Group\n"
        "    fields = ['name']\n"
        "    success_url = '/groups/'\n"
        "    success_message = 'Created'\n"
        "    def form_valid(self, form):\n"
        "        return super().form_valid(form)\n"
    )
    with pytest.raises(Unsupported, match="SuccessMessageMixin"):
        describe_class(create, imports, {}, 1)


def test_get_object_override_sees_the_queryset_but_not_self_object() -> None:
    node = _class(
        "class V(generic.DetailView):\n"
        "    model = Group\n"
        "    def get_object(self, queryset=None):\n"
        "        return self.get_queryset().get(name=self.kwargs['name'])\n"
    )
    text = render_view(describe_class(node, IMPORTS, {}, 1)).text
    assert "obj = queryset.get(name=kwargs['name'])" in text
    uses_object = _class(
        "class V(generic.DetailView):\n"
        "    model = Group\n"
        "    def get_object(self, queryset=None):\n"
        "        return self.object\n"
    )
    with pytest.raises(Unsupported, match="self.object"):
        render_view(describe_class(uses_object, IMPORTS, {}, 1))


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


OBJECT_CONTEXT_CHECK = r"""
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
django.setup()
from django.contrib.auth.models import Group
from django.views.generic.detail import SingleObjectMixin

namespace = {}
exec(HELPER_TEXT, namespace)

class Empty:
    def __bool__(self):
        return False

cases = []
for obj in (Group(name="a"), Empty(), None, 0, "", "text", [1]):
    for name in (None, "item"):
        view = SingleObjectMixin()
        view.object, view.context_object_name = obj, name
        expected = view.get_context_data(extra=1)
        del expected["view"]
        got = namespace["object_context"](obj, name, extra=1)
        cases.append((repr(obj), name, list(got.items()) == list(expected.items())))
print(cases)
assert all(same for *_, same in cases), cases
assert "object" not in namespace["object_context"](Empty())  # Django leaves it out too
"""


def test_object_context_matches_single_object_mixin_even_for_falsy_objects() -> None:
    script = f"HELPER_TEXT = {HELPER_MODULE_TEXT!r}\n{OBJECT_CONTEXT_CHECK}"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "True" in result.stdout and "False" not in result.stdout


def test_template_names_returning_in_branches_becomes_a_function_given_the_object() -> None:
    node = _class(
        "class V(generic.DetailView):\n"
        "    model = Group\n"
        "    def get_template_names(self):\n"
        "        if self.object.name == 'x':\n"
        "            return ['x.html']\n"
        "        return super().get_template_names()\n"
    )
    text = render_view(describe_class(node, IMPORTS, {}, 1)).text
    assert "def v_template_names(request, obj, /, **kwargs):" in text
    assert "    if obj.name == 'x':" in text
    assert '    return object_template_names(obj, Group, "_detail")' in text
    assert "TemplateResponse(request, v_template_names(request, obj, **kwargs), context)" in text
    compile(text, "<generated>", "exec")
    without_super = _class(
        "class V(generic.UpdateView):\n"
        "    model = Group\n"
        "    fields = ['name']\n"
        "    success_url = '/'\n"
        "    def get_template_names(self):\n"
        "        if self.object.pk:\n"
        "            return ['x.html']\n"
        "        return ['y.html']\n"
    )
    text = render_view(describe_class(without_super, IMPORTS, {}, 1)).text
    assert "def v_template_names(request, obj, /, **kwargs):" in text
    assert "object_template_names" not in text


def test_template_names_with_one_return_is_inlined_after_the_context() -> None:
    node = _class(
        "class V(generic.TemplateView):\n"
        "    template_name = 'a.html'\n"
        "    def get_template_names(self):\n"
        "        names = super().get_template_names()\n"
        "        names.append(self.request.GET['t'])\n"
        "        return names\n"
    )
    text = render_view(describe_class(node, IMPORTS, {}, 1)).text
    assert text.index("context = ") < text.index("names = ['a.html']")
    assert "names.append(request.GET['t'])" in text
    assert "TemplateResponse(request, names, context)" in text


def test_form_kwargs_override_renames_its_local_kwargs_and_keeps_the_url_kwargs() -> None:
    node = _class(
        "class V(generic.UpdateView):\n"
        "    model = Group\n"
        "    fields = ['name']\n"
        "    success_url = '/'\n"
        "    def get_form_kwargs(self):\n"
        "        kwargs = super().get_form_kwargs()\n"
        "        kwargs['owner'] = self.kwargs['owner']\n"
        "        return kwargs\n"
    )
    text = render_view(describe_class(node, IMPORTS, {}, 1)).text
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index('form_kwargs = {"initial": {}, "prefix": None}')
    assert lines[start : start + 6] == [
        'form_kwargs = {"initial": {}, "prefix": None}',
        'if request.method in ("POST", "PUT"):',
        'form_kwargs.update({"data": request.POST, "files": request.FILES})',
        'form_kwargs["instance"] = obj',
        "form_kwargs['owner'] = kwargs['owner']",
        "form = GroupForm(**form_kwargs)",
    ]
    compile(text, "<generated>", "exec")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("return {'prefix': 'p'}", "exactly once"),
        ("x = 1\n        return super().get_form_kwargs()", "first"),
        (
            "kwargs = super().get_form_kwargs()\n        initial = 1\n        return kwargs",
            "initial",
        ),
        (
            "form_kwargs = {}\n        kwargs = super().get_form_kwargs()\n        return kwargs",
            "both",
        ),
    ],
)
def test_form_kwargs_overrides_that_cannot_be_exact_are_refused(body: str, reason: str) -> None:
    node = _class(
        "class V(generic.FormView):\n"
        "    form_class = F\n"
        "    template_name = 'f.html'\n"
        "    success_url = '/'\n"
        f"    def get_form_kwargs(self):\n        {body}\n"
    )
    with pytest.raises(Unsupported, match=reason):
        render_view(describe_class(node, IMPORTS, {}, 1))


VIEWS_TAIL = "\n\n@allow_methods\ndef f(request):\n    return TemplateResponse(messages, render)\n"


def test_update_imports_adds_to_the_section_of_the_package() -> None:
    module = cst.parse_module(
        "from django.contrib import messages\n"
        "from django.urls import reverse_lazy\n"
        "from django.views.generic.edit import FormView\n"
        "\n"
        "from contact.forms import ContactForm\n" + VIEWS_TAIL
    )
    needed = {
        ("django.template.response", "TemplateResponse"),
        ("django.http", "HttpResponseRedirect"),
        (".view_helpers", "allow_methods"),
    }
    assert update_imports(module, needed, first_use=4).code.split("\n\n\n@")[0] == (
        "from django.contrib import messages\n"
        "from django.http import HttpResponseRedirect\n"
        "from django.template.response import TemplateResponse\n"
        "\n"
        "from contact.forms import ContactForm\n"
        "\n"
        "from .view_helpers import allow_methods"
    )


def test_update_imports_puts_a_new_import_where_the_package_s_only_import_was() -> None:
    module = cst.parse_module(
        "from django.views.generic.list import ListView\n"
        "\n"
        "from story.models import Story\n" + VIEWS_TAIL
    )
    needed = {("django.template.response", "TemplateResponse"), (".view_helpers", "x")}
    assert update_imports(module, needed, first_use=2).code.split("\n\n\n@")[0] == (
        "from django.template.response import TemplateResponse\n"
        "\n"
        "from story.models import Story\n"
        "\n"
        "from .view_helpers import x"
    )


def test_update_imports_keeps_the_section_break_when_a_section_s_first_import_goes() -> None:
    module = cst.parse_module(
        "import os\n"
        "\n"
        "from django.contrib.auth.mixins import LoginRequiredMixin\n"
        "from django.shortcuts import render\n" + VIEWS_TAIL.replace("messages", "os")
    )
    code = update_imports(module, set(), first_use=3).code
    assert code.startswith("import os\n\nfrom django.shortcuts import render\n\n\n@")


CONTEXT_FORM_VIEW = (
    "class V(generic.FormView):\n"
    "    form_class = F\n"
    "    template_name = 'f.html'\n"
    "    success_url = '/'\n"
    "    def get_context_data(self, **kwargs):\n"
    "        {early}\n"
    "        context = super().get_context_data(**kwargs)\n"
    "        return context\n"
    "    def get_initial(self):\n"
    "        {hook}\n"
)


@pytest.mark.parametrize(
    ("early", "hook"),
    [
        ("audit(self.request)", "return {'n': next_number()}"),
        ("self.request.session['seen'] = True", "return {'seen': self.request.session['seen']}"),
        ("stamp = log_visit()", "return load_defaults()"),
    ],
)
def test_context_statements_before_super_with_effectful_form_hooks_are_refused(
    early: str, hook: str
) -> None:
    node = _class(CONTEXT_FORM_VIEW.replace("{early}", early).replace("{hook}", hook))
    with pytest.raises(Unsupported, match=r"before its super\(\) call.*before get_initial\(\)"):
        render_view(describe_class(node, IMPORTS, {}, 1))


@pytest.mark.parametrize(
    ("early", "hook"),
    [
        ("title = str(len('abc'))", "return {'n': next_number()}"),
        ("audit(self.request)", "return {'user': self.request.user.pk}"),
        ("extra = {}", "return load_defaults()"),
    ],
)
def test_context_statements_before_super_convert_when_one_side_is_pure(
    early: str, hook: str
) -> None:
    node = _class(CONTEXT_FORM_VIEW.replace("{early}", early).replace("{hook}", hook))
    text = render_view(describe_class(node, IMPORTS, {}, 1)).text
    compile(text, "<generated>", "exec")
    assert early.replace("self.", "") in text


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
