"""stack.push --dry against real buildx: the plan it shows, and that bake takes it."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .sandbox import NATIVE_BUILDER, Sandbox, output, unique

PLATFORMS = ["linux/amd64", "linux/arm64"]


@dataclass(frozen=True)
class DryPush:
    builder: str
    stdout: str
    targets: dict[str, Any]


@pytest.fixture
def dry_push(sandbox: Sandbox) -> DryPush:
    """``invoke --dry stack.push`` on a docker-container builder that is not active."""
    builder = sandbox.create_builder(
        unique("stack-e2e-builder"), "--driver", "docker-container"
    )
    done = sandbox.invoke(
        "--dry", "stack.push", "--builder", builder, *sandbox.image_flags
    )
    assert done.returncode == 0, output(done)
    return DryPush(builder, done.stdout, sandbox.bake_targets())


def bake_command(stdout: str) -> tuple[dict[str, str], list[str]]:
    """The variables and the argument list of the bake line in a dry run."""
    lines = [line for line in stdout.splitlines() if "docker buildx bake" in line]
    assert len(lines) == 1, stdout
    words = shlex.split(lines[0])
    start = words.index("docker")
    variables = dict(word.split("=", 1) for word in words[:start])
    return variables, words[start:]


def cache_ref(tag: str) -> str:
    return f"type=registry,ref={tag.rpartition(':')[0]}:buildcache"


def test_dry_push_shows_both_platforms_and_a_cache_file_with_a_pair_per_target(
    sandbox: Sandbox, dry_push: DryPush
) -> None:
    _, argv = bake_command(dry_push.stdout)
    sets = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--set"]
    files = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-f"]

    expected_cache = {}
    for name, target in dry_push.targets.items():
        ref = cache_ref(target["tags"][0])
        expected_cache[name] = {"cache-from": [ref], "cache-to": [f"{ref},mode=max"]}
    assert json.loads(Path(files[1]).read_text())["target"] == expected_cache
    assert sets == [f"*.platform={platform}" for platform in PLATFORMS]
    assert f"docker buildx use {dry_push.builder}" in dry_push.stdout
    assert sandbox.active_builder() == (NATIVE_BUILDER, "docker")


def test_real_bake_resolves_the_shown_plan_to_one_cache_pair_per_target(
    sandbox: Sandbox, dry_push: DryPush
) -> None:
    variables, argv = bake_command(dry_push.stdout)

    done = sandbox.run([*argv[:3], "--print", *argv[3:]], env=variables)

    assert done.returncode == 0, output(done)
    resolved = json.loads(done.stdout)["target"]
    assert sorted(resolved) == sorted(dry_push.targets)
    for name, target in resolved.items():
        ref = cache_ref(dry_push.targets[name]["tags"][0])
        assert target["cache-from"] == [ref]
        assert target["cache-to"] == [f"{ref},mode=max"]
        assert target["platforms"] == PLATFORMS
