"""pytz-to-zoneinfo: the pure helpers, with readable (before, after) pairs and no-op cases."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from harness import copy_tree, run_codemod
from redpanda_migrate.codemods.pytz_to_zoneinfo.codemod import may_need_rewrite
from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import (
    edit_dependency_file,
    requirement_name,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.module import pytz_member, rewrite_module
from redpanda_migrate.codemods.pytz_to_zoneinfo.names import canonical_zone_name
from redpanda_migrate.codemods.pytz_to_zoneinfo.spreading import exported_zones, module_names


def rewrite(source: str) -> str:
    result = rewrite_module(textwrap.dedent(source), flag_unknown_localize=True)
    assert not result.refusals, result.refusals
    return result.text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            """\
            import pytz
            X = pytz.utc
            """,
            """\
            import datetime

            X = datetime.timezone.utc
            """,
            id="utc-adds-import-datetime",
        ),
        pytest.param(
            """\
            from datetime import datetime
            import pytz
            X = datetime.now(pytz.utc)
            """,
            """\
            from datetime import datetime
            from datetime import timezone as dt_timezone
            X = datetime.now(dt_timezone.utc)
            """,
            id="datetime-is-the-class-so-alias-timezone",
        ),
        pytest.param(
            """\
            import datetime as dt
            import pytz
            X = pytz.utc
            """,
            """\
            import datetime as dt
            X = dt.timezone.utc
            """,
            id="reuses-datetime-module-alias",
        ),
        pytest.param(
            """\
            import pytz
            def f(datetime):
                return pytz.utc
            """,
            """\
            from datetime import timezone as dt_timezone

            def f(datetime):
                return dt_timezone.utc
            """,
            id="datetime-shadowed-by-a-parameter",
        ),
        pytest.param(
            """\
            import pytz
            X = pytz.timezone("Europe/Dublin").localize(a + b)
            """,
            """\
            from zoneinfo import ZoneInfo

            X = (a + b).replace(tzinfo=ZoneInfo("Europe/Dublin"))
            """,
            id="localize-parenthesises-its-argument",
        ),
        pytest.param(
            """\
            import os; import pytz; import sys
            X = pytz.UTC
            """,
            """\
            import datetime

            import os; import sys
            X = datetime.timezone.utc
            """,
            id="semicolons",
        ),
        pytest.param(
            """\
            from zoneinfo import ZoneInfo
            import pytz
            A = ZoneInfo("UTC")
            B = pytz.timezone("Asia/Tokyo")
            """,
            """\
            from zoneinfo import ZoneInfo
            A = ZoneInfo("UTC")
            B = ZoneInfo("Asia/Tokyo")
            """,
            id="zoneinfo-already-imported",
        ),
    ],
)
def test_rewrites(before: str, after: str) -> None:
    assert rewrite(before) == textwrap.dedent(after)
    assert rewrite(after) == textwrap.dedent(after)


@pytest.mark.parametrize(
    "source",
    [
        "from django.utils import timezone\nX = timezone.now()\n",
        "import unicodedata\nX = unicodedata.normalize('NFC', 'x')\n",
        "from datetime import timezone\nX = timezone.utc\n",
        "import datetime\nX = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)\n",
        "def timezone(name):\n    return name\n\n\nX = timezone('UTC')\n",
        # prose that mentions pytz is neither a dynamic import nor a requirement
        "MESSAGE = 'pytz.timezone() was called with a bad name'\n",
    ],
)
def test_noop(source: str) -> None:
    result = rewrite_module(source, flag_unknown_localize=False)
    assert result.text is source
    assert (result.notes, result.refusals) == ([], [])


@pytest.mark.parametrize("literal", ["'pytz'", "'pytz.timezone'", "'pytz>=2024.1,<2025'"])
def test_strings_naming_pytz_are_refused(literal: str) -> None:
    source = f"import importlib\nX = {literal}\n"
    result = rewrite_module(source, flag_unknown_localize=True)
    assert result.text is source
    assert [line for line, _ in result.refusals] == [2]


def test_a_refused_module_is_left_exactly_as_it_was() -> None:
    source = "import pytz\nA = pytz.timezone('Europe/Dublin')\nB = pytz.BaseTzInfo\n"
    result = rewrite_module(source, flag_unknown_localize=True)
    assert result.text is source
    assert [line for line, _ in result.refusals] == [3]
    assert result.uses_pytz


@pytest.mark.parametrize(
    ("qualified", "member"),
    [
        ("pytz", ""),
        ("pytz.utc", "utc"),
        ("pytz.exceptions.UnknownTimeZoneError", "UnknownTimeZoneError"),
        ("pytz.utc.localize", None),
        ("pytzlike.utc", None),
        ("django.utils.timezone.utc", None),
    ],
)
def test_pytz_member(qualified: str, member: str | None) -> None:
    assert pytz_member(qualified) == member


def test_canonical_zone_name() -> None:
    assert canonical_zone_name("europe/dublin") == "Europe/Dublin"
    assert canonical_zone_name("Europe/Dublin") == "Europe/Dublin"
    assert canonical_zone_name("Moon/Base") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("pytz", "pytz"),
        ("PyTZ>=2024.1,<2025.0", "pytz"),
        ('pytz ; python_version < "3.9"', "pytz"),
        ("types_pytz==2024.1", "types-pytz"),
        ("-r base.txt", None),
    ],
)
def test_requirement_name(text: str, name: str | None) -> None:
    assert requirement_name(text) == name


def test_requirements_file_loses_exactly_the_pytz_lines() -> None:
    text = "-c constraints.txt\nDjango>=5.2,<6.0\npytz==2024.1  # zones\n# pytz comment\npytzdata\n"
    edit = edit_dependency_file("requirements.txt", text)
    assert edit.text == "-c constraints.txt\nDjango>=5.2,<6.0\n# pytz comment\npytzdata\n"
    assert edit.removed_lines == [3]


def test_requirements_continuation_lines_are_left_alone() -> None:
    text = "pytz==2024.1 \\\n    --hash=sha256:abc\n"
    assert edit_dependency_file("requirements.txt", text).text == text


def test_module_names_and_exports() -> None:
    assert module_names("project/shop/zones.py") == ["project.shop.zones", "shop.zones", "zones"]
    assert module_names("shop/__init__.py") == ["shop"]
    exports = exported_zones(
        {
            "a/zones.py": "import pytz\nTZ = pytz.timezone('Europe/Dublin')\n",
            "b/zones.py": "import pytz\nTZ = pytz.utc\n",
        }
    )
    assert exports == {"a.zones.TZ": ("a/zones.py", "zone"), "b.zones.TZ": ("b/zones.py", "utc")}


def test_after_pin_dependencies_in_the_same_run(tmp_path: Path) -> None:
    """pin-dependencies (order 100) turns pytz==2024.1 into a range first; pytz still goes."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import pytz\n\nZONE = pytz.timezone('Europe/Dublin')\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["Django==5.2.7", "pytz==2024.1"]\n'
    )
    both = "pin-dependencies,pytz-to-zoneinfo"
    code, report = run_codemod(copy_tree(project, tmp_path / "run"), both)
    assert code == 0, report
    pyproject = (tmp_path / "run" / "pyproject.toml").read_text()
    assert 'dependencies = ["Django>=5.2.7,<6.0"]' in pyproject
    assert [c["codemod"] for c in report["changes"] if c["path"] == "pyproject.toml"] == [
        "pin-dependencies",
        "pytz-to-zoneinfo",
    ]


