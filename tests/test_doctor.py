import json
from pathlib import Path
from typing import Any

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from pytest_subprocess import FakeProcess

from stack_tasks import doctor
from stack_tasks.tasks import doctor_ as doctor_task

VERSION = ["docker", "version", "--format", "{{json .}}"]
BUILDX_VERSION = ["docker", "buildx", "version"]
INSPECT = ["docker", "buildx", "inspect"]
BAKE_PRINT = ["docker", "buildx", "bake", "--print", "-f", "docker-bake.hcl"]

VERSION_UP = json.dumps(
    {"Client": {"Version": "28.2.2"}, "Server": {"Version": "20.10.24", "Arch": "x"}}
)
VERSION_DOWN = json.dumps({"Client": {"Version": "28.2.2"}, "Server": None})
DEFAULT = "Name: default\nDriver: docker\n\nNodes:\nName: default\nStatus: running\n"
CI = (
    "Name: ci\nDriver: docker-container\n\nNodes:\nName: ci0\nStatus: inactive\n"
    "Platforms: linux/amd64*, linux/arm64*\n"
)
RESOLVED = {"target": {"app": {"tags": ["registry.example.com/team/app:1"]}}}


def inputs(tmp_path: Path, **changes: Any) -> doctor.Inputs:
    fields: dict[str, Any] = {
        "bake_file": "docker-bake.hcl",
        "build_builder": None,
        "push_builder": "ci",
        "push_drivers": frozenset({"docker-container"}),
        "platforms": ("linux/amd64", "linux/arm64"),
        "env": {"DOCKER_CONFIG": str(tmp_path)},
        "timeout": 5.0,
    }
    fields.update(changes)
    return doctor.Inputs(**fields)


def register_docker(fp: FakeProcess, *, daemon_up: bool = True) -> None:
    if daemon_up:
        fp.register(VERSION, stdout=VERSION_UP)
    else:
        fp.register(VERSION, returncode=1, stdout=VERSION_DOWN, stderr="down\n")
    fp.register(BUILDX_VERSION, stdout="github.com/docker/buildx 0.13.1+ds1 0.13.1\n")


def register_healthy(
    fp: FakeProcess, push_inspect: str | None = CI, *, bake: bool = True
) -> None:
    """A machine ready to push; ``push_inspect`` None: the push builder is missing."""
    register_docker(fp)
    fp.register(INSPECT, stdout=DEFAULT)
    if push_inspect is None:
        fp.register([*INSPECT, "ci"], returncode=1, stderr='ERROR: no builder "ci"')
    else:
        fp.register([*INSPECT, "ci"], stdout=push_inspect, occurrences=2)
    if bake:
        fp.register(BAKE_PRINT, stdout=json.dumps(RESOLVED))


def levels(checks: list[doctor.Check]) -> dict[str, str]:
    return {check.name: check.level for check in checks}


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3", (0, 13, 1)),
        ("github.com/docker/buildx v0.24.0 abc123", (0, 24, 0)),
        ("no version here", None),
    ],
    ids=["debian build", "upstream build", "nothing to read"],
)
def test_parse_version_reads_the_first_dotted_number(
    text: str, version: tuple[int, ...] | None
) -> None:
    assert doctor.parse_version(text) == version


@pytest.mark.parametrize(
    ("version", "level"),
    [("0.5.1", "error"), ("0.12.1", "warning"), ("0.13.1", "ok"), ("v0.24.0", "ok")],
    ids=["too old to push", "without the newer flags", "enough", "new"],
)
def test_check_buildx_version_judges_against_the_flags_we_pass(
    version: str, level: str
) -> None:
    check = doctor.check_buildx_version(f"github.com/docker/buildx {version} abc")

    assert check.level == level


def test_missing_platforms_treats_arm64_v8_as_arm64() -> None:
    offered = ("linux/amd64", "linux/arm64/v8")

    assert doctor.missing_platforms(["linux/arm64", "linux/s390x"], offered) == (
        "linux/s390x",
    )


@pytest.mark.parametrize(
    ("reference", "host"),
    [
        ("registry.example.com/team/app:1", "registry.example.com"),
        ("localhost:5000/app:dev", "localhost:5000"),
        ("localhost/app", "localhost"),
        ("team/app:1", "docker.io"),
        ("app", "docker.io"),
        ("index.docker.io/team/app", "docker.io"),
    ],
)
def test_registry_host_reads_the_host_as_the_docker_cli_does(
    reference: str, host: str
) -> None:
    assert doctor.registry_host(reference) == host


@pytest.mark.parametrize(
    ("config", "level"),
    [
        ({"auths": {"registry.example.com": {"auth": "eA=="}}}, "ok"),
        ({"auths": {"https://registry.example.com/v1/": {}}}, "ok"),
        ({"credHelpers": {"registry.example.com": "ecr-login"}}, "ok"),
        ({"auths": {"other.example.com": {}}, "credsStore": "desktop"}, "warning"),
        ({}, "warning"),
    ],
    ids=[
        "an auths entry",
        "an auths entry written as a URL",
        "a credential helper for the host",
        "entries for other hosts only",
        "no config",
    ],
)
def test_check_credentials_finds_an_auths_entry_or_a_helper(
    config: dict[str, Any], level: str
) -> None:
    assert doctor.check_credentials("registry.example.com", config).level == level


