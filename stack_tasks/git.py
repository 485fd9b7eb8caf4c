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


def revision(cwd: str | None = None) -> str:
    """The commit, with ``-dirty`` when the work tree has changes; else unknown."""
    commit = _git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd)
    if not commit:
        return UNKNOWN_REVISION
    changes = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    return f"{commit}-dirty" if changes else commit


def commit_time(cwd: str | None = None) -> str | None:
    """The commit's time in seconds since the epoch; None outside git."""
    seconds = _git(["log", "-1", "--format=%ct"], cwd)
    return seconds if seconds and seconds.isdigit() else None


def source_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """``REVISION`` and ``SOURCE_DATE_EPOCH`` for bake, read from git.

    A variable already in ``environ`` is the user's choice and is left out, so
    it reaches bake unchanged. Outside git, ``REVISION`` is ``unknown`` and
    ``SOURCE_DATE_EPOCH`` is not set.
    """
    found: dict[str, str] = {}
    if REVISION not in environ:
        found[REVISION] = revision()
    if SOURCE_DATE_EPOCH not in environ:
        epoch = commit_time()
        if epoch is not None:
            found[SOURCE_DATE_EPOCH] = epoch
    return found
