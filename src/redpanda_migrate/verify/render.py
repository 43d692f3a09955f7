"""Saying what ``--verify`` did: which checks ran, which were skipped and why, what was left out.

The codemods left out are also in the plan's refusals ("needs review"), with their output; these
lines add the checks' coverage, which a reviewer needs to know how far "verified" goes.
"""

from __future__ import annotations

from typing import Any

from redpanda_migrate.verify.model import Verification

COMPILE_PREFIX = "byte-compile "


def _ran(verification: Verification) -> list[str]:
    modules = sum(1 for name in verification.ran if name.startswith(COMPILE_PREFIX))
    names = [name for name in verification.ran if not name.startswith(COMPILE_PREFIX)]
    if modules:
        names.insert(0, f"byte-compile ({modules} module{'' if modules == 1 else 's'})")
    return names


def verification_lines(verification: Verification, label: str = "") -> list[str]:
    """Render a verification for the text report.

    :param verification: what ``--verify`` did for one project.
    :param label: the project's path when several run at once.
    :returns: lines starting with ``verify:``.
    """
    prefix = f"verify: {label.rstrip('/')}: " if label else "verify: "
    ran = _ran(verification)
    lines = [
        f"{prefix}ran {', '.join(ran) if ran else 'no check (no change concerned one)'} "
        f"in {verification.seconds:g} s"
    ]
    lines += [f"{prefix}skipped {line}" for line in verification.skipped]
    if verification.dropped:
        ids = ", ".join(item.codemod for item in verification.dropped)
        lines.append(f"{prefix}left out {ids} (see needs review); the other codemods were kept")
    return lines


def verification_json(verification: Verification, label: str = "") -> dict[str, Any]:
    """Render a verification for the JSON report.

    :param verification: what ``--verify`` did for one project.
    :param label: the project's path when several run at once.
    :returns: a JSON-serialisable object.
    """
    return {
        "project": label,
        "status": verification.status(),
        "ran": _ran(verification),
        "skipped": list(verification.skipped),
        "dropped": [
            {
                "codemod": item.codemod,
                "check": item.check,
                "path": item.path,
                "output": list(item.output),
            }
            for item in verification.dropped
        ],
        "sound": list(verification.sound),
        "seconds": verification.seconds,
    }
