"""cbv-to-fbv units: the views module's imports after its classes are replaced."""

from __future__ import annotations

import libcst as cst
from redpanda_migrate.codemods.cbv_to_fbv.imports import format_import, update_imports


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
