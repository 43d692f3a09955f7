"""One repository of a batch, run in its own process: clone, branch, migrate, commit, push.

Run as ``python -m redpanda_migrate.batch_worker`` with a :class:`RepoJob` as JSON on standard
input; prints a :class:`RepoReport` as JSON on standard output. Every failure becomes a report
with status ``failed``; nothing here raises past :func:`main`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from redpanda_migrate import __version__
from redpanda_migrate.commits import commit_plan
from redpanda_migrate.gitutil import git
from redpanda_migrate.runner import Plan, plan_project

UPGRADED = "upgraded"
ALREADY_UPGRADED = "already upgraded"  # the remote branch already holds this very migration
COMPLIANT = "already compliant"
REFUSED = "refused"
FAILED = "failed"
PENDING = "pending"  # --dry-run: changes found, nothing committed


@dataclass(frozen=True)
class RepoJob:
    """What to do with one repository.

    :param source: a local path or a git URL.
    :param name: a unique folder name for its clone.
    :param workdir: the folder clones and patches go to.
    :param branch: the branch to create.
    :param push: push the branch to the source.
    :param dry_run: write a patch file, commit nothing.
    :param select: codemod ids to run (``None``: the repository's configuration).
    :param skip: codemod ids to leave out (``None``: the repository's configuration).
    :param audit: score the repository against the standard once migrated (``--audit``).
    :param verify: check each codemod in a scratch copy first (``--verify``); a branch whose
        verification left a codemod out is never pushed.
    :param python: the interpreter for the Django checks (``--python``).
    """

    source: str
    name: str
    workdir: str
    branch: str
    push: bool = False
    dry_run: bool = False
    select: list[str] | None = None
    skip: list[str] | None = None
    audit: bool = False
    verify: bool = False
    python: str | None = None


@dataclass
class RepoReport:
    """The outcome for one repository, as the fleet report records it."""

    source: str
    name: str
    status: str
    branch: str
    tool_version: str = __version__
    source_commit: str | None = None
    clone: str | None = None
    patch: str | None = None
    pushed: bool = False
    commits: list[dict[str, str]] = field(default_factory=list)
    files: int = 0
    added: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0
    resumed: bool = False
    # --audit: the score and each rule's status, after the migration (before it, with --dry-run)
    audit_score: float | None = None
    audit: dict[str, str] = field(default_factory=dict)
    audit_sections: dict[str, str] = field(default_factory=dict)
    verification: str = ""


class JobFailed(Exception):
    """A step of the job failed; the message is one line for the report."""


def _git_step(root: Path, what: str, *args: str) -> str:
    result = git(root, *args, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise JobFailed(f"{what}: {detail[-1] if detail else f'git exited {result.returncode}'}")
    return result.stdout.strip()


def _findings(plan: Plan) -> tuple[list[str], list[str], list[str]]:
    def line(codemod_id: str, finding) -> str:
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        return plan.scrub(f"{where} [{codemod_id}] {finding.message}")

    notes = [line(cid, note) for cid, note in plan.notes]
    refusals = [line(cid, refusal) for cid, refusal in plan.refusals]
    errors = [plan.scrub(f"{error.path}: {error.message}") for error in plan.errors]
    return notes, refusals, errors


def _remote_branch_exists(clone: Path, branch: str) -> bool:
    heads = _git_step(
        clone, "cannot list remote branches", "ls-remote", "--heads", "origin", branch
    )
    return bool(heads)


def _migrate(job: RepoJob, report: RepoReport) -> None:
    workdir = Path(job.workdir)
    clone = workdir / "clones" / job.name
    workdir.joinpath("clones").mkdir(parents=True, exist_ok=True)
    if clone.exists():
        # a reused --workdir: the earlier clone is the tool's scratch copy, cloned afresh
        shutil.rmtree(clone)
        report.notes.append(f"work folder reused: {clone} was cloned afresh")
    try:
        _git_step(workdir, "clone failed", "clone", "--quiet", "--no-tags", job.source, str(clone))
    except JobFailed:
        if "://" not in job.source and Path(job.source).is_dir():  # git says "does not exist"
            raise JobFailed(f"clone failed: {job.source} is not a git repository") from None
        raise
    report.clone = str(clone)
    if git(clone, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        raise JobFailed("empty repository: it has no commit to branch from")
    report.source_commit = _git_step(clone, "cannot read HEAD", "rev-parse", "HEAD")
    remote_has_branch = _remote_branch_exists(clone, job.branch)
    _git_step(clone, f"cannot create branch {job.branch!r}", "switch", "-q", "-c", job.branch)
    plan = plan_project(clone, job.select, job.skip, jobs=1)
    verification_failed = False
    if job.verify:
        from redpanda_migrate.verify import VerifyOptions, verify_plan

        plan, verification = verify_plan(plan, VerifyOptions(python=job.python))
        report.verification = verification.status()
        verification_failed = verification.failed
    notes, report.refusals, report.errors = _findings(plan)
    report.notes += notes
    report.files = len(plan.changed_paths)
    report.added = sum(change.stats.added for change in plan.changes)
    report.removed = sum(change.stats.removed for change in plan.changes)
    if job.dry_run:
        patch = workdir / "patches" / f"{job.name}.diff"
        patch.parent.mkdir(parents=True, exist_ok=True)
        patch.write_text(plan.patch(), encoding="utf-8")
        report.patch = str(patch)
        pending = bool(plan.changed_paths or plan.untracks)
        report.status = _status(pending, report, pending=True)
        return
    result = commit_plan(plan)
    # a change set that could not be written has left the plan: count what was written
    reuse_notes = [note for note in report.notes if note.startswith("work folder reused")]
    report.notes, report.refusals, errors = _findings(plan)
    report.notes = reuse_notes + report.notes
    report.files = len(plan.changed_paths)
    report.added = sum(change.stats.added for change in plan.changes)
    report.removed = sum(change.stats.removed for change in plan.changes)
    report.errors = errors + [plan.scrub(f"{e.path}: {e.message}") for e in result.errors]
    report.commits = [{"codemod": c.codemod, "sha": c.sha} for c in result.commits]
    report.status = _status(bool(result.commits), report)
    if report.status == FAILED:
        return
    if remote_has_branch:
        _compare_with_remote_branch(clone, job.branch, report)
    elif job.push and result.commits and verification_failed:
        report.notes.append(
            f"not pushed: --verify left out a codemod ({report.verification}); the sound "
            f"codemods are committed on {job.branch!r} in {clone} for review"
        )
    elif job.push and result.commits:
        _git_step(clone, "push rejected", "push", "--quiet", "origin", job.branch)
        report.pushed = True


def _audit(clone: Path, report: RepoReport) -> None:
    from redpanda_migrate.audit import audit_project  # only batches with --audit pay for it

    card = audit_project(clone)
    report.audit_score = card.score
    report.audit = {rule.id: rule.status for rule in card.rules}
    report.audit_sections = {rule.id: rule.family for rule in card.rules}


def _compare_with_remote_branch(clone: Path, branch: str, report: RepoReport) -> None:
    _git_step(clone, "cannot fetch the existing branch", "fetch", "--quiet", "origin", branch)
    ours = _git_step(clone, "no tree", "rev-parse", "HEAD^{tree}")
    theirs = _git_step(clone, "no tree", "rev-parse", "FETCH_HEAD^{tree}")
    if ours != theirs:
        raise JobFailed(f"branch {branch!r} already exists on the remote with other content")
    report.status = ALREADY_UPGRADED
    report.notes.append(f"branch {branch!r} on the remote already holds this migration")


def _status(changed: bool, report: RepoReport, pending: bool = False) -> str:
    if report.errors:
        return FAILED
    if changed:
        return PENDING if pending else UPGRADED
    return REFUSED if report.refusals else COMPLIANT


def run_job(job: RepoJob) -> RepoReport:
    """Run one repository's job in this process; never raises.

    :param job: the job.
    :returns: its report.
    """
    started = time.monotonic()
    report = RepoReport(source=job.source, name=job.name, status=FAILED, branch=job.branch)
    try:
        _migrate(job, report)
        if job.audit and report.clone is not None:
            _audit(Path(report.clone), report)
    except JobFailed as failure:
        report.status = FAILED
        report.errors.append(str(failure))
    except Exception as error:  # an isolated job reports, it never takes the batch down
        report.status = FAILED
        report.errors.append(f"unexpected {type(error).__name__}: {error}")
    report.duration_seconds = round(time.monotonic() - started, 3)
    return report


def main() -> None:
    """Read a job as JSON on stdin, run it, print its report as JSON on stdout."""
    job = RepoJob(**json.load(sys.stdin))
    print(json.dumps(asdict(run_job(job))))


def run_isolated(job: RepoJob, timeout: float) -> RepoReport:
    """Run a job in a fresh Python process with a time limit.

    Plain and picklable, so a process pool or a dask worker can call it.

    :param job: the job.
    :param timeout: seconds before the process is killed and the job reported failed.
    :returns: the report.
    """
    started = time.monotonic()
    # its own session, so that a timeout kills the git processes it started as well
    process = subprocess.Popen(
        [sys.executable, "-m", "redpanda_migrate.batch_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(json.dumps(asdict(job)), timeout=timeout)
        return RepoReport(**json.loads(stdout))
    except subprocess.TimeoutExpired:
        _kill_group(process)
        message = f"timed out after {timeout:g} s"
    except (json.JSONDecodeError, TypeError):
        detail = stderr.strip().splitlines()
        message = f"worker crashed: {detail[-1] if detail else process.returncode}"
    return RepoReport(
        source=job.source,
        name=job.name,
        status=FAILED,
        branch=job.branch,
        errors=[message],
        duration_seconds=round(time.monotonic() - started, 3),
    )


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


if __name__ == "__main__":
    main()
