"""ModelForms list their fields explicitly: the standard's "Forms" section.

``fields = "__all__"`` and ``exclude = [...]`` in the ``Meta`` of a ``ModelForm`` become the
explicit ``fields`` list Django derives today, read statically from the model's source, so the
form renders and validates exactly the same fields, in the same order. Models outside the
project, multi-table inheritance and non-literal options are refused with the reason.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import libcst as cst
from redpanda_migrate.codemods.modelform_fields.forms import read_source_module, rewrite_forms
from redpanda_migrate.codemods.modelform_fields.models import SourceModule
from redpanda_migrate.codemods.shared.line_length import CONFIG_FILES, configured_line_length

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)

SECTION = "Forms"
NEW_FIELDS_NOTE = (
    "{forms} now list their fields explicitly: a field added to a model later no longer "
    "appears in these forms until it is added to their lists (no mass assignment)"
)

# what a module must hold for a ModelForm's Meta to assign ``exclude`` or ``fields`` (a
# superset: the name, then brackets, spaces, line continuations or comments, then ``=``)
_ASSIGNS_EXCLUDE = re.compile(r"exclude(?:[\s)\\]|#[^\n]*)*=(?!=)")
_ASSIGNS_FIELDS = re.compile(r"fields(?:[\s)\\]|#[^\n]*)*=(?!=)")


def may_list_fields(text: str) -> bool:
    """Tell cheaply whether a module may hold a ModelForm with ``"__all__"`` or ``exclude``.

    A superset of the modules :func:`rewrite_forms` changes or refuses: most modules naming
    ``ModelForm`` and ``exclude`` (Django's admin, its tests) are not parsed at all, and so
    not reported here when they are not valid Python.

    :param text: the module's source.
    """
    if "ModelForm" not in text or "Meta" not in text:
        return False
    if "exclude" in text and _ASSIGNS_EXCLUDE.search(text):
        return True
    return "__all__" in text and _ASSIGNS_FIELDS.search(text) is not None


def source_roots(manage_py_files: tuple[str, ...]) -> tuple[str, ...]:
    """Folders Python imports the project's modules from: ``manage.py``'s, ``src``, the root.

    :param manage_py_files: paths of the project's ``manage.py`` files.
    """
    folders = {str(PurePosixPath(path).parent) for path in manage_py_files}
    return tuple(sorted({"" if f == "." else f for f in folders} | {"", "src"}, key=len))


def _dotted(path: str, root: str) -> str:
    relative = PurePosixPath(path).relative_to(root) if root else PurePosixPath(path)
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Modules:
    """The project's Python modules by dotted name, parsed with :mod:`ast` on first use."""

    def __init__(self, texts: dict[str, str], roots: tuple[str, ...]) -> None:
        self.texts = texts
        self.roots = roots
        self._parsed: dict[str, SourceModule | None] = {}
        # modules whose forms are still to be rewritten: kept whole until then
        self.pending: set[str] = set()

    def lookup(self, dotted_name: str) -> SourceModule | None:
        relative = dotted_name.replace(".", "/")
        for root in sorted(self.roots, key=len, reverse=True):
            prefix = f"{root}/" if root else ""
            for path in (f"{prefix}{relative}.py", f"{prefix}{relative}/__init__.py"):
                if path in self.texts:
                    return self.module(path, root)
        return None

    def module(self, path: str, root: str | None = None) -> SourceModule | None:
        if path not in self._parsed:
            if root is None:
                candidates = [r for r in self.roots if not r or path.startswith(r + "/")]
                root = max(candidates, key=len) if candidates else ""
            module = read_source_module(path, _dotted(path, root), self.texts[path])
            if module is not None and path not in self.pending:
                module = module.for_lookups()
            self._parsed[path] = module
        return self._parsed[path]

    def done(self, path: str) -> None:
        """Keep only what lookups read of a module whose forms were rewritten."""
        self.pending.discard(path)
        module = self._parsed.get(path)
        if module is not None:
            self._parsed[path] = module.for_lookups()


def transform(project: ProjectInput) -> ProjectOutcome:
    """Replace ``fields = "__all__"`` and ``exclude`` by explicit field lists ("Forms").

    :param project: the project's Python files (forms and models) and formatter settings.
    :returns: the rewritten form modules, a note per converted form, refusals with reasons.
    """
    texts = {path: text for path, text in project.files.items() if path.endswith(".py")}
    modules = _Modules(texts, source_roots(project.facts.manage_py_files))
    line_length = configured_line_length(project.files)
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    errors: list[Finding] = []
    candidates = sorted(path for path, text in texts.items() if may_list_fields(text))
    modules.pending.update(candidates)
    for path in candidates:
        text = texts[path]
        module = modules.module(path)
        if module is None:
            errors.append(Finding(path, None, "invalid Python: it does not parse"))
            continue
        try:
            new_text, edits = rewrite_forms(text, module, modules.lookup, line_length)
        except cst.ParserSyntaxError as error:
            errors.append(Finding(path, error.raw_line, f"invalid Python: {error.message}"))
            continue
        finally:
            modules.done(path)
        refusals += [Finding(path, line, reason) for line, reason in edits.refusals]
        notes += [Finding(path, line, message) for line, message in edits.ignored]
        if edits.converted:
            forms = ", ".join(form for _, form, _ in edits.converted)
            notes.append(Finding(path, None, NEW_FIELDS_NOTE.format(forms=forms)))
        if new_text != text:
            writes[path] = new_text
    return ProjectOutcome(
        writes=writes, notes=tuple(notes), refusals=tuple(refusals), errors=tuple(errors)
    )


CODEMOD = Codemod(
    id="modelform-fields",
    title='ModelForms list their fields explicitly instead of "__all__" or exclude',
    section=SECTION,
    files=("**/*.py", *CONFIG_FILES),
    # forms, the models they name, and the packages re-exporting those models
    needles=("ModelForm", "models", "Field(", "import"),
    also_reads=CONFIG_FILES,
    rationale=(
        'A ModelForm with fields = "__all__" or exclude silently grows with its model: a field '
        "added later (is_staff, price) becomes editable by whoever can post the form. The "
        "standard wants every ModelForm to list the fields it accepts."
    ),
    example=Example(
        path="shop/forms.py",
        before=(
            "class ProductForm(forms.ModelForm):\n"
            "    class Meta:\n"
            "        model = Product\n"
            '        fields = "__all__"\n'
        ),
        after=(
            "class ProductForm(forms.ModelForm):\n"
            "    class Meta:\n"
            "        model = Product\n"
            '        fields = ["name", "price", "category", "tags"]\n'
        ),
    ),
    transform_project=transform,
    order=470,
)
