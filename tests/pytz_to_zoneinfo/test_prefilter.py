"""pytz-to-zoneinfo: the ast pre-filter never keeps from libcst a module the rewrite would touch."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from harness import FIXTURES, run_codemod
from redpanda_migrate.codemods.pytz_to_zoneinfo.module import rewrite_module
from redpanda_migrate.codemods.pytz_to_zoneinfo.names import PASSED_ZONE_REASON
from redpanda_migrate.codemods.pytz_to_zoneinfo.prefilter import (
    PASSES_ZONES,
    REWRITE,
    django_pytz_era_use,
)

CASES = {
    # datetime's utc, formats.localize, Decimal.normalize: not Django's pytz-era API
    "from datetime import timezone\nfrom django.utils import formats\nX = timezone.utc\n": None,
    "import datetime\nfrom django.utils import timezone\nX = datetime.timezone.utc\n": None,
    "from django.utils import formats\nX = formats.localize(1)\nY = 'utc'\n": None,
    "from django.utils.timezone import now\nX = now().utcoffset()\n": None,
    "from django.utils import timezone\nX = timezone.make_aware(dt, tz)\nY = 'utc'\n": None,
    # Django's removed utc, wherever it is bound from
    "from django.utils import timezone\nX = timezone.utc\n": REWRITE,
    "from django.utils import timezone as tz\ndef f():\n    return tz.utc\n": REWRITE,
    "import django.utils.timezone\nX = django.utils.timezone.utc\n": REWRITE,
    "from django.utils.timezone import utc\n": REWRITE,
    "from django.utils.timezone import utc as UTC\nX = UTC\n": REWRITE,
    "from django.utils.timezone import *\nX = utc\n": REWRITE,
    "from .timezone import utc\nX = utc\n": REWRITE,
    "from django.utils import timezone\nX = timezone.now() == timezone.utc\n": REWRITE,
    # is_dst passed by position to make_aware
    "from django.utils import timezone\nX = timezone.make_aware(dt, tz, True)\nY = 'utc'\n": (
        REWRITE
    ),
    # the methods and private attributes of Django's zones
    "from django.utils import timezone\nX = timezone.get_current_timezone().localize(dt)\n": (
        REWRITE
    ),
    "from django.utils import timezone\ntz = timezone.get_default_timezone()\nX = tz.zone\n": (
        REWRITE
    ),
    "from django.utils import timezone\ntz = timezone.get_current_timezone()\nt = tz\n"
    "X = t._utcoffset\n": REWRITE,
    "from django.utils import timezone\nclass A:\n    tz = timezone.get_current_timezone()\n"
    "    def f(self):\n        return self.tz._tzinfos\n": REWRITE,
    "from django.utils import timezone\nX = dt.astimezone(timezone.get_current_timezone())"
    ".tzinfo._dst\n": REWRITE,
    "from django.utils import timezone\nX = dt.tzinfo._utcoffset\n": REWRITE,
    # Django's zones handed to calls, and private attributes of other objects
    "from django.utils import timezone\nX = timezone.localtime(dt, timezone.get_current_timezone())"
    "\n": PASSES_ZONES,
    "from django.utils import timezone\ntz = timezone.get_current_timezone()\nX = obj._meta\n"
    "Y = f()._db\n": PASSES_ZONES,
    "from django.utils.timezone import get_current_timezone as current\nX = g(current())\n": (
        PASSES_ZONES
    ),
    # what ast cannot read is left to libcst, which reports it
    "from django.utils import timezone\nX = (\n": REWRITE,
}


@pytest.mark.parametrize(("text", "expected"), CASES.items())
def test_the_prefilter_reads_which_timezone_a_module_names(text: str, expected: str | None) -> None:
    assert django_pytz_era_use(text) == expected


def rewrite_leaves_alone(text: str) -> bool:
    result = rewrite_module(text, flag_unknown_localize=False, project_roots=frozenset({"app"}))
    return (
        result.text == text
        and not result.notes
        and not result.refusals
        and not result.django_zone_methods
        and not result.sets_pytz_setting
        and not result.needs_helper
    )


def corpus() -> list[str]:
    texts = [text for text in CASES if not text.endswith("(\n")]
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "pytz" not in text and "is_dst" not in text and "USE_DEPRECATED_PYTZ" not in text:
            texts.append(text)
    return texts


def test_every_module_the_prefilter_skips_is_one_the_rewrite_leaves_alone() -> None:
    skipped = 0
    for text in corpus():
        if django_pytz_era_use(text) in (None, PASSES_ZONES):
            skipped += 1
            try:
                assert rewrite_leaves_alone(text), text
            except Exception as error:  # noqa: BLE001 -- libcst may not read a fixture at all
                if "ParserSyntaxError" not in type(error).__name__:
                    raise
    assert skipped > 100


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text))
    return root


def test_a_module_handing_django_zones_to_a_module_left_alone_is_left_alone(
    tmp_path: Path,
) -> None:
    project = write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/util.py": """\
                from django.utils import timezone


                def offset(dt, tz):
                    return dt.tzinfo._utcoffset
                """,
            "shop/views.py": """\
                from django.utils import timezone

                from shop.util import offset


                def view(dt):
                    return offset(dt, timezone.get_current_timezone()), dt.utcoffset()
                """,
        },
    )
    assert django_pytz_era_use((project / "shop/views.py").read_text()) == PASSES_ZONES
    code, report = run_codemod(project, "pytz-to-zoneinfo")
    assert code == 0, report
    refusals = {(r["path"], r["reason"]) for r in report["refusals"]}
    reason = PASSED_ZONE_REASON.format(callee="shop.util.offset", owner="shop/util.py")
    assert ("shop/views.py", reason) in refusals, refusals
    assert any(path == "shop/util.py" for path, _ in refusals)
