"""The tasks as users call them: Invoke's parser in front, a faked docker behind."""

from __future__ import annotations

import json
import os
import pty
import select
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_subprocess import FakeProcess
from pytest_subprocess.fake_popen import FakePopen
from pytest_subprocess.utils import Any as AnyArgs

import stack_tasks
from stack_tasks import plan
from stack_tasks.tasks import build, push

from .conftest import (
    BAKE,
    DAEMON_DOWN,
    EXAMPLE_TARGETS,
    INSPECT,
    Result,
    inspect_output,
    print_json,
)

Invoke = Callable[..., Result]
REPO = Path(__file__).resolve().parent.parent

BUILD_BAKE = [
    *BAKE,
    "--builder",
    "default",
    "-f",
    "docker-bake.hcl",
    "--load",
    "--set",
    "*.cache-from=",
    "--set",
    "*.cache-to=",
    "--set",
    "*.platform=local",
]
PUSH_BUILDER = "flowmesh-multiarch"
PRINT = [*BAKE, "--print", "-f", "docker-bake.hcl"]
CREATE = (
    "docker buildx create --name flowmesh-multiarch --driver docker-container "
    "--bootstrap"
)


EXAMPLE_CACHE = {
    "target": {
        name: {
            "cache-from": [f"type=registry,ref={ref}"],
            "cache-to": [f"type=registry,ref={ref},mode=max"],
        }
        for name, ref in (
            ("api", "localhost:5000/flowmesh/api:buildcache"),
            ("web", "localhost:5000/flowmesh/web:buildcache"),
        )
    }
}


def cache_file(cache: dict[str, Any]) -> str:
    """Where push writes ``cache``, under the test's own XDG_CACHE_HOME."""
    name = plan.override_name(plan.override_text(cache))
    return str(Path(os.environ["XDG_CACHE_HOME"], "stack-tasks", name))


def push_bake(builder: str = PUSH_BUILDER) -> list[str]:
    """Push's bake command as --dry prints it."""
    argv = [*BAKE, "--builder", builder, "-f", "docker-bake.hcl"]
    argv += ["-f", cache_file(EXAMPLE_CACHE), "--push"]
    argv += ["--set", "*.platform=linux/amd64", "--set", "*.platform=linux/arm64"]
    return argv


def push_bake_run(builder: str = PUSH_BUILDER) -> list[str | AnyArgs]:
    """Push's bake command as it runs: with a temporary metadata file, any path."""
    argv: list[str | AnyArgs] = [*push_bake(builder)]
    after_push = argv.index("--push") + 1
    argv[after_push:after_push] = ["--metadata-file", FakeProcess.any(min=1, max=1)]
    return argv


def written_cache(command_line: str) -> Any:
    """The override bake file a printed push command names after the bake file."""
    argv = shlex.split(command_line)
    files = [argv[index + 1] for index, arg in enumerate(argv) if arg == "-f"]
    return json.loads(Path(files[1]).read_text())


def active(fp: FakeProcess, name: str = "default", driver: str = "docker") -> None:
    fp.register(INSPECT, stdout=inspect_output(name, driver))


def container_builder(fp: FakeProcess, name: str = PUSH_BUILDER) -> None:
    fp.register([*INSPECT, name], stdout=inspect_output(name, "docker-container"))


def test_build_fast_path_makes_one_docker_call_before_bake(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    fp.register(BUILD_BAKE)

    result = invoke("stack.build")

    assert result.code == 0
    assert list(fp.calls) == [INSPECT, BUILD_BAKE]


def test_build_prints_the_bake_command_on_stderr_before_it_runs(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    fp.register(BUILD_BAKE)

    result = invoke("stack.build")

    assert result.out == ""
    assert (
        "docker buildx bake --builder default -f docker-bake.hcl --load "
        "--set '*.cache-from=' --set '*.cache-to=' --set '*.platform=local'"
    ) in result.err


def test_push_fast_path_makes_two_docker_calls_before_bake(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))
    bake = fp.register(push_bake_run())

    result = invoke("stack.push")

    assert result.code == 0, result.err
    assert list(fp.calls)[:2] == [INSPECT, PRINT]
    assert len(fp.calls) == 3 and bake.call_count() == 1
    assert written_cache(result.err.splitlines()[0]) == EXAMPLE_CACHE


def test_push_that_cannot_write_its_cache_file_stops_before_bake(
    fp: FakeProcess,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))

    result = invoke("stack.push")

    assert result.code == 1
    assert result.err.startswith("Error: cannot write the registry cache settings")
    assert len(result.err.splitlines()) == 1
    assert list(fp.calls) == [INSPECT, PRINT]


