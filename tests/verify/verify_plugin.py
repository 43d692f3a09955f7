"""Plug-in codemods that break the legacy project on purpose, each in one way, next to sound ones.

Installed for a test through the ``redpanda_migrate.codemods`` entry-point group: see
:func:`install_plugin`, which writes a ``*.dist-info`` folder next to this module's copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from redpanda_migrate.codemod import Codemod, Example, ProjectInput, ProjectOutcome

EXAMPLE = Example(path="x.py", before="a = 1\n", after="a = 1  # changed\n")
MODELS = "project/shop/models.py"
BROKEN_FOREIGN_KEY = """

class VerifyBroken(models.Model):
    ref = models.ForeignKey("shop.NoSuchModel", on_delete=models.CASCADE)
"""
UNMIGRATED_MODEL = """

class VerifyUnmigrated(models.Model):
    name = models.CharField(max_length=10)
"""
FAILING_MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_order_review_and_product_kinds")]
    operations = [migrations.RunSQL("SELECT missing_column FROM no_such_table")]
"""


def _edit(path: str, change: Callable[[str], str]) -> Callable[[ProjectInput], ProjectOutcome]:
    def transform(project: ProjectInput) -> ProjectOutcome:
        text = project.files.get(path)
        if text is None:
            return ProjectOutcome()
        return ProjectOutcome(writes={path: change(text)})

    return transform


def _create(path: str, text: str) -> Callable[[ProjectInput], ProjectOutcome]:
    def transform(project: ProjectInput) -> ProjectOutcome:
        return ProjectOutcome(writes={} if path in project.files else {path: text})

    return transform


def _codemod(codemod_id: str, order: int, files: tuple[str, ...], transform) -> Codemod:
    return Codemod(
        id=codemod_id,
        title=codemod_id,
        section="Testing",
        files=files,
        rationale="test",
        example=EXAMPLE,
        transform_project=transform,
        order=order,
    )


def _append(line: str) -> Callable[[str], str]:
    return lambda text: text if line in text else text + line


SOUND_FIRST = _codemod(
    "verify-sound-first",
    900,
    ("project/config/urls.py",),
    _edit("project/config/urls.py", _append("# checked by verify-sound-first\n")),
)
BREAK_CHECK = _codemod(
    "verify-break-check", 901, (MODELS,), _edit(MODELS, _append(BROKEN_FOREIGN_KEY))
)
BREAK_MAKEMIGRATIONS = _codemod(
    "verify-break-makemigrations", 902, (MODELS,), _edit(MODELS, _append(UNMIGRATED_MODEL))
)
BREAK_MIGRATE = _codemod(
    "verify-break-migrate",
    903,
    ("project/shop/migrations/*.py",),
    _create("project/shop/migrations/0099_verify_broken.py", FAILING_MIGRATION),
)
# web's SECRET_KEY from .env is overridden by an unset variable: empty at run time
BREAK_COMPOSE = _codemod(
    "verify-break-compose",
    904,
    ("docker-compose.yml",),
    _edit(
        "docker-compose.yml",
        lambda text: text.replace(
            "  web:\n    build: ./project\n",
            "  web:\n    build: ./project\n    environment:\n"
            "      SECRET_KEY: ${REDPANDA_VERIFY_UNSET}\n",
            1,
        ),
    ),
)
BREAK_NGINX = _codemod(
    "verify-break-nginx",
    905,
    ("nginx/shop.conf",),
    _edit(
        "nginx/shop.conf",
        lambda text: text.replace(
            "    location /media/ {", "    location /static/ {\n    }\n\n    location /media/ {", 1
        ),
    ),
)
SOUND_LAST = _codemod(
    "verify-sound-last",
    999,
    (MODELS,),
    _edit(MODELS, _append("# checked by verify-sound-last\n")),
)
# a project whose own test command prints its .env: the output shown must be scrubbed
BREAK_COMMAND = _codemod("verify-break-command", 906, ("*.txt",), _create("BROKEN.txt", "x\n"))

CODEMODS = {
    "verify-sound-first": "SOUND_FIRST",
    "verify-break-check": "BREAK_CHECK",
    "verify-break-makemigrations": "BREAK_MAKEMIGRATIONS",
    "verify-break-migrate": "BREAK_MIGRATE",
    "verify-break-compose": "BREAK_COMPOSE",
    "verify-break-nginx": "BREAK_NGINX",
    "verify-break-command": "BREAK_COMMAND",
    "verify-sound-last": "SOUND_LAST",
}


def install_plugin(folder: Path) -> Path:
    """Make this module an installed plug-in distribution in ``folder`` (put it on PYTHONPATH).

    :returns: ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__), folder / "redpanda_verify_plugin.py")
    info = folder / "redpanda_verify_plugin-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: redpanda-verify-plugin\nVersion: 1.0\n"
    )
    lines = [f"{cid} = redpanda_verify_plugin:{name}" for cid, name in CODEMODS.items()]
    (info / "entry_points.txt").write_text(
        "[redpanda_migrate.codemods]\n" + "\n".join(lines) + "\n"
    )
    return folder
