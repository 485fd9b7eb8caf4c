"""Checks of what a first push needs, each ok, warning or error, with its fix."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import builders, buildx, docker, docker_config, guard, plan
from .errors import StackError

OK = "ok"
WARNING = "warning"
ERROR = "error"

# stack.push hands bake --metadata-file, which buildx 0.6 added. Below 0.13,
# the version these tasks are tested with, only a warning: just
# create-builder's --buildkitd-config needs it.
MIN_BUILDX = (0, 6)
OPTIONAL_FLAGS = (
    (
        (0, 13),
        "these tasks are tested with it, and `stack.create-builder "
        "--buildkitd-config` needs it",
    ),
)
DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it went, and how to fix it."""

    name: str
    level: str
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Inputs:
    """The settings the checks read, resolved from config."""

    bake_file: str
    build_builder: str | None
    push_builder: str
    push_drivers: frozenset[str]
    platforms: tuple[str, ...]
    env: Mapping[str, str]
    timeout: float | None


def parse_version(text: str) -> tuple[int, ...] | None:
    """The first ``X.Y[.Z]`` in ``text``, as numbers; None if there is none."""
    match = _VERSION.search(text)
    if not match:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _dotted(version: Sequence[int]) -> str:
    return ".".join(str(part) for part in version)


def check_buildx_version(text: str) -> Check:
    """Judge ``docker buildx version`` output against the flags we pass."""
    words = text.split()
    version = parse_version(words[1] if len(words) > 1 else text)
    if version is None:
        return Check("buildx", WARNING, f"cannot read the version in {text.strip()!r}")

    shown = _dotted(version)
    if version[:2] < MIN_BUILDX:
        return Check(
            "buildx",
            ERROR,
            f"{shown} is older than {_dotted(MIN_BUILDX)}, which stack.push needs",
            fix="install a newer docker-buildx plugin (Debian: docker-buildx)",
        )
    for needed, flags in OPTIONAL_FLAGS:
        if version[:2] < needed:
            return Check(
                "buildx",
                WARNING,
                f"{shown}, older than {_dotted(needed)}: {flags}",
                fix="install a newer docker-buildx plugin",
            )
    return Check("buildx", OK, shown)


def normalize_platform(platform: str) -> str:
    """A platform as BuildKit compares it: ``linux/arm64/v8`` is ``linux/arm64``."""
    parts = platform.strip().lower().split("/")
    if parts[1:2] == ["arm64"] and parts[2:] == ["v8"]:
        parts = parts[:2]
    return "/".join(parts)


def missing_platforms(
    wanted: Iterable[str], available: Iterable[str]
) -> tuple[str, ...]:
    """The wanted platforms that no node of the builder offers."""
    offered = {normalize_platform(platform) for platform in available}
    return tuple(p for p in wanted if normalize_platform(p) not in offered)


def registry_host(reference: str) -> str:
    """The registry an image reference points at, as the Docker CLI reads it."""
    first, slash, _ = reference.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return DOCKER_HUB if first in _HUB_ALIASES else first
    return DOCKER_HUB


def _auth_host(key: str) -> str:
    """An ``auths`` key as a host: ``https://index.docker.io/v1/`` is docker.io."""
    host = key.split("://", 1)[-1].split("/", 1)[0]
    return DOCKER_HUB if host in _HUB_ALIASES else host


def check_credentials(host: str, config: Mapping[str, Any]) -> Check:
    """Whether the Docker CLI config holds credentials for ``host``."""
    name = f"login {host}"
    helpers = config.get("credHelpers")
    if isinstance(helpers, Mapping):
        for key, helper in helpers.items():
            if _auth_host(str(key)) == host:
                return Check(name, OK, f"credential helper docker-credential-{helper}")

    auths = config.get("auths")
    if isinstance(auths, Mapping) and any(_auth_host(str(k)) == host for k in auths):
        store = config.get("credsStore")
        where = f"credsStore {store}" if store else "auths in config.json"
        return Check(name, OK, f"credentials in {where}")

    return Check(
        name,
        WARNING,
        "no credentials in the Docker CLI config (fine for a registry that needs none)",
        fix=f"docker login {host}",
    )


def _daemon(timeout: float | None) -> list[Check]:
    """The Docker client's version, and the daemon's when it answers."""
    output = docker.probe(["version", "--format", "{{json .}}"], timeout=timeout)
    try:
        data = json.loads(output.stdout)
    except json.JSONDecodeError:
        data = {}
    data = data if isinstance(data, dict) else {}
    client = data.get("Client") or {}
    server = data.get("Server") or {}

    checks = [Check("docker", OK, f"client {client.get('Version', 'unknown')}")]
    if output.returncode == 0 and server:
        engine = f"Docker Engine {server.get('Version', 'unknown')}"
        checks.append(Check("daemon", OK, engine))
        return checks

    reason = output.stderr.strip().splitlines()[-1:] or ["no answer"]
    checks.append(
        Check(
            "daemon",
            ERROR,
            f"not reachable: {reason[0]}",
            fix="start Docker, or check DOCKER_HOST and DOCKER_CONTEXT",
        )
    )
    return checks


