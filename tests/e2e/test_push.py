"""The push round trip: a registry, a builder that bootstraps, and the cache.

STACK_E2E_REGISTRY names a registry (host:port, plain HTTP) to push to; else
Debian's docker-registry serves one on 127.0.0.1. STACK_E2E_PUSH_BUILDER names
an existing push builder; else the test creates one, which must bootstrap.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest

from stack_tasks.docker_config import config_dir

from . import registry
from .sandbox import STARTING_ENV, Sandbox, output, unique

REGISTRY_VARIABLE = "STACK_E2E_REGISTRY"
BUILDER_VARIABLE = "STACK_E2E_PUSH_BUILDER"
REGISTRY_BINARY = "docker-registry"
BUILDKIT_IMAGE = "moby/buildkit:buildx-stable-1"
BOOTSTRAP_TIMEOUT = 180.0
PLATFORMS = {"linux/amd64", "linux/arm64"}


def registry_binary() -> str:
    """Debian's docker-registry, or skip: without it no registry can be started."""
    found = shutil.which(REGISTRY_BINARY)
    if found is None:
        pytest.skip(
            "Debian's docker-registry is not installed (scripts/engine.sh install "
            f"installs it); {REGISTRY_VARIABLE} names another registry to push to"
        )
    return found


@pytest.fixture
def registry_address() -> Iterator[str]:
    """Where to push: STACK_E2E_REGISTRY, else a registry of the test's own."""
    given = STARTING_ENV.get(REGISTRY_VARIABLE)
    if given:
        yield given
        return

    with registry.local_registry(registry_binary()) as running:
        yield running.address


def _buildkitd_config(folder: Path, address: str) -> Path:
    config = folder / "buildkitd.toml"
    config.write_text(f'[registry."{address}"]\n  http = true\n  insecure = true\n')
    return config


@pytest.fixture
def push_builder(
    sandbox: Sandbox, registry_address: str, tmp_path: Path
) -> Iterator[str]:
    """A builder that can push: the user's, or one we create and bootstrap."""
    given = STARTING_ENV.get(BUILDER_VARIABLE)
    if given:
        if not sandbox.borrow_builder(given, config_dir(STARTING_ENV)):
            pytest.fail(
                f"{BUILDER_VARIABLE}={given}, but your Docker config has no such "
                "builder; name one that `docker buildx ls` shows",
                pytrace=False,
            )
        yield given
        return

    had_buildkit = sandbox.docker("image", "inspect", BUILDKIT_IMAGE).returncode == 0
    name = sandbox.create_builder(
        unique("stack-e2e-push"),
        "--driver",
        "docker-container",
        "--driver-opt",
        "network=host",
        "--driver-opt",
        f"image={BUILDKIT_IMAGE}",
        "--buildkitd-config",
        str(_buildkitd_config(tmp_path, registry_address)),
    )
    try:
        booted = sandbox.docker(
            "buildx", "inspect", "--bootstrap", name, timeout=BOOTSTRAP_TIMEOUT
        )
        if booted.returncode != 0:
            reason = output(booted).strip().splitlines()[-1:]
            pytest.skip(
                f"no push builder can bootstrap here (it pulls {BUILDKIT_IMAGE}): "
                f"{' '.join(reason)}; set {BUILDER_VARIABLE} to one that can"
            )
        yield name
    finally:
        sandbox.docker("buildx", "rm", name)
        if not had_buildkit:
            sandbox.docker("image", "rm", BUILDKIT_IMAGE)


def test_the_local_registry_answers_while_it_runs_and_is_gone_after() -> None:
    with registry.local_registry(registry_binary()) as running:
        assert registry.answers(running.address)
        storage = running.storage

    assert running.process.poll() is not None
    assert not registry.answers(running.address)
    assert not storage.exists()


