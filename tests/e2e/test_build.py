"""stack.build on the real native builder: images, labels and the layer cache."""

from __future__ import annotations

import re

from .sandbox import Sandbox, output

CACHED_STEP = re.compile(r"^#\d+ CACHED$", re.MULTILINE)


def build(sandbox: Sandbox) -> str:
    done = sandbox.invoke("stack.build", *sandbox.image_flags, "--progress", "plain")
    assert done.returncode == 0, output(done)
    return output(done)


def image_ids(sandbox: Sandbox, tags: list[str]) -> dict[str, str]:
    return {tag: str(sandbox.image(tag)["Id"]) for tag in tags}


def test_build_loads_every_target_with_the_labels_of_the_bake_file(
    sandbox: Sandbox,
) -> None:
    build(sandbox)

    targets = sandbox.bake_targets()
    assert sorted(targets) == ["gateway", "router", "worker"]
    for target in targets.values():
        for tag in target["tags"]:
            labels = sandbox.image(tag)["Config"]["Labels"]
            assert labels["org.opencontainers.image.version"] == sandbox.tag
            assert labels["org.opencontainers.image.vendor"] == "flowmesh"


def test_a_second_build_reuses_the_layer_cache_and_loads_the_same_images(
    sandbox: Sandbox,
) -> None:
    tags = [tag for target in sandbox.bake_targets().values() for tag in target["tags"]]
    build(sandbox)
    first_ids = image_ids(sandbox, tags)

    log = build(sandbox)

    assert len(CACHED_STEP.findall(log)) >= len(tags), log
    assert image_ids(sandbox, tags) == first_ids