def test_short_flags_are_exactly_target_builder_and_force() -> None:
    for task in (build, push):
        names = {arg.name: arg.names for arg in task.get_arguments()}
        shorts = {name: n for name, all_ in names.items() for n in all_ if len(n) == 1}
        assert shorts == {"target": "t", "builder": "b", "force": "f"}
        assert names["bake_file"] == ("bake-file",)


def help_text(task: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(REPO), "--help", task],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize(
    "task",
    [
        "stack.build",
        "stack.push",
        "stack.targets",
        "stack.builders",
        "stack.create-builder",
        "stack.doctor",
    ],
)
def test_every_flag_has_help_text(task: str) -> None:
    options = help_text(task).split("Options:")[1].splitlines()
    flags = [line for line in options if line.strip().startswith("-")]
    assert flags and all(len(line.split(None, 2)) > 1 for line in flags)


@pytest.mark.parametrize("task", ["stack.build", "stack.push"])
def test_bake_file_is_long_only_and_target_has_its_short_flag(task: str) -> None:
    shown = help_text(task)

    assert "--bake-file=STRING" in shown and "-t, --target" in shown


def test_the_docstrings_first_lines_read_well_in_a_list() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(REPO), "--list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    for task in (build, push):
        first_line = (task.__doc__ or "").splitlines()[0]
        assert first_line in shown
        assert first_line.endswith(".") and len(first_line) < 60


def test_targets_and_flags_reach_bake(fp: FakeProcess, invoke: Invoke) -> None:
    active(fp)
    expected = [
        *BUILD_BAKE,
        "--set",
        "gateway.args.X=1",
        "--progress",
        "plain",
        "--no-cache",
        "--pull",
        "gateway",
        "backend",
    ]
    fp.register(expected)

    result = invoke(
        "stack.build",
        "-t",
        "gateway",
        "--target",
        "backend",
        "--set",
        "gateway.args.X=1",
        "--progress",
        "plain",
        "--no-cache",
        "--pull",
    )

    assert result.code == 0, result.err


def test_build_switches_after_the_user_says_yes(
    fp: FakeProcess, invoke: Invoke, terminal: Callable[[str], None]
) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register([*INSPECT, "default"], stdout=inspect_output("default", "docker"))
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))
    fp.register(["docker", "buildx", "use", "default"])
    fp.register(BUILD_BAKE)
    terminal("y\n")

    result = invoke("stack.build")

    assert result.code == 0, result.err
    assert (
        "Active buildx builder is 'flowmesh-multiarch'; switch to 'default'? [y/N]"
        in result.err
    )
    assert "switch back: docker buildx use flowmesh-multiarch" in result.err
    assert fp.call_count(BUILD_BAKE) == 1


@pytest.mark.parametrize("answer", ["n\n", "\n", ""], ids=["no", "empty", "eof"])
def test_build_switches_nothing_unless_the_user_says_yes(
    fp: FakeProcess, invoke: Invoke, terminal: Callable[[str], None], answer: str
) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register([*INSPECT, "default"], stdout=inspect_output("default", "docker"))
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))
    terminal(answer)

    result = invoke("stack.build")

    assert result.code == 1
    assert "stays 'flowmesh-multiarch'" in result.err
    assert ["docker", "buildx", "use", "default"] not in list(fp.calls)


def test_without_a_terminal_a_switch_needs_force(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    container_builder(fp)
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))

    result = invoke("stack.push")

    assert result.code == 1
    assert "pass --force" in result.err
    assert len(fp.calls) == 3


def test_force_switches_without_asking(fp: FakeProcess, invoke: Invoke) -> None:
    active(fp)
    container_builder(fp)
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))
    use = fp.register(["docker", "buildx", "use", PUSH_BUILDER])
    fp.register(push_bake_run())

    result = invoke("stack.push", "--force")

    assert result.code == 0, result.err
    assert use.call_count() == 1
    assert "[y/N]" not in result.err
    assert "from 'default' to 'flowmesh-multiarch'" in result.err


