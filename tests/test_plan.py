from __future__ import annotations

import json
from typing import Any

import pytest

from stack_tasks import plan
from stack_tasks.errors import StackError

HEAD = ["docker", "buildx", "bake", "--builder", "b", "-f", "docker-bake.hcl"]
TARGETS: dict[str, dict[str, Any]] = {
    "web": {"tags": ["reg:5000/team/web:1.0"]},
    "api": {"tags": ["reg:5000/team/api:1.0", "api:latest"]},
}


def options(**changes: Any) -> plan.BakeOptions:
    return plan.BakeOptions(builder="b", bake_file="docker-bake.hcl", **changes)


def test_build_loads_without_registry_cache_on_the_local_platform() -> None:
    assert plan.build_argv(options()) == [
        *HEAD,
        "--load",
        "--set",
        "*.cache-from=",
        "--set",
        "*.cache-to=",
        "--set",
        "*.platform=local",
    ]


def test_build_passes_flags_then_targets_last() -> None:
    argv = plan.build_argv(
        options(targets=("api", "edge"), progress="plain", no_cache=True, pull=True)
    )

    assert argv[-6:] == ["--progress", "plain", "--no-cache", "--pull", "api", "edge"]


@pytest.mark.parametrize(
    ("user_set", "dropped"),
    [
        ("api.platform=linux/arm64", "*.platform=local"),
        ("*.cache-from=type=local,src=/tmp/c", "*.cache-from="),
        ("web.cache-to=type=inline", "*.cache-to="),
    ],
    ids=["a user platform drops ours", "a user cache-from", "a user cache-to"],
)
def test_build_sends_none_of_ours_for_a_key_the_user_sets(
    user_set: str, dropped: str
) -> None:
    argv = plan.build_argv(options(sets=(user_set,)))

    assert dropped not in argv
    assert argv[argv.index(user_set) - 1] == "--set"
    assert len([arg for arg in argv if arg in plan.BUILD_OVERRIDES]) == 2


def test_build_keeps_ours_for_keys_the_user_does_not_set() -> None:
    argv = plan.build_argv(options(sets=("api.args.VERSION=2",)))

    assert "*.platform=local" in argv
    assert argv.index("*.platform=local") < argv.index("api.args.VERSION=2")


def test_push_sets_platforms_and_reads_registry_cache_from_a_second_file() -> None:
    argv = plan.push_argv(
        options(), platforms=("linux/amd64", "linux/arm64"), cache_file="/c/o.json"
    )

    assert argv == [
        *HEAD,
        "-f",
        "/c/o.json",
        "--push",
        "--set",
        "*.platform=linux/amd64",
        "--set",
        "*.platform=linux/arm64",
    ]


def test_push_without_a_cache_file_reads_only_the_bake_file() -> None:
    argv = plan.push_argv(options(), platforms=(), cache_file=None)

    assert argv == [*HEAD, "--push"]


def test_push_sends_no_platform_when_the_user_sets_one() -> None:
    sets = ("api.platform=linux/s390x", "web.cache-from=type=gha")

    argv = plan.push_argv(
        options(sets=sets), platforms=("linux/amd64",), cache_file="/c/o.json"
    )

    assert not any(arg.startswith("*.platform") for arg in argv)
    assert argv[-4:] == ["--set", sets[0], "--set", sets[1]]


def test_the_push_command_does_not_grow_with_the_number_of_targets() -> None:
    many = {f"t{n}": {"tags": [f"r/t{n}:1"]} for n in range(300)}
    override = plan.cache_override(many, "bc")

    argv = plan.push_argv(options(), platforms=("linux/amd64",), cache_file="/o")

    assert len(override["target"]) == 300
    assert len(argv) == len(HEAD) + 5


def test_cache_override_gives_every_target_registry_cache() -> None:
    assert plan.cache_override(TARGETS, "bc") == {
        "target": {
            "api": {
                "cache-from": ["type=registry,ref=reg:5000/team/api:bc"],
                "cache-to": ["type=registry,ref=reg:5000/team/api:bc,mode=max"],
            },
            "web": {
                "cache-from": ["type=registry,ref=reg:5000/team/web:bc"],
                "cache-to": ["type=registry,ref=reg:5000/team/web:bc,mode=max"],
            },
        }
    }


def test_cache_override_keeps_a_declared_cache_from_and_adds_only_cache_to() -> None:
    declared = {"web": {"tags": ["r/web:1"], "cache-from": ["type=gha"]}}

    override = plan.cache_override(declared, "bc")

    assert override == {
        "target": {"web": {"cache-to": ["type=registry,ref=r/web:bc,mode=max"]}}
    }


