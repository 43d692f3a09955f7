"""Running codemods over a project: a plan first, then (optionally) the writes.

:func:`plan_project` reads the project and runs every selected codemod in order, each on the
output of the ones before, and never raises for a bad file: the file gets an error, the rest
goes on. :func:`~redpanda_migrate.plan.apply_plan` writes the result. Both are plain
module-level functions over picklable data, so a worker process or a dask worker can run them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from redpanda_migrate import changeset
from redpanda_migrate.cache import OutcomeCache, options_text
from redpanda_migrate.catalogue import save_catalogue
from redpanda_migrate.changeset import journals
from redpanda_migrate.codemod import (
    Codemod,
    FileOutcome,
    Finding,
    InputError,
    ProjectInput,
    SourceFile,
)
from redpanda_migrate.diffs import diff_stats, unified_diff
from redpanda_migrate.discovery import (
    NESTED_REPOSITORY_MESSAGE,
    compile_patterns,
    iter_project_files,
    root_links_out,
)
from redpanda_migrate.facts import ProjectFacts, build_facts
from redpanda_migrate.gitutil import tracked_paths
from redpanda_migrate.nesting import PYTHON_SUFFIXES, nesting_problem
from redpanda_migrate.patterns import PathPatterns
from redpanda_migrate.plan import Change, FileError, Plan, apply_plan, write_texts
from redpanda_migrate.registry import imported_builtins
from redpanda_migrate.replay import ReplayKey, load_plan, secrets_to_hide, store_plan
from redpanda_migrate.resolution import BadInput, resolve_root, resolve_run
from redpanda_migrate.run_cache import RunCache
from redpanda_migrate.untrack import Untrack
from redpanda_migrate.validation import validate_output
from redpanda_migrate.workers import (
    describe_crash,
    init_worker,
    run_file_transform,
    run_in_worker,
    with_line,
)
from redpanda_migrate.workspace import (
    DEFAULT_MAX_FILE_SIZE,
    OUTSIDE_LINK_MESSAGE,
    Workspace,
    check_relative_path,
)

__all__ = [
    "BadInput",
    "Change",
    "FileError",
    "Plan",
    "apply_plan",
    "plan_project",
    "resolve_root",
    "resolve_run",
    "run_file_transform",
    "write_texts",
]

# Below this many candidate files a worker pool costs more than it saves.
MIN_FILES_FOR_POOL = 48
# measuring nesting costs about 0.1 ms per module: below this many, a pool costs more
MIN_FILES_FOR_NESTING_POOL = 400
NESTING_CHUNK = 128
INTERRUPTED_MESSAGE = (
    "an interrupted run left a change half-written; a run that writes (no --dry-run or "
    "--check) finishes it first"
)
CRASHED_WORKER_MESSAGE = (
    "{codemod} stopped: a worker process crashed on one of these files, so none was changed "
    "(a bug in redpanda-migrate, please report it)"
)


# -- the run ---------------------------------------------------------------------------------


@dataclass
class _Run:
    workspace: Workspace
    facts: ProjectFacts
    options: dict[str, dict]
    jobs: int
    plan: Plan
    outside_links: tuple[str, ...] = ()
    executor: Executor | None = None
    too_deep: dict[str, str | None] = field(default_factory=dict)
    # paths the run is narrowed to (files, or folders ending in "/"); None: the whole project
    only: tuple[str, ...] | None = None

    def selected(self, path: str) -> bool:
        """Tell whether a run narrowed to some paths may change (or report on) this file."""
        if self.only is None or path == ".":
            return True
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.only)

    cache: RunCache | None = None
    # patterns -> (their compiled spec, path -> whether it matches): codemods share patterns
    matches: dict[tuple[str, ...], tuple[PathPatterns, dict[str, bool]]] = field(
        default_factory=dict
    )

    def matching(self, patterns: tuple[str, ...], path: str) -> bool:
        if not patterns:
            return False
        if patterns not in self.matches:
            spec = compile_patterns(patterns)
            # the discovered files' verdicts at once, remembered while the file list is the same
            known = self.cached.matching_paths(patterns, self.workspace.discovered, spec.match_file)
            self.matches[patterns] = (spec, known)
        spec, known = self.matches[patterns]
        if path not in known:
            known[path] = spec.match_file(path)
        return known[path]

    @property
    def cached(self) -> RunCache:
        if self.cache is None:
            self.cache = RunCache(
                OutcomeCache(None), self.facts, self.options, self.workspace.secret_paths
            )
        return self.cache

    def pool(self) -> Executor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                max_workers=self.jobs, initializer=init_worker, initargs=(self.facts,)
            )
        return self.executor

    def error(self, path: str, message: str) -> None:
        entry = FileError(path, message)
        if entry not in self.plan.errors:
            self.plan.errors.append(entry)

    def record(self, codemod: Codemod, path: str, after: str | None) -> None:
        problem = self.rejection(codemod, path, after)
        if problem is not None:
            self.error(path, problem)
            return
        before = self.workspace.read(path)
        if after == before:
            return
        self.workspace.write(path, after)
        patch = unified_diff(path, before, after, self.workspace.mode(path))
        self.plan.changes.append(Change(codemod.id, path, before, after, diff_stats(patch)))

    def rejection(self, codemod: Codemod, path: str, after: str | None) -> str | None:
        """Say why a codemod's new text for a file cannot be taken (``None``: it can)."""
        before = self.workspace.read(path)
        if after == before:
            return None
        if before is None and self._not_read(path):
            return f"{codemod.id} would write a file it could not read: left unchanged"
        try:
            check_relative_path(path)
            if after is not None:
                self.cached.validate(
                    codemod,
                    path,
                    before,
                    after,
                    lambda: validate_output(path, before, after, codemod.validator),
                )
        except ValueError as error:
            return (
                f"{codemod.id} produced output that does not parse, so the file was left "
                f"unchanged (a bug in redpanda-migrate, please report it): {error}"
            )
        return None

    def record_all(self, codemod: Codemod, writes: dict[str, str | None]) -> bool:
        """Take a project codemod's writes all together, or none (its change set is atomic).

        :returns: ``True`` when none was taken.
        """
        problems = {
            path: problem
            for path, after in writes.items()
            if (problem := self.rejection(codemod, path, after)) is not None
        }
        if not problems:
            for path, after in writes.items():
                self.record(codemod, path, after)
            return False
        reasons = {}
        for path, problem in problems.items():
            known = self.workspace.errors.get(path) or self.workspace.skipped.get(path)
            if known is None:
                self.error(path, problem)
            reasons[path] = known or problem
        first = sorted(problems)[0]
        message = (
            f"not applied: {first}: {reasons[first]}; none of this codemod's changes were made, "
            "so the project stays consistent"
        )
        self.plan.refusals.append((codemod.id, Finding(first, None, message)))
        return True

    def _not_read(self, path: str) -> bool:
        workspace = self.workspace
        return (
            path in workspace.errors or path in workspace.skipped or workspace.in_nested_repo(path)
        )

    def nesting(self, path: str, text: str) -> str | None:
        """Return why a Python file nests too deeply to parse (measured once per text)."""
        if not path.endswith(PYTHON_SUFFIXES):
            return None
        key = self._nesting_key(path, text)
        if key not in self.too_deep:
            self.too_deep[key] = self.cached.nesting_problem(path, text, nesting_problem)
        return self.too_deep[key]

    def findings(self, codemod: Codemod, notes: Iterable[Finding], refusals: Iterable[Finding]):
        self.plan.notes.extend((codemod.id, n) for n in notes if self.selected(n.path))
        self.plan.refusals.extend((codemod.id, r) for r in refusals if self.selected(r.path))

    def options_of(self, codemod: Codemod) -> dict:
        """Return a codemod's options: its family's table, then its own, key by key."""
        shared = self.options.get(codemod.family, {}) if codemod.family else {}
        return {**shared, **self.options.get(codemod.id, {})}

    def candidates(self, codemod: Codemod) -> dict[str, str]:
        return self.scan(codemod)[0]

    def scan(self, codemod: Codemod) -> tuple[dict[str, str], tuple[str, ...]]:
        """Return the candidate texts of a codemod, and the matching files that are unreadable."""
        options = self.options_of(codemod)
        # [tool.redpanda-migrate.<id>] include/exclude: files this codemod must also look at,
        # or must leave alone
        files = (*codemod.files, *options.get("include", ()))
        excluded = tuple(options.get("exclude", ()))
        for link in self.outside_links:
            if self.matching(files, link):
                self.error(link, OUTSIDE_LINK_MESSAGE)
        wanted = []
        unreadable = []
        verdicts = self.cached.needle_verdicts(codemod.needles)
        for path in self.workspace.paths():
            if not self.matching(files, path) or self.matching(excluded, path):
                continue
            text = self.workspace.read(path)
            if text is None:
                unreadable += [path] if path in self.workspace.errors else []
            elif verdicts.wants(codemod, path, text, self.cached.digest):
                wanted.append((path, text))
        verdicts.save()
        self.measure_nesting(wanted)
        texts = {}
        for path, text in wanted:
            problem = self.nesting(path, text)
            if problem is None:
                texts[path] = text
            else:  # reported alone; the other files go on
                self.error(path, problem)
        return texts, tuple(unreadable)

    def measure_nesting(self, candidates: list[tuple[str, str]]) -> None:
        """Measure how deeply many Python files nest on the worker processes, ahead of use.

        The measure costs a few passes of ``re`` per text: on a cold run over thousands of
        modules it is worth both cores. What :meth:`nesting` already knows is not measured.
        """
        if self.jobs < 2 or len(candidates) < MIN_FILES_FOR_NESTING_POOL:
            return
        unknown = {
            self._nesting_key(path, text): (path, text)
            for path, text in candidates
            if path.endswith(PYTHON_SUFFIXES)
            and self._nesting_key(path, text) not in self.too_deep
            and not self.cached.knows_nesting(path, text)
        }
        if len(unknown) < MIN_FILES_FOR_NESTING_POOL:
            return
        texts = [text for _, text in unknown.values()]
        try:
            found = list(self.pool().map(nesting_problem, texts, chunksize=NESTING_CHUNK))
        except BrokenProcessPool:  # measured here, one by one, instead
            self.executor = None
            return
        for (key, (path, text)), problem in zip(unknown.items(), found, strict=True):
            self.too_deep[key] = self.cached.nesting_problem(path, text, _answer(problem))

    @staticmethod
    def _nesting_key(path: str, text: str) -> str:
        return f"{path}\0{hash(text)}"

    def run_file_codemod(self, codemod: Codemod) -> None:
        texts = {p: t for p, t in self.candidates(codemod).items() if self.selected(p)}
        options = self.options_of(codemod)
        keys = {path: self.cached.file_key(codemod, path, text) for path, text in texts.items()}
        outcomes: dict[str, FileOutcome | str] = {}
        for path, key in keys.items():
            stored = self.cached.file_outcome(key)
            if stored is not None:
                outcomes[path] = stored
        missing = {path: text for path, text in texts.items() if path not in outcomes}
        if self.jobs > 1 and len(missing) >= MIN_FILES_FOR_POOL:
            tasks = [(codemod.id, path, text, options) for path, text in missing.items()]
            try:
                computed = list(self.pool().map(run_in_worker, tasks, chunksize=16))
            except BrokenProcessPool:
                self.error(".", CRASHED_WORKER_MESSAGE.format(codemod=codemod.id))
                self.executor = None
                return
        else:
            computed = [
                run_file_transform(codemod, SourceFile(path, text, self.facts, options))
                for path, text in missing.items()
            ]
        for path, outcome in zip(missing, computed, strict=True):
            outcomes[path] = outcome
            if not isinstance(outcome, str):
                self.cached.store_file_outcome(keys[path], outcome)
        for path in texts:
            outcome = outcomes[path]
            if isinstance(outcome, str):
                self.error(path, outcome)
                continue
            self.findings(codemod, outcome.notes, outcome.refusals)
            self.record(codemod, path, outcome.text)

    def run_project_codemod(self, codemod: Codemod) -> None:
        assert codemod.transform_project is not None
        texts, unreadable = self.scan(codemod)
        if not texts:
            return
        for path in codemod.also_reads:
            text = self.workspace.read(path)
            if text is not None:
                texts[path] = text
        if codemod.secret_reads is not None:
            for path in self.cached.secret_reads(codemod, texts):
                text = self.workspace.read(path) if _is_plain_relative(path) else None
                if text is not None:
                    self.workspace.mark_secret(path, text)
                    texts[path] = text
        transform = codemod.transform_project
        options = self.options_of(codemod)
        try:
            outcome = self.cached.project_outcome(
                codemod,
                texts,
                unreadable,
                lambda: transform(ProjectInput(texts, self.facts, options, unreadable)),
            )
        except InputError as error:
            self.error(error_path(error, texts), error.message)
            return
        except RecursionError:
            self.error(
                ".", f"{codemod.id}: a file nests too deeply to be processed; nothing changed"
            )
            return
        except Exception as error:  # the runner never raises: a crash is reported
            self.error(".", describe_crash(codemod.id, error))
            return
        self.workspace.hidden_literals.update(outcome.hidden_values)
        changed = [p for p, after in outcome.writes.items() if after != self.workspace.read(p)]
        outside = sorted(p for p in changed if not self.selected(p))
        if outside:
            # a project codemod's change set is one unit: half of it could break the project
            if len(outside) < len(changed):
                self.plan.notes.append((codemod.id, Finding(".", None, _left_out(outside))))
            return
        for problem in outcome.errors:
            self.error(problem.path, with_line(problem.line, problem.message))
        withdrawn = self.record_all(codemod, dict(outcome.writes))
        # notes describe changes: a withdrawn change set has none to describe
        self.findings(codemod, () if withdrawn else outcome.notes, outcome.refusals)
        if not withdrawn:
            tracked = self.facts.tracked_files or frozenset()
            self.plan.untracks.extend(
                Untrack(codemod.id, path)
                for path in sorted(set(outcome.untrack))
                if path in tracked and self.selected(path)
            )


