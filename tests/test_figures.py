from __future__ import annotations

import pytest

from benchmarks import figures

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:      1500 |       1620 | stack_tasks.plan
import time:        80 |       1700 | stack_tasks
"""

LOG = (
    "buildx\tinspect\t\n"
    "buildx\tbake\t--print\t-f\tb.hcl\t\n"
    "buildx\tbake\t--builder\tb\t-f\tb.hcl\t--push\t\n"
)


def test_rounds_alternate_between_forward_and_backward_order() -> None:
    assert figures.round_order(3, 0) == [0, 1, 2]
    assert figures.round_order(3, 1) == [2, 1, 0]
    assert figures.round_order(3, 2) == [0, 1, 2]


def test_over_two_rounds_each_of_a_pair_runs_first_once() -> None:
    firsts = [figures.round_order(2, index)[0] for index in range(2)]

    assert sorted(firsts) == [0, 1]


def test_median_is_given_in_milliseconds() -> None:
    assert figures.median_ms([0.3, 0.1, 0.2]) == pytest.approx(200)


def test_ratio_is_the_median_of_the_ratios_pair_by_pair() -> None:
    assert figures.ratio([1.0, 3.0, 10.0], [1.0, 2.0, 4.0]) == pytest.approx(1.5)


def test_a_slow_spell_starting_inside_a_round_moves_only_that_pair() -> None:
    ours = [1.1, 2.2, 2.2]
    baseline = [1.0, 1.0, 2.0]

    assert figures.ratio(ours, baseline) == pytest.approx(1.1)


def test_ratio_needs_one_time_of_each_for_every_round() -> None:
    with pytest.raises(ValueError, match="every round"):
        figures.ratio([1.0, 2.0], [1.0])


def test_growth_is_the_relative_change_pair_by_pair() -> None:
    assert figures.growth([0.10, 0.10, 0.10], [0.12, 0.12, 0.50]) == pytest.approx(0.2)


def test_import_times_read_each_module_self_time_and_skip_the_header() -> None:
    times = figures.import_times(IMPORTTIME)

    assert times == {"_io": 120, "stack_tasks.plan": 1500, "stack_tasks": 80}


def test_calls_before_bake_count_the_print_but_stop_at_the_bake_that_builds() -> None:
    assert figures.calls_before_bake(LOG) == [
        ["buildx", "inspect"],
        ["buildx", "bake", "--print", "-f", "b.hcl"],
    ]


def test_the_bake_call_is_the_first_that_builds() -> None:
    assert figures.bake_call(LOG) == [
        "buildx",
        "bake",
        "--builder",
        "b",
        "-f",
        "b.hcl",
        "--push",
    ]


def test_a_log_without_a_bake_is_an_error() -> None:
    with pytest.raises(ValueError, match="no buildx bake"):
        figures.calls_before_bake("buildx\tinspect\t\n")


def test_a_printed_command_splits_into_its_variables_and_argv() -> None:
    argv, variables = figures.printed_command(
        "REGISTRY=reg/ns TAG='a b' docker buildx bake --set '*.platform=local'"
    )

    assert variables == {"REGISTRY": "reg/ns", "TAG": "a b"}
    assert argv == ["docker", "buildx", "bake", "--set", "*.platform=local"]


def test_a_markdown_table_has_a_header_rule_and_one_line_a_row() -> None:
    table = figures.markdown_table(["A", "B"], [["1", "2"]])

    assert table == "| A | B |\n| --- | --- |\n| 1 | 2 |"


def test_bake_files_are_the_values_of_each_f_flag_in_order() -> None:
    argv = ["docker", "buildx", "bake", "-f", "a.hcl", "--push", "-f", "b.json"]

    assert figures.bake_files(argv) == ["a.hcl", "b.json"]
