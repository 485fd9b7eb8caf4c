from __future__ import annotations

import re

import pytest
from pytest_subprocess import FakeProcess

from stack_tasks import buildx
from stack_tasks.errors import StackError

from .conftest import INSPECT, inspect_output

CONTAINER = "docker-container"
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


def test_parse_inspect_keeps_a_node_error_with_the_node_name() -> None:
    text = inspect_output("multi", CONTAINER) + "Error: failed to bootstrap: no image\n"

    builder = buildx.parse_inspect(text)

    assert builder.errors == ("node 'multi0': failed to bootstrap: no image",)


def test_parse_inspect_reads_a_node_with_status_error_as_an_error() -> None:
    builder = buildx.parse_inspect(inspect_output("multi", CONTAINER, "error"))

    assert builder.errors == ("node 'multi0': Status: error",)


@pytest.mark.parametrize("status", ["running", "inactive", "stopped"])
def test_parse_inspect_accepts_nodes_that_bake_can_boot(status: str) -> None:
    builder = buildx.parse_inspect(inspect_output("multi", CONTAINER, status))

    assert builder == buildx.Builder(name="multi", driver=CONTAINER)


def test_parse_inspect_reads_no_driver_line_as_an_unknown_driver() -> None:
    builder = buildx.parse_inspect("Name: default\nLast Activity: now\n")

    assert builder.driver is None


def test_parse_inspect_skips_lines_it_does_not_know() -> None:
    text = (
        "garbage without a colon\n\x00\x7f\n: empty key\n"
        "Name: b\nDriver: docker\nFuture Field: {json: [1, 2]}\n"
        "Nodes:\nName: b\nBuildKit daemon flags: --allow-insecure-entitlement\n"
        "Labels:\n org.mobyproject.buildkit.worker.executor: oci\n"
    )

    assert buildx.parse_inspect(text) == buildx.Builder(name="b", driver="docker")


def test_checked_refuses_a_node_in_error_with_buildx_text(fp: FakeProcess) -> None:
    fp.register([*INSPECT, "multi"], stdout=inspect_output("multi", CONTAINER, "error"))

    with pytest.raises(StackError) as caught:
        buildx.inspect_builder("multi", timeout=5)

    assert caught.value.message.startswith(
        "buildx reports an error for builder 'multi': node 'multi0': Status: error;"
    )


def test_a_node_that_cannot_reach_the_daemon_keeps_the_daemon_message(
    fp: FakeProcess,
) -> None:
    down = "Error:    Cannot connect to the Docker daemon at unix:///x.sock.\n"
    fp.register([*INSPECT, "multi"], stdout=inspect_output("multi", CONTAINER) + down)

    with pytest.raises(StackError, match="the Docker daemon cannot be reached"):
        buildx.inspect_builder("multi", timeout=5)


def test_inspect_survives_bytes_that_are_not_utf8(fp: FakeProcess) -> None:
    fp.register(
        INSPECT,
        stdout=b"Name: caf\xe9\xff\nDriver: docker\nLabels: \xc3\x28\n",
        stderr=b"\xfe\xfe warning\n",
    )

    builder = buildx.inspect_active(timeout=5)

    assert builder == buildx.Builder(name="caf\ufffd\ufffd", driver="docker")
