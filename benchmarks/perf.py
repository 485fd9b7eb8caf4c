"""Measure the stack tasks against plain bake and against Invoke's own start-up.

Run it with ``benchmarks/run.sh``; docs/PERFORMANCE.md says what each figure means.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import invoke

from . import bakegen, figures

ROOT = Path(__file__).resolve().parent.parent
STANDIN = ROOT / "benchmarks" / "standin"
DOC = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

INVOKE = str(Path(sys.executable).with_name("invoke"))
PUSH_BUILDER = "flowmesh-multiarch"
SIZES = (3, 30, 300)
REGISTRY, TAG = "localhost:5000/flowmesh", "dev"

BUDGET_OWN_COST = 1.2
BUDGET_REAL_ENGINE = 1.7
BUDGET_GROWTH = 0.2
BUDGET_CALLS = {"build": 1, "push": 2}


@dataclass(frozen=True)
class Command:
    """One command to time, with its environment and working folder."""

    label: str
    argv: Sequence[str]
    env: Mapping[str, str]
    cwd: Path = ROOT


@dataclass
class Report:
    """The Markdown the run writes, one section at a time."""

    parts: list[str] = field(default_factory=list)

    def section(self, title: str, body: str) -> None:
        self.parts.append(f"### {title}\n\n{body}\n")


def run_checked(command: Command) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        list(command.argv),
        env=dict(command.env),
        cwd=command.cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        sys.exit(f"benchmark: {command.label} failed ({completed.returncode}): {tail}")
    return completed


def time_once(command: Command) -> float:
    start = time.perf_counter()
    run_checked(command)
    return time.perf_counter() - start


def time_rounds(
    commands: Sequence[Command], rounds: int, warmup: int = 2
) -> list[list[float]]:
    """Wall times of each command over ``rounds`` rounds, alternating the order."""
    for _ in range(warmup):
        for command in commands:
            time_once(command)

    times: list[list[float]] = [[] for _ in commands]
    for round_index in range(rounds):
        for index in figures.round_order(len(commands), round_index):
            times[index].append(time_once(commands[index]))
    return times


def base_env(folder: Path) -> dict[str, str]:
    """Our environment, with Docker's config and the user's cache in ``folder``.

    Bytecode is cached as on a user's machine: without it every start compiles
    the package again, which would be measured as our cost.
    """
    dropped = {"BUILDX_BUILDER", "PYTHONDONTWRITEBYTECODE"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.startswith("STANDIN_")
    }
    return {
        **env,
        "DOCKER_CONFIG": str(folder / "docker-config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "NO_COLOR": "1",
    }


def standin_env(
    base: Mapping[str, str], active: str, driver: str, **extra: str
) -> dict[str, str]:
    return {
        **base,
        "PATH": f"{STANDIN}{os.pathsep}{base.get('PATH', '')}",
        "STANDIN_ACTIVE": active,
        "STANDIN_ACTIVE_DRIVER": driver,
        **extra,
    }


def progress(step: str) -> None:
    print(f"benchmark: {step}", file=sys.stderr, flush=True)


def ms(seconds: Sequence[float]) -> str:
    return f"{figures.median_ms(seconds):.0f} ms"


def verdict(met: bool) -> str:
    return "yes" if met else "**no**"


def docker_text(args: Sequence[str], env: Mapping[str, str]) -> str | None:
    try:
        completed = subprocess.run(
            ["docker", *args],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def machine(env: Mapping[str, str]) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass

    buildx = docker_text(["buildx", "version"], env) or "not installed"
    engine = docker_text(["version", "--format", "{{.Server.Version}}"], env)
    rows = [
        ("Date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")),
        ("Machine", f"{cpu}, {os.cpu_count()} CPUs, {platform.platform()}"),
        ("Python, Invoke", f"{platform.python_version()}, {invoke.__version__}"),
        ("buildx", buildx),
        ("Docker Engine", engine or "no daemon answered"),
    ]
    return figures.markdown_table(["", ""], [[name, value] for name, value in rows])


def real_engine(report: Report, base: Mapping[str, str], pairs: int) -> None:
    title = "No-op rebuild on the real engine"
    if docker_text(["version", "--format", "{{.Server.Version}}"], base) is None:
        report.section(title, "Skipped: no Docker daemon answered.")
        return

    docker_text(["buildx", "use", "default"], base)
    prefix = f"perfbench-{os.getpid()}-{int(time.time())}/stack"
    task = [INVOKE, "stack.build", "--registry", prefix]
    dry = run_checked(
        Command("invoke --dry stack.build", [INVOKE, "--dry", *task[1:]], base)
    )
    line = dry.stdout.strip().splitlines()[-1]
    argv, variables = figures.printed_command(line)

    try:
        ours, plain, inspect, listing = time_rounds(
            [
                Command("invoke stack.build", task, base),
                Command("the printed bake command", argv, {**base, **variables}),
                Command("docker buildx inspect", ["docker", "buildx", "inspect"], base),
                Command("invoke --list", [INVOKE, "--list"], base),
            ],
            pairs,
        )
    finally:
        remove_images(prefix, base)

    ratio = figures.ratio(ours, plain)
    table = figures.markdown_table(
        ["Command", "Median", "Ratio, pair by pair", "Budget", "Met"],
        [
            [
                "`invoke stack.build`",
                ms(ours),
                f"{ratio:.2f}x",
                f"<= {BUDGET_REAL_ENGINE}x",
                verdict(ratio <= BUDGET_REAL_ENGINE),
            ],
            [f"`{line}`", ms(plain), "1", "", ""],
            ["`docker buildx inspect`, the call before bake", ms(inspect), "", "", ""],
            ["`invoke --list`, Invoke's start-up", ms(listing), "", "", ""],
        ],
    )
    report.section(
        title,
        f"{pairs} rounds of the four commands, alternating, warm cache.\n\n{table}",
    )


def remove_images(prefix: str, env: Mapping[str, str]) -> None:
    listing = docker_text(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], env)
    ours = [ref for ref in (listing or "").splitlines() if ref.startswith(prefix)]
    if ours:
        docker_text(["image", "rm", *ours], env)


@dataclass(frozen=True)
class Stacks:
    """Generated bake files and their ``--print`` JSON, by number of targets."""

    folder: Path

    def bake_file(self, size: int) -> Path:
        return self.folder / f"bake-{size}.hcl"

    def print_json(self, size: int) -> Path:
        return self.folder / f"bake-{size}.json"

    def write(self, sizes: Sequence[int]) -> None:
        for size in sizes:
            self.bake_file(size).write_text(bakegen.bake_hcl(size))
            resolved = bakegen.bake_print(size, REGISTRY, TAG)
            self.print_json(size).write_text(json.dumps(resolved, indent=2))


def check_print_json(stacks: Stacks, base: Mapping[str, str]) -> str:
    """Compare the stand-in's ``--print`` JSON with buildx's own, where it runs."""
    for size in SIZES:
        args = ["buildx", "bake", "--print", "-f", str(stacks.bake_file(size))]
        text = docker_text(args, base)
        if text is None:
            return "not compared with buildx's (no docker buildx here)"
        if json.loads(text) != json.loads(stacks.print_json(size).read_text()):
            sys.exit(f"benchmark: the --print JSON for {size} targets is not buildx's")
    return "identical to what buildx prints for the generated files"


def task_command(
    task: str, stacks: Stacks, size: int, base: Mapping[str, str], **extra: str
) -> Command:
    """A task on its fast path, with the stand-in docker and a generated stack."""
    active, driver = (
        ("default", "docker") if task == "build" else (PUSH_BUILDER, "docker-container")
    )
    argv = [
        INVOKE,
        f"stack.{task}",
        "--force",
        "--bake-file",
        str(stacks.bake_file(size)),
    ]
    env = standin_env(
        base, active, driver, STANDIN_PRINT=str(stacks.print_json(size)), **extra
    )
    return Command(f"invoke stack.{task} ({size} targets)", argv, env)


def own_cost(
    report: Report, base: Mapping[str, str], stacks: Stacks, pairs: int
) -> None:
    listing = Command(
        "invoke --list", [INVOKE, "--list"], standin_env(base, "default", "docker")
    )
    rows = []
    for task in ("build", "push"):
        ours, baseline = time_rounds(
            [task_command(task, stacks, 3, base), listing], pairs
        )
        ratio = figures.ratio(ours, baseline)
        budget = task == "build"
        rows.append(
            [
                f"`invoke stack.{task}`",
                ms(ours),
                ms(baseline),
                f"{ratio:.2f}x",
                f"<= {BUDGET_OWN_COST}x" if budget else "",
                verdict(ratio <= BUDGET_OWN_COST) if budget else "",
            ]
        )
    table = figures.markdown_table(
        [
            "Task (stand-in docker)",
            "Median",
            "`invoke --list`",
            "Ratio, pair by pair",
            "Budget",
            "Met",
        ],
        rows,
    )
    report.section("Own cost", f"{pairs} pairs, 3 targets, fast path.\n\n{table}")


def docker_calls(
    report: Report, base: Mapping[str, str], stacks: Stacks, folder: Path
) -> None:
    paths = [
        ("build", "fast", "default", "docker"),
        ("build", "switch", PUSH_BUILDER, "docker-container"),
        ("push", "fast", PUSH_BUILDER, "docker-container"),
        ("push", "switch", "default", "docker"),
    ]
    rows = []
    for task, path, active, driver in paths:
        log = folder / f"calls-{task}-{path}.log"
        command = task_command(task, stacks, 3, base, STANDIN_LOG=str(log))
        env = {**command.env, "STANDIN_ACTIVE": active, "STANDIN_ACTIVE_DRIVER": driver}
        run_checked(Command(command.label, command.argv, env))

        calls = figures.calls_before_bake(log.read_text())
        shown = "<br>".join(f"`docker {' '.join(call[:3])}`" for call in calls)
        budget = BUDGET_CALLS[task] if path == "fast" else None
        rows.append(
            [
                f"`stack.{task}`",
                path,
                str(len(calls)),
                shown,
                f"<= {budget}" if budget else "",
                verdict(len(calls) <= budget) if budget else "",
            ]
        )
    table = figures.markdown_table(
        ["Task", "Path", "Calls", "Which", "Budget", "Met"], rows
    )
    report.section("Docker calls before bake", table)


def scaling(
    report: Report, base: Mapping[str, str], stacks: Stacks, folder: Path, rounds: int
) -> None:
    rows = []
    for task in ("build", "push"):
        commands = [task_command(task, stacks, size, base) for size in SIZES]
        times = time_rounds(commands, rounds)
        change = figures.growth(times[0], times[-1])
        rows.append(
            [
                f"`stack.{task}`",
                *(ms(t) for t in times),
                f"{change:+.0%}",
                f"<= +{BUDGET_GROWTH:.0%}",
                verdict(change <= BUDGET_GROWTH),
            ]
        )

    lengths = []
    for size in SIZES:
        log = folder / f"argv-push-{size}.log"
        run_checked(task_command("push", stacks, size, base, STANDIN_LOG=str(log)))
        argv = ["docker", *figures.bake_call(log.read_text())]
        extra = sum(Path(name).stat().st_size for name in figures.bake_files(argv)[1:])
        lengths.append(
            f"{len(argv)} args, {len(shlex.join(argv))} chars; "
            f"{extra / 1000:.1f} kB in extra bake files"
        )
    rows.append(["`stack.push` bake command", *lengths, "", "", ""])

    header = [
        "Task (stand-in docker)",
        *(f"{size} targets" for size in SIZES),
        f"{SIZES[0]} -> {SIZES[-1]}, round by round",
        "Budget",
        "Met",
    ]
    report.section(
        "Scaling",
        f"{rounds} rounds, sizes in alternating order, fast path; the stand-in's "
        f"`bake --print` JSON is {check_print_json(stacks, base)}.\n\n"
        + figures.markdown_table(header, rows),
    )


def import_report(module: str, env: Mapping[str, str]) -> dict[str, int]:
    argv = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
    completed = run_checked(Command(f"import {module}", argv, env))
    return figures.import_times(completed.stderr)


def startup(report: Report, base: Mapping[str, str], folder: Path, runs: int) -> None:
    totals, invoke_totals, own_totals = [], [], []
    own_modules: dict[str, list[int]] = {}
    for _ in range(runs):
        ours, bare = import_report("stack_tasks", base), import_report("invoke", base)
        totals.append(sum(ours.values()) / 1e6)
        invoke_totals.append(sum(bare.values()) / 1e6)
        extra = {name: value for name, value in ours.items() if name not in bare}
        own_totals.append(sum(extra.values()) / 1e6)
        for name, value in extra.items():
            own_modules.setdefault(name, []).append(value)

    heaviest = sorted(own_modules.items(), key=lambda item: -sum(item[1]))[:6]
    named = ", ".join(
        f"{name} {figures.median_ms([v / 1e6 for v in values]):.1f}"
        for name, values in heaviest
    )

    plain_project = folder / "plain"
    plain_project.mkdir()
    (plain_project / "tasks.py").write_text(
        'from invoke import task\n\n\n@task\ndef hello(c):\n    """Say hello."""\n'
    )
    with_ours, without = time_rounds(
        [
            Command("invoke --list", [INVOKE, "--list"], base),
            Command("invoke --list (plain)", [INVOKE, "--list"], base, plain_project),
        ],
        runs,
    )
    table = figures.markdown_table(
        ["Figure", "Median"],
        [
            ["`import stack_tasks`, summed self times", ms(totals)],
            ["`import invoke` alone, summed", ms(invoke_totals)],
            ["modules only `stack_tasks` pulls in, summed", ms(own_totals)],
            ["heaviest of those (ms)", named],
            ["`invoke --list`, this project", ms(with_ours)],
            ["`invoke --list`, a project without the collection", ms(without)],
            [
                "difference",
                f"{figures.median_ms(with_ours) - figures.median_ms(without):.0f} ms",
            ],
        ],
    )
    report.section("Start-up", f"{runs} runs each.\n\n{table}")


def update_doc(markdown: str) -> None:
    text = DOC.read_text()
    if START not in text or END not in text:
        sys.exit(f"benchmark: {DOC} lacks the lines {START} and {END}")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{markdown}\n{END}{tail}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.sh", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--pairs", type=int, default=15, help="pairs (or rounds) per figure"
    )
    parser.add_argument(
        "--update-doc",
        action="store_true",
        help=f"write the table into {DOC.relative_to(ROOT)}",
    )
    options = parser.parse_args(argv)
    if options.pairs < 1:
        parser.error("--pairs must be at least 1; the budget wants 10 or more")

    with tempfile.TemporaryDirectory(prefix="stack-perf-") as temp:
        folder = Path(temp)
        (folder / "docker-config").mkdir()
        base = base_env(folder)
        compile_all = ["-m", "compileall", "-q", "stack_tasks", "tasks.py"]
        run_checked(Command("compileall", [sys.executable, *compile_all], base))
        stacks = Stacks(folder)
        stacks.write(SIZES)

        report = Report()
        report.parts.append(machine(base) + "\n")
        progress("no-op rebuild on the real engine")
        real_engine(report, base, options.pairs)
        progress("own cost, with the stand-in docker")
        own_cost(report, base, stacks, options.pairs)
        docker_calls(report, base, stacks, folder)
        progress("scaling: 3, 30 and 300 targets")
        scaling(report, base, stacks, folder, options.pairs)
        progress("start-up")
        startup(report, base, folder, options.pairs)

    markdown = "\n".join(report.parts)
    print(markdown)
    if options.update_doc:
        update_doc(markdown)


if __name__ == "__main__":
    main()
