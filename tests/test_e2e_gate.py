"""STACK_E2E decides whether the end-to-end tests run, skip or fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import gate
from tests.e2e.sandbox import REPO_ROOT

NO_CACHE = ("-p", "no:cacheprovider")
FAKE_DOCKER = """\
echo "$@" >> "$FAKE_DOCKER_LOG"
echo "Cannot connect to the Docker daemon at unix:///nowhere.sock." >&2
exit 1
"""


def run_e2e_tests(tmp_path: Path, setting: str | None) -> tuple[int, str, str]:
    """Run pytest on tests/e2e with a docker that never reaches a daemon."""
    log = tmp_path / "docker-calls"
    env = {key: value for key, value in os.environ.items() if key != gate.VARIABLE}
    env.update(fake_docker(tmp_path / "bin", FAKE_DOCKER), FAKE_DOCKER_LOG=str(log))
    if setting is not None:
        env[gate.VARIABLE] = setting
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e", "-q", "-rs", *NO_CACHE],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    calls = log.read_text() if log.exists() else ""
    return done.returncode, done.stdout + done.stderr, calls


@pytest.mark.parametrize("setting", [None, "", "0"], ids=["unset", "empty", "zero"])
def test_e2e_tests_are_skipped_without_calling_docker_when_not_enabled(
    tmp_path: Path, setting: str | None
) -> None:
    code, out, calls = run_e2e_tests(tmp_path, setting)

    assert code == 0, out
    assert "passed" not in out and "error" not in out
    assert "skipped" in out
    assert "set STACK_E2E=1 to run it on a real Docker Engine" in out
    assert calls == ""


def test_e2e_tests_are_skipped_with_the_reason_when_no_daemon_answers(
    tmp_path: Path,
) -> None:
    code, out, calls = run_e2e_tests(tmp_path, "1")

    assert code == 0, out
    assert "passed" not in out and "error" not in out
    assert "STACK_E2E=1, but no Docker daemon answers `docker info`" in out
    assert "Cannot connect to the Docker daemon" in out
    assert calls.splitlines() == ["info -f {{.ServerVersion}}"]


def test_e2e_tests_fail_when_required_and_no_daemon_answers(tmp_path: Path) -> None:
    code, out, _ = run_e2e_tests(tmp_path, "required")

    assert code == 1, out
    assert "skipped" not in out
    assert "STACK_E2E=required, but no Docker daemon answers `docker info`" in out


def test_an_unknown_stack_e2e_value_is_a_failure_not_a_skip(tmp_path: Path) -> None:
    code, out, calls = run_e2e_tests(tmp_path, "yes")

    assert code == 1, out
    assert "STACK_E2E must be 1, required or unset, not 'yes'" in out
    assert calls == ""


@pytest.mark.parametrize("setting", [gate.ON, gate.REQUIRED])
def test_a_working_engine_lets_the_e2e_tests_run(setting: str) -> None:
    assert gate.decide(setting, None) == gate.Decision("run")


def fake_docker(bin_dir: Path, script: str) -> dict[str, str]:
    """An environment whose ``docker`` is a shell script."""
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(f"#!/bin/sh\n{script}\n")
    (bin_dir / "docker").chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}


def test_a_missing_buildx_plugin_is_the_problem_when_the_daemon_answers(
    tmp_path: Path,
) -> None:
    env = fake_docker(
        tmp_path / "bin",
        'case "$1" in info) echo 20.10.24 ;; *) '
        "echo \"docker: 'buildx' is not a docker command.\" >&2; exit 1 ;; esac",
    )

    assert gate.engine_problem(env) == (
        "the buildx plugin does not answer `docker buildx` "
        "(docker: 'buildx' is not a docker command.)"
    )


def test_there_is_no_problem_when_the_daemon_and_buildx_answer(tmp_path: Path) -> None:
    env = fake_docker(tmp_path / "bin", "echo 0.13.1")

    assert gate.engine_problem(env) is None
