"""Fleet throughput: repositories per minute for 1 and 2 jobs and on a local dask cluster.

Builds N small legacy repositories from the bundled example project (as bare remotes), runs the
batch over them three ways and prints throughput and ratios. Asserts nothing.

    python benchmarks/batch.py [N]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redpanda_migrate.batch import run_batch

REPO = Path(__file__).resolve().parent.parent


def build_fleet(root: Path, count: int) -> list[str]:
    sources = []
    for index in range(count):
        work = root / "work" / f"service-{index}"
        shutil.copytree(REPO / "fixtures" / "legacy-project", work)
        for command in (["git", "init", "-q"], ["git", "add", "-A", "-f"],
                        ["git", "commit", "-qm", "legacy"]):  # fmt: skip
            subprocess.run(command, cwd=work, check=True)
        bare = root / "remotes" / f"service-{index}.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
        sources.append(str(bare))
    return sources


def per_minute(count: int, action) -> float:
    start = time.perf_counter()
    action()
    return count / (time.perf_counter() - start) * 60


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    for role in ("AUTHOR", "COMMITTER"):
        os.environ.setdefault(f"GIT_{role}_NAME", "bench")
        os.environ.setdefault(f"GIT_{role}_EMAIL", "bench@example.invalid")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sources = build_fleet(root, count)
        one = per_minute(count, lambda: run_batch(sources, root / "one", workers=1))
        two = per_minute(count, lambda: run_batch(sources, root / "two", workers=2))
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
            on_dask = per_minute(
                count,
                lambda: run_batch(
                    sources, root / "dask", executor="dask", scheduler=cluster.scheduler_address
                ),
            )
    print(f"repositories: {count}")
    print(f"1 job: {one:.1f} repositories/minute")
    print(f"2 jobs / 1 job: {two / one:.2f}x")
    print(f"dask LocalCluster (2 workers) / 1 job: {on_dask / one:.2f}x")


if __name__ == "__main__":
    main()
