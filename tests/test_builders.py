import json
from pathlib import Path

import pytest
from invoke.context import Context
from invoke.exceptions import Exit
from pytest_subprocess import FakeProcess

from stack_tasks import builders
from stack_tasks.errors import StackError
from stack_tasks.tasks import builders as builders_task

LS_JSON = ["docker", "buildx", "ls", "--format", "json"]
LS_PLAIN = ["docker", "buildx", "ls"]
INSPECT = ["docker", "buildx", "inspect"]

FIXTURES = Path(__file__).parent / "fixtures" / "buildx"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


ACCEPTANCE = builders.Acceptance(
    build=frozenset({"docker"}),
    push=frozenset({"docker-container", "kubernetes", "remote"}),
)

# buildx 0.13.1, as it prints here: a builder appears once per line it would
# have had in the table, so the two-node builder appears three times.
LS_0_13 = fixture("ls-0.13-repeated.jsonl")

INSPECT_DEFAULT = fixture("inspect-default.txt")

# buildx 0.24: one line per builder, and the active one marked.
LS_0_24 = fixture("ls-0.24-current.jsonl")

# buildx 0.13.1 with the daemon down, as it prints here.
LS_DAEMON_DOWN = fixture("ls-0.13-daemon-down.jsonl")

# buildx 0.12: no --format; the table stars the active builder after a space.
LS_0_12_TABLE = fixture("ls-0.12.txt")

INSPECT_CI_0_12 = fixture("inspect-0.12-ci.txt")


def by_name(found: list[builders.BuilderInfo]) -> dict[str, builders.BuilderInfo]:
    return {builder.name: builder for builder in found}


def test_parse_ls_json_merges_a_builder_repeated_on_several_lines() -> None:
    found, marked = builders.parse_ls_json(LS_0_13)

    assert [builder.name for builder in found] == ["ci", "default"]
    assert [node.name for node in found[0].nodes] == ["ci0", "ci-arm"]
    assert not marked


def test_parse_ls_json_reads_the_active_field_of_buildx_0_24() -> None:
    found, marked = builders.parse_ls_json(LS_0_24)

    assert marked
    assert [builder.active for builder in found] == [True, False]


def test_parse_ls_json_skips_lines_that_are_not_builders() -> None:
    found, _ = builders.parse_ls_json('WARNING: something\n[]\n{"Driver":"x"}\n')

    assert found == []


def test_parse_ls_json_keeps_a_builder_error_and_drops_its_empty_node() -> None:
    found, _ = builders.parse_ls_json(LS_DAEMON_DOWN)

    default = by_name(found)["default"]
    assert default.error.startswith("Cannot connect to the Docker daemon")
    assert default.nodes == ()
    assert default.status == "error"


def test_status_is_error_when_a_node_has_an_error() -> None:
    builder = builders.BuilderInfo(
        name="ci",
        nodes=(
            builders.Node(name="a", status="running"),
            builders.Node(name="b", status="error", error="dial tcp: refused"),
        ),
    )

    assert builder.status == "error"
    assert builder.errors == ("ci (b): dial tcp: refused",)


def test_platforms_cover_all_nodes_once_each() -> None:
    found, _ = builders.parse_ls_json(LS_0_13)

    assert found[0].platforms == ("linux/amd64", "linux/arm64")


def test_parse_ls_table_reads_names_and_the_active_builder_of_buildx_0_12() -> None:
    assert builders.parse_ls_table(LS_0_12_TABLE) == (["ci", "default"], "default")


def test_parse_ls_table_reads_the_star_that_buildx_0_13_joins_to_the_name() -> None:
    text = "NAME/NODE  DRIVER\nci*  docker-container\n \\_ ci0  \\_ unix:///x\n"

    assert builders.parse_ls_table(text) == (["ci"], "ci")


def test_parse_inspect_reads_nodes_and_strips_pinned_platform_stars() -> None:
    builder = builders.parse_inspect(INSPECT_CI_0_12)

    assert builder.driver == "docker-container"
    assert builder.nodes == (
        builders.Node(
            name="ci0",
            endpoint="unix:///var/run/docker.sock",
            status="running",
            platforms=("linux/amd64", "linux/arm64"),
        ),
    )


def test_parse_inspect_puts_an_error_on_the_builder_or_the_node() -> None:
    text = "Name: ci\nDriver: remote\nError: bad\n\nNodes:\nName: ci0\nError: dial\n"

    builder = builders.parse_inspect(text)

    assert builder.error == "bad"
    assert builder.nodes[0].error == "dial"


