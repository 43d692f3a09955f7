"""The tool runs on the oldest Python it supports (3.10) and writes the same patch there.

The suite itself runs on the machine's Python (3.11); this installs the package into a fresh
Python 3.10 virtualenv and previews the example project's migration with it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import LEGACY, REPO


def python310() -> str | None:
    """Find a Python 3.10 interpreter: on PATH, or one that pyenv installed."""
    candidates = [shutil.which("python3.10") or ""]
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{root}/versions/3.10*/bin/python3.10"))
    for candidate in candidates:
        if (
            candidate
            and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0
        ):
            return candidate
    return None


def preview(executable: Path, project: Path) -> str:
    result = subprocess.run(
        [str(executable), "--dry-run", str(project)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.replace(str(project), "<project>")


@pytest.mark.skipif(python310() is None, reason="no Python 3.10 interpreter on this machine")
def test_python_310_previews_the_same_migration(tmp_path: Path) -> None:
    interpreter = python310()
    assert interpreter is not None
    venv = tmp_path / "venv"
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(REPO)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    project = shutil.copytree(LEGACY, tmp_path / "project")
    on_310 = preview(venv / "bin" / "redpanda-migrate", project)
    here = preview(Path(sys.executable).parent / "redpanda-migrate", project)
    assert on_310 == here
    assert "+++ b/nginx/shop.conf" in on_310
