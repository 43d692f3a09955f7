"""The persistent outcome cache: used when nothing changed, never wrong when something did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness import LEGACY, copy_tree, run_cli, snapshot

from redpanda_migrate.runner import plan_project

SECRET_VALUES = ("legacy-demo-secret-4f9a1c", "legacy-demo-db-password-77")


def entries(cache: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in cache.rglob("*.json")} if cache.exists() else {}


def summary(project: Path, *extra: str) -> tuple[int, str, dict]:
    code, stdout, _ = run_cli("run", str(project), "--check", "--format", "json", *extra)
    report = json.loads(stdout)
    return code, json.dumps(report, sort_keys=True), report


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    return copy_tree(LEGACY, tmp_path / "legacy")


def test_a_check_run_writes_the_cache_and_nothing_else(legacy: Path, private_cache_folder: Path):
    before = snapshot(legacy)
    code, _, report = summary(legacy)
    assert code == 1 and report["changes"]
    assert snapshot(legacy) == before
    assert entries(private_cache_folder)


def test_a_warm_run_reads_the_cache(legacy: Path, private_cache_folder: Path) -> None:
    summary(legacy, "--select", "model-timestamps")
    # the stored outcome is what the second run reports: change a note in it and see it
    changed = 0
    for path in private_cache_folder.rglob("*.json"):
        entry = json.loads(path.read_text())
        if isinstance(entry, dict) and "reads" in entry:  # the whole plan (see test_replay.py)
            path.unlink()
        elif isinstance(entry, dict) and entry.get("notes"):
            entry["notes"][0][2] = "a note only the cache knows"
            path.write_text(json.dumps(entry))
            changed += 1
    assert changed == 1
    _, text, _ = summary(legacy, "--select", "model-timestamps")
    assert "a note only the cache knows" in text
    _, text, _ = summary(legacy, "--select", "model-timestamps", "--no-cache")
    assert "a note only the cache knows" not in text


def test_no_cache_neither_reads_nor_writes(legacy: Path, private_cache_folder: Path) -> None:
    summary(legacy, "--no-cache")
    assert not entries(private_cache_folder)


def test_a_changed_file_is_not_answered_from_the_cache(legacy: Path) -> None:
    summary(legacy)
    models = legacy / "project" / "shop" / "models.py"
    models.write_text(models.read_text() + "\n\nclass Extra(models.Model):\n    pass\n")
    _, warm, _ = summary(legacy)
    _, cold, _ = summary(legacy, "--no-cache")
    assert warm == cold and "Extra" in warm


def test_a_changed_configuration_is_not_answered_from_the_cache(legacy: Path) -> None:
    _, first, _ = summary(legacy)
    pyproject = legacy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.redpanda-migrate.model-timestamps]\nexclude = ["project/shop/models.py"]\n'
    )
    _, warm, _ = summary(legacy)
    _, cold, _ = summary(legacy, "--no-cache")
    assert warm == cold != first


def test_a_cache_folder_inside_the_project_is_not_used(
    legacy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(legacy / ".cache"))
    plan_project(legacy, ["model-timestamps"])
    assert not (legacy / ".cache").exists()


def test_outcomes_that_saw_secrets_are_not_stored(legacy: Path, private_cache_folder: Path):
    assert any(value in (legacy / ".env").read_text() for value in SECRET_VALUES)
    # compose-env-scoping reads .env: its outcome is not stored, whatever it holds
    assert plan_project(legacy, ["compose-env-scoping"]).changes
    stored = [json.loads(text) for text in entries(private_cache_folder).values()]
    assert stored and not any(isinstance(entry, dict) and "writes" in entry for entry in stored)
    plan_project(legacy)
    everything = b"".join(entries(private_cache_folder).values()).decode()
    assert '"writes"' in everything and not any(value in everything for value in SECRET_VALUES)


WHAT_A_RUN_IMPORTS = """
import sys
from redpanda_migrate.cli import main
sys.argv = ["redpanda-migrate", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = ("libcst", "ruamel", "tomlkit", "crossplane", "redpanda_migrate.codemods.")
print(sorted({m.split(".")[0] for m in sys.modules if m.startswith(heavy)}), file=sys.stderr)
"""


def imported_by_a_run(*args: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", WHAT_A_RUN_IMPORTS, *args], capture_output=True, text=True
    )
    return done.stderr.splitlines()[-1]


def test_a_warm_run_imports_no_codemod(legacy: Path) -> None:
    # a codemod that reads a secret file runs every time: its outcome is never stored
    (legacy / ".env").unlink()
    assert imported_by_a_run("--check", str(legacy)) != "[]"  # cold: the codemods run
    assert imported_by_a_run("--check", str(legacy)) == "[]"
    assert imported_by_a_run("--check", "--no-cache", str(legacy)) != "[]"


def test_the_stored_catalogue_declares_what_the_codemods_declare(legacy: Path) -> None:
    from redpanda_migrate import registry
    from redpanda_migrate.catalogue import load_catalogue

    # an earlier test of this worker process may have built the codemods from its own
    # catalogue: import every codemod module, as a first run does
    registry.use_catalogue(False)
    try:
        plan_project(legacy)  # stores the catalogue of the codemods this process imported
    finally:
        registry.use_catalogue(True)
    stored = {codemod.id: codemod for codemod in load_catalogue() or []}
    imported = {codemod.id: codemod for codemod, _ in registry.imported_builtins()}
    assert stored.keys() == imported.keys() and len(stored) >= 10
    callables = ("transform_file", "transform_project", "secret_reads", "validator")
    for codemod_id, codemod in imported.items():
        for name in ("title", "section", "files", "needles", "also_reads", "order", "example"):
            assert getattr(stored[codemod_id], name) == getattr(codemod, name)
        for name in callables:
            assert (getattr(stored[codemod_id], name) is None) == (getattr(codemod, name) is None)


def test_old_versions_entries_are_pruned(legacy: Path, private_cache_folder: Path) -> None:
    from redpanda_migrate.cache import KEPT_FINGERPRINTS, tool_fingerprint

    old = [private_cache_folder / f"{index:024d}" for index in range(KEPT_FINGERPRINTS + 2)]
    for folder in old:
        (folder / "ab").mkdir(parents=True)
    unrelated = private_cache_folder / "notes.txt"
    unrelated.write_text("not ours to delete")
    plan_project(legacy, ["pin-dependencies"])
    kept = [folder for folder in private_cache_folder.iterdir() if folder.is_dir()]
    assert len(kept) == KEPT_FINGERPRINTS
    assert private_cache_folder / tool_fingerprint()[:24] in kept
    assert unrelated.exists()


def test_a_narrowed_run_neither_reads_nor_writes(legacy: Path, private_cache_folder: Path):
    folder = sorted(p.name for p in legacy.iterdir() if p.is_dir() and p.name != ".git")[0]
    narrowed = plan_project(legacy, only=[folder])
    assert not entries(private_cache_folder)
    plan_project(legacy)
    assert entries(private_cache_folder)
    assert plan_project(legacy, only=[folder]).patch() == narrowed.patch()


def test_nesting_is_measured_once_per_text(
    legacy: Path, private_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redpanda_migrate import nesting, runner

    (legacy / "deep.py").write_text("import pytz\nx = " + "[" * 120 + "1" + "]" * 120 + "\n")
    measured: list[str] = []

    def counting(text: str) -> str | None:
        measured.append(text)
        return nesting.nesting_problem(text)

    monkeypatch.setattr(runner, "nesting_problem", counting)
    for run in range(2):
        measured.clear()
        plan = plan_project(legacy)
        assert [e.path for e in plan.errors if "nested more than" in e.message] == ["deep.py"]
        assert bool(measured) == (run == 0)  # the second run measures nothing again
    (legacy / "deep.py").write_text("import pytz\nx = [1]\n")
    measured.clear()
    plan = plan_project(legacy)
    # only the new text, and what pytz-to-zoneinfo made of it for the codemods after it
    assert set(measured) == {"import pytz\nx = [1]\n", "x = [1]\n"} and not plan.errors


def test_a_file_added_since_the_last_run_is_matched_against_the_patterns(
    legacy: Path, private_cache_folder: Path
) -> None:
    before = plan_project(legacy)
    assert "late.py" not in {change.path for change in before.changes}
    (legacy / "late.py").write_text("import pytz\n\nUTC = pytz.utc\n")
    after = plan_project(legacy)
    assert "late.py" in {change.path for change in after.changes}
    # and the remembered verdicts of the old file list give the same plan as none at all
    assert [c.path for c in plan_project(legacy).changes] == [
        c.path for c in plan_project(legacy, cache=False).changes
    ]


def test_the_facts_key_is_the_same_in_every_process(tmp_path: Path) -> None:
    # sets print in an order that changes with string hashing, i.e. from process to process
    script = (
        "from redpanda_migrate.facts import ProjectFacts\n"
        "from redpanda_migrate.run_cache import facts_text\n"
        "names = frozenset(f'app/module_{n}.py' for n in range(50))\n"
        "facts = ProjectFacts('shop', tuple(sorted(names)), tracked_files=names)\n"
        "print(facts_text(facts))\n"
        "print(repr(names))\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        for seed in ("1", "2")
    ]
    assert outputs[0][1] != outputs[1][1]  # the plain repr does differ
    assert outputs[0][0] == outputs[1][0]