def test_acceptance_refuses_a_builder_in_error_whatever_its_driver() -> None:
    broken = builders.BuilderInfo(name="d", driver="docker", error="down")

    assert not ACCEPTANCE.build_accepts(broken)
    assert ACCEPTANCE.build_accepts(builders.BuilderInfo(name="d", driver="docker"))


def test_list_builders_finds_the_active_one_with_inspect_on_buildx_0_13(
    fp: FakeProcess,
) -> None:
    fp.register(LS_JSON, stdout=LS_0_13)
    fp.register(INSPECT, stdout=INSPECT_DEFAULT)

    found = builders.list_builders(timeout=5)

    assert {builder.name: builder.active for builder in found} == {
        "ci": False,
        "default": True,
    }


def test_list_builders_asks_no_more_when_buildx_marks_the_active_one(
    fp: FakeProcess,
) -> None:
    fp.register(LS_JSON, stdout=LS_0_24)

    found = builders.list_builders(timeout=5)

    assert by_name(found)["ci"].active
    assert fp.call_count(INSPECT) == 0


def test_list_builders_inspects_each_builder_on_buildx_0_12(fp: FakeProcess) -> None:
    fp.register(
        LS_JSON,
        returncode=1,
        stderr="unknown flag: --format\nSee 'docker buildx ls --help'.\n",
    )
    fp.register(LS_PLAIN, stdout=LS_0_12_TABLE)
    fp.register([*INSPECT, "ci"], stdout=INSPECT_CI_0_12)
    fp.register([*INSPECT, "default"], stdout=INSPECT_DEFAULT)

    found = by_name(builders.list_builders(timeout=5))

    assert found["ci"].platforms == ("linux/amd64", "linux/arm64")
    assert found["ci"].status == "running"
    assert found["default"].active and not found["ci"].active


def test_list_builders_shows_a_builder_inspect_cannot_read_as_an_error(
    fp: FakeProcess,
) -> None:
    fp.register(LS_JSON, returncode=1, stderr="unknown flag: --format\n")
    fp.register(LS_PLAIN, stdout="NAME/NODE DRIVER\ngone docker-container\n")
    fp.register([*INSPECT, "gone"], returncode=1, stderr='ERROR: no builder "gone"\n')

    (gone,) = builders.list_builders(timeout=5)

    assert gone.error == 'no builder "gone"'
    assert gone.status == "error"


def test_list_builders_reports_another_ls_failure(fp: FakeProcess) -> None:
    fp.register(LS_JSON, returncode=1, stderr="ERROR: cannot lock the store\n")

    with pytest.raises(StackError, match="cannot lock the store"):
        builders.list_builders(timeout=5)


def test_render_shows_each_node_of_a_multi_node_builder() -> None:
    found, _ = builders.parse_ls_json(LS_0_13)

    lines = builders.render(found, ACCEPTANCE).splitlines()

    assert lines[1].split() == [
        "ci",
        "docker-container",
        "inactive",
        "linux/amd64,",
        "linux/arm64",
        "no",
        "no",
        "yes",
    ]
    assert lines[2].split()[:2] == ["ci0", "unix:///var/run/docker.sock"]
    assert lines[3].split()[:2] == ["ci-arm", "arm-box"]
    assert lines[4].split()[0] == "default"


def test_render_lists_each_error_in_full_under_the_table() -> None:
    found, _ = builders.parse_ls_json(LS_DAEMON_DOWN)

    text = builders.render(found, ACCEPTANCE)

    assert text.splitlines()[-2:] == [
        "Errors:",
        "default: Cannot connect to the Docker daemon at unix:///tmp/nope.sock. "
        "Is the docker daemon running?",
    ]


def test_builders_task_prints_json_with_what_each_task_accepts(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    fp.register(LS_JSON, stdout=LS_0_24)

    builders_task(Context(), json_=True)

    data = json.loads(capsys.readouterr().out)
    assert [(item["name"], item["build"], item["push"]) for item in data] == [
        ("ci", False, True),
        ("default", True, False),
    ]
    assert data[0]["nodes"][0]["platforms"] == ["linux/amd64", "linux/arm64"]


def test_builders_task_reports_a_failure_in_one_line(
    fp: FakeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    fp.register(LS_JSON, returncode=1, stderr="ERROR: cannot lock the store\n")

    with pytest.raises(Exit):
        builders_task(Context())

    assert capsys.readouterr().err.startswith("Error: docker buildx ls --format json")
