"""What to do with one ModelForm's ``Meta``, whichever parser read it.

Red Panda Approval V1-02, "Forms": a ``Meta`` with ``fields = "__all__"`` or ``exclude`` gets
the explicit list Django derives, or is refused with the reason. The options are read with
:mod:`ast` (the usual case, :mod:`redpanda_migrate.codemods.modelform_fields.ast_forms`) or
libcst (a module laid out in a way only libcst rewrites exactly); both decide here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Resolve = Callable[[str], tuple[list[str], str | None]]


@dataclass
class FormEdits:
    """What the rewrite of one module did.

    :param converted: ``(line, form name, field count)`` per converted form.
    :param refusals: ``(line, reason)`` per form left alone.
    :param ignored: ``(line, message)`` per excluded name that was no field (a note).
    """

    converted: list[tuple[int, str, int]] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class MetaOptions:
    """The options of one ModelForm's ``Meta`` that the rewrite reads.

    :param form: the form's class name.
    :param line: the line of ``class Meta``.
    :param model: ``Meta.model`` as dotted text (``""`` for an expression), ``None`` if unset.
    :param all_fields: ``fields = "__all__"``.
    :param has_fields: ``fields`` is assigned.
    :param fields: its names when it is a literal list or tuple of strings.
    :param has_exclude: ``exclude`` is assigned.
    :param exclude: its names when it is a literal list or tuple of strings.
    """

    form: str
    line: int
    model: str | None
    all_fields: bool
    has_fields: bool
    fields: list[str] | None
    has_exclude: bool
    exclude: list[str] | None


def wants_rewrite(options: MetaOptions) -> bool:
    """Tell whether the ``Meta`` says ``fields = "__all__"`` or ``exclude`` ("Forms")."""
    return options.all_fields or options.has_exclude


def decide(options: MetaOptions, resolve: Resolve, edits: FormEdits) -> list[str] | None:
    """Choose the explicit ``fields`` of a ``Meta`` ("Forms"), recording refusals and notes.

    :param options: the ``Meta``'s options; :func:`wants_rewrite` must hold.
    :param resolve: the editable fields of a model named in the form's module, or a problem.
    :param edits: where refusals, notes and the conversion are recorded.
    :returns: the names for ``fields``, or ``None`` when the form is left alone.
    """
    form, line = options.form, options.line
    if options.model is None:
        edits.refusals.append((line, f"{form}.Meta names no model here"))
        return None
    excluded: list[str] = []
    if options.has_exclude:
        if options.exclude is None:
            edits.refusals.append((line, f"{form}.Meta.exclude is not a literal list of names"))
            return None
        excluded = options.exclude
    explicit: list[str] | None = None
    if options.has_fields and not options.all_fields:
        explicit = options.fields
        if explicit is None:
            edits.refusals.append((line, f"{form}.Meta.fields is not a literal list of names"))
            return None
    names, problem = resolve(options.model)
    if problem is not None:
        edits.refusals.append((line, f"{form}: {problem}"))
        return None
    unknown = sorted(set(excluded) - set(names))
    if explicit is None and unknown:
        edits.ignored.append(
            (
                line,
                f"{form}.Meta.exclude names {', '.join(unknown)}, which the form never "
                "had (Django ignored it): check for a typo",
            )
        )
    chosen = [n for n in (explicit if explicit is not None else names) if n not in excluded]
    edits.converted.append((line, form, len(chosen)))
    return chosen


def format_list(names: list[str], quote: str, indent: int, line_length: int, head: str) -> str:
    """Write a list of strings as black and ruff format it.

    :param names: the strings.
    :param quote: the quote character to use.
    :param indent: the statement's indentation, in spaces.
    :param line_length: the project's line length.
    :param head: what precedes the list on its line (``fields = ``).
    :returns: the list's source, on one line when it fits, else exploded; continuation lines
        are relative to the statement (libcst and the splice indent them by the block).
    """
    items = [f"{quote}{name}{quote}" for name in names]
    one_line = "[" + ", ".join(items) + "]"
    if indent + len(head) + len(one_line) <= line_length:
        return one_line
    inner = "    "
    body = ", ".join(items)
    if indent + len(inner) + len(body) <= line_length:
        return "[\n" + inner + body + "\n]"
    return "[\n" + "".join(f"{inner}{item},\n" for item in items) + "]"


__all__ = ["FormEdits", "MetaOptions", "Resolve", "decide", "format_list", "wants_rewrite"]
