import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_subprocess import FakeProcess

from stack_tasks import cache
from stack_tasks.errors import StackError

from .conftest import BAKE, INSPECT, Result, inspect_output, print_json

Invoke = Callable[..., Result]
BRANCH = ["git", "symbolic-ref", "--quiet", "--short", "HEAD"]
PRINTED = print_json({"web": {"tags": ["localhost:5000/flowmesh/web:dev"]}})


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("buildcache-main", "buildcache-main"),
        ("buildcache-feature/login", "buildcache-feature-login"),
        ("-x", "x"),
        ("..", "unknown"),
        ("aé", "a-"),
        ("a" * 200, "a" * 128),
    ],
    ids=[
        "a valid tag",
        "a slash",
        "a leading dash",
        "nothing left",
        "a letter outside ASCII",
        "too long",
    ],
)
def test_sanitize_tag_makes_a_valid_image_tag(text: str, tag: str) -> None:
    assert cache.sanitize_tag(text) == tag


def test_a_tag_without_a_branch_field_is_shared_by_every_branch() -> None:
    assert cache.cache_tags("buildcache", "feature/x", "main") == cache.CacheTags(
        "buildcache"
    )


def test_a_branch_writes_its_own_tag_and_reads_the_default_branchs_too() -> None:
    tags = cache.cache_tags("buildcache-{branch}", "feature/x", "main")

    assert tags == cache.CacheTags("buildcache-feature-x", ("buildcache-main",))


def test_the_default_branch_reads_its_own_tag_once() -> None:
    tags = cache.cache_tags("buildcache-{branch}", "main", "main")

    assert tags == cache.CacheTags("buildcache-main")


def test_without_a_branch_only_the_default_branchs_tag_is_read() -> None:
    tags = cache.cache_tags("buildcache-{branch}", None, "trunk")

    assert tags == cache.CacheTags("buildcache-trunk", writes=False)


def written_cache(fp: FakeProcess) -> Any:
    """The cache settings the last bake read from push's second bake file."""
    argv = [str(arg) for arg in list(fp.calls)[-1]]
    files = [argv[index + 1] for index, arg in enumerate(argv) if arg == "-f"]
    return json.loads(Path(files[1]).read_text("utf-8"))["target"]


def register_push_probes(fp: FakeProcess) -> None:
    """The guard's inspect of builder ci, and the bake file it resolves."""
    fp.register(INSPECT, stdout=inspect_output("ci", "docker-container"))
    fp.register([*BAKE, "--print", "-f", "docker-bake.hcl"], stdout=PRINTED)


def test_push_on_a_branch_reads_two_caches_and_writes_one(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOKE_STACK_CACHE_TAG", "buildcache-{branch}")
    register_push_probes(fp)
    fp.register(BRANCH, stdout="feature/login\n")
    bake = fp.register([*BAKE, fp.any()])

    result = invoke("stack.push", "-b", "ci")

    assert result.code == 0, result.err
    ref = "localhost:5000/flowmesh/web"
    assert written_cache(fp)["web"] == {
        "cache-from": [
            f"type=registry,ref={ref}:buildcache-feature-login",
            f"type=registry,ref={ref}:buildcache-main",
        ],
        "cache-to": [f"type=registry,ref={ref}:buildcache-feature-login,mode=max"],
    }
    assert bake.call_count() == 1


def test_push_on_a_detached_head_warns_and_writes_no_cache(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOKE_STACK_CACHE_TAG", "buildcache-{branch}")
    register_push_probes(fp)
    fp.register(BRANCH, returncode=1)
    fp.register([*BAKE, fp.any()])

    result = invoke("stack.push", "-b", "ci")

    assert result.code == 0, result.err
    assert "cache-to" not in written_cache(fp)["web"]
    assert "Warning: not on a git branch" in result.err


def test_push_with_a_shared_cache_tag_does_not_ask_git(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOKE_STACK_CACHE_TAG", "buildcache")
    register_push_probes(fp)
    fp.register([*BAKE, fp.any()])

    assert invoke("stack.push", "-b", "ci").code == 0
    assert fp.call_count(BRANCH) == 0


@pytest.mark.parametrize(
    "template", ["buildcache", "buildcache-{branch}", "{branch}", "c.{branch}_x"]
)
def test_check_tag_takes_a_tag_or_a_tag_with_the_branch_in_it(template: str) -> None:
    assert cache.check_tag(template) == template


@pytest.mark.parametrize("template", ["build cache", "-{branch}", "c:{branch}"])
def test_check_tag_refuses_what_is_not_a_tag_around_the_branch(template: str) -> None:
    with pytest.raises(StackError, match=r"config stack\.cache_tag"):
        cache.check_tag(template)
