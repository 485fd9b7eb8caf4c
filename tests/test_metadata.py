import json
from pathlib import Path
from typing import Any

import pytest
from pytest_subprocess import FakeProcess
from pytest_subprocess.utils import Any as AnyArgs

from stack_tasks import metadata, plan, workflow

FIXTURE = Path(__file__).parent / "fixtures" / "buildx"
# Written by a real push on the docker driver, which leaves out image.name.
REAL = json.loads((FIXTURE / "metadata-0.13-docker-driver.json").read_text("utf-8"))
TARGETS: dict[str, dict[str, Any]] = {
    name: {"tags": [f"127.0.0.1:5077/optest/{name}:t1"]}
    for name in ("gateway", "router", "worker")
}
DIGEST = "sha256:" + "a" * 64
PUSH_HEAD = [
    "docker",
    "buildx",
    "bake",
    "--builder",
    "ci",
    "-f",
    "docker-bake.hcl",
    "--push",
]


def test_digest_refs_take_the_plans_tags_when_bake_names_no_image() -> None:
    refs = metadata.digest_refs(REAL, TARGETS)

    assert refs[0] == (
        "127.0.0.1:5077/optest/gateway:t1@sha256:"
        "ed5b0b14ce1c72ddf3f31a7ae0f9a5a69f2b542e9a8e3501cfb8f4541a826a46"
    )
    assert len(refs) == 3


def test_digest_refs_give_every_name_bake_pushed_the_same_digest() -> None:
    data = {
        "app": {
            "containerimage.digest": DIGEST,
            "image.name": "r.example/app:1,r.example/app:latest",
        }
    }

    refs = metadata.digest_refs(data, {"app": {"tags": ["ignored:1"]}})

    assert refs == [f"r.example/app:1@{DIGEST}", f"r.example/app:latest@{DIGEST}"]


def test_digest_refs_warn_about_a_target_without_a_digest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    refs = metadata.digest_refs({"app": {"image.name": "x"}}, {"app": {}})

    assert refs == []
    assert "no digest for target 'app'" in capsys.readouterr().err


def test_read_warns_and_gives_nothing_for_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert metadata.read(str(tmp_path / "none.json")) == {}
    assert "cannot read bake's metadata file" in capsys.readouterr().err


def test_push_argv_hands_bake_the_metadata_file() -> None:
    options = plan.BakeOptions(builder="ci", bake_file="docker-bake.hcl")

    argv = plan.push_argv(
        options, platforms=(), cache_file=None, metadata_file="/tmp/m.json"
    )

    assert argv == [*PUSH_HEAD, "--metadata-file", "/tmp/m.json"]


def pushing(fp: FakeProcess) -> list[str | AnyArgs]:
    """The bake command up to --push, with push's cache file at any path."""
    return [*PUSH_HEAD[:-1], "-f", fp.any(min=1, max=1), "--push"]


def register_guard(fp: FakeProcess) -> None:
    builder = "Name: ci\nDriver: docker-container\n"
    fp.register(["docker", "buildx", "inspect"], stdout=builder)
    fp.register(
        ["docker", "buildx", "bake", "--print", "-f", "docker-bake.hcl"],
        stdout=json.dumps({"target": TARGETS}),
    )


def push(**changes: Any) -> int:
    request = workflow.Request(builder="ci", builder_source="--builder", **changes)
    settings = workflow.PushSettings(
        drivers=frozenset({"docker-container"}),
        platforms=(),
        cache_tag="buildcache",
    )
    return workflow.push(request, settings)


def test_push_prints_each_pushed_tag_with_its_digest_and_drops_the_temp_file(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    written: list[Path] = []

    def bake(process: Any) -> None:
        path = Path(process.args[process.args.index("--metadata-file") + 1])
        path.write_text(json.dumps(REAL))
        written.append(path)

    register_guard(fp)
    fp.register([*pushing(fp), "--metadata-file", fp.any()], callback=bake)

    assert push(bake_file="docker-bake.hcl") == 0

    out = capsys.readouterr().out.splitlines()
    assert out == metadata.digest_refs(REAL, TARGETS)
    assert not written[0].exists()


def test_push_keeps_the_metadata_file_it_was_given(
    fp: FakeProcess, tmp_path: Path
) -> None:
    kept = tmp_path / "metadata.json"
    register_guard(fp)
    fp.register(
        [*pushing(fp), "--metadata-file", str(kept), fp.any()],
        callback=lambda process: kept.write_text(json.dumps(REAL)),
    )

    request = workflow.Request(
        builder="ci", builder_source="--builder", bake_file="docker-bake.hcl"
    )
    settings = workflow.PushSettings(
        drivers=frozenset({"docker-container"}),
        platforms=(),
        cache_tag="buildcache",
        metadata_file=str(kept),
    )

    assert workflow.push(request, settings) == 0
    assert json.loads(kept.read_text()) == REAL


def test_push_prints_no_digests_when_bake_fails(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    register_guard(fp)
    fp.register([*pushing(fp), "--metadata-file", fp.any()], returncode=1)

    assert push(bake_file="docker-bake.hcl") == 1
    assert capsys.readouterr().out == ""


def test_push_under_dry_shows_no_temporary_metadata_file(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    register_guard(fp)

    assert push(bake_file="docker-bake.hcl", dry=True) == 0

    assert "--metadata-file" not in capsys.readouterr().out
