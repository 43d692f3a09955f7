"""Small codemods that exercise every path of the engine, independent of the real catalogue."""

from __future__ import annotations

import libcst

from redpanda_migrate.codemod import (
    Codemod,
    Example,
    FileOutcome,
    Finding,
    InputError,
    ProjectInput,
    ProjectOutcome,
    SourceFile,
)

EXAMPLE = Example(path="x.py", before="foo = 1\n", after="bar = 1\n")


class _Rename(libcst.CSTTransformer):
    def __init__(self, new_name: str) -> None:
        super().__init__()
        self.new_name = new_name

    def leave_Name(self, original_node: libcst.Name, updated_node: libcst.Name) -> libcst.Name:
        if updated_node.value != "foo":
            return updated_node
        return updated_node.with_changes(value=self.new_name)


def rename_foo(source: SourceFile) -> FileOutcome:
    if "foo_crash" in source.text:
        raise RuntimeError("boom")
    try:
        module = libcst.parse_module(source.text)
    except libcst.ParserSyntaxError as error:
        raise InputError(f"invalid Python syntax: {error.message}", error.raw_line) from None
    if "foo_refuse" in source.text:
        return FileOutcome(source.text, refusals=(Finding(source.path, 1, "foo_refuse found"),))
    new_text = module.visit(_Rename(source.options.get("to", "bar"))).code
    if "foo_invalid" in source.text:
        new_text += "\n)(\n"
    notes = (Finding(source.path, 1, "renamed foo"),) if new_text != source.text else ()
    return FileOutcome(new_text, notes=notes)


def bar_to_baz(source: SourceFile) -> FileOutcome:
    return FileOutcome(source.text.replace("bar = ", "baz = "))


def create_and_delete(project: ProjectInput) -> ProjectOutcome:
    writes: dict[str, str | None] = {}
    if "OLD.txt" in project.files:
        writes["OLD.txt"] = None
    if "NEW.txt" not in project.files:
        writes["NEW.txt"] = "created\n"
    env = project.files.get(".env")
    notes: tuple[Finding, ...] = ()
    errors = tuple(Finding(p, 2, "cannot read this one") for p in project.files if "BAD" in p)
    if env is not None and "TOKEN=" in env:
        token = env.split("TOKEN=", 1)[1].splitlines()[0]
        writes[".env"] = env if "EXTRA=" in env else env + "EXTRA=added-value\n"
        notes = (Finding(".env", 1, f"token is {token}"),)
    if project.unreadable:
        notes += (Finding(".", None, f"not seen: {', '.join(project.unreadable)}"),)
    return ProjectOutcome(writes=writes, notes=notes, errors=errors)


RENAME = Codemod(
    id="rename-foo",
    title="Rename foo to bar",
    section="Testing",
    files=("**/*.py",),
    needles=("foo",),
    rationale="test",
    example=EXAMPLE,
    transform_file=rename_foo,
    order=1,
)
BAZ = Codemod(
    id="bar-to-baz",
    title="Rename bar assignments to baz",
    section="Testing",
    files=("*.py",),
    needles=("bar = ",),
    rationale="test",
    example=EXAMPLE,
    transform_file=bar_to_baz,
    order=2,
)
FILES = Codemod(
    id="create-delete",
    title="Create NEW.txt, delete OLD.txt",
    section="Testing",
    files=("*.txt",),
    also_reads=(".env",),
    rationale="test",
    example=EXAMPLE,
    transform_project=create_and_delete,
    order=3,
)
FAKES = (RENAME, BAZ, FILES)
