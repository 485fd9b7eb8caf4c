from __future__ import annotations

import os
import signal
import subprocess
from typing import Any

import pytest

from stack_tasks import docker
from stack_tasks.errors import Interrupted


def test_run_attached_restores_the_sigterm_handler_it_replaced() -> None:
    before = signal.getsignal(signal.SIGTERM)

    assert docker.run_attached(["sh", "-c", "exit 3"]) == 3
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_sigterm_before_the_child_starts_is_passed_on_once_it_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_popen = subprocess.Popen
    started: list[subprocess.Popen[bytes]] = []

    def popen_after_sigterm(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        os.kill(os.getpid(), signal.SIGTERM)
        started.append(real_popen(["sleep", "30"], **kwargs))
        return started[0]

    monkeypatch.setattr(subprocess, "Popen", popen_after_sigterm)

    with pytest.raises(Interrupted) as caught:
        docker.run_attached(["docker", "buildx", "bake"])

    assert caught.value.code == 143
    assert started[0].returncode == -signal.SIGTERM
