"""pytz-to-zoneinfo: reading only the import lines never lets through a module ast would flag."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods.pytz_to_zoneinfo.import_lines import (
    chain_from,
    import_statements,
    import_trees,
    parses,
)
from redpanda_migrate.codemods.pytz_to_zoneinfo.prefilter import (
    PASSES_ZONES,
    REWRITE,
    django_pytz_era_use,
)

# the odd spellings of an import and of an attribute chain: each still reaches Django's utc
ODD_SPELLINGS = [
    "from django.utils \\\n    import timezone\nX = timezone.utc\n",
    "from django.utils import (\n    formats,  # (see below\n    timezone,\n)\nX = timezone.utc\n",
    "from django.utils import (timezone\n    as tz)\nX = tz.utc\n",
    "def f():\n    from django.utils import timezone\n    return (timezone\n        .utc)\n",
    "from django.utils import timezone\nX = (timezone).utc\n",
    "from django.utils import timezone\nX = (\n    timezone  # the module\n    .utc\n)\n",
    "from django.utils import timezone\nX = timezone.\\\n    utc\n",
    'from django.utils import timezone\nX = f"{timezone.utc}"\n',
    "if True: from django.utils import timezone\nX = timezone.utc\n",
    "import django.utils.timezone as tz\nX = tz.utc\n",
    "from django.utils import timezone\nX = timezone.get_current_timezone().zone\n",
    # a name NFKC-normalised to "timezone" by Python
    "from django.utils import timezone\nX = \uff54imezone.utc\n",
    # an import the lines cannot be split around: the whole module is parsed
    "try: import os\nexcept ImportError: pass\n"
    "from django.utils import timezone\nX = timezone.utc\n",
]


@pytest.mark.parametrize("text", ODD_SPELLINGS)
def test_odd_spellings_still_reach_the_full_analysis(text: str) -> None:
    assert django_pytz_era_use(text) == REWRITE


UNRELATED = [
    "import datetime\nfrom django.utils import formats\nX = datetime.timezone.utc\n",
    "from datetime import timezone\nfrom django.utils import formats\nX = timezone.utc\n",
    '"""\n>>> from django.utils import timezone\n"""\nfrom django.db import models\nX = "utc"\n',
]


@pytest.mark.parametrize("text", UNRELATED)
def test_modules_binding_nothing_of_django_timezone_are_none(text: str) -> None:
    assert django_pytz_era_use(text) is None


def test_a_module_that_does_not_parse_is_still_rewritten() -> None:
    # its import lines bind nothing of Django's, but the rewrite must report the syntax error
    text = "from django.utils import formats\nX = datetime.timezone.utc\ndef broken(:\n"
    assert django_pytz_era_use(text) == REWRITE


def test_a_module_only_the_compiler_rejects_is_judged_like_ast() -> None:
    # symtable refuses a module-level nonlocal; ast.parse accepts it, and so does the filter
    text = "from django.utils import formats\nnonlocal x\nX = datetime.timezone.utc\n"
    assert parses(text)
    assert django_pytz_era_use(text) is None


def test_zone_functions_still_reach_the_full_analysis() -> None:
    text = "from django.utils import timezone\nX = f(timezone.get_current_timezone())\n"
    assert django_pytz_era_use(text) == PASSES_ZONES


def test_import_statements_take_continuation_and_bracketed_lines() -> None:
    text = "x = 1\nfrom a \\\n  import (b,\n  c)\ny = 2\n"
    assert import_statements(text) == ["from a \\\n  import (b,\n  c)"]


def test_a_statement_that_does_not_parse_makes_the_answer_unknown() -> None:
    assert import_trees("else: import os\n") is None
    assert import_trees("x = 1\n") == []


def test_chain_from_needs_the_chain_to_start_at_a_root() -> None:
    names = frozenset({"utc"})
    assert chain_from({"timezone"}, names, "x = timezone . utc\n")
    assert not chain_from({"timezone"}, names, "x = datetime.timezone.utc\n")
    assert not chain_from({"timezone"}, names, "x = timezone.utcnow()\n")
    assert not chain_from(set(), names, "x = timezone.utc\n")
