"""How the engine scales with repository size: prints times and ratios, asserts nothing.

Builds a synthetic repository of N Python modules that no codemod concerns (plus the legacy
example project), then times a full ``--check`` run against the time it takes merely to read
every file. The target from the developers' guide: thousands of files in about a second, i.e.
an overhead ratio close to the cost of reading them. ``--tree PATH`` times a copy of a real
project instead (Django's own source, say), where codemods do parse most modules; the
per-codemod times show which codemod a slow run spends its time in.

    python benchmarks/large_repo.py [N]
    python benchmarks/large_repo.py --tree PATH
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from redpanda_migrate.registry import all_codemods
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


def per_codemod(root: Path) -> list[tuple[float, str]]:
    times = []
    for codemod in all_codemods():
        start = time.perf_counter()
        plan_project(root, [codemod.id], jobs=1)
        times.append((time.perf_counter() - start, codemod.id))
    return sorted(times, reverse=True)


def main() -> None:
    tree = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--tree" else None
    count = int(sys.argv[1]) if len(sys.argv) > 1 and tree is None else 3000
    startup = seconds(all_codemods)  # importing every codemod, paid once per command
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        if tree is not None:
            shutil.copytree(tree, root, ignore=shutil.ignore_patterns(".git", "__pycache__"))
        else:
            build(root, count)
        python_files = sum(1 for _ in root.rglob("*.py"))
        read_everything(root)  # warm the page cache for a fair comparison
        read_time = seconds(lambda: read_everything(root))
        serial = seconds(lambda: plan_project(root, jobs=1))
        parallel = seconds(lambda: plan_project(root, jobs=2))
        slowest = per_codemod(root)[:3]
    print(f"files: {python_files} Python modules ({tree or 'synthetic, plus the legacy project'})")
    print(f"loading the codemods: {startup:.2f} s")
    print(f"full run (1 job): {serial:.2f} s; with loading: {serial + startup:.2f} s")
    print(f"full run (1 job) / reading every file: {serial / read_time:.1f}x")
    print(f"full run, 2 jobs / 1 job: {parallel / serial:.2f}x")
    print(f"files per second (1 job): {python_files / serial:,.0f}")
    print("slowest codemods alone: " + ", ".join(f"{cid} {t:.2f} s" for t, cid in slowest))


if __name__ == "__main__":
    main()
