"""The builder guard against real buildx, with builders that never bootstrap."""

from __future__ import annotations

import shlex

import pytest

from .sandbox import NATIVE_BUILDER, Sandbox, output, unique


@pytest.fixture
def container_builder(sandbox: Sandbox) -> str:
    """A docker-container builder that exists but was never started."""
    return sandbox.create_builder(
        unique("stack-e2e-builder"), "--driver", "docker-container"
    )


def test_build_with_force_switches_back_to_the_native_builder(
    sandbox: Sandbox, container_builder: str
) -> None:
    sandbox.use(container_builder)

    done = sandbox.invoke("stack.build", "--force", *sandbox.image_flags)

    assert done.returncode == 0, output(done)
    assert sandbox.active_builder() == (NATIVE_BUILDER, "docker")


def test_build_without_a_terminal_or_force_refuses_and_switches_nothing(
    sandbox: Sandbox, container_builder: str
) -> None:
    sandbox.use(container_builder)

    done = sandbox.invoke("stack.build", *sandbox.image_flags)

    assert done.returncode == 1
    assert "Error: the active buildx builder is" in done.stderr
    assert "--force" in done.stderr
    assert "Traceback" not in output(done)
    assert sandbox.active_builder() == (container_builder, "docker-container")
    assert sandbox.our_images() == []


def test_push_refuses_the_native_builder_for_its_driver(sandbox: Sandbox) -> None:
    done = sandbox.invoke("stack.push", "--builder", NATIVE_BUILDER)

    assert done.returncode == 1
    assert f"builder '{NATIVE_BUILDER}' uses the 'docker' driver" in done.stderr


def test_the_create_command_push_prints_makes_a_builder_push_accepts(
    sandbox: Sandbox,
) -> None:
    name = unique("stack-e2e-does-not-exist")
    refused = sandbox.invoke("stack.push", "--builder", name)
    assert refused.returncode == 1
    command = refused.stderr.strip().splitlines()[-1]
    argv = shlex.split(command)
    assert argv[:3] == ["docker", "buildx", "create"]
    assert "--bootstrap" in argv

    sandbox.adopt_builder(name)
    # --bootstrap would pull moby/buildkit, which an offline machine cannot.
    created = sandbox.run([arg for arg in argv if arg != "--bootstrap"])
    assert created.returncode == 0, output(created)

    dry = sandbox.invoke("--dry", "stack.push", "--builder", name)
    assert dry.returncode == 0, output(dry)
    assert f"docker buildx bake --builder {name}" in dry.stdout


def test_build_with_force_switches_to_the_native_builder_of_the_context(
    sandbox: Sandbox, container_builder: str
) -> None:
    endpoint = "{{.Endpoints.docker.Host}}"
    host = sandbox.docker_ok("context", "inspect", "--format", endpoint).strip()
    # DOCKER_HOST would force the default context; the new one holds its host.
    sandbox.env.pop("DOCKER_HOST", None)
    context = unique("stack-e2e-context")
    sandbox.docker_ok("context", "create", context, "--docker", f"host={host}")
    sandbox.docker_ok("context", "use", context)
    sandbox.use(container_builder)

    done = sandbox.invoke("stack.build", "--force", *sandbox.image_flags)

    assert done.returncode == 0, output(done)
    assert sandbox.active_builder() == (context, "docker")
