"""The docker compose check: every Compose file and variant loads, no environment grows.

"Docker Compose — Per-Service Environment Scoping" may only take variables away from a
service: no variable appears and none changes value.

``docker compose config`` (or v1 ``docker-compose config``) resolves ``env_file``, ``.env``
interpolation and overrides exactly as a deployment would. Missing ``.env`` and ``env_file``
files get empty placeholders in the scratch copy, as a fresh checkout would need.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from redpanda_migrate.secrets import is_secret_path
from redpanda_migrate.verify.model import Probe
from redpanda_migrate.verify.process import run_command
from redpanda_migrate.verify.scratch import ScratchCopy, project_files

COMPOSE_NAME = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$")
BASE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = tuple(name.replace(".y", ".override.y") for name in BASE_FILES)


def compose_command() -> list[str] | None:
    """Find a Compose implementation: ``docker compose`` (v2), else ``docker-compose`` (v1).

    :returns: the command's words, or ``None`` when neither is installed.
    """
    if shutil.which("docker"):
        try:
            version = subprocess.run(
                ["docker", "compose", "version"], capture_output=True, timeout=30, check=False
            )
            if version.returncode == 0:
                return ["docker", "compose"]
        except (OSError, subprocess.TimeoutExpired):
            pass
    found = shutil.which("docker-compose")
    return [found] if found else None


def is_compose_file(path: str) -> bool:
    """Tell whether a path names a Compose file (``docker-compose.prod.yml``, ``compose.yaml``).

    :param path: project-relative POSIX path.
    """
    return bool(COMPOSE_NAME.match(PurePosixPath(path).name))


def variants(paths: Sequence[str]) -> list[tuple[str, ...]]:
    """List the file combinations a deployment can load, per folder.

    The default pair (the first base file present, plus its override), then each other Compose
    file alone and on top of the base file.

    :param paths: project-relative Compose file paths.
    :returns: tuples of paths, each a ``-f`` list.
    """
    by_folder: dict[str, list[str]] = {}
    for path in sorted(paths):
        by_folder.setdefault(str(PurePosixPath(path).parent), []).append(path)
    found: list[tuple[str, ...]] = []
    for files in by_folder.values():
        names = {PurePosixPath(p).name: p for p in files}
        base = next((names[n] for n in BASE_FILES if n in names), None)
        override = next((names[n] for n in OVERRIDE_FILES if n in names), None)
        if base is not None:
            found.append((base, override) if override else (base,))
        for path in files:
            if path in (base, override):
                continue
            found.append((path,))
            if base is not None:
                found.append((base, path))
    return found


def _yaml_services(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        document = YAML(typ="safe").load(text)
    except YAMLError:
        return {}
    services = document.get("services") if isinstance(document, dict) else None
    return services if isinstance(services, dict) else {}


def _env_file_paths(service: Any) -> list[str]:
    entries = service.get("env_file") if isinstance(service, dict) else None
    if entries is None:
        return []
    found = []
    for entry in entries if isinstance(entries, list) else [entries]:
        path = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(path, str) and not (
            isinstance(entry, dict) and entry.get("required") is False
        ):
            found.append(path)
    return found


def add_placeholders(scratch: ScratchCopy, files: Sequence[str]) -> None:
    """Create an empty ``.env`` and empty missing ``env_file`` files next to Compose files.

    :param scratch: the scratch copy.
    :param files: the Compose files of one variant.
    """
    folder = scratch.root / PurePosixPath(files[0]).parent
    targets = [folder / ".env"]
    for path in files:
        for service in _yaml_services(scratch.read(path)).values():
            targets += [folder / entry for entry in _env_file_paths(service)]
    for target in targets:
        resolved = target.resolve()
        if resolved.is_relative_to(scratch.root.resolve()) and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()


def environments(config_output: str) -> dict[str, dict[str, str | None]] | None:
    """Read each service's effective environment from ``config`` output.

    :param config_output: the YAML ``docker compose config`` prints.
    :returns: variables per service, or ``None`` when the output is not a Compose document.
    """
    try:
        document = YAML(typ="safe").load(config_output)
    except YAMLError:
        return None
    if not isinstance(document, dict):
        return None
    found: dict[str, dict[str, str | None]] = {}
    for name, service in (document.get("services") or {}).items():
        raw = service.get("environment") if isinstance(service, dict) else None
        if isinstance(raw, list):
            raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
        found[str(name)] = {str(k): None if v is None else str(v) for k, v in (raw or {}).items()}
    return found


class ComposeCheck:
    """``docker compose config`` on every Compose file and variant, environments compared."""

    kind = "compose"
    cacheable = True

    def __init__(self, command: list[str], timeout: float) -> None:
        self.command = command
        self.timeout = timeout
        self.label = " ".join(PurePosixPath(word).name for word in command)

    def concerns(self, changed: Sequence[str]) -> bool:
        """Compose files, and env files they read."""
        return any(
            is_compose_file(p) or is_secret_path(p) or ".env" in PurePosixPath(p).name
            for p in changed
        )

    def probe(self, scratch: ScratchCopy, changed: Sequence[str]) -> dict[str, Probe]:
        """Run ``config`` on each variant of the copy's current Compose files."""
        files = [p for p in project_files(scratch.root) if is_compose_file(p)]
        probes = {}
        for variant in variants(files):
            add_placeholders(scratch, variant)
            folder = scratch.root / PurePosixPath(variant[0]).parent
            argv = [*self.command, "--project-name", "redpanda-verify"]
            for path in variant:
                argv += ["-f", PurePosixPath(path).name]
            result = run_command([*argv, "config"], folder, self.timeout, separate_stdout=True)
            name = f"{self.label} config " + " + ".join(variant)
            found = environments(result.stdout) if result.ok else None
            ok = result.ok and found is not None
            key = " + ".join(variant)
            probes[key] = Probe(name, ok, result.output, found, variant[-1])
        return probes

    def regression(self, before: Probe, after: Probe) -> str | None:
        """Say what broke: no longer loads, or a variable appeared or changed (names only)."""
        if not after.ok:
            return after.output or "failed without output"
        problems = []
        for service, old in sorted(before.facts.items()):
            new = after.facts.get(service)
            if new is None:
                problems.append(f"service {service} is gone")
                continue
            for variable in sorted(new.keys() - old.keys()):
                problems.append(f"service {service}: {variable} appears")
            for variable in sorted(new.keys() & old.keys()):
                if new[variable] != old[variable]:
                    problems.append(f"service {service}: {variable} changes value (values hidden)")
        return "\n".join(problems) or None
