"""The bake plan: pure functions from the user's inputs to bake's argument list."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import StackError

BAKE = ("docker", "buildx", "bake")

# Build on the native builder: no registry cache, and one platform that loads.
BUILD_OVERRIDES = ("*.cache-from=", "*.cache-to=", "*.platform=local")


@dataclass(frozen=True)
class BakeOptions:
    """What every bake run takes, whichever task starts it."""

    builder: str
    bake_file: str
    targets: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    progress: str | None = None
    no_cache: bool = False
    pull: bool = False


def set_key(assignment: str) -> str:
    """The key a ``PATTERN.KEY=VALUE`` assignment sets: ``a.args.X=1`` -> ``args``."""
    left = assignment.partition("=")[0]
    key = left.partition(".")[2]
    return key.partition(".")[0]


def user_keys(sets: Iterable[str]) -> frozenset[str]:
    """The keys the user's own ``--set`` flags touch."""
    return frozenset(set_key(assignment) for assignment in sets)


def _flags(options: BakeOptions) -> list[str]:
    flags: list[str] = []
    if options.progress:
        flags += ["--progress", options.progress]
    if options.no_cache:
        flags.append("--no-cache")
    if options.pull:
        flags.append("--pull")
    return flags


def _sets(assignments: Iterable[str]) -> list[str]:
    return [arg for assignment in assignments for arg in ("--set", assignment)]


def bake_head(options: BakeOptions) -> list[str]:
    """The start of every bake command: builder and bake file, always explicit."""
    return [*BAKE, "--builder", options.builder, "-f", options.bake_file]


def resolve_args(
    bake_file: str, sets: Iterable[str], targets: Iterable[str]
) -> list[str]:
    """The arguments of ``docker buildx bake --print`` for a bake file."""
    return ["-f", bake_file, *_sets(sets), *targets]


def print_args(options: BakeOptions) -> list[str]:
    """The arguments of ``docker buildx`` that resolve the plan with ``--print``."""
    return resolve_args(options.bake_file, options.sets, options.targets)


def build_argv(options: BakeOptions) -> list[str]:
    """Bake on the native builder with ``--load``, no registry cache, local platform.

    A key the user sets with ``--set`` gets none of our overrides, since bake
    would append ours to the user's.
    """
    taken = user_keys(options.sets)
    overrides = [item for item in BUILD_OVERRIDES if set_key(item) not in taken]
    return [
        *bake_head(options),
        "--load",
        *_sets(overrides),
        *_sets(options.sets),
        *_flags(options),
        *options.targets,
    ]


def repository(reference: str) -> str:
    """The repository of an image reference: its name without tag or digest."""
    name = reference.partition("@")[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def registry_cache_ref(tag: str, cache_tag: str) -> str:
    """Where a target's registry cache lives: its first tag's repository."""
    return f"{repository(tag)}:{cache_tag}"


def _declares(target: Mapping[str, Any], key: str) -> bool:
    return bool(target.get(key))


def cache_override(
    targets: Mapping[str, Mapping[str, Any]],
    cache_tag: str,
    *,
    skip_keys: frozenset[str] = frozenset(),
    cache_fallback: Sequence[str] = (),
    write_cache: bool = True,
) -> dict[str, Any]:
    """A bake file, as JSON data, with registry cache for targets that lack it.

    ``targets`` is the ``target`` map of ``bake --print``. Each key is decided
    on its own, and a key in ``skip_keys`` gets nothing from us. With nothing
    to add, the result is empty. Cache is read from ``cache_tag``, then from
    each ``cache_fallback`` tag, and written to ``cache_tag`` unless
    ``write_cache`` is False.
    """
    overrides: dict[str, dict[str, list[str]]] = {}
    for name, target in sorted(targets.items()):
        tags = target.get("tags") or []
        if not tags:
            raise StackError(
                f"target '{name}' has no tags, so push has nowhere to push it or its "
                "cache; give it a tags attribute in the bake file"
            )

        ref = registry_cache_ref(str(tags[0]), cache_tag)
        reads = [registry_cache_ref(str(tags[0]), tag) for tag in cache_fallback]
        cache: dict[str, list[str]] = {}
        if "cache-from" not in skip_keys and not _declares(target, "cache-from"):
            refs = dict.fromkeys([ref, *reads])
            cache["cache-from"] = [f"type=registry,ref={read}" for read in refs]
        writes = write_cache and "cache-to" not in skip_keys
        if writes and not _declares(target, "cache-to"):
            cache["cache-to"] = [f"type=registry,ref={ref},mode=max"]
        if cache:
            overrides[name] = cache
    return {"target": overrides} if overrides else {}


def override_text(override: Mapping[str, Any]) -> str:
    """The JSON bake file for ``override``, the same text for the same data."""
    return json.dumps(override, indent=2, sort_keys=True) + "\n"


def override_name(text: str) -> str:
    """A file name for an override bake file that changes whenever its text does."""
    return f"push-cache-{zlib.crc32(text.encode('utf-8')):08x}.json"


def push_argv(
    options: BakeOptions,
    *,
    platforms: Sequence[str],
    cache_file: str | None,
    metadata_file: str | None = None,
) -> list[str]:
    """Bake with ``--push`` for the given platforms, with registry cache.

    The cache settings come in ``cache_file``, a second bake file, so the
    command stays the same length however many targets the stack has. With
    ``metadata_file``, bake writes there what it pushed, digests included.
    """
    taken = user_keys(options.sets)
    overrides = [] if "platform" in taken else [f"*.platform={p}" for p in platforms]
    extra_files = ["-f", cache_file] if cache_file else []
    metadata = ["--metadata-file", metadata_file] if metadata_file else []

    return [
        *bake_head(options),
        *extra_files,
        "--push",
        *metadata,
        *_sets(overrides),
        *_sets(options.sets),
        *_flags(options),
        *options.targets,
    ]


def bake_env(
    base: Mapping[str, str],
    *,
    registry: str | None,
    image_tag: str | None,
    extra: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Bake's environment, and the variables in it that we set ourselves.

    The HCL variables ``REGISTRY`` and ``TAG`` are read from the environment;
    one we do not set keeps the user's own value, or else the HCL default.
    ``extra`` variables, such as ``REVISION``, are set as they are.
    """
    ours = {
        name: value
        for name, value in (("REGISTRY", registry), ("TAG", image_tag))
        if value is not None
    }
    ours.update(extra or {})
    return {**base, **ours}, ours
