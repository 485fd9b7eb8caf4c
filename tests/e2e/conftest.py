"""End-to-end tests: opt-in through STACK_E2E, each in a sandbox of its own.

Unset, every test here is skipped; ``1`` runs them when a Docker daemon
answers and skips them otherwise; ``required`` makes a missing daemon a failure.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import gate
from .sandbox import STARTING_ENV, Sandbox, isolated_env, prepare_config_dir

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``e2e``, so ``-m "not e2e"`` leaves them out."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _decision() -> gate.Decision:
    value = gate.mode(STARTING_ENV)
    early = gate.decide_before_probe(value)
    if early is not None:
        return early

    with tempfile.TemporaryDirectory(prefix="stack-e2e-probe-") as folder:
        config = Path(folder)
        prepare_config_dir(config, STARTING_ENV)
        problem = gate.engine_problem(isolated_env(STARTING_ENV, config))
    return gate.decide(value, problem)


@pytest.fixture(scope="session", autouse=True)
def engine() -> None:
    """Let the tests run only when STACK_E2E asks for them and an engine answers."""
    decision = _decision()
    if decision.action == "skip":
        pytest.skip(decision.reason)
    if decision.action == "fail":
        pytest.fail(decision.reason, pytrace=False)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh DOCKER_CONFIG and image namespace; what the test made is removed."""
    with tempfile.TemporaryDirectory(prefix="stack-e2e-config-") as folder:
        config = Path(folder)
        prepare_config_dir(config, STARTING_ENV)
        box = Sandbox(isolated_env(STARTING_ENV, config))
        try:
            yield box
        finally:
            failures = box.clean_up()
    if failures:
        pytest.fail("could not clean up: " + "; ".join(failures), pytrace=False)
