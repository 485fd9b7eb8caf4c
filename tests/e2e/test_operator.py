"""The operator tasks against real buildx: targets, builders, doctor."""

from __future__ import annotations

import json
from typing import Any

from .sandbox import NATIVE_BUILDER, Sandbox, output, unique


def two_node_builder(sandbox: Sandbox) -> str:
    """A docker-container builder with an amd64 node and an arm64 node."""
    context = unique("stack-e2e-context")
    sandbox.docker_ok(
        "context", "create", context, "--docker", "host=unix:///var/run/docker.sock"
    )
    name = sandbox.create_builder(
        unique("stack-e2e-builder"),
        "--driver",
        "docker-container",
        "--platform",
        "linux/amd64",
    )
    sandbox.docker_ok(
        "buildx",
        "create",
        "--append",
        "--name",
        name,
        "--node",
        f"{name}-arm",
        "--platform",
        "linux/arm64",
        context,
    )
    return name


def by_name(listing: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {builder["name"]: builder for builder in listing}


def test_targets_lists_the_example_stack_in_our_namespace(sandbox: Sandbox) -> None:
    done = sandbox.invoke("stack.targets", "--json", "-t", "edge", *sandbox.image_flags)

    assert done.returncode == 0, output(done)
    listing = json.loads(done.stdout)
    assert listing["groups"] == {"edge": ["gateway"]}
    assert listing["targets"]["gateway"]["tags"] == [
        f"{sandbox.namespace}/gateway:{sandbox.tag}"
    ]


def test_targets_without_a_target_lists_every_group_of_the_bake_file(
    sandbox: Sandbox,
) -> None:
    done = sandbox.invoke("stack.targets", "--json", *sandbox.image_flags)

    assert done.returncode == 0, output(done)
    listing = json.loads(done.stdout)
    assert listing["groups"] == {
        "backend": ["router", "worker"],
        "default": ["gateway", "router", "worker"],
        "edge": ["gateway"],
    }
    assert sorted(listing["targets"]) == ["gateway", "router", "worker"]


def test_builders_shows_each_node_and_what_each_task_accepts(
    sandbox: Sandbox,
) -> None:
    name = two_node_builder(sandbox)

    done = sandbox.invoke("stack.builders", "--json")

    assert done.returncode == 0, output(done)
    found = by_name(json.loads(done.stdout))
    ours, native = found[name], found[NATIVE_BUILDER]
    assert (ours["driver"], ours["build"], ours["push"]) == (
        "docker-container",
        False,
        True,
    )
    assert ours["platforms"] == ["linux/amd64", "linux/arm64"]
    assert [node["name"] for node in ours["nodes"]] == [f"{name}0", f"{name}-arm"]
    assert (native["active"], native["build"], native["push"]) == (True, True, False)


def test_builders_table_marks_the_active_builder(sandbox: Sandbox) -> None:
    name = two_node_builder(sandbox)
    sandbox.use(name)

    done = sandbox.invoke("stack.builders")

    assert done.returncode == 0, output(done)
    row = next(line for line in done.stdout.splitlines() if line.startswith(name))
    assert row.split()[-3:] == ["yes", "no", "yes"]
    assert f"  {name}-arm" in done.stdout


def test_create_builder_leaves_an_existing_push_builder_alone(
    sandbox: Sandbox,
) -> None:
    name = two_node_builder(sandbox)

    done = sandbox.invoke("stack.create-builder", "--builder", name)

    assert done.returncode == 0, output(done)
    assert "left as it is" in done.stderr


def test_create_builder_refuses_the_native_builder(sandbox: Sandbox) -> None:
    done = sandbox.invoke("stack.create-builder", "--builder", NATIVE_BUILDER)

    assert done.returncode == 1
    assert "nothing was changed" in done.stderr


def test_doctor_sends_a_missing_push_builder_to_create_builder(
    sandbox: Sandbox,
) -> None:
    missing = unique("stack-e2e-missing")

    done = sandbox.invoke("stack.doctor", env={"INVOKE_STACK_PUSH_BUILDER": missing})

    assert done.returncode == 1, output(done)
    lines = done.stdout.splitlines()
    assert any(line.split()[:3] == ["error", "push", "builder"] for line in lines)
    assert "fix: invoke stack.create-builder" in done.stdout
    assert "Traceback" not in output(done)


def test_doctor_passes_a_push_builder_that_covers_the_platforms(
    sandbox: Sandbox,
) -> None:
    name = two_node_builder(sandbox)

    done = sandbox.invoke(
        "stack.doctor", "--json", env={"INVOKE_STACK_PUSH_BUILDER": name}
    )

    assert done.returncode == 0, output(done)
    levels = {check["check"]: check["level"] for check in json.loads(done.stdout)}
    assert levels["push builder"] == levels["platforms"] == "ok"
    assert levels["daemon"] == levels["bake file"] == "ok"
