"""Verifying a plan codemod by codemod, dropping the ones that break the project.

The project is copied to a scratch folder. Codemods are taken in run order: each one's change
set is written to the copy, every check it concerns runs after it and (once per state) before
it, and a check that passed before and fails after drops the codemod as a whole. The codemods
after a dropped one are planned again without it, so their changes never rest on it. Every
check runs in a subprocess with a time limit; nothing of the project is imported here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redpanda_migrate.codemod import Finding
from redpanda_migrate.config import ConfigError, load_config
from redpanda_migrate.plan import Plan
from redpanda_migrate.runner import plan_project
from redpanda_migrate.secrets import is_secret_path
from redpanda_migrate.verify.compose import ComposeCheck, compose_command
from redpanda_migrate.verify.model import Check, Dropped, Probe, Verification, first_lines
from redpanda_migrate.verify.nginx import NginxCheck, nginx_binary
from redpanda_migrate.verify.python_checks import (
    ByteCompile,
    DjangoChecks,
    VerifyCommand,
    manage_py_path,
    project_interpreter,
    settings_module,
)
from redpanda_migrate.verify.scratch import ScratchCopy, project_files

# seconds one check command may take; the project's own test command gets longer
CHECK_TIMEOUT = 300.0
COMMAND_TIMEOUT = 1800.0


@dataclass(frozen=True)
class VerifyOptions:
    """How ``--verify`` runs.

    :param python: ``--python``: the interpreter of the project's environment (``None``: the
        project's ``.venv``/``venv``, else Django checks are skipped).
    :param timeout: seconds one check command may take.
    :param command_timeout: seconds the project's own test command may take.
    """

    python: str | None = None
    timeout: float = CHECK_TIMEOUT
    command_timeout: float = COMMAND_TIMEOUT


def _checks(scratch: ScratchCopy, options: VerifyOptions, report: Verification) -> list[Check]:
    # the project's own virtualenv is not copied: it is used where it is
    python = project_interpreter(
        scratch.project, Path(options.python).absolute() if options.python is not None else None
    )
    checks: list[Check] = [ByteCompile(python, options.timeout)]
    compose = compose_command()
    if compose is None:
        report.note_skipped("docker compose config: neither `docker compose` nor docker-compose")
    else:
        checks.append(ComposeCheck(compose, options.timeout))
    binary = nginx_binary()
    if binary is None:
        report.note_skipped("nginx -t: nginx is not installed")
    else:
        checks.append(NginxCheck(binary, options.timeout))
    manage_py = manage_py_path(list(project_files(scratch.root)))
    module = settings_module(scratch.read(manage_py) or "") if manage_py else None
    if manage_py is None:
        report.note_skipped("Django checks: the project has no manage.py")
    elif python is None:
        report.note_skipped(
            "Django checks: no interpreter for the project (give --python PATH, or make a "
            ".venv or venv in the project)"
        )
    elif module is None:
        report.note_skipped(
            f"Django checks: {manage_py} sets no DJANGO_SETTINGS_MODULE that can be read "
            "without running it"
        )
    else:
        django = DjangoChecks(python, manage_py, module, options.timeout)
        django.install(scratch)
        checks.append(django)
    try:
        command = load_config(scratch.root).verify_command
    except ConfigError:
        command = None
    if command:
        folder = os.path.dirname(manage_py) if manage_py else None
        checks.append(VerifyCommand(command, python, folder or ".", options.command_timeout))
    else:
        report.note_skipped(
            'project test command: none configured ([tool.redpanda-migrate] verify-command = "...")'
        )
    return checks


def _change_set(plan: Plan, codemod_id: str) -> dict[str, str | None]:
    texts: dict[str, str | None] = {}
    for change in plan.changes:
        if change.codemod == codemod_id:
            texts[change.path] = plan.disk_text_after(change)
    return texts


class _Verifier:
    def __init__(self, scratch: ScratchCopy, checks: list[Check], report: Verification) -> None:
        self.scratch = scratch
        self.checks = checks
        self.report = report
        self.baseline: dict[str, dict[str, Probe]] = {}

    def _probe(self, check: Check, changed: Sequence[str]) -> dict[str, Probe]:
        probes = check.probe(self.scratch, changed)
        for probe in probes.values():
            self.report.note_ran(probe.name)
        return probes

    def verify(self, codemod_id: str, texts: dict[str, str | None]) -> Dropped | None:
        """Write one change set to the copy and check it; take it back when it breaks a check."""
        changed = sorted(texts)
        concerned = [check for check in self.checks if check.concerns(changed)]
        before = {}
        for check in concerned:
            cached = self.baseline.get(check.kind) if check.cacheable else None
            before[check.kind] = cached if cached is not None else self._probe(check, changed)
        for path, text in texts.items():
            if is_secret_path(path):
                self.scratch.remember_secrets(text)
        former = self.scratch.write(texts)
        after: dict[str, dict[str, Probe]] = {}
        for check in concerned:
            after[check.kind] = self._probe(check, changed)
            dropped = self._compare(codemod_id, check, before[check.kind], after[check.kind])
            if dropped is not None:
                self.scratch.restore(former)
                return dropped
        for check in concerned:
            if check.cacheable:
                self.baseline[check.kind] = after[check.kind]
        return None

    def _compare(
        self, codemod_id: str, check: Check, before: dict[str, Probe], after: dict[str, Probe]
    ) -> Dropped | None:
        for key, new in after.items():
            old = before.get(key)
            if old is not None and not old.ok:
                reason = first_lines(self.scratch.scrub(old.output), 1)
                self.report.note_skipped(
                    f"{old.name}: fails before any change of this run, so it cannot judge one"
                    + (f" ({reason[0]})" if reason else "")
                )
                continue
            problem = check.regression(old, new) if old is not None else None
            if old is None and not new.ok:
                problem = new.output or "failed without output"
            if problem is not None:
                lines = tuple(first_lines(self.scratch.scrub(problem)))
                return Dropped(codemod_id, new.name, new.path, lines)
        return None


def _replan(plan: Plan, dropped: list[str], jobs: int, only: Sequence[str] | None) -> Plan:
    """Plan again without the dropped codemods (an empty plan when none is left)."""
    if set(plan.codemods) <= set(dropped):
        return Plan(
            root=plan.root,
            errors=list(plan.errors),
            secret_paths=plan.secret_paths,
            secret_values=plan.secret_values,
        )
    return plan_project(plan.root, list(plan.codemods), dropped, jobs, only=only)


def verify_plan(
    plan: Plan, options: VerifyOptions, jobs: int = 1, only: Sequence[str] | None = None
) -> tuple[Plan, Verification]:
    """Check a plan's codemods one by one; return the plan without the ones that break.

    Enforces the standard's promise that a migration never leaves a project worse than it
    found it (each codemod's change set all-or-nothing): a check that passed before a
    codemod and fails after it drops the codemod as a whole and re-plans the ones after it.

    :param plan: a plan from :func:`~redpanda_migrate.runner.plan_project`.
    :param options: how to verify.
    :param jobs: worker processes for re-planning.
    :param only: the files the run was narrowed to, if any (re-planning keeps to them).
    :returns: the plan to apply (dropped codemods listed in its refusals) and what was checked.
    """
    started = time.monotonic()
    report = Verification()
    if not plan.changes:
        return plan, report
    scratch = ScratchCopy(plan.root)
    try:
        for path, text in plan.final_texts.items():
            if is_secret_path(path):
                scratch.remember_secrets(text)
        verifier = _Verifier(scratch, _checks(scratch, options, report), report)
        current, dropped_ids = plan, []
        index = 0
        while index < len(current.codemods):
            codemod_id = current.codemods[index]
            texts = _change_set(current, codemod_id)
            dropped = verifier.verify(codemod_id, texts) if texts else None
            if dropped is None:
                if texts:
                    report.sound.append(codemod_id)
                index += 1
                continue
            report.dropped.append(dropped)
            dropped_ids.append(codemod_id)
            current = _replan(plan, dropped_ids, jobs, only)
    finally:
        scratch.close()
    for item in report.dropped:
        current.refusals.append((item.codemod, Finding(item.path, None, item.message())))
    report.seconds = round(time.monotonic() - started, 2)
    return current, report


def plan_verified(
    path: str | os.PathLike[str],
    select: Sequence[str] | None,
    skip: Sequence[str] | None,
    jobs: int,
    options: VerifyOptions,
) -> tuple[Plan, Verification]:
    """Plan a project, then verify the plan: a plain entry point for workers.

    :param path: the project root.
    :param select: codemod ids to run (see :func:`~redpanda_migrate.runner.resolve_run`).
    :param skip: codemod ids to leave out.
    :param jobs: worker processes.
    :param options: how to verify.
    :returns: see :func:`verify_plan`.
    """
    return verify_plan(plan_project(path, select, skip, jobs), options, jobs)
