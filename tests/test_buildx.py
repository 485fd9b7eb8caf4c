from __future__ import annotations

import re

import pytest
from pytest_subprocess import FakeProcess

from stack_tasks import buildx
from stack_tasks.errors import StackError

from .conftest import INSPECT, inspect_output

REAL_CONTAINER_BUILDER = """\
Name:          flowmesh-multiarch
Driver:        docker-container
Last Activity: 2026-12-03 15:59:57 +0000 UTC

Nodes:
Name:                  flowmesh-multiarch0
Endpoint:              unix:///var/run/docker.sock
Status:                inactive
BuildKit daemon flags: --allow-insecure-entitlement=network.host
"""


def test_the_first_name_and_driver_are_the_builder_s_not_a_node_s() -> None:
    builder = buildx.parse_inspect(REAL_CONTAINER_BUILDER)

    assert builder == buildx.Builder("flowmesh-multiarch", "docker-container")


def test_an_empty_driver_reads_as_unknown() -> None:
    assert buildx.parse_inspect("Name: x\nDriver:   \n").driver is None


def test_a_node_error_other_than_the_daemon_is_refused_with_buildx_s_text(
    fp: FakeProcess,
) -> None:
    fp.register(
        INSPECT,
        stdout=inspect_output("b", "remote") + "Error: tls: bad certificate\n",
    )

    with pytest.raises(StackError, match="tls: bad certificate"):
        buildx.inspect_active(timeout=None)


def test_a_builder_that_is_not_there_is_none(fp: FakeProcess) -> None:
    fp.register(
        [*INSPECT, "gone"], returncode=1, stderr='ERROR: no builder "gone" found'
    )

    assert buildx.inspect_builder("gone", timeout=None) is None


def test_any_other_inspect_failure_is_an_error_with_buildx_s_words(
    fp: FakeProcess,
) -> None:
    fp.register([*INSPECT, "b"], returncode=1, stderr="ERROR: permission denied\n")

    with pytest.raises(StackError, match="cannot inspect builder 'b': permission"):
        buildx.inspect_builder("b", timeout=None)


def test_a_failed_switch_reports_buildx_s_message(fp: FakeProcess) -> None:
    fp.register(
        ["docker", "buildx", "use", "b"],
        returncode=1,
        stderr='ERROR: failed to find instance "b"\n',
    )

    with pytest.raises(StackError, match='failed to find instance "b"'):
        buildx.use("b", timeout=None)


def test_bake_print_output_that_is_not_json_is_an_error(fp: FakeProcess) -> None:
    fp.register(["docker", "buildx", "bake", "--print", "-f", "x.hcl"], stdout="{")

    with pytest.raises(StackError, match=re.escape("gave no JSON for x.hcl")):
        buildx.bake_print(["-f", "x.hcl"], bake_file="x.hcl", env={}, timeout=None)
