"""cbv-to-fbv units: the function-based views written for each kind of view."""

from __future__ import annotations

import subprocess
import sys

import libcst as cst
import pytest
from redpanda_migrate.codemods.cbv_to_fbv.analysis import (
    describe_class,
)
from redpanda_migrate.codemods.cbv_to_fbv.body import (
    Unsupported,
)
from redpanda_migrate.codemods.cbv_to_fbv.helpers import HELPER_MODULE_TEXT
from redpanda_migrate.codemods.cbv_to_fbv.render import render_view
from redpanda_migrate.codemods.cbv_to_fbv.text import wrap_line

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


def test_wrap_line_only_wraps_whole_calls() -> None:
    long_call = "    return TemplateResponse(request, " + "x" * 60 + ", context)"
    assert wrap_line(long_call).splitlines()[0] == "    return TemplateResponse("
    not_a_call = "    x = f(" + "a" * 80 + ") + g(b)"
    assert wrap_line(not_a_call) == not_a_call


def test_wrap_line_never_turns_a_parenthesised_value_into_a_tuple() -> None:
    line = "    queryset = (" + "Book.objects.filter(borrower=request.user).order_by('x')" * 2 + ")"
    assert wrap_line(line) == line
    multi = "    queryset = (\n        Book.objects.all()\n" + " " * 90 + "\n    )"
    assert wrap_line(multi) == multi


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
