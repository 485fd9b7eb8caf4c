from dataclasses import replace
from typing import Any

import pytest
from invoke.config import Config
from invoke.context import Context
from invoke.exceptions import Exit
from pytest_subprocess import FakeProcess

from stack_tasks import provision
from stack_tasks.errors import StackError
from stack_tasks.tasks import create_builder as create_builder_task

DRIVERS = frozenset({"docker-container", "kubernetes", "remote"})
INSPECT = ["docker", "buildx", "inspect", "ci"]
CREATE = [
    "docker",
    "buildx",
    "create",
    "--name",
    "ci",
    "--driver",
    "docker-container",
    "--bootstrap",
]
APPEND = [
    "docker",
    "buildx",
    "create",
    "--name",
    "ci",
    "--append",
    "--node",
    "arm",
    "--bootstrap",
    "arm-box",
]
CI_CONTAINER = (
    "Name:   ci\nDriver: docker-container\n\nNodes:\nName:   ci0\n"
    "Endpoint: unix:///var/run/docker.sock\nStatus: inactive\n"
)
CI_TWO_NODES = CI_CONTAINER + "\nName: arm\nEndpoint: arm-box\nStatus: inactive\n"


def register_missing(fp: FakeProcess) -> None:
    fp.register(INSPECT, returncode=1, stderr='ERROR: no builder "ci" found\n')


def request(**changes: Any) -> provision.CreateRequest:
    base = provision.CreateRequest(name="ci", drivers=DRIVERS, timeout=5.0)
    return replace(base, **changes)


def test_create_argv_passes_every_option_through_in_order() -> None:
    argv = provision.create_argv(
        request(
            platforms=("linux/amd64", "linux/arm64"),
            driver_opts=("network=host",),
            buildkitd_config="buildkitd.toml",
        )
    )

    assert argv == [
        *CREATE[:-1],
        "--platform",
        "linux/amd64",
        "--platform",
        "linux/arm64",
        "--driver-opt",
        "network=host",
        "--buildkitd-config",
        "buildkitd.toml",
        "--bootstrap",
    ]


