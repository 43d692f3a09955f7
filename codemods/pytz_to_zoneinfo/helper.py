"""The module the ``pytz-to-zoneinfo`` codemod generates next to a module that needs it.

pytz's country and "common" zone tables and its strict ``localize(is_dst=None)`` have no
standard-library name; ``helper_template.py`` rebuilds them on ``zoneinfo`` and the IANA tables
(the standard's "Deprecated / Removed": pytz -- use the standard library's zoneinfo).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from redpanda_migrate.codemods.pytz_to_zoneinfo import names


def helper_path(module_path: str) -> str:
    """Return where the helper goes for a module: the same folder.

    :param module_path: e.g. ``shop/forms.py``.
    :returns: ``shop/_zoneinfo_tables.py``.
    """
    folder = module_path.rpartition("/")[0]
    return f"{folder}/{names.HELPER_MODULE}.py" if folder else f"{names.HELPER_MODULE}.py"


@cache
def helper_text() -> str:
    """Return the generated module's text (the template shipped with this codemod).

    :returns: Python source.
    """
    package = resources.files("redpanda_migrate.codemods.pytz_to_zoneinfo")
    return package.joinpath("helper_template.py").read_text(encoding="utf-8")
