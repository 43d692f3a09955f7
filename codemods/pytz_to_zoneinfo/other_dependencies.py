"""Drop pytz from ``setup.cfg``, ``tox.ini`` and conda's ``environment.yml``.

The standard's "Deprecated / Removed": pytz is not a dependency once no code uses it. Each
file is parsed with its own parser first (configparser, ruamel.yaml) to find the requirement
values; only the lines holding pytz are then removed from the original text, so every other
line (comments, CRLF, order) stays byte-identical.
"""

from __future__ import annotations

import configparser
import io

from redpanda_migrate.codemods.pytz_to_zoneinfo.dependencies import (
    REMOVED_NAMES,
    DependencyEdit,
    requirement_name,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

#: ``section -> keys`` holding requirements (``*``: every key of the section)
SETUP_CFG_KEYS = {
    "options": {"install_requires", "tests_require", "setup_requires"},
    "options.extras_require": {"*"},
}


def _holds_requirements(file_name: str, section: str, key: str) -> bool:
    if file_name == "tox.ini":
        return (section == "tox" or section.startswith("testenv")) and key in ("deps", "requires")
    keys = SETUP_CFG_KEYS.get(section, set())
    return "*" in keys or key in keys


def _name_of(value: str, file_name: str) -> str | None:
    value = value.split("#", 1)[0].strip()
    if file_name == "tox.ini" and ":" in value and not value.startswith("-"):
        # a factor-conditional line: ``django32,py38: pytz``
        value = value.rpartition(": ")[2] if ": " in value else value
    if value.startswith("-"):
        return None
    return requirement_name(value)


def edit_ini_requirements(text: str, file_name: str) -> DependencyEdit:
    """Remove pytz from ``install_requires``/extras (setup.cfg) or ``deps`` (tox.ini).

    :param text: the file's text.
    :param file_name: ``setup.cfg`` or ``tox.ini``.
    :returns: the edit; a file configparser cannot read is returned unchanged.
    """
    try:
        configparser.ConfigParser(interpolation=None).read_string(text)
    except configparser.Error:
        return DependencyEdit(text)
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    removed: list[int] = []
    tzdata = False
    section = key = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section, key = stripped[1:-1].strip(), ""
            kept.append(line)
            continue
        if not stripped or stripped.startswith(("#", ";")):
            kept.append(line)
            continue
        value = stripped
        if not line[0].isspace():
            key, _, value = (part.strip() for part in stripped.partition("="))
            key = key.lower()
        if not _holds_requirements(file_name, section, key):
            kept.append(line)
            continue
        name = _name_of(value, file_name)
        tzdata |= name == "tzdata"
        if name in REMOVED_NAMES:
            removed.append(number)
            if not line[0].isspace():  # ``deps = pytz`` on the key's own line
                ending = line[len(line.rstrip("\r\n")) :]
                kept.append(line[: line.index("=") + 1] + ending)
            continue
        kept.append(line)
    if not removed:
        return DependencyEdit(text, declares_tzdata=tzdata)
    return DependencyEdit("".join(kept), removed, declares_tzdata=tzdata)


def _conda_name(item: str) -> str | None:
    spec = item.rpartition("::")[2].strip()
    for separator in "=<>! ":
        spec = spec.split(separator, 1)[0]
    return requirement_name(spec) if spec else None


def edit_environment_yml(text: str) -> DependencyEdit:
    """Remove pytz from a conda environment file's ``dependencies`` (and its ``pip:`` list).

    :param text: the file's text.
    :returns: the edit; a file that is not a conda environment is returned unchanged.
    """
    try:
        data = YAML().load(io.StringIO(text))
    except YAMLError:
        return DependencyEdit(text)
    dependencies = data.get("dependencies") if hasattr(data, "get") else None
    if not isinstance(dependencies, list):
        return DependencyEdit(text)
    removed: set[int] = set()
    tzdata = False
    for index, item in enumerate(dependencies):
        if isinstance(item, str):
            name = _conda_name(item)
            tzdata |= name == "tzdata"
            if name in REMOVED_NAMES:
                removed.add(dependencies.lc.item(index)[0] + 1)  # type: ignore[attr-defined]
        elif hasattr(item, "get") and isinstance(item.get("pip"), list):
            pip = item["pip"]
            for pip_index, requirement in enumerate(pip):
                name = requirement_name(str(requirement))
                tzdata |= name == "tzdata"
                if name in REMOVED_NAMES:
                    removed.add(pip.lc.item(pip_index)[0] + 1)
    if not removed:
        return DependencyEdit(text, declares_tzdata=tzdata)
    lines = text.splitlines(keepends=True)
    kept = [line for number, line in enumerate(lines, start=1) if number not in removed]
    return DependencyEdit("".join(kept), sorted(removed), declares_tzdata=tzdata)
