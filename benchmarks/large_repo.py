"""How the engine scales with repository size: prints ratios, asserts nothing.

Builds a synthetic repository of N Python modules that no codemod concerns (plus the legacy
example project), then times a full ``--check`` run against the time it takes merely to read
every file. The target from the developers' guide: thousands of files in about a second, i.e.
an overhead ratio close to the cost of reading them.

    python benchmarks/large_repo.py [N]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from redpanda_migrate.runner import plan_project

REPO = Path(__file__).resolve().parent.parent
MODULE = '''"""Module {index}."""

import logging

logger = logging.getLogger(__name__)


def handler_{index}(request, value: int) -> int:
    """Return the value, logged."""
    logger.info("value %s", value)
    return value * {index}
'''


def build(root: Path, count: int) -> None:
    shutil.copytree(REPO / "fixtures" / "legacy-project", root / "legacy")
    for index in range(count):
        package = root / "services" / f"pkg{index // 100}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"module_{index}.py").write_text(MODULE.format(index=index))


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def read_everything(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            path.read_bytes()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, count)
        read_everything(root)  # warm the page cache for a fair comparison
        read_time = seconds(lambda: read_everything(root))
        serial = seconds(lambda: plan_project(root, jobs=1))
        parallel = seconds(lambda: plan_project(root, jobs=2))
    print(f"files: {count} Python modules + the legacy project")
    print(f"full run (1 job) / reading every file: {serial / read_time:.1f}x")
    print(f"full run, 2 jobs / 1 job: {parallel / serial:.2f}x")
    print(f"files per second (1 job): {count / serial:,.0f}")


if __name__ == "__main__":
    main()
