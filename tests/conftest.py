"""Shared fixtures: run a task through Invoke's own CLI parser, in-process."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from invoke.collection import Collection
from invoke.program import Program

import stack_tasks

INSPECT = ["docker", "buildx", "inspect"]
BAKE = ["docker", "buildx", "bake"]


def inspect_output(name: str, driver: str, status: str = "running") -> str:
    """What ``docker buildx inspect`` prints for a one-node builder."""
    node = f"{name}0" if driver != "docker" else name
    return (
        f"Name:   {name}\nDriver: {driver}\n\nNodes:\n"
        f"Name:      {node}\nEndpoint:  unix:///var/run/docker.sock\n"
        f"Status:    {status}\nPlatforms: linux/amd64\n"
    )


DAEMON_DOWN = (
    "Name:          default\nDriver:        \n"
    "Error:         Cannot connect to the Docker daemon at "
    "unix:///var/run/docker.sock. Is the docker daemon running?\n"
)


def print_json(targets: dict[str, dict[str, Any]]) -> str:
    """What ``docker buildx bake --print`` prints for these targets."""
    group = {"default": {"targets": sorted(targets)}}
    return json.dumps({"group": group, "target": targets})


EXAMPLE_TARGETS: dict[str, dict[str, Any]] = {
    "api": {"context": ".", "tags": ["localhost:5000/flowmesh/api:dev"]},
    "web": {"context": ".", "tags": ["localhost:5000/flowmesh/web:dev", "web:x"]},
}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


class TerminalInput(io.StringIO):
    """Standard input that says it is a terminal, with the user's answer in it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Each test starts in a folder with an empty bake file, no Docker or bake
    variables set; the tasks refuse a bake file that is not there. Docker's
    config and the user's cache folder are the test's own."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docker-bake.hcl").write_text("")
    for name in (
        "BUILDX_BUILDER",
        "DOCKER_CONTEXT",
        "DOCKER_HOST",
        "REGISTRY",
        "TAG",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # Set as a user would, so that no test asks git; tests of git remove them.
    monkeypatch.setenv("REVISION", "test-revision")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make standard input a terminal on which the user types ``answer``."""

    def type_answer(answer: str) -> None:
        monkeypatch.setattr("sys.stdin", TerminalInput(answer))

    return type_answer


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., Result]]:
    """Run ``invoke ARGS...`` against the stack collection; return what it did."""

    def run(*args: str) -> Result:
        program = Program(namespace=Collection(stack_tasks.ns), name="invoke")
        try:
            program.run(["invoke", *args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run