def test_create_argv_adds_a_node_with_the_builders_own_driver() -> None:
    argv = provision.create_argv(request(append=True, node="arm", endpoint="arm-box"))

    assert argv == APPEND


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"append": True, "node": "arm"}, "needs --node NAME and --endpoint"),
        ({"node": "arm", "endpoint": "x"}, "pass --append"),
        ({"append": True, "node": "arm", "endpoint": "--push"}, "is not an endpoint"),
        ({"append": True, "node": "-x", "endpoint": "e"}, "--node '-x'"),
        ({"buildkitd_config": "/nonexistent.toml"}, "is not a file"),
    ],
    ids=[
        "append without an endpoint",
        "a node without append",
        "an endpoint that looks like a flag",
        "a node name that looks like a flag",
        "a buildkitd config that is not there",
    ],
)
def test_check_refuses_flags_that_do_not_go_together(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(StackError, match=message):
        provision.check(request(**changes))


def test_create_builder_creates_a_missing_builder_and_shows_the_command(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    register_missing(fp)
    fp.register(CREATE)

    assert provision.create_builder(request()) == 0

    assert fp.call_count(CREATE) == 1
    err = capsys.readouterr().err
    assert " ".join(CREATE) in err
    assert "Created builder 'ci' (docker-container)" in err


def test_create_builder_leaves_an_existing_push_builder_alone(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    fp.register(INSPECT, stdout=CI_CONTAINER)

    assert provision.create_builder(request(platforms=("linux/arm64",))) == 0

    assert fp.call_count(CREATE) == 0
    err = capsys.readouterr().err
    assert "exists with the 'docker-container' driver; left as it is" in err
    assert "Warning: --platform, --driver-opt and --buildkitd-config apply" in err


def test_create_builder_refuses_an_existing_builder_with_another_driver(
    fp: FakeProcess,
) -> None:
    fp.register(INSPECT, stdout="Name: ci\nDriver: docker\n")

    with pytest.raises(StackError, match=r"'docker' driver.*nothing was changed"):
        provision.create_builder(request())

    assert fp.call_count(CREATE) == 0


def test_create_builder_adds_a_node_the_builder_lacks(fp: FakeProcess) -> None:
    fp.register(INSPECT, stdout=CI_CONTAINER)
    fp.register(INSPECT, stdout=CI_CONTAINER)
    fp.register(APPEND)

    assert (
        provision.create_builder(request(append=True, node="arm", endpoint="arm-box"))
        == 0
    )

    assert fp.call_count(APPEND) == 1


def test_create_builder_leaves_a_node_that_is_there_alone(fp: FakeProcess) -> None:
    fp.register(INSPECT, stdout=CI_TWO_NODES)
    fp.register(INSPECT, stdout=CI_TWO_NODES)

    assert (
        provision.create_builder(request(append=True, node="arm", endpoint="arm-box"))
        == 0
    )

    assert fp.call_count(APPEND) == 0


def test_create_builder_will_not_add_a_node_to_a_missing_builder(
    fp: FakeProcess,
) -> None:
    register_missing(fp)

    with pytest.raises(StackError, match="no builder 'ci' to add a node to"):
        provision.create_builder(request(append=True, node="arm", endpoint="e"))


def test_create_builder_says_how_to_boot_or_undo_a_builder_that_did_not_boot(
    fp: FakeProcess,
) -> None:
    register_missing(fp)
    fp.register(CREATE, returncode=1)
    fp.register(INSPECT, stdout=CI_CONTAINER)

    with pytest.raises(StackError) as raised:
        provision.create_builder(request())

    assert "builder 'ci' was created but did not boot" in raised.value.message
    assert "`docker buildx rm ci`" in raised.value.message
    assert raised.value.hint == "docker buildx inspect --bootstrap ci"


def test_create_builder_says_how_to_undo_a_node_that_did_not_boot(
    fp: FakeProcess,
) -> None:
    fp.register(INSPECT, stdout=CI_CONTAINER)
    fp.register(INSPECT, stdout=CI_CONTAINER)
    fp.register(APPEND, returncode=1)
    fp.register(INSPECT, stdout=CI_TWO_NODES)

    with pytest.raises(StackError) as raised:
        provision.create_builder(request(append=True, node="arm", endpoint="arm-box"))

    assert "`docker buildx create --leave --name ci --node arm`" in (
        raised.value.message
    )


def test_create_builder_says_when_a_failed_create_changed_nothing(
    fp: FakeProcess,
) -> None:
    register_missing(fp)
    fp.register(CREATE, returncode=1)
    register_missing(fp)

    with pytest.raises(StackError, match="failed and nothing was changed"):
        provision.create_builder(request())


def test_create_builder_under_dry_prints_the_command_and_runs_nothing(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    register_missing(fp)

    assert provision.create_builder(request(dry=True)) == 0

    assert fp.call_count(CREATE) == 0
    assert capsys.readouterr().out == " ".join(CREATE) + "\n"


def test_create_builder_task_creates_the_configured_push_builder(
    fp: FakeProcess,
) -> None:
    config = Config(overrides={"stack": {"push_builder": "ci"}})
    register_missing(fp)
    fp.register(CREATE)

    create_builder_task(Context(config))

    assert fp.call_count(CREATE) == 1


def test_create_builder_task_exits_non_zero_on_a_refusal(fp: FakeProcess) -> None:
    fp.register(
        ["docker", "buildx", "inspect", "flowmesh-multiarch"],
        stdout=("Name: flowmesh-multiarch\nDriver: docker\n"),
    )

    with pytest.raises(Exit) as raised:
        create_builder_task(Context())

    assert raised.value.code == 1
