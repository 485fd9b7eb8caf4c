"""Checks on user input, made before any process starts."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from .errors import StackError

# buildx's own rule for builder names.
BUILDER_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9._-]*")
# Bake's rule for target and group names, less a leading '-': no flag can pass.
TARGET_NAME = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]*")

# The image-reference grammar of distribution/reference: a registry host with an
# optional port, then optional lowercase path components (the namespace).
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REGISTRY = re.compile(rf"{_HOST}(?::[0-9]+)?(?:/{_PATH_COMPONENT})*")
IMAGE_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")

# Bake's --set: a target pattern, a key (with an optional sub-key such as an
# args or labels name), and a value, which may be empty to clear a list.
SET_ASSIGNMENT = re.compile(r"[^.=\s]+\.[a-z][a-z0-9-]*(?:\.[^=]+)?=.*", re.DOTALL)
# containerd's rule for each part of a platform specifier.
PLATFORM = re.compile(r"[A-Za-z0-9_-]+/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)?")
LOCAL_PLATFORM = "local"
PROGRESS_MODES = ("auto", "plain", "tty", "quiet", "rawjson")


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


def check_registry(value: str, flag: str = "--registry") -> str:
    """Return ``value`` if it is a registry host, with optional port and path."""
    if not REGISTRY.fullmatch(value):
        raise StackError(
            f"{flag} {value!r} is not a registry and namespace (a host with an "
            "optional :port, then optional lowercase path parts, as in an image "
            "reference); pass one like localhost:5000/flowmesh"
        )
    return value


def check_tag(value: str, flag: str = "--image-tag") -> str:
    """Return ``value`` if Docker accepts it as the tag of an image."""
    if not IMAGE_TAG.fullmatch(value):
        raise StackError(
            f"{flag} {value!r} is not an image tag (a letter, digit or '_', then "
            "up to 127 letters, digits, '_', '.' or '-'); pass one like v1.2.0"
        )
    return value


def _passable(value: str) -> bool:
    """Whether ``value`` can be handed to a child process as one argument."""
    try:
        return b"\0" not in os.fsencode(value)
    except UnicodeEncodeError:
        return False


def check_sets(assignments: Iterable[str]) -> tuple[str, ...]:
    """Return the ``--set`` values if each has bake's shape PATTERN.KEY=VALUE."""
    checked = tuple(assignments)
    for assignment in checked:
        if not SET_ASSIGNMENT.fullmatch(assignment) or not _passable(assignment):
            raise StackError(
                f"--set {assignment!r} does not have the shape PATTERN.KEY=VALUE "
                "(a target pattern, a dot, a key such as platform or args.NAME, "
                "'=' and a value); pass one like '*.platform=linux/arm64'"
            )
    return checked


def check_platforms(
    entries: Iterable[str], flag: str = "--platform"
) -> tuple[str, ...]:
    """Return the platforms if each is ``os/arch[/variant]`` or ``local``."""
    checked = tuple(entries)
    for entry in checked:
        if entry != LOCAL_PLATFORM and not PLATFORM.fullmatch(entry):
            raise StackError(
                f"{flag} entry {entry!r} is not a platform (os/arch or "
                "os/arch/variant of letters, digits, '_' or '-', or 'local'); "
                "pass one like linux/arm64"
            )
    return checked


def check_progress(mode: str) -> str:
    """Return ``mode`` if bake knows it as a progress output."""
    if mode not in PROGRESS_MODES:
        raise StackError(
            f"--progress {mode!r} is not a progress output (one of: "
            f"{', '.join(PROGRESS_MODES)}); pass one of those"
        )
    return mode


def check_bake_file(path: str, flag: str = "--bake-file") -> str:
    """Return ``path`` if it names a bake file that can be opened for reading."""
    try:
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise StackError(
            f"{flag} {path!r}: no such bake file; pass --bake-file with the path of "
            "your bake file, or run the task from the folder that holds it"
        ) from None
    except (OSError, ValueError) as failure:
        reason = getattr(failure, "strerror", None) or str(failure)
        raise StackError(
            f"{flag} {path!r}: cannot read the bake file ({reason}); check the path "
            "and its permissions"
        ) from None
    return path
