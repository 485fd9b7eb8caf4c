"""The package as a whole: it never starts a shell."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import stack_tasks

PACKAGE = Path(stack_tasks.__file__).parent
SHELL_FUNCTIONS = {
    ("os", "system"),
    ("os", "popen"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
}
# Invoke's runners hand the command line to a shell.
INVOKE_RUNNERS = {"run", "sudo"}


def shell_starts(source: str) -> list[str]:
    """Each place in ``source`` that starts a shell, as 'line: what'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported = (node.module, alias.name)
                invoke_runner = node.module == "invoke" and alias.name in INVOKE_RUNNERS
                if imported in SHELL_FUNCTIONS or invoke_runner:
                    found.append(
                        f"{node.lineno}: from {node.module} import {alias.name}"
                    )
        if not isinstance(node, ast.Call):
            continue

        for keyword in node.keywords:
            literal_false = (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            )
            if keyword.arg == "shell" and not literal_false:
                found.append(f"{node.lineno}: shell=")

        func = node.func
        if not isinstance(func, ast.Attribute):
            continue
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        if (owner, func.attr) in SHELL_FUNCTIONS:
            found.append(f"{node.lineno}: {owner}.{func.attr}")
        elif func.attr in INVOKE_RUNNERS and owner != "subprocess":
            found.append(f"{node.lineno}: {owner or '...'}.{func.attr}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "subprocess.run(cmd, shell=True)",
        "subprocess.Popen(cmd, shell=flag)",
        "os.system('docker ps')",
        "os.popen('docker ps')",
        "subprocess.getoutput('docker ps')",
        "c.run('docker buildx bake')",
        "ctx.sudo('docker buildx bake')",
        "self.context.run(cmd)",
        "from invoke import run",
        "from os import system",
    ],
)
def test_shell_starts_finds_every_way_to_start_a_shell(source: str) -> None:
    assert len(shell_starts(source)) == 1


@pytest.mark.parametrize(
    "source",
    ["subprocess.run(['docker'], shell=False)", "subprocess.Popen(['docker'])"],
)
def test_shell_starts_passes_argument_lists(source: str) -> None:
    assert shell_starts(source) == []


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name
)
def test_no_module_of_the_package_starts_a_shell(module: Path) -> None:
    assert shell_starts(module.read_text("utf-8")) == []


def test_importing_the_package_loads_no_operator_module() -> None:
    script = (
        "import sys, stack_tasks; "
        "print(sorted(m for m in sys.modules if m.startswith('stack_tasks.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout

    for module in ("builders", "doctor", "provision", "targets", "table"):
        assert f"'stack_tasks.{module}'" not in loaded
    assert "'stack_tasks.workflow'" in loaded
