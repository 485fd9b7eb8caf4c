"""Whether the end-to-end tests run, decided from ``STACK_E2E`` and the daemon."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

VARIABLE = "STACK_E2E"
OFF = frozenset({"", "0"})
ON = "1"
REQUIRED = "required"
PROBE_TIMEOUT = 20.0


@dataclass(frozen=True)
class Decision:
    """Run the end-to-end tests, skip them or fail them, and why."""

    action: Literal["run", "skip", "fail"]
    reason: str = ""


def mode(env: Mapping[str, str]) -> str:
    """The value of ``STACK_E2E``, trimmed; unset reads as off."""
    return env.get(VARIABLE, "").strip()


def decide_before_probe(value: str) -> Decision | None:
    """Decide without asking docker when the setting alone decides."""
    if value in OFF:
        return Decision(
            "skip",
            f"end-to-end test: set {VARIABLE}=1 to run it on a real Docker Engine "
            f"(it creates builders and images), or {VARIABLE}=required to fail "
            "without one",
        )
    if value not in {ON, REQUIRED}:
        return Decision(
            "fail", f"{VARIABLE} must be 1, required or unset, not {value!r}"
        )
    return None


def decide(value: str, problem: str | None) -> Decision:
    """Decide from the setting and what is wrong with the engine, if anything."""
    early = decide_before_probe(value)
    if early is not None:
        return early
    if problem is None:
        return Decision("run")

    if value == REQUIRED:
        return Decision(
            "fail",
            f"{VARIABLE}=required, but {problem}; start an engine "
            "(scripts/engine.sh start on Debian) and run the tests again",
        )
    return Decision(
        "skip",
        f"{VARIABLE}=1, but {problem}; start an engine (scripts/engine.sh start on "
        f"Debian), or set {VARIABLE}=required to make this a failure",
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def engine_problem(env: Mapping[str, str]) -> str | None:
    """What keeps docker and buildx from working here, or None when they do."""
    daemon = ["info", "-f", "{{.ServerVersion}}"]
    checks = (
        ("no Docker daemon answers `docker info`", daemon),
        ("the buildx plugin does not answer `docker buildx`", ["buildx", "version"]),
    )
    for failure, args in checks:
        try:
            done = subprocess.run(
                ["docker", *args],
                env=dict(env),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            return "the docker command is not on PATH"
        except subprocess.TimeoutExpired:
            return f"{failure} within {PROBE_TIMEOUT:g} s"

        if done.returncode != 0 or not done.stdout.strip():
            detail = _last_line(done.stderr or done.stdout)
            return f"{failure} ({detail})"
    return None
