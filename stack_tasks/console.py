"""Status lines on stderr, so that stdout stays clean for data."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from colorama import Fore, Style


def _use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False

    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _emit(text: str, colour: str = "", *, end: str = "\n") -> None:
    stream = sys.stderr
    if colour and _use_colour(stream):
        text = f"{colour}{text}{Style.RESET_ALL}"
    print(text, file=stream, end=end, flush=True)


def status(message: str) -> None:
    """Tell the user what happened, on stderr."""
    _emit(message, Fore.CYAN)


def warning(message: str) -> None:
    """Warn the user, on stderr."""
    _emit(f"Warning: {message}", Fore.YELLOW)


def error(message: str, hint: str | None = None) -> None:
    """Report a failure in one line, and a hint such as a command on its own line."""
    _emit(f"Error: {message}", Fore.RED)
    if hint:
        _emit(hint)


def command_line(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """Render a command as one shell line, with the variables it needs in front."""
    assignments = [
        f"{name}={shlex.quote(value)}" for name, value in (env or {}).items()
    ]
    return " ".join([*assignments, shlex.join(argv)])


def show_command(line: str, *, dry: bool) -> None:
    """Show a command before it runs; under --dry it is the output, on stdout."""
    if dry:
        print(line, flush=True)
        return

    _emit(line, Style.BRIGHT)


def ask(question: str) -> bool:
    """Ask a yes/no question on stderr; anything but yes, or end of input, is no."""
    _emit(f"{question} [y/N] ", Fore.YELLOW, end="")
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        # End the prompt's line, so that the shell's next line starts clean.
        _emit("")
        raise

    return answer.strip().lower() in {"y", "yes"}
