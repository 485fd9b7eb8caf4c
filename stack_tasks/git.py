"""What git says about the work tree: branch, commit, and commit time."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence

GIT = "git"
UNKNOWN_REVISION = "unknown"
REVISION = "REVISION"
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
# git answers from local files; a hung git is no reason to hang the task.
_TIMEOUT = 10.0


def _git(args: Sequence[str], cwd: str | None = None) -> str | None:
    """Run a read-only git command; its output, or None where git cannot say."""
    try:
        completed = subprocess.run(
            [GIT, *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def current_branch(cwd: str | None = None) -> str | None:
    """The checked-out branch; None when HEAD is detached or outside git."""
    return _git(["symbolic-ref", "--quiet", "--short", "HEAD"], cwd) or None


def _head(cwd: str | None) -> tuple[str, str] | None:
    """The commit at HEAD and its time in seconds, from one git call."""
    line = _git(["log", "-1", "--format=%H %ct"], cwd) or ""
    commit, _, seconds = line.partition(" ")
    return (commit, seconds) if commit and seconds.isdigit() else None


def _revision(head: tuple[str, str] | None, cwd: str | None) -> str:
    if head is None:
        return UNKNOWN_REVISION
    changes = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    return f"{head[0]}-dirty" if changes else head[0]


def revision(cwd: str | None = None) -> str:
    """The commit, with ``-dirty`` when the work tree has changes; else unknown."""
    return _revision(_head(cwd), cwd)


def commit_time(cwd: str | None = None) -> str | None:
    """The commit's time in seconds since the epoch; None outside git."""
    head = _head(cwd)
    return head[1] if head else None


def source_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """``REVISION`` and ``SOURCE_DATE_EPOCH`` for bake, read from git.

    A variable already in ``environ`` is the user's choice and is left out, so
    it reaches bake unchanged. Outside git, ``REVISION`` is ``unknown`` and
    ``SOURCE_DATE_EPOCH`` is not set. At most two git calls: HEAD, and status.
    """
    wanted = {REVISION, SOURCE_DATE_EPOCH} - environ.keys()
    if not wanted:
        return {}

    head = _head(None)
    found: dict[str, str] = {}
    if REVISION in wanted:
        found[REVISION] = _revision(head, None)
    if SOURCE_DATE_EPOCH in wanted and head is not None:
        found[SOURCE_DATE_EPOCH] = head[1]
    return found
