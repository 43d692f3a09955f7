"""What reviewers must know once timestamps are added: field lists naming them.

Part of the "Required Model Fields" codemod: these notes never change a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from redpanda_migrate.codemod import Finding

TIMESTAMP_STRING = re.compile(r"[\"'](created_at|updated_at)[\"']")


def field_list_notes(texts: Mapping[str, str], folders: set[str]) -> list[Finding]:
    """Note admin and form modules of changed apps that name the timestamp fields.

    :param texts: the project's files.
    :param folders: the folders of the apps whose models changed.
    :returns: one note per line naming ``created_at`` or ``updated_at``.
    """
    notes = []
    for path in sorted(texts):
        if not path.endswith(("admin.py", "forms.py")):  # cheap test first
            continue
        pure = PurePosixPath(path)
        if pure.suffix != ".py" or pure.stem not in ("admin", "forms"):
            continue
        folder = str(pure.parent) if str(pure.parent) != "." else ""
        if folder not in folders:
            continue
        for number, line in enumerate(texts[path].splitlines(), start=1):
            for found in TIMESTAMP_STRING.finditer(line):
                notes.append(
                    Finding(
                        path,
                        number,
                        f"names {found[1]}, which is not editable (auto_now/auto_now_add): "
                        "a ModelForm listing it in fields raises FieldError, and the admin "
                        "needs it in readonly_fields",
                    )
                )
    return notes
