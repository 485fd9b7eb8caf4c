import json
from typing import Any

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from pytest_subprocess import FakeProcess

from stack_tasks import targets
from stack_tasks.tasks import targets as targets_task

RESOLVED: dict[str, Any] = {
    "group": {
        "default": {"targets": ["edge", "backend"]},
        "edge": {"targets": ["gateway"]},
        "backend": {"targets": ["router"]},
    },
    "target": {
        "router": {
            "context": "services/router",
            "tags": ["r.example/router:dev"],
            "platforms": ["linux/amd64"],
        },
        "gateway": {
            "context": "services/gateway",
            "tags": ["r.example/gateway:dev", "r.example/gateway:latest"],
            "platforms": ["linux/amd64", "linux/arm64"],
            "cache-from": ["type=registry,ref=r.example/gateway:cache"],
            "cache-to": [{"type": "inline"}],
        },
    },
}

PRINT = ["docker", "buildx", "bake", "--print", "-f", "docker-bake.hcl"]


def test_read_listing_sorts_groups_and_targets_by_name() -> None:
    listing = targets.read_listing(RESOLVED)

    assert [name for name, _ in listing.groups] == ["backend", "default", "edge"]
    assert [target.name for target in listing.targets] == ["gateway", "router"]


def test_read_listing_keeps_tags_platforms_and_declared_cache() -> None:
    gateway = targets.read_listing(RESOLVED).targets[0]

    assert gateway.tags == ("r.example/gateway:dev", "r.example/gateway:latest")
    assert gateway.platforms == ("linux/amd64", "linux/arm64")
    assert gateway.cache_from == ("type=registry,ref=r.example/gateway:cache",)


def test_read_listing_writes_a_cache_object_as_bake_text() -> None:
    gateway = targets.read_listing(RESOLVED).targets[0]

    assert gateway.cache_to == ("type=inline",)


def test_read_listing_drops_the_default_group_bake_makes_for_named_targets() -> None:
    listing = targets.read_listing(RESOLVED, requested=("edge",))

    assert "default" not in dict(listing.groups)


def test_read_listing_keeps_the_default_group_when_it_was_named() -> None:
    listing = targets.read_listing(RESOLVED, requested=("default",))

    assert dict(listing.groups)["default"] == ("edge", "backend")


def test_read_listing_ignores_what_is_not_a_map() -> None:
    listing = targets.read_listing({"group": [], "target": {"a": "b"}})

    assert listing == targets.Listing(groups=(), targets=())


def test_as_json_keys_groups_and_targets_by_name() -> None:
    data = targets.as_json(targets.read_listing(RESOLVED))

    assert data["groups"]["edge"] == ["gateway"]
    assert data["targets"]["router"] == {
        "tags": ["r.example/router:dev"],
        "platforms": ["linux/amd64"],
        "cache-from": [],
        "cache-to": [],
    }


def test_render_shows_groups_then_targets() -> None:
    text = targets.render(targets.read_listing(RESOLVED))

    lines = text.splitlines()
    assert lines[0].split() == ["GROUP", "TARGETS"]
    assert lines[2].split() == ["default", "edge,", "backend"]
    assert lines[5].split()[0] == "TARGET"
    assert lines[7].split() == [
        "router",
        "r.example/router:dev",
        "linux/amd64",
        "-",
        "-",
    ]


def test_render_leaves_out_the_group_table_when_there_are_no_groups() -> None:
    text = targets.render(targets.Listing(groups=(), targets=()))

    assert text.split() == ["TARGET", "TAGS", "PLATFORMS", "CACHE-FROM", "CACHE-TO"]


def test_targets_task_prints_json_to_stdout(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    fp.register(PRINT, stdout=json.dumps(RESOLVED))

    targets_task(Context(), json_=True)

    data = json.loads(capsys.readouterr().out)
    assert sorted(data["targets"]) == ["gateway", "router"]


def test_targets_task_passes_named_targets_and_sets_to_bake(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    fp.register(
        [*PRINT, "--set", "*.platform=linux/s390x", "edge"],
        stdout=json.dumps(RESOLVED),
    )

    targets_task(Context(), target=["edge"], set_=["*.platform=linux/s390x"])

    assert capsys.readouterr().out.startswith("GROUP")


def test_targets_task_reports_a_bake_failure_in_one_line(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    fp.register(
        [*PRINT, "nope"], returncode=1, stderr="ERROR: failed to find target nope\n"
    )

    with pytest.raises(Exit) as raised:
        targets_task(Context(), target=["nope"])

    assert raised.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: bake cannot resolve docker-bake.hcl: failed to find")


def test_targets_task_refuses_a_target_that_looks_like_a_flag(fp: FakeProcess) -> None:
    with pytest.raises(Exit):
        targets_task(Context(), target=["--push"])

    assert fp.call_count(PRINT) == 0


def test_targets_task_checks_set_and_registry_before_asking_bake(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(Exit):
        targets_task(Context(), set_=["platform=linux/arm64"])
    with pytest.raises(Exit):
        targets_task(Context(), registry="Bad Reg")

    assert list(fp.calls) == []
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Error: --set 'platform=linux/arm64'")
    assert err[1].startswith("Error: --registry 'Bad Reg'")
