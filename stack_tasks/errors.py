"""The one exception family the tasks turn into a message and an exit status."""

from __future__ import annotations

INTERRUPTED = 130


class StackError(Exception):
    """A failure the user can act on.

    ``message`` is one sentence that says what failed and what to do next;
    ``hint`` is an optional line of its own, printed as is (a command to paste).
    """

    def __init__(self, message: str, *, code: int = 1, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint


class Interrupted(StackError):
    """The user pressed Ctrl-C; the task ends with the shell's status for it."""

    def __init__(self, code: int = INTERRUPTED) -> None:
        super().__init__("interrupted", code=code)
