"""The process boundary: every ``docker`` child starts here, from an argument list."""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Optional

from .errors import SIGNALLED, Interrupted, StackError

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


SignalHandler = Callable[[int, Optional[FrameType]], Any]


@contextmanager
def _on_sigterm(handler: SignalHandler) -> Iterator[None]:
    """Handle SIGTERM with ``handler`` inside the block.

    Only the main thread can, since Python runs signal handlers there; in any
    other thread SIGTERM keeps whatever handling it had.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(SIGNALLED + signum)


def stopping_on_sigterm() -> AbstractContextManager[None]:
    """Make SIGTERM stop the task as Ctrl-C does: a probe in flight is killed and
    waited for, and the task ends with the shell's status for SIGTERM."""
    return _on_sigterm(_stop)


class _Forwarder:
    """Pass SIGTERM on to the child we wait for, and remember that it came.

    A SIGTERM that comes before the child starts is passed on once it has.
    """

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.received: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if self.child is not None:
            self.child.send_signal(signum)

    def attach(self, child: subprocess.Popen[bytes]) -> None:
        self.child = child
        if self.received is not None:
            child.send_signal(self.received)


def run_attached(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> int:
    """Run a command on the user's terminal and return its exit status.

    Ctrl-C reaches the child through the terminal's process group, and SIGTERM
    to the task is passed on to it; we wait for the child to finish so that no
    orphan is left, then report the interruption with the shell's status.
    """
    interrupted = False
    forwarder = _Forwarder()
    with _on_sigterm(forwarder):
        try:
            process = subprocess.Popen(list(argv), env=env)
        except FileNotFoundError:
            raise _docker_missing() from None
        forwarder.attach(process)

        while True:
            try:
                returncode = process.wait()
                break
            except KeyboardInterrupt:
                interrupted = True

    if forwarder.received is not None:
        raise Interrupted(SIGNALLED + forwarder.received)
    if interrupted:
        raise Interrupted()
    return returncode
