"""What every nginx codemod declares the same way: its files, needles, validator and run.

The six ``nginx-*`` codemods enforce the standard's "Nginx Reverse Proxy" section. Each module
holds only its own rule, a ``rewrite_file(nginx, project) -> FileResult`` over one parsed file;
:func:`nginx_codemod` turns it into a :class:`~redpanda_migrate.codemod.Codemod` that looks at
the same candidate files, checks its output with crossplane and runs the rule over every nginx
file of the project (:func:`run_project`), applying the edits to the original text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redpanda_migrate.codemods.nginx.config import (
    FileResult,
    NginxFile,
    Project,
    apply_edits,
    validate,
)
from redpanda_migrate.codemods.nginx.discover import USUAL_FILES, load_project

from redpanda_migrate.codemod import Codemod, Example, Finding, ProjectInput, ProjectOutcome

SECTION = "Nginx Reverse Proxy"
NOT_CONFIGS = (
    "*.py",
    "*.pyc",
    "*.md",
    "*.rst",
    "*.txt",
    "*.sh",
    "*.js",
    "*.html",
    "*.json",
    "*.yml",
    "*.yaml",
    "*.toml",
    "*.pem",
    "*.crt",
    "*.key",
    "Dockerfile*",
)
# Configs anywhere with a config's extension (``deploy/site.conf``, ``docker/web.conf``,
# ``*.conf.template``), and every file of an ``nginx`` folder (bookwyrm's ``nginx/locations``):
# the candidates are kept by content (see ``discover.load_project``). ``[tool.redpanda-migrate.
# nginx]`` ``include``/``exclude`` add or remove paths for the whole family.
FILES = (
    *USUAL_FILES,
    "**/*.conf",
    "**/*.conf.template",
    "**/*.template",
    "**/*.nginx",
    "**/*.vhost",
    "**/nginx/**",
    # ...but not the code, documents and keys that sit in nginx folders too
    *(f"!**/{name}" for name in NOT_CONFIGS),
)
FAMILY = "nginx"
# A candidate must contain one of these before it is parsed at all.
NEEDLES = (
    "proxy_pass",
    "server",
    "upstream",
    "location",
    "proxy_set_header",
    "allow ",
    "map ",
    "resolver",
    "access_log",
    "add_header",
)

# The server block most examples start from (``explain`` shows them).
EXAMPLE_SERVER = (
    "server {\n    listen 80;\n\n    location / {\n        proxy_pass $backend_app;\n    }\n}\n"
)

FileRewrite = Callable[[NginxFile, Project], FileResult]


def run_project(
    source: ProjectInput, rewrite: FileRewrite, report_errors: bool = False
) -> ProjectOutcome:
    """Run a per-file nginx rewrite over every nginx file of a project.

    :param source: the project input (candidate files).
    :param rewrite: ``(file, project) -> FileResult``; may record project-wide state on the
        :class:`Project` (``project.added``) to avoid duplicates across files.
    :param report_errors: report files that do not parse (one codemod does, so the user sees
        each error once).
    :returns: the outcome.
    """
    project = load_project(source.files)
    writes: dict[str, str] = {}
    notes: list[Finding] = []
    refusals: list[Finding] = list(project.errors) if report_errors else []
    for path, nginx in project.files.items():
        result = rewrite(nginx, project)
        notes.extend(result.notes)
        refusals.extend(result.refusals)
        if result.edits:
            writes[path] = apply_edits(nginx.text, result.edits)
    return ProjectOutcome(writes, tuple(notes), tuple(refusals))


@dataclass(frozen=True)
class ProjectRun:
    """The project transform of an nginx codemod: one rule run over every nginx file.

    A module-level class (not a closure), so a codemod can be pickled with it.

    :param rewrite: the codemod's rule, ``(file, project) -> FileResult``.
    :param report_errors: also report the files that do not parse.
    """

    rewrite: FileRewrite
    report_errors: bool = False

    def __call__(self, source: ProjectInput) -> ProjectOutcome:
        """Run the rule over the candidate nginx files.

        :param source: the candidate nginx files.
        :returns: the rewritten files, notes and refusals.
        """
        return run_project(source, self.rewrite, self.report_errors)


def nginx_codemod(
    codemod_id: str,
    title: str,
    rationale: str,
    example: Example,
    rewrite: FileRewrite,
    order: int,
    report_errors: bool = False,
) -> Codemod:
    """Declare an nginx codemod of the standard's "Nginx Reverse Proxy" section.

    :param codemod_id: the id (the module name with ``-`` for ``_``).
    :param title: one line saying what it does.
    :param rationale: why the standard wants it.
    :param example: a before/after example.
    :param rewrite: the rule, ``(file, project) -> FileResult``.
    :param order: its place in the run (``nginx-resolver`` last, at 360, so a ``Host`` header
        added by ``nginx-proxy-headers`` lets it rewrite in the same run).
    :param report_errors: report files that do not parse (exactly one codemod does, so each
        error is shown once).
    :returns: the codemod, with the shared files, needles and crossplane validator.
    """
    return Codemod(
        id=codemod_id,
        title=title,
        section=SECTION,
        files=FILES,
        needles=NEEDLES,
        rationale=rationale,
        example=example,
        transform_project=ProjectRun(rewrite, report_errors),
        validator=validate,
        order=order,
        family=FAMILY,
    )
