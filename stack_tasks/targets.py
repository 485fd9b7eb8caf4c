"""What the bake file declares: its groups, and each target's tags and cache."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import buildx, console, plan, table, validate
from .errors import StackError

DEFAULT_GROUP = "default"

# An HCL block header such as `group "edge" {`: block labels are literal
# strings in HCL, so the header names the block.
_BLOCK_HEADER = re.compile(r'^[ \t]*(?:group|target)[ \t]+"([^"\\]+)"[ \t]*\{', re.M)


@dataclass(frozen=True)
class Target:
    """One resolved bake target, as much of it as an operator needs to see."""

    name: str
    tags: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    cache_from: tuple[str, ...] = ()
    cache_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listing:
    """The groups and targets that ``bake --print`` resolved."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    targets: tuple[Target, ...]


def _cache_entry(entry: Any) -> str:
    """A cache entry as bake's own ``key=value,...`` text.

    Older bake prints each entry as that text; newer bake prints an object.
    """
    if isinstance(entry, Mapping):
        return ",".join(f"{key}={value}" for key, value in entry.items())
    return str(entry)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(_cache_entry(item) for item in value)


def read_listing(resolved: Mapping[str, Any], requested: Sequence[str] = ()) -> Listing:
    """Read the ``group`` and ``target`` maps of ``bake --print`` output.

    Given named targets, bake prints a ``default`` group of its own that holds
    just those names; it is left out unless ``default`` was named.
    """
    groups = resolved.get("group")
    groups = dict(groups) if isinstance(groups, Mapping) else {}
    if requested and DEFAULT_GROUP not in requested:
        groups.pop(DEFAULT_GROUP, None)
    targets = resolved.get("target")
    targets = targets if isinstance(targets, Mapping) else {}

    return Listing(
        groups=tuple(
            (name, _strings(group.get("targets")))
            for name, group in sorted(groups.items())
            if isinstance(group, Mapping)
        ),
        targets=tuple(
            Target(
                name=name,
                tags=_strings(target.get("tags")),
                platforms=_strings(target.get("platforms")),
                cache_from=_strings(target.get("cache-from")),
                cache_to=_strings(target.get("cache-to")),
            )
            for name, target in sorted(targets.items())
            if isinstance(target, Mapping)
        ),
    )


def as_json(listing: Listing) -> dict[str, Any]:
    """The listing as plain JSON data, keyed by group and target name."""
    return {
        "groups": {name: list(members) for name, members in listing.groups},
        "targets": {
            target.name: {
                "tags": list(target.tags),
                "platforms": list(target.platforms),
                "cache-from": list(target.cache_from),
                "cache-to": list(target.cache_to),
            }
            for target in listing.targets
        },
    }


def render(listing: Listing) -> str:
    """Two tables, groups then targets, for a person to read."""
    groups = table.render(
        ("GROUP", "TARGETS"),
        [(name, ", ".join(members)) for name, members in listing.groups],
    )
    targets = table.render(
        ("TARGET", "TAGS", "PLATFORMS", "CACHE-FROM", "CACHE-TO"),
        [
            (
                target.name,
                ", ".join(target.tags),
                ", ".join(target.platforms),
                " ".join(target.cache_from),
                " ".join(target.cache_to),
            )
            for target in listing.targets
        ],
    )
    return f"{groups}\n\n{targets}" if listing.groups else targets


def declared_names(bake_file: str) -> tuple[str, ...]:
    """The groups and targets a bake file declares, hidden ``_name`` ones aside.

    An HCL file names them in its block headers, a JSON file as keys; from
    any other file (a compose file, say) nothing is read.
    """
    try:
        text = Path(bake_file).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ()

    if bake_file.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return ()
        if not isinstance(data, dict):
            return ()
        blocks = [data.get(kind) for kind in ("group", "target")]
        names = [name for block in blocks if isinstance(block, dict) for name in block]
    else:
        names = _BLOCK_HEADER.findall(text)

    usable = (n for n in names if validate.TARGET_NAME.fullmatch(n) and n[0] != "_")
    return tuple(dict.fromkeys(usable))


def _merge(first: Listing, second: Listing) -> Listing:
    groups = dict(second.groups) | dict(first.groups)
    targets = {target.name: target for target in (*second.targets, *first.targets)}
    return Listing(
        groups=tuple(sorted(groups.items())),
        targets=tuple(targets[name] for name in sorted(targets)),
    )


def resolve(
    bake_file: str,
    *,
    targets: Sequence[str],
    sets: Sequence[str],
    env: Mapping[str, str],
    timeout: float | None,
) -> Listing:
    """Resolve the bake file with ``bake --print`` and read what it declares.

    With no targets named, every declared group and target is listed: bake
    0.13 has no way to list them, and given names it reports a ``default``
    group of its own, so the real one comes from a first call without names.
    """

    def listing(names: Sequence[str]) -> Listing:
        resolved = buildx.bake_print(
            plan.resolve_args(bake_file, sets, names),
            bake_file=bake_file,
            env=env,
            timeout=timeout,
        )
        return read_listing(resolved, names)

    first = listing(targets)
    others = [name for name in declared_names(bake_file) if name != DEFAULT_GROUP]
    if targets or not others:
        return first

    try:
        return _merge(first, listing(others))
    except StackError as failure:
        console.warning(
            f"listing only the default group, since bake could not resolve every "
            f"block named in {bake_file}: {failure.message}"
        )
        return first
