"""Floor-pinning one requirement string with a ceiling that never narrows today's install.

Part of the "Dependency Pinning" codemod. The ceiling is the next major release above the
version the project installs today (a lock file or pinned requirements say which), raised when
the project's classifiers, tox or CI list a newer version; ``0.x`` versions are capped at the
next minor. The floor is never the source of a ceiling: ``django-sekizai>=0.10`` capped at
``<0.11`` would downgrade a fresh install from 4.1 to 0.10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier
from packaging.version import InvalidVersion, Version
from redpanda_migrate.codemods.pin_dependencies.evidence import Seen

CALENDAR_MAJOR = 1990
# name, optional extras, then the version part up to the marker separator
REQUIREMENT_PARTS = re.compile(
    r"^(?P<head>\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?)(?P<spec>[^;]*)(?P<tail>(?:;.*)?)$",
    re.DOTALL,
)
EXACT_PIN = re.compile(r"(?<![=!~<>])==(?!=)\s*(?P<version>[^,\s)]+)")
LOCK_HINT = "commit a lock file (uv.lock, poetry.lock, pdm.lock, Pipfile.lock)"


class Refusal(Exception):
    """A requirement that has no safe rewrite; the message says why."""


@dataclass(frozen=True)
class Rewrite:
    """The outcome for one requirement string.

    :param text: the new requirement string (the old one when unchanged).
    :param notes: what the reviewer must know.
    """

    text: str
    notes: tuple[str, ...] = ()


def ceiling_for(version: Version) -> str:
    """Return the ceiling the standard wants above a version in use.

    :param version: the version the project installs today.
    :returns: the next major (``6.0``), or the next minor for ``0.x`` (``0.5``).
    """
    major = version.release[0]
    if major == 0:
        minor = version.release[1] if len(version.release) > 1 else 0
        return f"0.{minor + 1}"
    return f"{major + 1}.0"


def _has_upper_bound(specs: list[Specifier]) -> bool:
    return any(
        spec.operator in ("<", "<=", "~=") or (spec.operator == "==" and spec.version.endswith("*"))
        for spec in specs
    )


def _floor(specs: list[Specifier]) -> Version | None:
    floors = [spec for spec in specs if spec.operator in (">=", ">", "==", "~=")]
    if not floors:
        return None
    try:
        return max(Version(spec.version.rstrip(".*")) for spec in floors)
    except InvalidVersion:
        return None


def _calendar_note(version: Version, ceiling: str) -> tuple[str, ...]:
    if version.release[0] < CALENDAR_MAJOR:
        return ()
    return (
        f"calendar-versioned: the ceiling <{ceiling} excludes next year's releases; "
        "widen it once you have tested them",
    )


def choose_ceiling(
    name: str, floor: Version, pinned: Version | None, installed: Seen | None, tested: Seen | None
) -> tuple[str, Version, str]:
    """Choose the ceiling of one requirement from what the project installs and tests.

    Enforces the standard's "Dependency Pinning" (``Django>=5.2,<6.0``: the ceiling is the
    next major above the version in use) without narrowing what installs today.

    :param name: the requirement's name, for messages.
    :param floor: its floor.
    :param pinned: its exact pin, which is what installs today, if it has one.
    :param installed: the newest version a lock file or pinned requirements install.
    :param tested: the newest version the classifiers, tox or CI list.
    :returns: the ceiling, the version it was derived from, and where that version comes from.
    :raises Refusal: when nothing says which version installs today, or the lock is stale.
    """
    candidates = [(pinned, "its exact pin")] if pinned is not None else []
    if installed is not None:
        if installed.version < floor and pinned is None:
            raise Refusal(
                f"{name}: {installed.path} installs {installed.version}, below the floor "
                f"{floor}: the lock file is stale; refresh it, then run again"
            )
        candidates.append((installed.version, installed.path))
    if not candidates:
        listed = f" ({tested.path} lists up to {tested.version})" if tested else ""
        raise Refusal(
            f"{name}: nothing says which version installs today{listed}, and a ceiling guessed "
            f"from the floor or the tested versions could exclude it (pip installs the newest "
            f"release); add the ceiling yourself, or {LOCK_HINT} and run again"
        )
    used, source = max(candidates, key=lambda candidate: candidate[0])
    ceiling = ceiling_for(used)
    if tested is not None and tested.version >= Version(ceiling):
        used, source, ceiling = tested.version, tested.path, ceiling_for(tested.version)
    return ceiling, used, source


def _parse(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        raise Refusal(f"{text!r} is not a valid requirement: {error}") from None


def _check_specs(requirement: Requirement, specs: list[Specifier]) -> Specifier | None:
    """Refuse what has no range; return the exact pin, if any."""
    name = requirement.name
    if requirement.url:
        raise Refusal(f"{name} comes from a URL, which cannot take a version range")
    if any(spec.operator == "===" for spec in specs):
        raise Refusal(f"{name} uses arbitrary equality (===), which has no range")
    exact = [spec for spec in specs if spec.operator == "==" and not spec.version.endswith("*")]
    if len(exact) > 1:
        raise Refusal(f"{name} has several exact pins")
    if exact and "+" in exact[0].version:
        raise Refusal(
            f"{name}=={exact[0].version} pins a local build (+{exact[0].version.split('+')[1]}), "
            "which only exists where it was built: a range would let pip install a public "
            "release instead; left as it is"
        )
    return exact[0] if exact else None


def rewrite_requirement(
    text: str, installed: Seen | None = None, tested: Seen | None = None
) -> Rewrite:
    """Floor-pin one PEP 508 requirement string with a ceiling, touching only its versions.

    Enforces the standard's "Dependency Pinning": floor-pinned with a ceiling, exact pins
    only in lock files.

    :param text: e.g. ``'celery[redis]==5.3.6 ; python_version >= "3.10"'``.
    :param installed: the newest version the project's lock files install, if known.
    :param tested: the newest version its classifiers, tox or CI list, if any.
    :returns: the rewritten string (``text`` itself when it already complies).
    :raises Refusal: when no safe rewrite exists.
    """
    requirement = _parse(text)
    name = requirement.name
    specs = list(requirement.specifier)
    if not specs and not requirement.url:
        locked = f" ({installed.path} installs {installed.version})" if installed else ""
        raise Refusal(
            f"{name} has no version constraint{locked}: add the floor you tested "
            "(>=X.Y) and the ceiling follows"
        )
    exact = _check_specs(requirement, specs)
    floor = _floor(specs)
    if floor is None:
        raise Refusal(f"{name} has no floor: add the lowest version you tested")
    if floor.epoch:
        raise Refusal(f"{name} pins a version with an epoch ({floor})")
    needs_ceiling = not _has_upper_bound(specs)
    if exact is None and not needs_ceiling:
        return Rewrite(text)
    match = REQUIREMENT_PARTS.match(text)
    if match is None:
        raise Refusal(f"cannot locate the version part of {text!r}")
    spec_text = match["spec"]
    notes: list[str] = []
    if exact is not None:
        spec_text = EXACT_PIN.sub(lambda found: f">={found['version']}", spec_text, count=1)
    if needs_ceiling:
        pinned = Version(exact.version) if exact is not None else None
        ceiling, used, source = choose_ceiling(name, floor, pinned, installed, tested)
        spec_text = _append_ceiling(spec_text, ceiling)
        notes += _calendar_note(used, ceiling)
        if exact is None:
            notes.append(f"ceiling <{ceiling} follows {used} ({source}), the version in use")
    if exact is not None:
        notes.append(
            f"=={exact.version} loosened to a range: a fresh install may now get a newer "
            f"release than the one you pinned; if you deploy from this file, {LOCK_HINT} "
            "to keep installs reproducible"
        )
    new_text = match["head"] + spec_text + match["tail"]
    _check_same_requirement(requirement, new_text)
    return Rewrite(new_text, tuple(notes))


def _append_ceiling(spec_text: str, ceiling: str) -> str:
    stripped = spec_text.rstrip()
    trailing = spec_text[len(stripped) :]
    if stripped.endswith(")"):
        return f"{stripped[:-1]},<{ceiling}){trailing}"
    return f"{stripped},<{ceiling}{trailing}"


def _check_same_requirement(old: Requirement, new_text: str) -> None:
    try:
        new = Requirement(new_text)
    except InvalidRequirement:
        raise Refusal(f"rewriting {str(old)!r} would not give a valid requirement") from None
    if (new.name, new.extras, str(new.marker)) != (old.name, old.extras, str(old.marker)):
        raise Refusal(f"rewriting {str(old)!r} would change more than its versions")
