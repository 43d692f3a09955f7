"""Replace pytz with the standard library's zoneinfo: the standard's "Deprecated / Removed".

A project transform, because the dependency can only go once no module of the project uses
pytz any more. Each Python module is rewritten on its own by :mod:`codemods.pytz_to_zoneinfo.module`
(libcst, qualified names and scopes): completely, with a note wherever behaviour differs at DST
edges, or not at all, with a refusal for every use that has no safe rewrite. When no module
refused and none still uses pytz, :mod:`codemods.pytz_to_zoneinfo.dependencies` removes pytz from
``pyproject.toml`` and the requirements files.
"""

from __future__ import annotations

from collections.abc import Callable

from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import (
    TZDATA_ADDED_NOTE,
    TZDATA_NOTE,
    add_tzdata,
    declares_pytz,
    edit_dependency_file,
    image_without_zones,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.helper import helper_path, helper_text
from redpanda_migrate.codemods.pytz_to_zoneinfo.prefilter import PASSES_ZONES, django_pytz_era_use
from redpanda_migrate.codemods.pytz_to_zoneinfo.project import (
    django_pytz_reason,
    python_floor_refusal,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.spreading import (
    Modules,
    exported_zones,
    project_roots,
    rewrite_all,
)

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    Finding,
    ProjectInput,
    ProjectOutcome,
)
from redpanda_migrate.discovery import compile_patterns

SECTION = "Deprecated / Removed"
DEPENDENCY_SUFFIXES = (".toml", ".txt", ".in", "setup.cfg", "Pipfile", "tox.ini", ".yml", ".yaml")
UNREAD_REASON = (
    "pytz stays in the dependencies: this module could not be read, so whether it still "
    "imports pytz is unknown (fix the file and run again)"
)
# Django's own pytz-era API: timezone.utc, and zones from get_current/default_timezone()
DJANGO_PYTZ_ERA_WORDS = ("utc", "get_current_timezone", "get_default_timezone")
# what a module does with a pytz zone it may have imported from another module
ZONE_WORDS = ("localize", "normalize", ".zone", "tzinfo")


def _is_dependency_file(path: str) -> bool:
    return path.endswith(DEPENDENCY_SUFFIXES)


def project_uses_pytz(files: dict[str, str]) -> bool:
    """Tell whether any candidate file imports or declares pytz.

    :param files: the candidate texts by path.
    :returns: ``True`` when a Python module mentions pytz or a dependency file declares it.
    """
    return any(
        ("pytz" in text) if path.endswith(".py") else declares_pytz(path, text)
        for path, text in files.items()
    )


def may_need_rewrite(
    text: str,
    project_uses_pytz: bool,
    has_zone_exports: bool,
    django_use: Callable[[str], str | None] | None = None,
) -> bool:
    """Tell cheaply whether a module can hold anything this codemod rewrites or refuses.

    Parsing with scope and qualified-name metadata is the expensive part of a run, and the
    codemod's needles (``utc``, ``tzinfo``, ``normalize``...) are common words: this keeps the
    parse for modules that mention pytz, Django's pytz-era API (told with :mod:`ast` when the
    project does not use pytz: see :mod:`~redpanda_migrate.codemods.pytz_to_zoneinfo.prefilter`),
    or, when the project uses pytz, the methods of a zone that may come from another module.

    :param text: the module's text.
    :param project_uses_pytz: whether any candidate file imports or declares pytz.
    :param has_zone_exports: whether some module defines module-level pytz zones.
    :param django_use: how a module uses Django's pytz-era API (by default
        :func:`_django_use`; the transform passes one that remembers each text's answer).
    :returns: ``False`` only when the rewrite would leave the module untouched and unflagged.
    """
    if "pytz" in text or "is_dst" in text or "USE_DEPRECATED_PYTZ" in text:
        return True
    if project_uses_pytz or has_zone_exports:
        return ("django.utils" in text and any(word in text for word in DJANGO_PYTZ_ERA_WORDS)) or (
            any(word in text for word in ZONE_WORDS)
        )
    return (django_use or _django_use)(text) is not None


def _django_use(text: str) -> str | None:
    # the words are common (utcnow, datetime.timezone.utc): ast tells which module they name
    if "django.utils" in text and any(word in text for word in DJANGO_PYTZ_ERA_WORDS):
        return django_pytz_era_use(text)
    return None


def _passes_zones_only(
    text: str,
    project_uses_pytz: bool,
    has_zone_exports: bool,
    django_use: Callable[[str], str | None],
) -> bool:
    """Tell whether a module that may need the rewrite only hands Django's zones to calls."""
    if "pytz" in text or "is_dst" in text or "USE_DEPRECATED_PYTZ" in text:
        return False
    return not (project_uses_pytz or has_zone_exports) and django_use(text) == PASSES_ZONES


def _remembering(function: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Wrap a text's verdict so that one transform computes it once per text."""
    answers: dict[str, str | None] = {}

    def remembered(text: str) -> str | None:
        if text not in answers:
            answers[text] = function(text)
        return answers[text]

    return remembered


def transform(project: ProjectInput) -> ProjectOutcome:
    """Rewrite pytz to zoneinfo in every module, then drop the dependency when nothing needs it.

    Enforces the standard's "Deprecated / Removed" section: pytz -- use stdlib zoneinfo.

    :param project: the candidate Python modules, ``pyproject.toml`` and requirements files.
    :returns: the rewritten files, notes on behaviour changes, refusals for what is left alone.
    """
    # the files read only for the declared Python and Django (``also_reads``) are handed over
    # even when this codemod's ``exclude`` option names them: read them, never edit them
    declared = dict(project.files)
    excluded = compile_patterns(project.options.get("exclude", ()))
    files = {path: text for path, text in declared.items() if not excluded.match_file(path)}
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    uses_pytz = project_uses_pytz(files)
    floor = python_floor_refusal(declared, project.facts.requires_python) if uses_pytz else None
    if floor is not None:
        return ProjectOutcome(refusals=(Finding(*floor),))
    exports = exported_zones(python)
    django_use = _remembering(_django_use)
    texts = {
        path: text
        for path, text in python.items()
        if may_need_rewrite(text, uses_pytz, bool(exports), django_use)
    }
    modules = Modules(
        texts,
        uses_pytz,
        exports,
        project_roots(project.facts.files),
        packages=frozenset(
            path.rpartition("/")[0] for path in project.facts.files if path.endswith("__init__.py")
        ),
        django_pytz_reason=django_pytz_reason(declared),
        passing_zones=frozenset(
            path
            for path, text in texts.items()
            if _passes_zones_only(text, uses_pytz, bool(exports), django_use)
        ),
    )
    results = rewrite_all(modules)
    writes: dict[str, str | None] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = []
    for path, result in results.items():
        notes.extend(Finding(path, line, message) for line, message in result.notes)
        refusals.extend(Finding(path, line, reason) for line, reason in result.refusals)
        if result.text != python[path]:
            writes[path] = result.text
        helper = helper_path(path)
        if result.needs_helper and helper not in project.facts.files and helper not in writes:
            writes[helper] = helper_text()
    if not any(result.uses_pytz or result.refusals for result in results.values()):
        unread_modules = [path for path in project.unreadable if path.endswith(".py")]
        if not unread_modules:
            _drop_dependency(files, writes, notes)
        elif any(declares_pytz(path, text) for path, text in files.items() if path not in python):
            # a module that could not be read may still import pytz
            refusals.append(Finding(unread_modules[0], None, UNREAD_REASON))
    return ProjectOutcome(writes=writes, notes=tuple(notes), refusals=tuple(refusals))


def _drop_dependency(
    files: dict[str, str], writes: dict[str, str | None], notes: list[Finding]
) -> None:
    edits = {
        path: edit_dependency_file(path, files[path])
        for path in sorted(files)
        if _is_dependency_file(path)
    }
    tzdata = any(edit.declares_tzdata for edit in edits.values())
    first_removal: Finding | None = None
    for path, edit in edits.items():
        notes.extend(Finding(path, line, message) for line, message in edit.notes)
        if edit.text != files[path]:
            writes[path] = edit.text
            if first_removal is None:
                first_removal = Finding(path, edit.removed_lines[0] or None, TZDATA_NOTE)
    if first_removal is None or tzdata:
        return
    image = image_without_zones(files.get("Dockerfile", ""))
    for path in sorted(writes) if image is not None else []:
        added = add_tzdata(path, writes[path] or "") if _is_dependency_file(path) else None
        if added is not None:
            writes[path] = added[0]
            notes.append(Finding(path, added[1], TZDATA_ADDED_NOTE.format(image=image)))
            return
    notes.append(first_removal)


CODEMOD = Codemod(
    id="pytz-to-zoneinfo",
    title="Replace pytz with the standard library's zoneinfo, then drop the dependency",
    section=SECTION,
    files=(
        "**/*.py",
        "pyproject.toml",
        "requirements*.txt",
        "requirements*.in",
        "**/requirements/*.txt",
        "**/requirements/*.in",
        "setup.cfg",
        "Pipfile",
        "tox.ini",
        "environment.yml",
        "environment.yaml",
    ),
    # where the project declares its Python and Django, whether or not they mention pytz
    also_reads=(
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "Pipfile",
        "tox.ini",
        "requirements.txt",
        "Dockerfile",
    ),
    # localize/normalize/.zone/tzinfo: modules using a zone imported from another module
    needles=(
        "pytz",
        "utc",
        "is_dst",
        "USE_DEPRECATED_PYTZ",
        "localize",
        "normalize",
        ".zone",
        "tzinfo",
    ),
    rationale=(
        "pytz predates PEP 495 and works against datetime: a zone must be attached with "
        "localize() and fixed with normalize() after arithmetic, and tzinfo=pytz.timezone(...) "
        "silently gives the zone's local mean time. Python 3.9's zoneinfo follows datetime's "
        "rules, reads the system or tzdata database, and is what Django 4+ uses; Django 5 "
        "removed the pytz-era API (timezone.utc, is_dst, USE_DEPRECATED_PYTZ)."
    ),
    example=Example(
        path="shop/timeutils.py",
        before=(
            'import pytz\n\nSHOP_TZ = pytz.timezone("Europe/Dublin")\n\n\n'
            "def opening(naive):\n    return SHOP_TZ.localize(naive)\n"
        ),
        after=(
            'from zoneinfo import ZoneInfo\n\nSHOP_TZ = ZoneInfo("Europe/Dublin")\n\n\n'
            "def opening(naive):\n    return naive.replace(tzinfo=SHOP_TZ)\n"
        ),
    ),
    transform_project=transform,
    order=400,
)
