from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from invoke.exceptions import Exit
from pytest_subprocess import FakeProcess
from pytest_subprocess.fake_popen import FakePopen

from stack_tasks import plan, tasks, validate, workflow
from stack_tasks.errors import StackError

from .conftest import BAKE, EXAMPLE_TARGETS, INSPECT, inspect_output, print_json

PUSH_SETTINGS = workflow.PushSettings(
    drivers=frozenset({"docker-container"}),
    platforms=("linux/amd64", "linux/arm64"),
    cache_tag="buildcache",
)
BROKEN_HCL_ERROR = (
    "ERROR: {path}:2,13-3,1: Invalid expression; Expected the start of an "
    "expression, but found an invalid expression token.\n"
)


@pytest.fixture
def bake_file(tmp_path: Path) -> str:
    path = tmp_path / "docker-bake.hcl"
    path.write_text('target "app" {\n  tags = ["r/app:dev"]\n}\n')
    return str(path)


def request(bake_file: str, **changes: Any) -> workflow.Request:
    base = workflow.Request(
        builder=None, builder_source="--builder", bake_file=bake_file
    )
    return dataclasses.replace(base, **changes)


def run_task(name: str, req: workflow.Request) -> int:
    if name == "build":
        return workflow.build(req)
    return workflow.push(req, PUSH_SETTINGS)


BAD_VALUES = [
    pytest.param({"builder": "-x"}, "--builder '-x'", id="a builder"),
    pytest.param({"targets": ("--load",)}, "--target '--load'", id="a target"),
    pytest.param({"sets": ("--push",)}, "--set '--push'", id="a set"),
    pytest.param({"registry": "Reg/Upper"}, "--registry 'Reg/Upper'", id="a registry"),
    pytest.param(
        {"registry": "a b", "registry_source": "config stack.registry"},
        "config stack.registry 'a b'",
        id="a registry from config",
    ),
    pytest.param({"image_tag": ":latest"}, "--image-tag ':latest'", id="a tag"),
    pytest.param({"progress": "fancy"}, "--progress 'fancy'", id="a progress mode"),
]


@pytest.mark.parametrize("task", ["build", "push"])
@pytest.mark.parametrize(("changes", "named"), BAD_VALUES)
def test_a_bad_value_is_refused_before_any_process_starts(
    fp: FakeProcess, bake_file: str, task: str, changes: dict[str, Any], named: str
) -> None:
    with pytest.raises(StackError) as caught:
        run_task(task, request(bake_file, **changes))

    assert caught.value.message.startswith(named)
    assert caught.value.code == 1
    assert list(fp.calls) == []


@pytest.mark.parametrize("task", ["build", "push"])
def test_a_missing_bake_file_is_refused_before_any_process_starts(
    fp: FakeProcess, tmp_path: Path, task: str
) -> None:
    missing = str(tmp_path / "missing.hcl")

    with pytest.raises(StackError) as caught:
        run_task(task, request(missing, bake_file_source="config stack.bake_file"))

    assert caught.value.message.startswith(
        f"config stack.bake_file {missing!r}: no such bake file"
    )
    assert list(fp.calls) == []


@pytest.mark.parametrize(
    "platforms",
    [("linux/amd64", "linux"), ("linux/arm64/v8/x",), ("--load",)],
    ids=["without an arch", "with too many parts", "that is a flag"],
)
def test_push_refuses_a_platform_before_any_process_starts(
    fp: FakeProcess, bake_file: str, platforms: tuple[str, ...]
) -> None:
    settings = dataclasses.replace(PUSH_SETTINGS, platforms=platforms)

    with pytest.raises(StackError, match=r"^--platform entry '.*' is not a platform"):
        workflow.push(request(bake_file), settings)

    assert list(fp.calls) == []


def test_push_refuses_a_cache_tag_from_config(fp: FakeProcess, bake_file: str) -> None:
    settings = dataclasses.replace(PUSH_SETTINGS, cache_tag="build cache")

    with pytest.raises(StackError, match=r"^config stack.cache_tag 'build cache'"):
        workflow.push(request(bake_file), settings)

    assert list(fp.calls) == []


@pytest.mark.parametrize(
    ("task", "wanted", "driver"),
    [("build", "native", "docker"), ("push", "multi", "docker-container")],
)
def test_an_invalid_bake_file_is_reported_before_the_builder_is_switched(
    fp: FakeProcess, bake_file: str, task: str, wanted: str, driver: str
) -> None:
    fp.register(INSPECT, stdout=inspect_output("default", "docker"))
    fp.register([*INSPECT, wanted], stdout=inspect_output(wanted, driver))
    fp.register(
        [*BAKE, "--print", fp.any()],
        stderr=BROKEN_HCL_ERROR.format(path=bake_file),
        returncode=1,
    )

    with pytest.raises(StackError) as caught:
        run_task(task, request(bake_file, builder=wanted, force=True))

    assert caught.value.message.startswith(
        f"bake cannot resolve {bake_file}: {bake_file}:2,13-3,1: Invalid expression;"
    )
    assert fp.call_count(["docker", "buildx", "use", fp.any()]) == 0


