"""Typed answers to the read-only questions we ask ``docker buildx``."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import docker
from .errors import StackError

_DAEMON_DOWN_MARKERS = ("cannot connect to the docker daemon", "is the docker daemon")


@dataclass(frozen=True)
class Builder:
    """A buildx builder as ``docker buildx inspect`` describes it."""

    name: str
    driver: str | None
    errors: tuple[str, ...] = ()


def parse_inspect(text: str) -> Builder:
    """Read the builder's own name and driver, and every error buildx reports.

    The first ``Name:`` and ``Driver:`` lines are the builder's; later ``Name:``
    lines begin its nodes. An ``Error:`` line, or a node whose ``Status:`` is
    ``error``, is kept in buildx's words, with the node it belongs to. Lines
    we do not know are skipped.
    """
    name = ""
    driver: str | None = None
    node: str | None = None
    errors: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        where = f"node '{node}': " if node is not None else ""
        if key == "Name":
            if name:
                node = value
            else:
                name = value
        elif key == "Driver" and driver is None:
            driver = value or None
        elif key == "Error":
            errors.append(f"{where}{value}")
        elif key == "Status" and value.lower() == "error":
            errors.append(f"{where}Status: {value}")

    return Builder(name=name, driver=driver, errors=tuple(errors))


def _daemon_unreachable() -> StackError:
    return StackError(
        "the Docker daemon cannot be reached; start Docker (or check DOCKER_HOST "
        "and DOCKER_CONTEXT) and try again"
    )


def _last_error(output: docker.Output) -> str:
    """Pick buildx's own error sentence out of its progress output."""
    lines = [line.strip() for line in output.stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("ERROR:"):
            return line.removeprefix("ERROR:").strip()
    return lines[-1] if lines else f"exit status {output.returncode}"


def _checked(builder: Builder) -> Builder:
    for message in builder.errors:
        if any(marker in message.lower() for marker in _DAEMON_DOWN_MARKERS):
            raise _daemon_unreachable()
    if builder.errors:
        raise StackError(
            f"buildx reports an error for builder '{builder.name}': "
            f"{builder.errors[0]}; fix or recreate the builder and try again"
        )
    return builder


def inspect_active(timeout: float | None) -> Builder:
    """Describe the builder that ``docker buildx`` commands use by default.

    ``BUILDX_BUILDER`` is kept out of the child, which would otherwise report
    that builder instead of the stored active one.
    """
    env = {key: value for key, value in os.environ.items() if key != "BUILDX_BUILDER"}
    output = docker.probe(["buildx", "inspect"], env=env, timeout=timeout)
    if output.returncode != 0:
        raise StackError(
            f"cannot read the active buildx builder: {_last_error(output)}; "
            "run `docker buildx ls` to check your builders"
        )
    return _checked(parse_inspect(output.stdout))


def inspect_builder(name: str, timeout: float | None) -> Builder | None:
    """Describe the builder called ``name``, or return None when there is none."""
    output = docker.probe(["buildx", "inspect", name], timeout=timeout)
    if output.returncode != 0:
        message = _last_error(output)
        if "no builder" in message or "failed to find instance" in message:
            return None
        raise StackError(f"cannot inspect builder '{name}': {message}")
    return _checked(parse_inspect(output.stdout))


def use(name: str, timeout: float | None) -> None:
    """Make ``name`` the active builder for the user's own buildx commands."""
    output = docker.probe(["buildx", "use", name], timeout=timeout)
    if output.returncode != 0:
        raise StackError(
            f"could not switch the active builder to '{name}': {_last_error(output)}"
        )


def bake_print(
    args: Sequence[str],
    *,
    bake_file: str,
    env: Mapping[str, str],
    timeout: float | None,
) -> dict[str, Any]:
    """Resolve the bake file the way bake itself will, and return its JSON."""
    output = docker.probe(
        ["buildx", "bake", "--print", *args], env=env, timeout=timeout
    )
    if output.returncode != 0:
        raise StackError(
            f"bake cannot resolve {bake_file}: {_last_error(output)}; fix the bake "
            "file or the targets and try again"
        )

    try:
        resolved = json.loads(output.stdout)
    except json.JSONDecodeError:
        raise StackError(
            f"bake --print gave no JSON for {bake_file}; check that "
            "`docker buildx bake --print` works on this machine"
        ) from None
    if not isinstance(resolved, dict):
        raise StackError(f"bake --print gave unexpected JSON for {bake_file}")
    return resolved
