"""The shared nginx helpers: parsing with positions, context, includes and edits."""

from __future__ import annotations

import pytest
from redpanda_migrate.codemods.nginx.config import Project
from redpanda_migrate.codemods.nginx.discover import load_project
from redpanda_migrate.codemods.nginx.edit import (
    apply_edits,
    insert_after,
    insert_first,
    insert_in_server,
    insert_last,
    remove,
)
from redpanda_migrate.codemods.nginx.parse import lex, parse_text, validate, walk

from redpanda_migrate.codemod import InputError

SNIPPET = """# header
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
server {
    listen 80;  # comment ; { }
    location ~ "^/a{2}" { return 200 "x;y \\" z"; }
    location / { proxy_pass http://app:8000; proxy_set_header X-A ${host}x; }
}
"""


def test_tokens_know_their_source_text() -> None:
    tokens = lex(SNIPPET)
    assert all(SNIPPET[t.start : t.end] == t.raw for t in tokens)
    assert [t.value for t in tokens if t.quoted] == ["", "^/a{2}", 'x;y " z']
    assert "${host}x" in [t.value for t in tokens]


def test_parse_gives_tree_lines_and_context() -> None:
    nginx = parse_text("conf.d/app.conf", SNIPPET)
    assert nginx.kind == "http"
    names = [(d.name, d.line) for d in walk(nginx.top)]
    assert names[0] == ("map", 2)
    assert ("proxy_pass", 6) in names
    location = [d for d in walk(nginx.top) if d.name == "location"][0]
    assert location.args == ["~", "^/a{2}"]
    assert SNIPPET[location.start : location.end].endswith('z"; }')


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("events {}\nhttp { server { listen 80; } }\n", "main"),
        ("server { listen 80; }\n", "http"),
        ("proxy_set_header Host $host;\n", "fragment"),
        ("location / { return 204; }\n", "fragment"),
        ("allow 10.0.0.0/8;\ndeny all;\n", "fragment"),
    ],
)
def test_context_detection(text: str, kind: str) -> None:
    assert parse_text("x.conf", text).kind == kind


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server { listen 80;\n", "unexpected end of file"),
        ("server { listen 80 }\n", "not terminated"),
        ('server { return 200 "x; }\n', "unterminated"),
        ("set $x 1;\nserver { listen 80; }\n", "not allowed here"),
        ("server { location / { proxy_pass; } }\n", "invalid number of arguments"),
    ],
)
def test_invalid_configs_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_text("x.conf", text)
    with pytest.raises(ValueError, match="invalid nginx configuration"):
        validate("x.conf", text)


def test_edits_match_layout_and_keep_other_bytes() -> None:
    text = "server {\n\tlisten 80;\n\tlocation / { proxy_pass http://a; }\n}\n"
    nginx = parse_text("a.conf", text)
    server = nginx.servers()[0]
    location = server.block[1]
    edits = [
        insert_in_server(text, server, ["set $x 1;"]),
        insert_last(text, location, ["proxy_set_header Host $host;  # why"]),
        insert_after(text, location.block[0], ["proxy_redirect off;"]),
    ]
    assert apply_edits(text, edits) == (
        "server {\n\tlisten 80;\n\tset $x 1;\n"
        "\tlocation / { proxy_pass http://a; proxy_set_header Host $host; "
        "proxy_redirect off; }\n}\n"
    )


def test_insert_into_empty_block_and_remove_block() -> None:
    text = "upstream a {\n    server a:1;\n}\n\nserver {\n    location / {\n    }\n}\n"
    nginx = parse_text("a.conf", text)
    upstream, server = nginx.top
    location = server.block[0]
    edits = [remove(text, upstream), insert_first(text, location, ["return 204;"])]
    assert apply_edits(text, edits) == "server {\n    location / {\n        return 204;\n    }\n}\n"


def test_overlapping_edits_are_a_bug() -> None:
    text = "server { listen 80; }\n"
    server = parse_text("a.conf", text).top[0]
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits(text, [remove(text, server), remove(text, server.block[0])])


