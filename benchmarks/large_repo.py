"""How fast a full run is on a large real repository, next to django-upgrade and ruff.

Prints times, ratios and peak memory against the targets of the developers' guide (issue #20);
asserts nothing. The repository is real public code obtainable on any machine: the source
distribution of a large Django project from PyPI (Django itself by default, ``--sdist wagtail``
for another), downloaded once with pip into the benchmark's cache folder; ``--tree PATH`` times
any checkout instead (saleor/saleor, say). django-upgrade and ruff are installed into the
benchmark's own virtualenv in the same folder; without network they are skipped with a message.

Every command is timed in a fresh process, the tools taking turns within each round, and the
median of the rounds is reported:

* ours cold: ``redpanda-migrate --dry-run`` with an empty cache folder;
* ours warm: the same with the cache the cold run left and no file changed (the tool's
  modules are byte-compiled first, as an installed copy's are);
* ``django-upgrade --check`` on every Python file; ``ruff check --select UP,DJ --diff``;
* ``--version`` and ``--help``, and each codemod alone (``--select``, cold);
* the engine's own overhead in-process (discovery, ``.gitignore``, reading, facts).

    python benchmarks/large_repo.py [--sdist django|wagtail] [--tree PATH] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from platformdirs import user_cache_path

from redpanda_migrate.registry import all_codemods

SDISTS = {"django": "django>=5.2,<5.3", "wagtail": "wagtail>=7,<9"}
# the targets of issue #20
COLD_RATIO_TARGET = 0.2
WARM_RATIO_TARGET = 0.05
STARTUP_TARGET_SECONDS = 0.15
ENGINE_TARGET_SECONDS_PER_4000_FILES = 0.5
PEAK_MEMORY_TARGET_MB = 500
OURS = [str(Path(sys.executable).with_name("redpanda-migrate"))]
BENCHMARK_FOLDER = user_cache_path("redpanda-migrate-benchmarks", appauthor=False)


def say(message: str) -> None:
    print(message, flush=True)


def fetch_sdist(name: str) -> Path:
    """Download and unpack a source distribution once; return its folder."""
    downloads = BENCHMARK_FOLDER / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    archives = sorted(downloads.glob(f"{name}-*.tar.gz"))
    if not archives:
        say(f"downloading the {name} source distribution into {downloads} ...")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
            + ["-d", str(downloads), SDISTS[name]],
            check=True,
        )
        archives = sorted(downloads.glob(f"{name}-*.tar.gz"))
    archive = archives[-1]
    unpacked = downloads / archive.name.removesuffix(".tar.gz")
    if not unpacked.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(downloads, filter="data")
    return unpacked


def tool_commands() -> dict[str, Path]:
    """Install django-upgrade and ruff into the benchmark's virtualenv; {} when impossible."""
    venv = BENCHMARK_FOLDER / "venv"
    scripts = {name: venv / "bin" / name for name in ("django-upgrade", "ruff")}
    if all(path.exists() for path in scripts.values()):
        return scripts
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "django-upgrade", "ruff"],
            check=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as error:
        say(f"django-upgrade and ruff skipped: cannot install them ({error})")
        return {}
    return scripts


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run a command; return its wall time and CPU time in seconds and its peak memory in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, cpu, usage.ru_maxrss / 1024


def byte_compile() -> None:
    """Compile the tool's modules once, as ``pip install`` does.

    An editable install under ``PYTHONDONTWRITEBYTECODE`` would compile every module on every
    run, which no installed copy does.
    """
    import compileall

    import redpanda_migrate.codemods

    import redpanda_migrate

    for package in (redpanda_migrate, redpanda_migrate.codemods):
        for folder in package.__path__:
            compileall.compile_dir(folder, quiet=1)


def python_files(root: Path) -> list[str]:
    return [str(path) for path in sorted(root.rglob("*.py")) if ".git" not in path.parts]


def engine_overhead(root: Path) -> tuple[float, int]:
    """Discovery, .gitignore, reading every file and the facts, in-process."""
    from redpanda_migrate.config import load_config
    from redpanda_migrate.discovery import iter_project_files
    from redpanda_migrate.facts import build_facts
    from redpanda_migrate.workspace import Workspace

    start = time.process_time()  # CPU time: the target is the engine's work, not the machine's
    files = tuple(iter_project_files(root, load_config(root).exclude))
    workspace = Workspace(root, files)
    for path in files:
        workspace.read(path)
    build_facts(root.name, files, workspace.read)
    return time.process_time() - start, len(files)