def test_cache_override_keeps_a_declared_cache_to_and_adds_only_cache_from() -> None:
    declared = {"web": {"tags": ["r/web:1"], "cache-to": [{"type": "inline"}]}}

    override = plan.cache_override(declared, "bc")

    assert override == {
        "target": {"web": {"cache-from": ["type=registry,ref=r/web:bc"]}}
    }


def test_cache_override_adds_nothing_for_keys_the_user_sets() -> None:
    override = plan.cache_override(
        TARGETS, "bc", skip_keys=frozenset({"cache-from", "platform"})
    )

    assert override["target"]["api"] == {
        "cache-to": ["type=registry,ref=reg:5000/team/api:bc,mode=max"]
    }


def test_cache_override_is_empty_when_every_target_declares_its_cache() -> None:
    declared = {"web": {"tags": ["r/web:1"], "cache-from": ["a"], "cache-to": ["b"]}}

    assert plan.cache_override(declared, "bc") == {}


def test_cache_override_refuses_a_target_without_tags_by_name() -> None:
    with pytest.raises(StackError, match="target 'worker' has no tags"):
        plan.cache_override({"worker": {"context": "."}}, "bc")


def test_the_override_text_is_json_that_bake_reads_back_unchanged() -> None:
    override = plan.cache_override(TARGETS, "bc")

    text = plan.override_text(override)

    assert json.loads(text) == override
    assert text == plan.override_text(json.loads(text))


def test_the_override_name_changes_with_the_text_and_only_with_it() -> None:
    one = plan.override_text(plan.cache_override(TARGETS, "bc"))
    other = plan.override_text(plan.cache_override(TARGETS, "bc2"))

    assert plan.override_name(one) == plan.override_name(one)
    assert plan.override_name(one) != plan.override_name(other)
    assert plan.override_name(one).endswith(".json")


@pytest.mark.parametrize(
    ("tag", "ref"),
    [
        ("reg:5000/team/web:1.0", "reg:5000/team/web:bc"),
        ("reg:5000/team/web", "reg:5000/team/web:bc"),
        ("web", "web:bc"),
        ("ghcr.io/o/web:1@sha256:abc", "ghcr.io/o/web:bc"),
        ("localhost:5000/web@sha256:abc", "localhost:5000/web:bc"),
    ],
    ids=[
        "tag with a registry port",
        "no tag",
        "bare name",
        "tag and digest",
        "digest only",
    ],
)
def test_registry_cache_ref_uses_the_repository_of_the_tag(tag: str, ref: str) -> None:
    assert plan.registry_cache_ref(tag, "bc") == ref


@pytest.mark.parametrize(
    ("assignment", "key"),
    [
        ("api.platform=linux/amd64", "platform"),
        ("*.cache-from=", "cache-from"),
        ("api.args.VERSION=1.2=3", "args"),
        ("a.labels.org.example=x", "labels"),
    ],
)
def test_set_key_reads_the_first_key_segment(assignment: str, key: str) -> None:
    assert plan.set_key(assignment) == key


def test_bake_env_sets_only_what_was_given_and_keeps_the_user_s_variables() -> None:
    env, ours = plan.bake_env(
        {"PATH": "/bin", "TAG": "from-shell"}, registry="r.io/x", image_tag=None
    )

    assert ours == {"REGISTRY": "r.io/x"}
    assert env == {"PATH": "/bin", "TAG": "from-shell", "REGISTRY": "r.io/x"}


def test_print_args_carry_the_file_the_user_sets_and_targets() -> None:
    args = plan.print_args(options(sets=("a.tags=x",), targets=("a",)))

    assert args == ["-f", "docker-bake.hcl", "--set", "a.tags=x", "a"]


def test_cache_reads_the_fallback_tag_after_its_own_and_writes_only_its_own() -> None:
    web = {"web": TARGETS["web"]}

    override = plan.cache_override(web, "bc-dev", cache_fallback=("bc-main",))

    assert override == {
        "target": {
            "web": {
                "cache-from": [
                    "type=registry,ref=reg:5000/team/web:bc-dev",
                    "type=registry,ref=reg:5000/team/web:bc-main",
                ],
                "cache-to": ["type=registry,ref=reg:5000/team/web:bc-dev,mode=max"],
            }
        }
    }


def test_cache_writes_nothing_when_told_not_to() -> None:
    override = plan.cache_override(TARGETS, "bc-main", write_cache=False)

    assert all("cache-to" not in cache for cache in override["target"].values())
    assert override["target"]["web"]["cache-from"] == [
        "type=registry,ref=reg:5000/team/web:bc-main"
    ]
