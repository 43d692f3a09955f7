"""Listing variables in the project's ``.env.example``: names and placeholders, never values.

Shared by ``settings-secrets`` and ``database-env-vars`` (Red Panda Approval V1-02, "Settings
Structure": "Provide .env.example with all required variables documented"). The template is
read with python-dotenv; only variables it lacks are appended, under a section header in the
standard's ``# --- Title ---`` style, so that rerunning adds nothing.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from dotenv import dotenv_values

ENV_TEMPLATES = (".env.example", ".env.sample", ".env.template", "env.example")
DEFAULT_TEMPLATE = ".env.example"
HEADER_WIDTH = 77


def template_path(texts: Mapping[str, str]) -> str:
    """Name the project's root env template (its own if it has one, else ``.env.example``).

    :param texts: the project's candidate texts.
    """
    return next((path for path in ENV_TEMPLATES if path in texts), DEFAULT_TEMPLATE)


def template_names(text: str) -> set[str]:
    """Return the variable names a dotenv text defines.

    :param text: the template's text.
    """
    return set(dotenv_values(stream=io.StringIO(text), interpolate=False))


def without_variables(text: str, names: set[str]) -> str:
    """Remove the one-line definitions of some variables from a template.

    :param text: the template's text.
    :param names: the variables no longer read.
    :returns: the text without their lines (the input when it has none).
    """
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if _defined_name(line) not in names]
    return "".join(kept) if len(kept) != len(lines) else text


def _defined_name(line: str) -> str | None:
    name, equals, value = line.strip().removeprefix("export ").partition("=")
    value = value.strip()
    if not equals or (value[:1] in ("'", '"') and not value[1:].rstrip().endswith(value[0])):
        return None  # a quoted value continued on the next line: not a one-line definition
    return name.strip()


def section_header(title: str) -> str:
    """``# --- Title -----...``, as the standard's ``.env.example`` convention writes them.

    :param title: the section's title.
    """
    start = f"# --- {title} "
    return start + "-" * max(3, HEADER_WIDTH - len(start))


def with_variables(
    text: str | None, title: str, entries: Sequence[tuple[str, str, str]]
) -> str | None:
    """Append the variables a template lacks, as one section.

    :param text: the template's text (``None`` when it does not exist yet).
    :param title: the section's title.
    :param entries: ``(name, placeholder, comment)``; an empty comment writes none. Placeholders
        are never values taken from the project.
    :returns: the new text, or ``None`` when every name is already there.
    """
    present = template_names(text or "")
    missing = [entry for entry in entries if entry[0] not in present]
    if not missing:
        return None
    lines = [section_header(title)]
    for name, placeholder, comment in missing:
        if comment:
            lines.append(f"# {comment}")
        lines.append(f"{name}={placeholder}")
    block = "\n".join(lines) + "\n"
    if not text:
        return block
    separator = "\n" if text.endswith("\n") else "\n\n"
    return text + separator + block
