from __future__ import annotations

from pathlib import Path

import pytest

from stack_tasks import validate
from stack_tasks.errors import StackError


@pytest.mark.parametrize(
    "value",
    [
        "localhost:5000/flowmesh",
        "localhost",
        "ghcr.io/acme/team",
        "registry.example.com:443",
        "[::1]:5000/flowmesh",
        "my-registry.local/a__b/c-d.e",
        "MyHost/lowercase",
    ],
    ids=lambda value: f"accepts {value}",
)
def test_check_registry_accepts_a_host_with_port_and_namespace(value: str) -> None:
    assert validate.check_registry(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "-f",
        "localhost:5000/Flowmesh",
        "localhost:5000/",
        "localhost:port",
        "ghcr.io//team",
        "ghcr.io/team/",
        "-ghcr.io",
        "ghcr.io/team:tag",
        "ghcr.io/a b",
        "https://ghcr.io",
    ],
    ids=lambda value: f"refuses {value!r}",
)
def test_check_registry_refuses_what_is_not_an_image_reference_prefix(
    value: str,
) -> None:
    with pytest.raises(StackError) as caught:
        validate.check_registry(value, "config stack.registry")

    message = caught.value.message
    assert message.startswith(f"config stack.registry {value!r} is not a registry")
    assert "optional :port" in message


@pytest.mark.parametrize("value", ["dev", "v1.2.0", "_x", "A" * 128, "1-rc.2_b"])
def test_check_tag_accepts_docker_tags(value: str) -> None:
    assert validate.check_tag(value) == value


@pytest.mark.parametrize(
    "value", ["", "-latest", ".x", "a" * 129, "a:b", "a/b", "ä", "a b", "--load"]
)
def test_check_tag_refuses_what_docker_would_not_tag_with(value: str) -> None:
    with pytest.raises(StackError) as caught:
        validate.check_tag(value)

    assert caught.value.message.startswith(f"--image-tag {value!r} is not an image tag")
    assert "up to 127" in caught.value.message


@pytest.mark.parametrize(
    "value",
    [
        "*.platform=linux/arm64",
        "*.cache-from=",
        "gateway.args.VERSION=1.0",
        "back*.labels.org.opencontainers.image.version=1",
        "worker.tags=a=b",
        "-odd.no-cache=true",
    ],
)
def test_check_sets_accepts_the_shape_pattern_key_value(value: str) -> None:
    assert validate.check_sets([value]) == (value,)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "platform=linux/arm64",
        "*.platform",
        ".platform=x",
        "*.=x",
        "*.Platform=x",
        "a b.platform=x",
        "*.args.=x",
        "*.args.X=a\0b",
        "--load",
        "*.platform=\udc80\ud800",
    ],
    ids=repr,
)
def test_check_sets_refuses_anything_else(value: str) -> None:
    with pytest.raises(StackError) as caught:
        validate.check_sets(["*.pull=true", value])

    assert caught.value.message.startswith(f"--set {value!r} does not have the shape")
    assert "PATTERN.KEY=VALUE" in caught.value.message


@pytest.mark.parametrize(
    "value", ["linux/amd64", "linux/arm/v7", "windows/amd64", "local", "linux/x86_64"]
)
def test_check_platforms_accepts_os_arch_variant_and_local(value: str) -> None:
    assert validate.check_platforms([value]) == (value,)


@pytest.mark.parametrize(
    "value", ["linux", "", "linux/", "/amd64", "linux/arm/v7/x", "Local", "linux amd64"]
)
def test_check_platforms_refuses_anything_else(value: str) -> None:
    with pytest.raises(StackError) as caught:
        validate.check_platforms(["linux/amd64", value], "config stack.platforms")

    message = caught.value.message
    assert message.startswith(f"config stack.platforms entry {value!r} is not a")
    assert "os/arch or os/arch/variant" in message


def test_check_progress_refuses_a_mode_bake_does_not_know() -> None:
    assert validate.check_progress("plain") == "plain"

    with pytest.raises(StackError, match=r"--progress '-x' is not a progress output"):
        validate.check_progress("-x")


def test_check_bake_file_accepts_a_readable_file(tmp_path: Path) -> None:
    bake_file = tmp_path / "docker-bake.hcl"
    bake_file.write_text('target "a" {}\n')

    assert validate.check_bake_file(str(bake_file)) == str(bake_file)


def test_check_bake_file_refuses_a_missing_file_with_its_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.hcl")

    with pytest.raises(StackError) as caught:
        validate.check_bake_file(missing, "config stack.bake_file")

    assert caught.value.message.startswith(
        f"config stack.bake_file {missing!r}: no such bake file"
    )


def test_check_bake_file_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="cannot read the bake file"):
        validate.check_bake_file(str(tmp_path))


def test_check_bake_file_refuses_a_path_with_a_nul_byte() -> None:
    with pytest.raises(StackError, match="cannot read the bake file"):
        validate.check_bake_file("docker-bake\0.hcl")
