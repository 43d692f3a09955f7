"""Classes that reuse the name of the generic view they extend (``class ListView(ListView)``).

The base of such a class is the name bound before the class statement (Django's view), and a
module importing Django's ``UpdateView`` does not name a converted project ``UpdateView``.
"""

from __future__ import annotations

from pathlib import Path

from tests.harness import run_codemod

VIEWS = """from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView, UpdateView

from app.models import Note


class ListView(LoginRequiredMixin, ListView):
    model = Note


class UpdateView(LoginRequiredMixin, UpdateView):
    model = Note
    fields = ["text"]
    success_url = "/"
"""

OTHER = """from django.views.generic import UpdateView

from app.models import Note


class NoteEdit(UpdateView):
    model = Note
    fields = ["text"]
    success_url = "/"
"""


def _project(root: Path) -> Path:
    app = root / "app"
    app.mkdir()
    (root / "manage.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass Note(models.Model):\n"
        "    text = models.TextField()\n"
    )
    (app / "views.py").write_text(VIEWS)
    (app / "other.py").write_text(OTHER)
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom app import other, views\n\nurlpatterns = [\n"
        '    path("", views.ListView.as_view()),\n'
        '    path("<int:pk>/", views.UpdateView.as_view()),\n'
        '    path("<int:pk>/other/", other.NoteEdit.as_view()),\n'
        "]\n"
    )
    return root


def test_a_view_named_like_its_generic_base_converts(tmp_path: Path) -> None:
    project = _project(tmp_path)
    code, report = run_codemod(project, "cbv-to-fbv")
    assert code == 0 and report["errors"] == [], report
    assert report["refusals"] == [], report["refusals"]
    views = (project / "app" / "views.py").read_text()
    assert "class ListView" not in views and "class UpdateView" not in views
    assert "@login_required" in views
    urls = (project / "app" / "urls.py").read_text()
    assert "as_view" not in urls
    # Django's UpdateView in another module is not the converted class: that module converts too
    assert "class NoteEdit" not in (project / "app" / "other.py").read_text()
