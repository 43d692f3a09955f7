"""Which candidate files are nginx configs: by place, and elsewhere by content.

Part of the shared helpers of the nginx codemods, which enforce the standard's "Nginx Reverse
Proxy" section. The engine hands over every ``*.conf``, ``*.template``... of the project that
holds one of the codemods' needles; this module keeps the ones that are nginx configs, so a
config in ``deploy/site.conf`` or ``docker/web.conf`` is not missed and a ``postgresql.conf``
or ``supervisord.conf`` is silently left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from redpanda_migrate.codemods.nginx.config import NginxFile, Project
from redpanda_migrate.codemods.nginx.parse import looks_like_nginx, parse_text, walk

from redpanda_migrate.codemod import Finding, InputError
from redpanda_migrate.discovery import compile_patterns

# Where nginx configs usually live: files there are nginx files when they parse as nginx;
# candidates elsewhere must also hold a server, upstream, location or http block, or be
# included by a file that does.
USUAL_FILES = (
    "**/nginx/**/*.conf",
    "**/nginx/**/*.conf.template",
    "**/nginx.conf",
    "**/nginx*.conf",
    "**/conf.d/*.conf",
    "**/sites-available/*",
    "**/sites-enabled/*",
    "**/snippets/*.conf",
)
CONFIG_BLOCKS = frozenset({"server", "upstream", "location", "http"})


def load_project(texts: Mapping[str, str]) -> Project:
    """Parse every candidate nginx file of a project.

    Files that do not parse are kept out; when they are clearly nginx files they get a
    finding, otherwise (a ``.conf`` of another program) they are silently ignored.

    Candidates in the usual places (:data:`USUAL_FILES`) are nginx files when they parse as
    nginx; candidates elsewhere (any ``*.conf``) must also hold a ``server``, ``upstream``,
    ``location`` or ``http`` block, or be included by a file that is kept.

    :param texts: candidate texts by path.
    :returns: the project.
    """
    project = Project()
    usual = compile_patterns(USUAL_FILES)
    others: dict[str, NginxFile] = {}
    for path, text in sorted(texts.items()):
        try:
            nginx = parse_text(path, text)
        except InputError as error:
            if looks_like_nginx(path, text):
                project.errors.append(
                    Finding(
                        path, error.line, f"not rewritten: does not parse as nginx: {error.message}"
                    )
                )
            continue
        if usual.match_file(path) or any(d.name in CONFIG_BLOCKS for d in walk(nginx.top)):
            project.files[path] = nginx
        else:
            others[path] = nginx
    # a snippet elsewhere (deploy/proxy_headers) counts when a config includes it
    while others:
        project_with_others = Project(files={**project.files, **others})
        included = {
            f.path
            for nginx in project.files.values()
            for include in walk(nginx.top)
            if include.name == "include" and include.args
            for f in project_with_others.resolve_include(nginx.path, include.args[0]) or ()
            if f.path in others
        }
        if not included:
            break
        for path in sorted(included):
            project.files[path] = others.pop(path)
    return project
