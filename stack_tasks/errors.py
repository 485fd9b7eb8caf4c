"""The one exception family the tasks turn into a message and an exit status."""

from __future__ import annotations

import signal

# A shell reports a command ended by signal N as status 128 + N.
SIGNALLED = 128
INTERRUPTED = SIGNALLED + signal.SIGINT


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
    """Ctrl-C or SIGTERM stopped the task; it ends with the shell's status for it."""

    def __init__(self, code: int = INTERRUPTED) -> None:
        super().__init__("interrupted", code=code)
