from __future__ import annotations

import io

import pytest

from stack_tasks import console


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)

    assert console._use_colour(Terminal())
    assert not console._use_colour(io.StringIO())


def test_no_color_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    assert not console._use_colour(Terminal())


def test_errors_are_one_line_on_stderr_with_the_hint_below(
    capsys: pytest.CaptureFixture[str],
) -> None:
    console.error("it failed; do this", hint="docker buildx create --name x")

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "Error: it failed; do this\ndocker buildx create --name x\n"


def test_a_command_line_can_be_pasted_into_a_shell() -> None:
    line = console.command_line(
        ["docker", "buildx", "bake", "--set", "*.platform=local"],
        {"TAG": "it's"},
    )

    assert line == "TAG='it'\"'\"'s' docker buildx bake --set '*.platform=local'"


class Interrupting:
    """Standard input on which the user presses Ctrl-C."""

    def readline(self) -> str:
        raise KeyboardInterrupt


def test_ctrl_c_at_the_prompt_ends_its_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Interrupting())

    with pytest.raises(KeyboardInterrupt):
        console.ask("Switch?")

    assert capsys.readouterr().err == "Switch? [y/N] \n"


def test_only_yes_is_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {"y\n": True, "YES\n": True, "n\n": False, "\n": False, "": False}
    for typed, expected in answers.items():
        monkeypatch.setattr("sys.stdin", io.StringIO(typed))
        assert console.ask("Switch?") is expected