def test_build_without_a_switch_leaves_a_broken_bake_file_to_bake(
    fp: FakeProcess, bake_file: str
) -> None:
    fp.register(INSPECT, stdout=inspect_output("default", "docker"))
    fp.register([*BAKE, fp.any()], returncode=1)

    assert workflow.build(request(bake_file)) == 1
    assert fp.call_count([*BAKE, "--print", fp.any()]) == 0
    assert fp.call_count(["docker", "buildx", "use", fp.any()]) == 0


def test_a_failed_switch_runs_nothing_after_it(fp: FakeProcess, bake_file: str) -> None:
    fp.register(INSPECT, stdout=inspect_output("default", "docker"))
    fp.register([*INSPECT, "native"], stdout=inspect_output("native", "docker"))
    fp.register([*BAKE, "--print", fp.any()], stdout="{}")
    fp.register(
        ["docker", "buildx", "use", "native"],
        stderr="ERROR: open /cfg/buildx/current: read-only file system\n",
        returncode=1,
    )

    with pytest.raises(StackError) as caught:
        workflow.build(request(bake_file, builder="native", force=True))

    assert caught.value.message == (
        "could not switch the active builder to 'native': open /cfg/buildx/current: "
        "read-only file system"
    )
    assert fp.call_count([*BAKE, "--builder", fp.any()]) == 0


def test_an_active_builder_without_a_driver_line_is_refused_as_unknown(
    fp: FakeProcess, bake_file: str
) -> None:
    fp.register(INSPECT, stdout="Name: default\nLast Activity: now\n")

    with pytest.raises(StackError) as caught:
        workflow.build(request(bake_file))

    assert "builder 'default' uses an unknown driver" in caught.value.message


class _CtrlCAtPrompt:
    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        raise KeyboardInterrupt