def test_check_credentials_reads_the_docker_hub_url_as_docker_io() -> None:
    config: dict[str, Any] = {"auths": {"https://index.docker.io/v1/": {}}}

    assert doctor.check_credentials("docker.io", config).level == "ok"


def test_run_checks_passes_a_machine_ready_to_push(
    fp: FakeProcess, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {"registry.example.com": {}}})
    )
    register_healthy(fp)

    checks = doctor.run_checks(inputs(tmp_path))

    assert levels(checks) == {
        "docker": "ok",
        "daemon": "ok",
        "buildx": "ok",
        "build builder": "ok",
        "push builder": "ok",
        "platforms": "ok",
        "bake file": "ok",
        "login registry.example.com": "ok",
    }
    assert not doctor.failed(checks)


def test_run_checks_says_which_platform_needs_emulation_or_a_node(
    fp: FakeProcess, tmp_path: Path
) -> None:
    register_healthy(fp)

    checks = doctor.run_checks(inputs(tmp_path, platforms=("linux/s390x",)))

    (platforms,) = [check for check in checks if check.name == "platforms"]
    assert platforms.level == "error"
    assert "cannot build linux/s390x" in platforms.detail
    assert "tonistiigi/binfmt --install s390x" in platforms.fix
    assert "--platform linux/s390x" in platforms.fix


@pytest.mark.parametrize(
    ("push_inspect", "name", "level"),
    [
        ("Name: ci\nDriver: docker-container\n", "platforms", "warning"),
        ("Name: ci\nDriver: docker\n", "push builder", "error"),
    ],
    ids=["no platforms before it boots", "another driver"],
)
def test_run_checks_judges_the_push_builder(
    fp: FakeProcess, tmp_path: Path, push_inspect: str, name: str, level: str
) -> None:
    register_healthy(fp, push_inspect=push_inspect)

    checks = doctor.run_checks(inputs(tmp_path))

    assert levels(checks)[name] == level


def test_run_checks_sends_a_missing_push_builder_to_create_builder(
    fp: FakeProcess, tmp_path: Path
) -> None:
    register_healthy(fp, push_inspect=None)

    checks = doctor.run_checks(inputs(tmp_path))

    (push,) = [check for check in checks if check.name == "push builder"]
    assert (push.level, push.fix) == ("error", "invoke stack.create-builder")
    assert "platforms" not in levels(checks)
    assert doctor.failed(checks)


def test_run_checks_skips_the_builders_when_the_daemon_is_down(
    fp: FakeProcess, tmp_path: Path
) -> None:
    register_docker(fp, daemon_up=False)
    fp.register(BAKE_PRINT, stdout=json.dumps(RESOLVED))

    checks = doctor.run_checks(inputs(tmp_path))

    assert levels(checks)["daemon"] == "error"
    assert levels(checks)["builders"] == "warning"
    assert fp.call_count(INSPECT) == 0


def test_run_checks_reports_a_bake_file_that_does_not_resolve(
    fp: FakeProcess, tmp_path: Path
) -> None:
    register_healthy(fp, bake=False)
    fp.register(BAKE_PRINT, returncode=1, stderr="ERROR: docker-bake.hcl:3 bad\n")

    checks = doctor.run_checks(inputs(tmp_path))

    assert levels(checks)["bake file"] == "error"


def test_run_checks_stops_at_a_missing_docker(fp: FakeProcess, tmp_path: Path) -> None:
    def missing(process: object) -> None:
        raise FileNotFoundError("docker")

    fp.register(VERSION, callback=missing)

    checks = doctor.run_checks(inputs(tmp_path))

    assert [(c.name, c.level) for c in checks] == [("docker", "error")]


def test_render_puts_the_fix_under_its_check() -> None:
    text = doctor.render(
        [
            doctor.Check("daemon", "ok", "Docker Engine 27.0"),
            doctor.Check("login x", "warning", "no credentials", fix="docker login x"),
        ]
    )

    assert text.splitlines() == [
        "ok       daemon   Docker Engine 27.0",
        "warning  login x  no credentials",
        "                  fix: docker login x",
    ]


def test_doctor_task_exits_1_when_a_check_is_an_error(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    register_docker(fp, daemon_up=False)
    fp.register(BAKE_PRINT, stdout=json.dumps(RESOLVED))

    with pytest.raises(Exit) as raised:
        doctor_task(Context(), json_=True)

    assert raised.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data[1] == {
        "check": "daemon",
        "level": "error",
        "detail": "not reachable: down",
        "fix": "start Docker, or check DOCKER_HOST and DOCKER_CONTEXT",
    }


def test_run_checks_stops_at_a_missing_buildx_plugin(
    fp: FakeProcess, tmp_path: Path
) -> None:
    fp.register(VERSION, stdout=VERSION_UP)
    fp.register(
        BUILDX_VERSION,
        returncode=1,
        stderr="docker: 'buildx' is not a docker command.\n",
    )

    checks = doctor.run_checks(inputs(tmp_path))

    assert [(c.name, c.level) for c in checks][-1] == ("buildx", "error")
    assert "plugin is not installed" in checks[-1].detail