class Timer:
    """Alternating rounds of every command, each with its own fresh cache folder when asked."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.times: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.memory: dict[str, float] = {}

    def run(self, label: str, command: Sequence[str], cache: str | None = None) -> None:
        env = dict(os.environ)
        if cache is not None:
            env["XDG_CACHE_HOME"] = str(self.scratch / cache)
        seconds, cpu, megabytes = timed(command, env)
        self.times.setdefault(label, []).append(seconds)
        self.cpu.setdefault(label, []).append(cpu)
        self.memory[label] = max(self.memory.get(label, 0.0), megabytes)

    def median(self, label: str) -> float:
        return statistics.median(self.times[label])

    def cpu_median(self, label: str) -> float:
        return statistics.median(self.cpu[label])

    def fresh_cache(self, name: str) -> str:
        shutil.rmtree(self.scratch / name, ignore_errors=True)
        return name


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", choices=sorted(SDISTS), default="django")
    parser.add_argument("--tree", type=Path, help="time this checkout instead of an sdist")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-per-codemod", action="store_true")
    options = parser.parse_args()
    root = (options.tree or fetch_sdist(options.sdist)).resolve()
    tools = tool_commands()
    byte_compile()
    files = python_files(root)
    say(f"repository: {root} ({len(files):,} Python files)")
    with tempfile.TemporaryDirectory(prefix="redpanda-bench-") as folder:
        timer = Timer(Path(folder))
        for _ in range(options.rounds):
            timer.run("ours cold", [*OURS, "--dry-run", str(root)], timer.fresh_cache("cold"))
            timer.run("ours warm", [*OURS, "--dry-run", str(root)], "cold")
            if tools:
                timer.run(
                    "django-upgrade",
                    [str(tools["django-upgrade"]), "--target-version", "5.2", "--check", *files],
                )
                timer.run(
                    "ruff",
                    [str(tools["ruff"]), "check", "--no-cache", "--select", "UP,DJ", "--diff"]
                    + ["--exit-zero", "--isolated", str(root)],
                )
            timer.run("--version", [*OURS, "--version"])
            timer.run("--help", [*OURS, "--help"])
        if not options.no_per_codemod:
            for codemod in all_codemods():
                cache = timer.fresh_cache("one")
                timer.run(
                    codemod.id, [*OURS, "--dry-run", "--select", codemod.id, str(root)], cache
                )
        overheads = [engine_overhead(root) for _ in range(options.rounds)]
        engine = statistics.median(seconds for seconds, _ in overheads)
    report(timer, tools, engine, overheads[0][1])


def report(timer: Timer, tools: dict[str, Path], engine: float, file_count: int) -> None:
    cold, warm = timer.median("ours cold"), timer.median("ours warm")
    say(f"\nours, cold (empty cache): {cold:.2f} s; warm (nothing changed): {warm:.2f} s")
    if tools:
        reference = timer.median("django-upgrade")
        say(
            f"django-upgrade --check: {reference:.2f} s; ruff --select UP,DJ: "
            f"{timer.median('ruff'):.2f} s"
        )
        cold_ratio, warm_ratio = cold / reference, warm / reference
        say(
            f"cold / django-upgrade: {cold_ratio:.2f}x (target {COLD_RATIO_TARGET}x: "
            f"{verdict(cold_ratio <= COLD_RATIO_TARGET)})"
        )
        say(
            f"warm / django-upgrade: {warm_ratio:.2f}x (target {WARM_RATIO_TARGET}x: "
            f"{verdict(warm_ratio <= WARM_RATIO_TARGET)})"
        )
        say(
            f"cold / ruff: {cold / timer.median('ruff'):.1f}x; "
            f"warm / ruff: {warm / timer.median('ruff'):.1f}x"
        )
        # CPU time (user + system) depends much less on other work on the machine
        cpu_cold, cpu_warm = timer.cpu_median("ours cold"), timer.cpu_median("ours warm")
        cpu_reference = timer.cpu_median("django-upgrade")
        cpu_cold_ratio, cpu_warm_ratio = cpu_cold / cpu_reference, cpu_warm / cpu_reference
        say(
            f"CPU time: ours cold {cpu_cold:.2f} s, warm {cpu_warm:.2f} s, django-upgrade "
            f"{cpu_reference:.2f} s: cold {cpu_cold_ratio:.2f}x (target {COLD_RATIO_TARGET}x: "
            f"{verdict(cpu_cold_ratio <= COLD_RATIO_TARGET)}), warm {cpu_warm_ratio:.2f}x "
            f"(target {WARM_RATIO_TARGET}x: {verdict(cpu_warm_ratio <= WARM_RATIO_TARGET)})"
        )
    for label in ("--version", "--help"):
        seconds = timer.median(label)
        say(
            f"{label}: {seconds:.3f} s, CPU {timer.cpu_median(label):.3f} s (target "
            f"{STARTUP_TARGET_SECONDS} s: "
            f"{verdict(seconds <= STARTUP_TARGET_SECONDS)})"
        )
    per_4000 = engine * 4000 / max(file_count, 1)  # every file discovered, not only Python
    say(
        f"engine overhead (discovery, .gitignore, reading, facts), CPU: {engine:.2f} s, "
        f"{per_4000:.2f} s per 4,000 files (target {ENGINE_TARGET_SECONDS_PER_4000_FILES} s: "
        f"{verdict(per_4000 <= ENGINE_TARGET_SECONDS_PER_4000_FILES)})"
    )
    peak = max(timer.memory["ours cold"], timer.memory["ours warm"])
    say(
        f"peak memory of a full run: {peak:.0f} MB (target {PEAK_MEMORY_TARGET_MB} MB: "
        f"{verdict(peak <= PEAK_MEMORY_TARGET_MB)})"
    )
    codemods = [c.id for c in all_codemods() if c.id in timer.times]
    if codemods:
        say(
            "each codemod alone, cold: "
            + ", ".join(
                f"{cid} {timer.median(cid):.2f} s"
                for cid in sorted(codemods, key=timer.median)[::-1]
            )
        )


if __name__ == "__main__":
    main()
