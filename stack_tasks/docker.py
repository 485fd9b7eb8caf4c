"""The process boundary: every ``docker`` child starts here, from an argument list."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import Interrupted, StackError

DOCKER = "docker"

_BUILDX_MISSING = (
    "'buildx' is not a docker command",
    "unknown command: docker buildx",
)


@dataclass(frozen=True)
class Output:
    """What a finished read-only ``docker`` call printed, decoded leniently."""

    returncode: int
    stdout: str
    stderr: str


def _docker_missing() -> StackError:
    return StackError(
        "the docker command was not found on PATH; install Docker "
        "(Docker Engine with the buildx plugin, or Docker Desktop) and try again"
    )


def _check_buildx(stderr: str) -> None:
    if any(marker in stderr for marker in _BUILDX_MISSING):
        raise StackError(
            "the docker buildx plugin is not installed; install it (Debian: "
            "docker-buildx; Docker Desktop ships it) and try again"
        )


def probe(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Output:
    """Run a read-only ``docker`` command and capture what it prints."""
    argv = [DOCKER, *args]
    try:
        completed = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise _docker_missing() from None
    except subprocess.TimeoutExpired:
        raise StackError(
            f"the Docker daemon did not answer in {timeout:g} seconds; check that "
            "it is running and responsive, then try again"
        ) from None

    output = Output(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )
    _check_buildx(output.stderr)
    return output


def run_attached(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> int:
    """Run a command on the user's terminal and return its exit status.

    Ctrl-C reaches the child through the terminal's process group; we wait for
    it to finish so that no orphan is left, then report the interruption.
    """
    try:
        process = subprocess.Popen(list(argv), env=env)
    except FileNotFoundError:
        raise _docker_missing() from None

    interrupted = False
    while True:
        try:
            returncode = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True

    if interrupted:
        raise Interrupted()
    return returncode
