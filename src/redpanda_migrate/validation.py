"""Re-parsing every output in its own format before anything is written.

An output that no longer parses is a bug in a codemod: the engine reports it and keeps the file
as it was. Formats are known by file name; a codemod can bring a validator for others.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Callable
from pathlib import PurePosixPath

from redpanda_migrate.codemod import Validator

# each parser is imported by the check that needs it: a run answered from the cache needs none


def validate_python(before: str | None, after: str) -> None:
    """Check that Python output parses, and compiles wherever the input compiled.

    Output this interpreter compiles is valid Python: CPython's own parser answers in C. Other
    output is given to libcst, which parses every Python version it supports (syntax newer
    than this interpreter); such output passes when the input did not compile either, and
    ``compile`` otherwise names what the change broke (``return`` outside a function).

    :param before: the text before the change, or ``None`` for a new file.
    :param after: the text after the change.
    :raises ValueError: when ``after`` is not valid Python.
    """
    if _compiles(after):
        return
    import libcst

    try:
        libcst.parse_module(after)
    except libcst.ParserSyntaxError as error:
        raise ValueError(f"invalid Python: {error.message} (line {error.raw_line})") from None
    if before is not None and not _compiles(before):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(after, "<output>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            raise ValueError(f"invalid Python: {error}") from None


def _compiles(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, "<input>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def validate_toml(after: str) -> None:
    """Check that TOML output parses.

    :param after: the text after the change.
    :raises ValueError: when it is not valid TOML.
    """
    import tomlkit

    try:
        tomlkit.parse(after)
    except Exception as error:  # tomlkit raises several unrelated exception types
        raise ValueError(f"invalid TOML: {error}") from None


def validate_yaml(after: str) -> None:
    """Check that YAML output loads (every document of a multi-document stream).

    :param after: the text after the change.
    :raises ValueError: when it is not valid YAML.
    """
    from ruamel.yaml import YAML

    try:
        list(YAML(typ="safe", pure=True).load_all(io.StringIO(after)))
    except Exception as error:  # ruamel raises a family of YAMLError and ValueError subclasses
        raise ValueError(f"invalid YAML: {error}") from None


def validate_json(after: str) -> None:
    """Check that JSON output loads.

    :param after: the text after the change.
    :raises ValueError: when it is not valid JSON.
    """
    try:
        json.loads(after)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error}") from None


VALIDATORS_BY_SUFFIX: dict[str, Callable[[str], None]] = {
    ".toml": validate_toml,
    ".yaml": validate_yaml,
    ".yml": validate_yaml,
    ".json": validate_json,
}


def validate_output(
    path: str, before: str | None, after: str, extra_validator: Validator | None = None
) -> None:
    """Re-parse a codemod's output in the file's format.

    :param path: project-relative POSIX path, which tells the format.
    :param before: the text before the change, or ``None`` for a new file.
    :param after: the text after the change.
    :param extra_validator: the codemod's own validator, run as well when given.
    :raises ValueError: with a one-line reason when the output is invalid.
    """
    suffix = PurePosixPath(path).suffix
    if suffix in (".py", ".pyi"):
        validate_python(before, after)
    elif suffix in VALIDATORS_BY_SUFFIX:
        VALIDATORS_BY_SUFFIX[suffix](after)
    if extra_validator is not None:
        extra_validator(path, after)
