"""Registry cache tags, per git branch when the configured tag asks for one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import validate
from .errors import StackError

BRANCH_FIELD = "{branch}"
_NOT_IN_TAG = re.compile(r"[^A-Za-z0-9_.-]")
_MAX_TAG = 128


@dataclass(frozen=True)
class CacheTags:
    """Which cache tags a push reads and writes.

    ``tag`` is read first and written; ``fallback`` tags are read after it;
    with ``writes`` False nothing is written.
    """

    tag: str
    fallback: tuple[str, ...] = ()
    writes: bool = True


def sanitize_tag(text: str) -> str:
    """Make ``text`` a valid image tag: ``feature/login`` -> ``feature-login``."""
    cleaned = _NOT_IN_TAG.sub("-", text).lstrip(".-")
    return cleaned[:_MAX_TAG] or "unknown"


def check_tag(template: str, source: str = "config stack.cache_tag") -> str:
    """Return ``template`` if it is an image tag, or one with ``{branch}`` in it."""
    if BRANCH_FIELD not in template:
        return validate.check_tag(template, source)
    if not validate.IMAGE_TAG.fullmatch(template.replace(BRANCH_FIELD, "x")):
        raise StackError(
            f"{source} {template!r} is not an image tag with {BRANCH_FIELD} in it; "
            "use letters, digits, '_', '.' or '-' around it, as in "
            f"buildcache-{BRANCH_FIELD}"
        )
    return template


def cache_tags(template: str, branch: str | None, default_branch: str) -> CacheTags:
    """Resolve the configured cache tag for the current branch.

    A tag without ``{branch}`` is shared by every branch. With it, a branch
    writes its own tag and reads its own, then the default branch's; with no
    branch (a detached HEAD, or outside git) only the default branch's tag is
    read, and nothing is written.
    """
    if BRANCH_FIELD not in template:
        return CacheTags(template)

    default_tag = sanitize_tag(template.replace(BRANCH_FIELD, default_branch))
    if branch is None:
        return CacheTags(default_tag, writes=False)

    tag = sanitize_tag(template.replace(BRANCH_FIELD, branch))
    return CacheTags(tag, () if tag == default_tag else (default_tag,))