def test_a_missing_push_builder_prints_the_create_command_on_its_own_line(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    fp.register(
        [*INSPECT, PUSH_BUILDER],
        returncode=1,
        stderr=f'ERROR: no builder "{PUSH_BUILDER}" found\n',
    )

    result = invoke("stack.push", "--force")

    assert result.code == 1
    assert CREATE in result.err.splitlines()
    assert len(fp.calls) == 2


def test_a_missing_build_builder_is_refused_without_a_create_hint(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    fp.register(
        [*INSPECT, "mine"], returncode=1, stderr='ERROR: no builder "mine" found\n'
    )

    result = invoke("stack.build", "-b", "mine")

    assert result.code == 1
    assert "no buildx builder named 'mine'" in result.err
    assert "buildx create" not in result.err


def test_push_refuses_a_builder_with_the_docker_driver(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)

    result = invoke("stack.push", "-b", "default", "-f")

    assert result.code == 1
    assert "builder 'default' uses the 'docker' driver" in result.err
    assert "docker-container, kubernetes, remote" in result.err
    assert list(fp.calls) == [INSPECT]


def test_build_refuses_a_builder_without_the_docker_driver(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    container_builder(fp)

    result = invoke("stack.build", "--builder", PUSH_BUILDER, "--force")

    assert result.code == 1
    assert "'docker-container' driver" in result.err
    assert "accepts only: docker;" in result.err


def test_build_without_a_builder_picks_the_native_builder_of_the_context(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONTEXT", "desktop-linux")
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register(
        [*INSPECT, "desktop-linux"], stdout=inspect_output("desktop-linux", "docker")
    )
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))
    fp.register(["docker", "buildx", "use", "desktop-linux"])
    fp.register([*BAKE, "--builder", "desktop-linux", *BUILD_BAKE[5:]])

    result = invoke("stack.build", "--force")

    assert result.code == 0, result.err


def test_an_unreachable_daemon_is_named_as_such(
    fp: FakeProcess, invoke: Invoke
) -> None:
    fp.register(INSPECT, stdout=DAEMON_DOWN)

    result = invoke("stack.build")

    assert result.code == 1
    assert "the Docker daemon cannot be reached" in result.err
    assert list(fp.calls) == [INSPECT]


def test_a_missing_buildx_plugin_says_what_to_install(
    fp: FakeProcess, invoke: Invoke
) -> None:
    fp.register(
        INSPECT, returncode=1, stderr="docker: 'buildx' is not a docker command.\n"
    )

    result = invoke("stack.build")

    assert result.code == 1
    assert "buildx plugin is not installed; install it" in result.err


def test_a_missing_docker_says_what_to_install(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fp.allow_unregistered(True)
    monkeypatch.setenv("PATH", str(tmp_path))

    result = invoke("stack.build")

    assert result.code == 1
    assert "docker command was not found on PATH; install Docker" in result.err
    assert "Traceback" not in result.err


def test_bake_s_exit_status_becomes_the_task_s(fp: FakeProcess, invoke: Invoke) -> None:
    active(fp)
    fp.register(BUILD_BAKE, returncode=17)

    assert invoke("stack.build").code == 17


def test_ctrl_c_during_bake_waits_for_it_and_exits_130(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    active(fp)
    fp.register(BUILD_BAKE)
    real_wait = FakePopen.wait
    waits: list[str] = []

    def interrupted_once(self: FakePopen, timeout: float | None = None) -> int:
        waits.append("wait")
        if len(waits) == 1:
            raise KeyboardInterrupt
        return real_wait(self, timeout)

    monkeypatch.setattr(FakePopen, "wait", interrupted_once)

    result = invoke("stack.build")

    assert result.code == 130
    assert waits == ["wait", "wait"]
    assert "Traceback" not in result.err


def test_dry_push_probes_but_prints_use_and_bake_instead_of_running_them(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    container_builder(fp)
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))

    result = invoke("--dry", "stack.push")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "docker buildx use flowmesh-multiarch"
    assert lines[1] == shlex.join(push_bake())
    assert written_cache(lines[1]) == EXAMPLE_CACHE
    assert len(fp.calls) == 3


def test_dry_still_refuses_a_wrong_driver(fp: FakeProcess, invoke: Invoke) -> None:
    active(fp)

    result = invoke("--dry", "stack.push", "-b", "default")

    assert result.code == 1
    assert result.out == ""


def test_push_keeps_cache_the_bake_file_declares(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    targets = {"api": {**EXAMPLE_TARGETS["api"], "cache-from": ["type=gha"]}}
    fp.register(PRINT, stdout=print_json(targets))

    result = invoke("--dry", "stack.push")

    assert written_cache(result.out) == {
        "target": {"api": {"cache-to": EXAMPLE_CACHE["target"]["api"]["cache-to"]}}
    }


def test_build_clears_cache_the_bake_file_declares(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)

    result = invoke("--dry", "stack.build")

    assert "'*.cache-from=' --set '*.cache-to='" in result.out


def test_a_user_set_replaces_ours(fp: FakeProcess, invoke: Invoke) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    user_set = "*.platform=linux/riscv64"
    fp.register([*PRINT, "--set", user_set], stdout=print_json(EXAMPLE_TARGETS))

    result = invoke("--dry", "stack.push", "--set", user_set)

    assert "linux/amd64" not in result.out
    assert result.out.count("platform=") == 1


def test_a_broken_bake_file_is_found_before_any_switch(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register([*INSPECT, "default"], stdout=inspect_output("default", "docker"))
    fp.register(
        PRINT,
        returncode=1,
        stderr="#1 [internal] load local bake definitions\n"
        'ERROR: docker-bake.hcl:3,1-7: Unsupported block type; "tagret"\n',
    )

    result = invoke("stack.build", "--force")

    assert result.code == 1
    assert "bake cannot resolve docker-bake.hcl:" in result.err
    assert "Unsupported block type" in result.err
    assert ["docker", "buildx", "use", "default"] not in list(fp.calls)


def test_an_unknown_target_is_bake_s_own_error(fp: FakeProcess, invoke: Invoke) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register(
        [*PRINT, "nope"], returncode=1, stderr="ERROR: failed to find target nope\n"
    )

    result = invoke("stack.push", "-t", "nope")

    assert result.code == 1
    assert "failed to find target nope" in result.err


def test_buildx_builder_is_kept_out_of_the_probe_and_warned_about(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUILDX_BUILDER", "other")
    probe = fp.register(INSPECT, stdout=inspect_output("default", "docker"))
    fp.register(BUILD_BAKE)

    result = invoke("stack.build")

    assert result.code == 0, result.err
    assert probe.first_call is not None and probe.first_call.kwargs is not None
    assert "BUILDX_BUILDER" not in probe.first_call.kwargs["env"]
    assert "Warning: BUILDX_BUILDER=other is set" in result.err


@pytest.mark.parametrize(
    "arg",
    [
        "--builder=-rm",
        "--builder=x;rm -rf /",
        "--builder=1abc",
        "--target=--push",
        "--target=-x",
        "--target=a b",
        "--target=../x",
    ],
    ids=[
        "builder like a flag",
        "builder with a shell command",
        "builder starting with a digit",
        "target --push",
        "target like a short flag",
        "target with a space",
        "target with a path",
    ],
)
def test_hostile_names_are_refused_before_any_process_starts(
    fp: FakeProcess, invoke: Invoke, arg: str
) -> None:
    for task in ("stack.build", "stack.push"):
        result = invoke(task, "--force", arg)

        assert result.code == 1
        assert "Error: " in result.err
        assert list(fp.calls) == []


def test_registry_and_tag_precedence_is_flag_then_config_then_environment(
    fp: FakeProcess,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    config = tmp_path / "stack.yaml"
    config.write_text("stack:\n  registry: from-config.io/x\n")
    monkeypatch.setenv("TAG", "from-shell")
    monkeypatch.setenv("REGISTRY", "from-shell.io/x")
    fp.keep_last_process(True)
    active(fp)
    bake = fp.register(BUILD_BAKE)

    assert invoke("stack.build").code == 0
    assert invoke("-f", str(config), "stack.build").code == 0
    assert invoke("-f", str(config), "stack.build", "--registry", "flag.io/x").code == 0

    envs = [call.kwargs["env"] for call in bake.calls if call.kwargs]
    assert len(envs) == 3
    assert [(env["REGISTRY"], env["TAG"]) for env in envs] == [
        ("from-shell.io/x", "from-shell"),
        ("from-config.io/x", "from-shell"),
        ("flag.io/x", "from-shell"),
    ]


def test_every_config_key_can_be_set_from_the_environment(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOKE_STACK_PLATFORMS", "linux/arm64,linux/ppc64le")
    monkeypatch.setenv("INVOKE_STACK_PUSH_DRIVERS", "remote")
    monkeypatch.setenv("INVOKE_STACK_CACHE_TAG", "cache-x")
    monkeypatch.setenv("INVOKE_STACK_PUSH_BUILDER", "far")
    monkeypatch.setenv("INVOKE_STACK_BAKE_FILE", "other.hcl")
    Path("other.hcl").write_text("")
    monkeypatch.setenv("INVOKE_STACK_IMAGE_TAG", "7")
    monkeypatch.setenv("INVOKE_STACK_PROBE_TIMEOUT", "3.5")
    active(fp, "far", "remote")
    fp.register(
        [*BAKE, "--print", "-f", "other.hcl"], stdout=print_json(EXAMPLE_TARGETS)
    )

    result = invoke("--dry", "stack.push")

    assert result.code == 0, result.err
    assert "TAG=7 docker buildx bake --builder far -f other.hcl -f " in result.out
    assert "--set '*.platform=linux/arm64' --set '*.platform=linux/ppc64le'" in (
        result.out
    )
    assert "flowmesh/api:cache-x" in json.dumps(written_cache(result.out))


def test_push_platform_flags_accept_comma_lists(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp, PUSH_BUILDER, "docker-container")
    fp.register(PRINT, stdout=print_json(EXAMPLE_TARGETS))

    result = invoke(
        "--dry",
        "stack.push",
        "--platform",
        "linux/amd64,linux/arm/v7",
        "--platform",
        "linux/s390x",
    )

    platforms = [arg for arg in result.out.split() if "platform=" in arg]
    assert platforms == [
        "'*.platform=linux/amd64'",
        "'*.platform=linux/arm/v7'",
        "'*.platform=linux/s390x'",
    ]


def test_a_bake_file_without_targets_is_refused_before_any_switch(
    fp: FakeProcess, invoke: Invoke
) -> None:
    active(fp)
    container_builder(fp)
    fp.register(PRINT, stdout='{"group": {"default": {"targets": []}}}')

    result = invoke("stack.push", "--force")

    assert result.code == 1
    assert "bake resolved no targets from docker-bake.hcl" in result.err
    assert len(fp.calls) == 3


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ("stack.build", "--registry", "Bad Reg"),
            {},
            "Error: --registry 'Bad Reg' is not a registry and namespace",
        ),
        (
            ("stack.build",),
            {"INVOKE_STACK_IMAGE_TAG": "-rc1"},
            "Error: config stack.image_tag '-rc1' is not an image tag",
        ),
        (
            ("stack.push", "--platform", "linux/amd64,arm64"),
            {},
            "Error: --platform entry 'arm64' is not a platform",
        ),
        (
            ("stack.push",),
            {"INVOKE_STACK_PLATFORMS": "linux/amd64, linux"},
            "Error: config stack.platforms entry 'linux' is not a platform",
        ),
        (
            ("stack.build", "--set", "platform=linux/arm64"),
            {},
            "Error: --set 'platform=linux/arm64' does not have the shape",
        ),
        (
            ("stack.push", "--bake-file", "missing.hcl"),
            {},
            "Error: --bake-file 'missing.hcl': no such bake file",
        ),
    ],
    ids=[
        "a registry flag",
        "a tag from config",
        "a platform in a comma list",
        "a platform from config",
        "a set without a pattern",
        "a missing bake file",
    ],
)
def test_a_bad_value_fails_in_one_line_before_any_process_starts(
    fp: FakeProcess,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    result = invoke(*args)

    assert result.code == 1
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith(message)
    assert list(fp.calls) == []


# The tasks as a user runs them: `invoke stack.*` in a child process, over a
# stand-in docker that is a real child too, so that signals and timeouts reach
# it as they would reach docker. It logs each call and bakes by sleeping.
STAND_IN = r"""#!/bin/sh
echo "$*" >> "$STAND_IN_DIR/calls"
record_pid() {
    echo $$ > "$STAND_IN_DIR/pid.tmp" && mv "$STAND_IN_DIR/pid.tmp" "$STAND_IN_DIR/pid"
}
case "$1 $2" in
"buildx inspect")
    if [ -n "$STAND_IN_HANG" ]; then record_pid; exec sleep 60; fi
    printf 'Name: %s\nDriver: docker\n' "${3:-default}" ;;
"buildx bake")
    if [ "$3" = "--print" ]; then echo '{}'; exit 0; fi
    record_pid; exec sleep 60 ;;
"buildx use") ;;
*) exit 1 ;;
esac
"""


@dataclass
class StandIn:
    """The folder where the stand-in docker logs its calls and its pid."""

    folder: Path
    env: dict[str, str]

    @property
    def calls(self) -> list[str]:
        log = self.folder / "calls"
        return log.read_text().splitlines() if log.exists() else []

    def wait_for_pid(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        pid_file = self.folder / "pid"
        while not pid_file.exists():
            assert time.monotonic() < deadline, "the stand-in docker never started"
            time.sleep(0.05)
        return int(pid_file.read_text())


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(STAND_IN)
    docker.chmod(0o755)

    env = {k: v for k, v in os.environ.items() if not k.startswith("BUILDX_")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
        DOCKER_CONFIG=str(tmp_path / "docker-config"),
        STAND_IN_DIR=str(tmp_path),
        NO_COLOR="1",
    )
    env.pop("INVOKE_RUN_DRY", None)
    stand_in = StandIn(tmp_path, env)
    yield stand_in

    pid_file = tmp_path / "pid"
    if pid_file.exists() and is_running(pid := int(pid_file.read_text())):
        os.kill(pid, signal.SIGKILL)


def start_task(
    stand_in: StandIn, *args: str, stdin: int = subprocess.DEVNULL
) -> subprocess.Popen[str]:
    """Start ``invoke`` from the repository, in a process group of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO,
        env=stand_in.env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(task: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, stderr = task.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(task.pid, signal.SIGKILL)
        raise
    return task.returncode, stderr


@pytest.mark.parametrize(
    ("child", "signum", "to_group", "code"),
    [
        ("bake", signal.SIGINT, True, 130),
        ("bake", signal.SIGTERM, False, 143),
        ("probe", signal.SIGINT, True, 130),
        ("probe", signal.SIGTERM, False, 143),
    ],
    ids=[
        "ctrl-c during bake",
        "sigterm to the task during bake",
        "ctrl-c during a probe",
        "sigterm to the task during a probe",
    ],
)
def test_a_signal_stops_the_task_with_no_child_left_and_no_traceback(
    stand_in: StandIn, child: str, signum: int, to_group: bool, code: int
) -> None:
    """Ctrl-C on a terminal signals the whole process group; SIGTERM from a
    supervisor reaches the task alone, which must pass it on to bake."""
    if child == "probe":
        stand_in.env.update(STAND_IN_HANG="1")
    task = start_task(stand_in, "stack.build")
    pid = stand_in.wait_for_pid()

    if to_group:
        os.killpg(task.pid, signum)
    else:
        task.send_signal(signum)
    status, stderr = finish(task)

    assert status == code
    assert "Traceback" not in stderr
    assert not is_running(pid)


def test_ctrl_c_at_the_switch_prompt_exits_130_with_the_builder_unchanged(
    stand_in: StandIn,
) -> None:
    controller, terminal = pty.openpty()
    try:
        task = start_task(
            stand_in, "stack.build", "--builder", "native", stdin=terminal
        )
        assert task.stderr is not None
        prompt = ""
        deadline = time.monotonic() + 20
        while "[y/N]" not in prompt:
            assert time.monotonic() < deadline, f"no prompt; stderr so far: {prompt}"
            ready, _, _ = select.select([task.stderr], [], [], 0.1)
            if ready:
                prompt += os.read(task.stderr.fileno(), 4096).decode()

        os.killpg(task.pid, signal.SIGINT)
        code, stderr = finish(task)
    finally:
        os.close(controller)
        os.close(terminal)

    assert "switch to 'native'?" in prompt
    assert code == 130
    assert "Traceback" not in prompt + stderr
    assert stand_in.calls == [
        "buildx inspect",
        "buildx inspect native",
        "buildx bake --print -f docker-bake.hcl",
    ]


def test_a_hung_daemon_is_reported_and_its_probe_killed(stand_in: StandIn) -> None:
    stand_in.env.update(STAND_IN_HANG="1", INVOKE_STACK_PROBE_TIMEOUT="1")
    task = start_task(stand_in, "stack.build")

    code, stderr = finish(task)

    assert code == 1
    assert stderr.splitlines() == [
        "Error: the Docker daemon did not answer in 1 seconds; check that it is "
        "running and responsive, then try again"
    ]
    assert not is_running(stand_in.wait_for_pid(timeout=0))


def test_every_task_has_a_short_imperative_first_line() -> None:
    tasks = stack_tasks.ns.tasks

    assert sorted(tasks) == [
        "build",
        "builders",
        "create-builder",
        "doctor",
        "push",
        "targets",
    ]
    for name, task in tasks.items():
        first_line = (task.__doc__ or "").splitlines()[0]
        assert first_line.endswith(".") and len(first_line) < 60, name