def test_ctrl_c_at_the_switch_prompt_exits_130_and_switches_nothing(
    fp: FakeProcess, bake_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fp.register(INSPECT, stdout=inspect_output("default", "docker"))
    fp.register([*INSPECT, "native"], stdout=inspect_output("native", "docker"))
    fp.register([*BAKE, "--print", fp.any()], stdout="{}")
    monkeypatch.setattr(sys, "stdin", _CtrlCAtPrompt())

    with pytest.raises(Exit) as caught:
        tasks._run(lambda: workflow.build(request(bake_file, builder="native")))

    assert caught.value.code == 130
    assert fp.call_count(["docker", "buildx", "use", fp.any()]) == 0
    assert fp.call_count([*BAKE, "--builder", fp.any()]) == 0


def test_two_runs_racing_on_the_active_builder_each_bake_on_their_own(
    fp: FakeProcess, bake_file: str
) -> None:
    names = ("one", "two")
    active = ["default"]
    both_switched = threading.Barrier(len(names), timeout=10)
    active_while_baking: dict[str, str] = {}

    def use(process: FakePopen, name: str) -> None:
        active[0] = name
        both_switched.wait()

    def bake(process: FakePopen) -> None:
        argv = [str(arg) for arg in process.args]
        active_while_baking[argv[argv.index("--builder") + 1]] = active[0]

    fp.register(INSPECT, stdout=inspect_output("default", "docker"), occurrences=2)
    fp.register([*BAKE, "--print", fp.any()], stdout="{}", occurrences=2)
    fp.register([*BAKE, fp.any()], callback=bake, occurrences=2)
    for name in names:
        fp.register([*INSPECT, name], stdout=inspect_output(name, "docker"))
        fp.register(
            ["docker", "buildx", "use", name],
            callback=use,
            callback_kwargs={"name": name},
        )

    with ThreadPoolExecutor(len(names)) as pool:
        runs = [
            pool.submit(workflow.build, request(bake_file, builder=name, force=True))
            for name in names
        ]
        assert [run.result(timeout=20) for run in runs] == [0, 0]

    assert sorted(active_while_baking) == ["one", "two"]
    assert len(set(active_while_baking.values())) == 1, "both switched before baking"


FLAGS_WITH_VALUES = frozenset(
    {"--builder", "-f", "--set", "--progress", "--metadata-file"}
)
SWITCHES = frozenset({"--load", "--push", "--no-cache", "--pull"})
FLAG_LIKE = ["--push", "-f", "--builder=x", "--set", "--", "-", "-rm", "--load=false"]


def read_like_bake(argv: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Split bake's arguments as its flag parser would: flag-value pairs, targets.

    A flag that takes a value takes the next argument whatever it looks like;
    any other argument that starts with '-' would be read as a flag.
    """
    assert list(argv[:3]) == BAKE
    flags: list[tuple[str, str]] = []
    targets: list[str] = []
    rest = iter(argv[3:])
    for arg in rest:
        if arg in FLAGS_WITH_VALUES:
            flags.append((arg, next(rest)))
        elif arg in SWITCHES:
            flags.append((arg, ""))
        else:
            assert not arg.startswith("-"), f"bake would read {arg!r} as a flag"
            targets.append(arg)
    return flags, targets


def user_strings(pattern: re.Pattern[str]) -> st.SearchStrategy[str]:
    """Mostly text the validator accepts, so that many examples reach bake; one
    in five is any text at all, or text that looks like a flag."""
    accepted = st.from_regex(pattern, fullmatch=True)
    hostile = st.text() | st.sampled_from(FLAG_LIKE)
    return st.integers(0, 4).flatmap(lambda n: hostile if n == 0 else accepted)


@settings(max_examples=200, deadline=None)
@given(
    task=st.sampled_from(["build", "push"]),
    builder=st.none() | user_strings(validate.BUILDER_NAME),
    targets=st.lists(user_strings(validate.TARGET_NAME), max_size=3),
    sets=st.lists(user_strings(validate.SET_ASSIGNMENT), max_size=3),
    registry=st.none() | user_strings(validate.REGISTRY),
    image_tag=st.none() | user_strings(validate.IMAGE_TAG),
    progress=st.none() | st.sampled_from(validate.PROGRESS_MODES) | st.text(),
)
def test_user_values_reach_bake_only_as_values_unless_refused_first(
    task: str,
    builder: str | None,
    targets: list[str],
    sets: list[str],
    registry: str | None,
    image_tag: str | None,
    progress: str | None,
) -> None:
    user_values = {*targets, *sets, builder, registry, image_tag, progress} - {None}
    req = request(
        "docker-bake.hcl",
        builder=builder,
        targets=tuple(targets),
        sets=tuple(sets),
        registry=registry,
        image_tag=image_tag,
        progress=progress,
        force=True,
    )
    driver = "docker" if task == "build" else "docker-container"
    baked: list[tuple[list[str], dict[str, str]]] = []

    def bake(process: FakePopen) -> None:
        env = (process.kwargs or {})["env"]
        baked.append(([str(arg) for arg in process.args], dict(env)))

    with FakeProcess() as fp:
        fp.register(INSPECT, stdout=inspect_output("default", driver))
        fp.register([*INSPECT, fp.any()], stdout=inspect_output("chosen", driver))
        fp.register([*BAKE, "--print", fp.any()], stdout=print_json(EXAMPLE_TARGETS))
        fp.register(["docker", "buildx", "use", fp.any()])
        fp.register([*BAKE, fp.any()], callback=bake)
        try:
            assert run_task(task, req) == 0
        except StackError:
            event("refused")
            assert list(fp.calls) == [], "refused only after a process started"
            return

    event("baked")
    [(argv, env)] = baked
    flags, positional = read_like_bake(argv)
    assert positional == targets
    assert ("--builder", builder or "default") in flags
    assert ("-f", "docker-bake.hcl") in flags
    set_values = [value for flag, value in flags if flag == "--set"]
    assert set_values[len(set_values) - len(sets) :] == sets
    if progress is not None:
        assert ("--progress", progress) in flags
    if registry is not None:
        assert env["REGISTRY"] == registry
    if image_tag is not None:
        assert env["TAG"] == image_tag

    flag_positions = [arg for arg, _ in flags]
    assert not user_values & set(flag_positions)
    for arg in [*argv, env.get("REGISTRY", ""), env.get("TAG", "")]:
        assert b"\0" not in os.fsencode(arg)


OVERRIDE = {"target": {"api": {"cache-from": ["type=registry,ref=r/api:bc"]}}}


def test_the_override_lands_in_the_user_cache_under_a_name_from_its_text(
    tmp_path: Path,
) -> None:
    written = workflow.write_override(OVERRIDE, {"XDG_CACHE_HOME": str(tmp_path)})

    name = plan.override_name(plan.override_text(OVERRIDE))
    assert written == str(tmp_path / "stack-tasks" / name)
    assert json.loads(Path(written).read_text()) == OVERRIDE


def test_writing_the_same_override_again_leaves_one_file_and_no_partial(
    tmp_path: Path,
) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}

    first = workflow.write_override(OVERRIDE, env)
    second = workflow.write_override(OVERRIDE, env)

    assert first == second
    assert [path.name for path in (tmp_path / "stack-tasks").iterdir()] == [
        Path(first).name
    ]


@pytest.mark.parametrize(
    "configured", ["", "relative/cache"], ids=["unset", "relative"]
)
def test_without_an_absolute_xdg_cache_home_the_override_goes_to_dot_cache(
    configured: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    written = workflow.write_override(OVERRIDE, {"XDG_CACHE_HOME": configured})

    assert Path(written).parent == tmp_path / ".cache" / "stack-tasks"


def test_an_unwritable_cache_folder_is_one_error_that_names_xdg_cache_home(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")

    with pytest.raises(StackError, match="set XDG_CACHE_HOME to a folder") as caught:
        workflow.write_override(OVERRIDE, {"XDG_CACHE_HOME": str(blocker)})

    assert str(blocker / "stack-tasks") in caught.value.message
