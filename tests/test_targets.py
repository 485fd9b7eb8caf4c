import json
import subprocess
import sys
from pathlib import Path
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

REPO = Path(__file__).resolve().parent.parent
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


HCL = """\
variable "TAG" { default = "dev" }
# group "commented" {
group "default" { targets = ["edge"] }
  group "edge" {
    targets = ["gateway"]
  }
target "_base" {}
target "gateway" { inherits = ["_base"] }
target "gateway" { tags = ["again"] }
"""


def test_declared_names_reads_hcl_block_headers_but_not_hidden_or_commented(
    tmp_path: Path,
) -> None:
    bake_file = tmp_path / "docker-bake.hcl"
    bake_file.write_text(HCL)

    assert targets.declared_names(str(bake_file)) == ("default", "edge", "gateway")


def test_declared_names_reads_the_keys_of_a_json_bake_file(tmp_path: Path) -> None:
    bake_file = tmp_path / "bake.json"
    bake_file.write_text(json.dumps(RESOLVED | {"target": {"_x": {}, "api": {}}}))

    assert targets.declared_names(str(bake_file)) == (
        "default",
        "edge",
        "backend",
        "api",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("missing.hcl", None), ("bad.json", "{"), ("list.json", "[1]")],
    ids=["no file", "broken json", "json that is not an object"],
)
def test_declared_names_is_empty_when_the_file_names_nothing(
    tmp_path: Path, name: str, content: str | None
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content)

    assert targets.declared_names(str(tmp_path / name)) == ()


def test_with_no_target_named_every_declared_group_is_listed(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "docker-bake.hcl").write_text(HCL)
    fp.register(PRINT, stdout=json.dumps(RESOLVED))
    named = {**RESOLVED, "group": {**RESOLVED["group"], "default": {"targets": []}}}
    fp.register([*PRINT, "edge", "gateway"], stdout=json.dumps(named))

    targets_task(Context(), json_=True)

    groups = json.loads(capsys.readouterr().out)["groups"]
    assert groups["default"] == ["edge", "backend"]
    assert groups["edge"] == ["gateway"]


def test_a_declared_name_bake_rejects_leaves_the_default_listing_and_a_warning(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "docker-bake.hcl").write_text(HCL)
    fp.register(PRINT, stdout=json.dumps(RESOLVED))
    fp.register(
        [*PRINT, "edge", "gateway"],
        returncode=1,
        stderr="ERROR: failed to find target edge\n",
    )

    targets_task(Context(), json_=True)

    captured = capsys.readouterr()
    assert sorted(json.loads(captured.out)["groups"]) == ["backend", "default", "edge"]
    assert "Warning: listing only the default group" in captured.err
    assert "failed to find target edge" in captured.err


def test_the_target_help_says_every_declared_group_is_the_default() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(REPO), "--help", "stack.targets"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "every group and target the bake file declares" in " ".join(shown.split())