def _answer(problem: str | None) -> Callable[[str], str | None]:
    """Stand for the nesting measure, answering what a worker measured."""
    return lambda _text: problem


def _left_out(outside: list[str]) -> str:
    shown = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more" if len(outside) > 3 else "")
    return (
        f"left out: this change also needs {shown}, outside the paths given; run on the "
        "whole project to apply it"
    )


def _is_plain_relative(path: str) -> bool:
    try:
        check_relative_path(path)
    except ValueError:
        return False
    return True


def error_path(error: InputError, texts: dict[str, str]) -> str:
    """Pick the path an :class:`InputError` from a project transform is about.

    :param error: the error; project transforms put the path in ``error.path`` when they can.
    :param texts: the files the transform was handed.
    :returns: the path, or ``.`` for the project as a whole.
    """
    path = getattr(error, "path", None)
    return path if isinstance(path, str) and path in texts else "."


def plan_project(
    path: str | os.PathLike[str],
    select: Sequence[str] | None = None,
    skip: Sequence[str] | None = None,
    jobs: int = 1,
    finish_interrupted: bool = False,
    only: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    cache: bool = True,
    replay: bool = False,
) -> Plan:
    """Run the selected codemods over a project without writing anything.

    :param path: the project root.
    :param select: codemod ids to run (see :func:`resolve_run`).
    :param skip: codemod ids to leave out (see :func:`resolve_run`).
    :param jobs: worker processes for file codemods (1: none).
    :param finish_interrupted: first finish the writes a killed run left half-done (the one
        write a plan may make; see :func:`~redpanda_migrate.changeset.finish_interrupted`).
    :param only: project-relative files or folders to narrow the run to (``None``: all). The
        codemods still see the whole project; a project codemod whose change would also touch
        other files is left out with a note.
    :param progress: called with ``(codemod id, index, count)`` before each codemod runs.
    :param cache: read and store outcomes in the user's cache folder (see
        :mod:`redpanda_migrate.cache`); ``False`` for ``--no-cache``. Narrowed runs
        (``only``) do not use it.
    :param replay: answer from the plan a run with the same key stored, when no file it read
        changed, and store this one (see :mod:`redpanda_migrate.replay`): for previews whose
        report needs no codemod's intermediate texts (``--dry-run``/``--check``, text or JSON).
    :returns: the plan.
    :raises BadInput: for a bad path or configuration.
    :raises redpanda_migrate.registry.UnknownCodemod: for an unknown id.
    """
    root, config, codemods = resolve_run(path, select, skip)
    outside_links: list[str] = []
    skipped: dict[str, str] = {}
    temp_dirs: list[str] = []
    files = tuple(iter_project_files(root, config.exclude, outside_links, skipped, temp_dirs))
    recovered: list[str] = []
    if finish_interrupted and journals(root, temp_dirs):
        recovered = changeset.finish_interrupted(root, temp_dirs)
        temp_dirs.clear()
        files = tuple(iter_project_files(root, config.exclude))
    nested = tuple(p for p, why in skipped.items() if why == NESTED_REPOSITORY_MESSAGE)
    max_size = config.max_file_size or DEFAULT_MAX_FILE_SIZE
    workspace = Workspace(root, files, max_size, nested)
    links_out = tuple(sorted(set(outside_links) | set(root_links_out(root))))
    tracked = tracked_paths(root)
    if tracked is not None and config.exclude:  # excluded files never reach a codemod
        excluded = compile_patterns(config.exclude)
        tracked = frozenset(path for path in tracked if not excluded.match_file(path))
    outcome_cache = OutcomeCache.for_project(root, cache and only is None)
    replay_key = None
    if replay and outcome_cache.enabled and not temp_dirs and not recovered:
        found = repr((sorted(outside_links), sorted(skipped.items()), links_out))
        replay_key = ReplayKey(
            root, tuple(c.id for c in codemods), options_text(vars(config)), files, tracked, found
        )
        replayed = load_plan(outcome_cache, replay_key)
        if replayed is not None and not journals(root, temp_dirs):
            return replayed
    facts = build_facts(root.name, files, workspace.read, tracked, links_out)
    plan = Plan(
        root=root,
        codemods=tuple(c.id for c in codemods),
        temp_dirs=tuple(temp_dirs),
        file_codemods=frozenset(c.id for c in codemods if c.transform_file is not None),
    )
    plan.skipped.extend(FileError(p, why) for p, why in sorted(skipped.items()))
    plan.recovered = recovered
    if journals(root, temp_dirs):
        plan.errors.append(FileError(".", INTERRUPTED_MESSAGE))
    run = _Run(workspace, facts, config.options, max(1, jobs), plan, tuple(outside_links))
    run.only = tuple(only) if only is not None else None
    # a narrowed run leaves the cache alone: what it does not record must not be answered later
    if outcome_cache.enabled and imported_builtins():
        save_catalogue(outcome_cache, imported_builtins())
    run.cache = RunCache(outcome_cache, facts, config.options, workspace.secret_paths)
    try:
        for index, codemod in enumerate(codemods):
            if progress is not None:
                progress(codemod.id, index, len(codemods))
            if codemod.transform_file is not None:
                run.run_file_codemod(codemod)
            else:
                run.run_project_codemod(codemod)
        run.cached.save_nesting()
    finally:
        if run.executor is not None:
            run.executor.shutdown(cancel_futures=True)
    _finish(plan, workspace)
    if replay_key is not None:
        store_plan(outcome_cache, replay_key, plan, workspace)
    return plan


def _finish(plan: Plan, workspace: Workspace) -> None:
    for path, message in sorted(workspace.errors.items()):
        if FileError(path, message) not in plan.errors:
            plan.errors.append(FileError(path, message))
    plan.skipped.extend(FileError(p, why) for p, why in sorted(workspace.skipped.items()))
    for path in workspace.changed_paths():
        plan.original_texts[path] = workspace.original_disk_text(path)
        plan.final_texts[path] = workspace.disk_text(path)
        plan.modes[path] = workspace.mode(path)
        plan.fingerprints[path] = workspace.fingerprints.get(path)
    for change in plan.changes:
        plan.layouts[change.path] = workspace.layout(change.path)
    plan.secret_paths = frozenset(workspace.secret_paths)
    plan.secret_values = secrets_to_hide(plan, workspace, workspace.hidden_literals)
