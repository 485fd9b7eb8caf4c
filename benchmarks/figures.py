"""Pure helpers of the benchmark: run order, summaries, and reading tool output."""

from __future__ import annotations

import shlex
import statistics
from collections.abc import Iterable, Sequence


def round_order(size: int, round_index: int) -> list[int]:
    """The order to run ``size`` commands in one round: forward, then backward.

    Reversing every other round puts each command first as often as last, so a
    steady drift of the machine weighs on all of them alike.
    """
    order = list(range(size))
    return order if round_index % 2 == 0 else order[::-1]


def median_ms(seconds: Sequence[float]) -> float:
    """The median of some wall times, in milliseconds."""
    return statistics.median(seconds) * 1000


def ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """The median of the ratios of times taken side by side, pair by pair.

    Both lists hold one time a round, so each ratio compares two runs made
    moments apart; a slow spell of the machine weighs on both of them.
    """
    if len(numerator) != len(denominator) or not numerator:
        raise ValueError("ratio needs one time of each command for every round")
    return statistics.median(a / b for a, b in zip(numerator, denominator))


def growth(first: Sequence[float], last: Sequence[float]) -> float:
    """The relative change from ``first`` to ``last``, pair by pair: 0.2 is +20%."""
    return ratio(last, first) - 1


def import_times(report: str) -> dict[str, int]:
    """Each module's own import time in microseconds, from ``-X importtime``."""
    times: dict[str, int] = {}
    for line in report.splitlines():
        head, _, rest = line.partition(":")
        fields = rest.split("|")
        if head != "import time" or len(fields) != 3 or not fields[0].strip().isdigit():
            continue
        times[fields[2].strip()] = times.get(fields[2].strip(), 0) + int(fields[0])
    return times


def logged_calls(log: str) -> list[list[str]]:
    """The calls a stand-in logged: one a line, each argument followed by a tab."""
    return [line.split("\t")[:-1] for line in log.splitlines()]


def _is_bake(args: Sequence[str]) -> bool:
    return list(args[:2]) == ["buildx", "bake"] and "--print" not in args


def calls_before_bake(log: str) -> list[list[str]]:
    """The docker calls logged before the first ``buildx bake`` that builds."""
    calls = logged_calls(log)
    for index, args in enumerate(calls):
        if _is_bake(args):
            return calls[:index]
    raise ValueError("the log holds no buildx bake call")


def bake_call(log: str) -> list[str]:
    """The arguments of the first ``docker buildx bake`` that builds."""
    return logged_calls(log)[len(calls_before_bake(log))]


def bake_files(argv: Sequence[str]) -> list[str]:
    """The bake files a bake command reads, in order: each ``-f`` value."""
    return [argv[index + 1] for index, arg in enumerate(argv[:-1]) if arg == "-f"]


def printed_command(line: str) -> tuple[list[str], dict[str, str]]:
    """Split ``NAME=value ... docker buildx bake ...`` into argv and variables."""
    words = shlex.split(line)
    variables: dict[str, str] = {}
    while words and "=" in words[0] and words[0].partition("=")[0].isidentifier():
        name, _, value = words.pop(0).partition("=")
        variables[name] = value
    return words, variables


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub Markdown table; numbers and text alike are given as strings."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