@pytest.mark.parametrize(
    ("text", "project_uses_pytz", "expected"),
    [
        ("import unicodedata\nX = unicodedata.normalize('NFC', 'x')\n", False, False),
        ("import datetime\nX = datetime.timezone.utc\n", False, False),
        ("import unicodedata\nX = unicodedata.normalize('NFC', 'x')\n", True, True),
        ("from django.utils.timezone import utc\n", False, True),
        ("from django.utils import timezone\nX = timezone.get_current_timezone()\n", False, True),
        ("USE_DEPRECATED_PYTZ = True\n", False, True),
        ("X = make_aware(dt, is_dst=True)\n", False, True),
    ],
)
def test_only_modules_that_may_change_are_parsed(
    text: str, project_uses_pytz: bool, expected: bool
) -> None:
    assert may_need_rewrite(text, project_uses_pytz, False) is expected
    # a zone exported by another module may be localized anywhere
    assert may_need_rewrite("X = SHOP_TZ.localize(dt)\n", False, True)


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        pytest.param(
            "from datetime import datetime\n",
            "from datetime import datetime\nfrom datetime import timezone as dt_timezone\n",
            id="as-import-on-its-own-line-next-to-its-module",
        ),
        pytest.param(
            "from datetime import datetime as dt\n",
            "from datetime import datetime as dt, timezone as dt_timezone\n",
            id="joins-a-statement-that-combines-as-imports",
        ),
        pytest.param(
            "from datetime import (\n    datetime as dt,  # the class\n)\n",
            "from datetime import (\n    datetime as dt,  # the class\n)\n"
            "from datetime import timezone as dt_timezone\n",
            id="a-statement-with-comments-is-not-reflowed",
        ),
        pytest.param(
            "import os\nimport sys\n",
            "import datetime\nimport os\nimport sys\n",
            id="plain-import-in-isort-order",
        ),
        pytest.param(
            "import os\nfrom uuid import uuid4\n\nimport requests\n",
            "import datetime\nimport os\nfrom uuid import uuid4\n\nimport requests\n",
            id="plain-import-before-from-imports",
        ),
    ],
)
def test_datetime_import_placement(imports: str, expected: str) -> None:
    body = "\n\ndef f(x):\n    return x.astimezone({})\n"
    after = rewrite(imports + "import pytz\n" + body.format("pytz.utc"))
    utc = "datetime.timezone.utc" if expected.startswith("import") else "dt_timezone.utc"
    assert after == expected + body.format(utc)


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        pytest.param(
            "from zoneinfo import available_timezones\n",
            "from zoneinfo import ZoneInfo, available_timezones\n",
            id="single-line-in-order-by-type",
        ),
        pytest.param(
            "from zoneinfo import (\n    available_timezones,\n)\n",
            "from zoneinfo import (\n    ZoneInfo,\n    available_timezones,\n)\n",
            id="parenthesised-multi-line",
        ),
        pytest.param(
            "from zoneinfo import (available_timezones)\n",
            "from zoneinfo import (ZoneInfo, available_timezones)\n",
            id="parenthesised-single-line",
        ),
        pytest.param(
            "import os\nfrom pathlib import Path\n\nimport requests\n",
            "import os\nfrom pathlib import Path\nfrom zoneinfo import ZoneInfo\n\n"
            "import requests\n",
            id="new-statement-ends-the-stdlib-section",
        ),
        pytest.param(
            "from uuid import uuid4\nfrom xml import dom\n",
            "from uuid import uuid4\nfrom xml import dom\nfrom zoneinfo import ZoneInfo\n",
            id="new-statement-sorted-by-module",
        ),
    ],
)
def test_zoneinfo_import_merge(imports: str, expected: str) -> None:
    body = '\n{}("Europe/Paris")\n'
    after = rewrite(imports + "import pytz\n" + body.format("ZONE = pytz.timezone"))
    assert after == expected + body.format("ZONE = ZoneInfo")