def _push_two_platform_index(sandbox: Sandbox, source: str, image: str) -> None:
    """Push ``source`` as ``image:amd64`` and ``image:arm64``, and an index of both.

    The arm64 entry holds the same amd64 image: enough to read an index back.
    """
    for arch in ("amd64", "arm64"):
        sandbox.docker_ok("tag", source, f"{image}:{arch}")
        sandbox.docker_ok("push", f"{image}:{arch}")
    parts = [f"{image}:amd64", f"{image}:arm64"]
    sandbox.docker_ok("manifest", "create", "--insecure", f"{image}:both", *parts)
    annotate = ["manifest", "annotate", "--os", "linux", "--arch", "arm64"]
    sandbox.docker_ok(*annotate, f"{image}:both", f"{image}:arm64")
    sandbox.docker_ok("manifest", "push", "--insecure", f"{image}:both")


def test_the_registry_helpers_read_the_manifests_the_registry_serves(
    sandbox: Sandbox,
) -> None:
    built = sandbox.invoke("stack.build", "-t", "gateway", *sandbox.image_flags)
    assert built.returncode == 0, output(built)
    source = sandbox.bake_targets()["gateway"]["tags"][0]
    repository = f"{sandbox.namespace}/gateway"

    with registry.local_registry(registry_binary()) as running:
        _push_two_platform_index(sandbox, source, f"{running.address}/{repository}")
        single = registry.manifest(running.address, repository, "amd64")
        index = registry.manifest(running.address, repository, "both")
        with pytest.raises(HTTPError) as missing:
            registry.manifest(running.address, repository, "buildcache")

    assert single["mediaType"] in registry.MANIFEST_TYPES
    assert not registry.is_index(single)
    assert registry.is_index(index)
    assert registry.platforms(index) == PLATFORMS
    assert not registry.holds_buildkit_cache(index)
    assert missing.value.code == 404


def imported_cache(log: str, ref: str) -> bool:
    """Whether bake's plain log shows ``ref`` imported, and not failing to import.

    BuildKit logs the import step even when the cache is missing, then an ERROR;
    bake puts ``[target]`` in front of the step's name when it bakes several.
    """
    start = r"^(#\d+) (?:\[[^\]]+\] )?importing cache manifest from "
    steps = re.findall(rf"{start}{re.escape(ref)}\s*$", log, re.MULTILINE)
    return bool(steps) and not any(
        re.search(rf"^{number} ERROR", log, re.MULTILINE) for number in steps
    )


def test_imported_cache_tells_an_import_from_a_failed_one() -> None:
    log = (
        "#7 [gateway] importing cache manifest from r:5000/ns/gateway:buildcache\n"
        "#7 DONE 0.0s\n"
        "#8 [router] importing cache manifest from r:5000/ns/router:buildcache\n"
        "#8 ERROR: r:5000/ns/router:buildcache: not found\n"
    )

    assert imported_cache(log, "r:5000/ns/gateway:buildcache")
    assert not imported_cache(log, "r:5000/ns/router:buildcache")
    assert not imported_cache(log, "r:5000/ns/worker:buildcache")


def _repository(tag: str, address: str) -> str:
    """The repository path inside the registry: ``ns/name`` of ``addr/ns/name:t``."""
    return tag.removeprefix(f"{address}/").rpartition(":")[0]


def test_push_round_trip_with_registry_cache(
    sandbox: Sandbox, registry_address: str, push_builder: str
) -> None:
    destination = f"{registry_address}/{sandbox.namespace}"
    flags = ["--builder", push_builder, "--force", "--progress", "plain"]
    flags += ["--registry", destination, "--image-tag", sandbox.tag]
    repositories = [
        _repository(target["tags"][0], registry_address)
        for target in sandbox.bake_targets(registry=destination).values()
    ]

    pushed = sandbox.invoke("stack.push", *flags)

    assert pushed.returncode == 0, output(pushed)
    for repository in repositories:
        index = registry.manifest(registry_address, repository, sandbox.tag)
        assert registry.is_index(index), index
        assert registry.platforms(index) >= PLATFORMS
        cache = registry.manifest(registry_address, repository, "buildcache")
        assert registry.holds_buildkit_cache(cache), cache

    sandbox.docker_ok("buildx", "prune", "-af", "--builder", push_builder)
    again = sandbox.invoke("stack.push", *flags)

    assert again.returncode == 0, output(again)
    for repository in repositories:
        ref = f"{registry_address}/{repository}:buildcache"
        assert imported_cache(output(again), ref), output(again)
