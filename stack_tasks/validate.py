"""Checks on user input, made before any process starts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import StackError

# buildx's own rule for builder names.
BUILDER_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9._-]*")
# Bake's rule for target and group names, less a leading '-': no flag can pass.
TARGET_NAME = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]*")


def check_builder(name: str, flag: str = "--builder") -> str:
    """Return ``name`` if buildx would accept it as a builder name."""
    if not BUILDER_NAME.fullmatch(name):
        raise StackError(
            f"{flag} {name!r} is not a buildx builder name (a letter, then "
            "letters, digits, '.', '_' or '-'); pass a name from `docker buildx ls`"
        )
    return name


def check_targets(names: Iterable[str]) -> tuple[str, ...]:
    """Return the target names if each is a plain bake target or group name."""
    checked = tuple(names)
    for name in checked:
        if not TARGET_NAME.fullmatch(name):
            raise StackError(
                f"--target {name!r} is not a bake target or group name (letters, "
                "digits, '_' or '-', not starting with '-'); pass a name from the "
                "bake file"
            )
    return checked