def test_partly_removed_import_keeps_its_other_names() -> None:
    before = "from django.utils.timezone import now, utc\n\nX = (now, utc)\n"
    after = "import datetime\n\nfrom django.utils.timezone import now\n\n"
    assert rewrite(before) == after + "X = (now, datetime.timezone.utc)\n"


def test_dropped_import_hands_its_blank_lines_on() -> None:
    before = (
        "from unittest import mock\n\nfrom django.utils import timezone\nfrom app import models\n"
        "\nX = (timezone.utc, mock, models)\n"
    )
    assert rewrite(before) == (
        "import datetime\nfrom unittest import mock\n\nfrom app import models\n"
        "\nX = (datetime.timezone.utc, mock, models)\n"
    )


def test_a_repeated_note_is_given_once_with_its_other_lines() -> None:
    source = textwrap.dedent(
        """\
        import pytz


        def zones(a, b, c):
            return pytz.timezone(a), pytz.timezone(b), pytz.timezone(c)


        def other(d):
            return pytz.timezone(d)
        """
    )
    result = rewrite_module(source, flag_unknown_localize=True)
    assert [line for line, _ in result.notes] == [5]
    assert result.notes[0][1].startswith("ZoneInfo(name) is case-sensitive")
    assert result.notes[0][1].endswith(" (also line(s) 9)")


def test_declares_pytz_reads_escaped_names_too():
    # the cheap "pytz is not in the text" test must not hide a name spelled with an escape
    from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import declares_pytz

    assert declares_pytz("pyproject.toml", '[project]\ndependencies = ["\\u0070ytz>=2024.1"]\n')
    assert declares_pytz("requirements.txt", "PyTZ==2024.1\n")
    assert not declares_pytz("pyproject.toml", '[project]\ndependencies = ["Django>=5.2"]\n')
