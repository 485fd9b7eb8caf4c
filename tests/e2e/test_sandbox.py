"""The sandbox itself: it cleans up after itself and leaves others' state alone."""

from __future__ import annotations

from pathlib import Path

from .sandbox import Sandbox, output, prepare_config_dir, unique


def test_clean_up_removes_the_builders_and_images_the_sandbox_made(
    sandbox: Sandbox,
) -> None:
    builder = sandbox.create_builder(unique("stack-e2e-builder"))
    built = sandbox.invoke("stack.build", "-t", "gateway", *sandbox.image_flags)
    assert built.returncode == 0, output(built)
    sandbox.docker_ok(
        "tag",
        f"{sandbox.namespace}/gateway:{sandbox.tag}",
        f"127.0.0.1:5000/{sandbox.namespace}/gateway:copy",
    )
    assert len(sandbox.our_images()) == 2

    assert sandbox.clean_up() == []

    assert sandbox.our_images() == []
    assert sandbox.docker("buildx", "inspect", builder).returncode == 1


def test_a_borrowed_builder_is_usable_and_stays_with_its_owner(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    owner = {"DOCKER_CONFIG": str(tmp_path / "owner")}
    prepare_config_dir(tmp_path / "owner", sandbox.env)
    name = unique("stack-e2e-borrowed")
    created = sandbox.run(["docker", "buildx", "create", "--name", name], env=owner)
    assert created.returncode == 0, output(created)

    try:
        assert sandbox.borrow_builder(name, tmp_path / "owner")
        dry = sandbox.invoke("--dry", "stack.push", "--builder", name)
        assert dry.returncode == 0, output(dry)
        assert sandbox.clean_up() == []
        kept = sandbox.run(["docker", "buildx", "inspect", name], env=owner)
        assert kept.returncode == 0, output(kept)
    finally:
        sandbox.run(["docker", "buildx", "rm", name], env=owner)

    assert not sandbox.borrow_builder(unique("stack-e2e-none"), tmp_path / "owner")