def _build_builder(inputs: Inputs) -> Check:
    name = "build builder"
    try:
        selection = guard.select_builder(
            inputs.build_builder,
            guard.BUILD_DRIVERS,
            task="build",
            timeout=inputs.timeout,
        )
    except StackError as failure:
        return Check(name, ERROR, failure.message)
    return Check(name, OK, f"stack.build bakes on '{selection.name}' (docker)")


def _push_builder(inputs: Inputs) -> Check:
    name, wanted = "push builder", inputs.push_builder
    try:
        builder = buildx.inspect_builder(wanted, inputs.timeout)
    except StackError as failure:
        return Check(name, ERROR, failure.message)

    if builder is None:
        missing = f"there is no buildx builder named '{wanted}'"
        return Check(name, ERROR, missing, fix="invoke stack.create-builder")
    if builder.driver not in inputs.push_drivers:
        accepted = ", ".join(sorted(inputs.push_drivers))
        return Check(
            name,
            ERROR,
            f"'{wanted}' uses the '{builder.driver}' driver; stack.push accepts "
            f"only: {accepted}",
            fix="set config stack.push_builder to a builder that `invoke "
            "stack.builders` marks PUSH yes, or create one with `invoke "
            "stack.create-builder --builder NAME`",
        )
    return Check(name, OK, f"stack.push bakes on '{wanted}' ({builder.driver})")


def _platforms(inputs: Inputs) -> Check:
    name = "platforms"
    output = docker.probe(
        ["buildx", "inspect", inputs.push_builder], timeout=inputs.timeout
    )
    builder = builders.parse_inspect(output.stdout)
    wanted = ", ".join(inputs.platforms)
    if not builder.platforms:
        return Check(
            name,
            WARNING,
            f"'{inputs.push_builder}' reports no platforms until it boots",
            fix=f"docker buildx inspect --bootstrap {inputs.push_builder}",
        )

    missing = missing_platforms(inputs.platforms, builder.platforms)
    if not missing:
        return Check(name, OK, f"'{inputs.push_builder}' builds {wanted}")

    arches = ",".join(sorted({p.split("/")[1] for p in missing if "/" in p}))
    return Check(
        name,
        ERROR,
        f"'{inputs.push_builder}' cannot build {', '.join(missing)}: its nodes need "
        "QEMU emulation for them, or a node that runs them natively",
        fix=(
            f"docker run --privileged --rm tonistiigi/binfmt --install {arches}, "
            "or invoke stack.create-builder --append --node NAME --endpoint "
            f"ENDPOINT --platform {missing[0]}"
        ),
    )


def _bake(inputs: Inputs) -> tuple[Check, dict[str, Any]]:
    try:
        resolved = buildx.bake_print(
            plan.resolve_args(inputs.bake_file, (), ()),
            bake_file=inputs.bake_file,
            env=inputs.env,
            timeout=inputs.timeout,
        )
    except StackError as failure:
        return Check("bake file", ERROR, failure.message), {}

    targets = resolved.get("target")
    targets = targets if isinstance(targets, dict) else {}
    detail = f"{inputs.bake_file} resolves {len(targets)} target(s)"
    return Check("bake file", OK, detail), targets


def _push_hosts(targets: Mapping[str, Any]) -> list[str]:
    tags = [
        str(tag)
        for target in targets.values()
        if isinstance(target, dict)
        for tag in target.get("tags") or ()
    ]
    return sorted({registry_host(tag) for tag in tags})


def run_checks(inputs: Inputs) -> list[Check]:
    """Every check, in the order a person fixes them."""
    try:
        checks = _daemon(inputs.timeout)
    except StackError as failure:
        return [Check("docker", ERROR, failure.message)]
    try:
        version = docker.probe(["buildx", "version"], timeout=inputs.timeout)
    except StackError as failure:
        return [*checks, Check("buildx", ERROR, failure.message)]
    checks.append(check_buildx_version(version.stdout))

    daemon_up = checks[1].level == OK
    if daemon_up:
        checks.append(_build_builder(inputs))
        push = _push_builder(inputs)
        checks.append(push)
        if push.level == OK:
            checks.append(_platforms(inputs))
    else:
        checks.append(
            Check("builders", WARNING, "not checked, since the daemon is unreachable")
        )

    bake, targets = _bake(inputs)
    checks.append(bake)
    config = docker_config.cli_config(inputs.env)
    checks += [check_credentials(host, config) for host in _push_hosts(targets)]
    return checks


def as_json(checks: Sequence[Check]) -> list[dict[str, str]]:
    """The checks as plain JSON data."""
    return [
        {"check": c.name, "level": c.level, "detail": c.detail, "fix": c.fix}
        for c in checks
    ]


def render(checks: Sequence[Check]) -> str:
    """One line per check, and the fix under any that is not ok."""
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.level:<8} {check.name:<{width}}  {check.detail}")
        if check.fix:
            lines.append(f"{'':<8} {'':<{width}}  fix: {check.fix}")
    return "\n".join(lines)


def failed(checks: Iterable[Check]) -> bool:
    """Whether any check is an error."""
    return any(check.level == ERROR for check in checks)