def test_includes_are_followed_inside_the_project() -> None:
    project = load_project(
        {
            "nginx/conf.d/app.conf": "server { location / { include snippets/h.conf; } }\n",
            "nginx/snippets/h.conf": "proxy_set_header Host $host;\n",
            "docker/postgres/conf.d/pg.conf": "shared_buffers = 128MB\n",
        }
    )
    assert isinstance(project, Project)
    assert set(project.files) == {"nginx/conf.d/app.conf", "nginx/snippets/h.conf"}
    assert project.errors == []
    found = project.resolve_include("nginx/conf.d/app.conf", "/etc/nginx/snippets/h.conf")
    assert [f.path for f in found or []] == ["nginx/snippets/h.conf"]
    assert project.resolve_include("nginx/conf.d/app.conf", "/etc/nginx/mime.types") == []
    assert project.resolve_include("nginx/conf.d/app.conf", "proxy_params") is None
    globbed = project.resolve_include("nginx/nginx.conf", "/etc/nginx/conf.d/*.conf")
    assert [f.path for f in globbed or []] == ["nginx/conf.d/app.conf"]


def test_broken_nginx_files_are_reported_other_programs_ignored() -> None:
    project = load_project(
        {
            "nginx/conf.d/broken.conf": "server { listen 80\n",
            "deploy/conf.d/supervisor.conf": "[program:x]\ncommand=gunicorn\n",
        }
    )
    assert [finding.path for finding in project.errors] == ["nginx/conf.d/broken.conf"]


def test_http_level_spans_nginx_conf_and_its_conf_d() -> None:
    project = load_project(
        {
            "nginx/nginx.conf": (
                "events {}\nhttp {\n    proxy_set_header Host $host;\n    proxy_redirect off;\n"
                "    include /etc/nginx/conf.d/*.conf;\n}\n"
            ),
            "nginx/conf.d/a.conf": "resolver 127.0.0.11;\nserver { location / { proxy_pass $x; } }",
            "nginx/conf.d/b.conf": "server { location / { proxy_set_header X-A 1; } }\n",
            "other/conf.d/c.conf": "server { location / { proxy_pass $y; } }\n",
        }
    )
    a, b, c = (
        project.files[p]
        for p in ("nginx/conf.d/a.conf", "nginx/conf.d/b.conf", "other/conf.d/c.conf")
    )
    main = project.files["nginx/nginx.conf"]
    assert project.http_files(a) == [main, a, b]
    assert project.http_files(c) == [c]
    use = a.servers()[0].block[0].block[0]
    inherited = project.effective(a, use, "proxy_set_header")
    assert [d.args for d in inherited] == [["Host", "$host"]]
    assert not a.owns(inherited[0]) and main.owns(inherited[0])
    assert [d.args for d in project.effective(a, use, "proxy_redirect")] == [["off"]]
    # b's own location decides; c's level has no main config and no sibling with headers
    own = b.servers()[0].block[0]
    assert [d.args for d in project.effective(b, own, "proxy_set_header")] == [["X-A", "1"]]
    assert project.effective(c, c.servers()[0].block[0], "proxy_set_header") == []
    assert [d.name for d in project.http_level(b) or [] if d.name == "resolver"] == ["resolver"]


def test_http_level_with_an_include_outside_the_project_is_unknown() -> None:
    project = load_project(
        {"nginx/conf.d/a.conf": "include /etc/nginx/site-extra.conf;\nserver { listen 80; }\n"}
    )
    nginx = project.files["nginx/conf.d/a.conf"]
    assert project.http_level(nginx) is None
    assert project.effective(nginx, nginx.servers()[0], "add_header") is None


def test_envsubst_placeholder_followed_by_a_word_is_two_arguments() -> None:
    # crossplane's lexer glues the character after "}" to the token; nginx (and envsubst's
    # output) end the token at the space
    nginx = parse_text(
        "default.conf.template",
        "server {\n    server_name ${DOMAIN} www.${DOMAIN};\n    listen ${PORT};\n}\n",
    )
    server = nginx.top[0]
    assert [d.args for d in server.block] == [["${DOMAIN}", "www.${DOMAIN}"], ["${PORT}"]]
