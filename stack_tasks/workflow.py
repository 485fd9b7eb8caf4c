"""The order of things in each task: check, guard, resolve, switch, bake."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import (
    buildx,
    cache,
    console,
    docker,
    git,
    guard,
    metadata,
    plan,
    validate,
)
from .errors import StackError

if TYPE_CHECKING:
    from . import targets


@dataclass(frozen=True)
class Request:
    """One task run, with every setting already resolved from flags and config."""

    builder: str | None
    builder_source: str
    bake_file: str
    bake_file_source: str = "--bake-file"
    targets: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    registry: str | None = None
    registry_source: str = "--registry"
    image_tag: str | None = None
    image_tag_source: str = "--image-tag"
    progress: str | None = None
    no_cache: bool = False
    pull: bool = False
    force: bool = False
    dry: bool = False
    probe_timeout: float = 20.0


@dataclass(frozen=True)
class PushSettings:
    """What only a push needs: drivers, platforms, cache tag, metadata file."""

    drivers: frozenset[str]
    platforms: tuple[str, ...]
    cache_tag: str
    platforms_source: str = "--platform"
    metadata_file: str | None = None
    default_branch: str = "main"


@contextmanager
def _metadata_file(kept: str | None, *, dry: bool) -> Iterator[str | None]:
    """The metadata file for bake: the user's, else a temporary one (not in --dry)."""
    if kept or dry:
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="stack-push-") as folder:
        yield os.path.join(folder, "metadata.json")


def _check(request: Request) -> None:
    """Refuse a bad value before any process starts."""
    if request.builder is not None:
        validate.check_builder(request.builder, request.builder_source)
    validate.check_targets(request.targets)
    validate.check_sets(request.sets)
    if request.registry is not None:
        validate.check_registry(request.registry, request.registry_source)
    if request.image_tag is not None:
        validate.check_tag(request.image_tag, request.image_tag_source)
    if request.progress is not None:
        validate.check_progress(request.progress)
    validate.check_bake_file(request.bake_file, request.bake_file_source)


def _check_push(settings: PushSettings) -> None:
    validate.check_platforms(settings.platforms, settings.platforms_source)
    cache.check_tag(settings.cache_tag)


def _options(request: Request, builder: str) -> plan.BakeOptions:
    return plan.BakeOptions(
        builder=builder,
        bake_file=request.bake_file,
        targets=request.targets,
        sets=request.sets,
        progress=request.progress,
        no_cache=request.no_cache,
        pull=request.pull,
    )


@dataclass(frozen=True)
class _Guarded:
    """A checked request on its selected builder, before anything is switched."""

    selection: guard.Selection
    options: plan.BakeOptions
    env: dict[str, str]
    ours: dict[str, str]


def _guarded(request: Request, drivers: frozenset[str], task: str) -> _Guarded:
    _check(request)
    env, ours = plan.bake_env(
        os.environ,
        registry=request.registry,
        image_tag=request.image_tag,
        extra=git.source_variables(os.environ),
    )

    selection = guard.select_builder(
        request.builder, drivers, task=task, timeout=request.probe_timeout
    )
    return _Guarded(selection, _options(request, selection.name), env, ours)


def _resolve(request: Request, guarded: _Guarded) -> dict[str, Any]:
    return buildx.bake_print(
        plan.print_args(guarded.options),
        bake_file=request.bake_file,
        env=guarded.env,
        timeout=request.probe_timeout,
    )


def _switch_and_bake(request: Request, guarded: _Guarded, argv: Sequence[str]) -> int:
    guard.switch(
        guarded.selection,
        force=request.force,
        dry=request.dry,
        timeout=request.probe_timeout,
    )
    guard.warn_builder_override(guarded.selection)

    console.show_command(console.command_line(argv, guarded.ours), dry=request.dry)
    if request.dry:
        return 0
    return docker.run_attached(argv, env=guarded.env)


def build(request: Request) -> int:
    """Bake on the native builder with --load; return bake's exit status."""
    guarded = _guarded(request, guard.BUILD_DRIVERS, "build")

    # Only a switch needs protecting; on the fast path bake reports a bad file.
    if guarded.selection.needs_switch:
        _resolve(request, guarded)

    return _switch_and_bake(request, guarded, plan.build_argv(guarded.options))


def _resolved_targets(resolved: Mapping[str, Any], bake_file: str) -> dict[str, Any]:
    targets = resolved.get("target")
    if not isinstance(targets, dict) or not targets:
        raise StackError(
            f"bake resolved no targets from {bake_file}; add a target or a "
            "default group to the bake file"
        )
    return {name: value for name, value in targets.items() if isinstance(value, dict)}


def _cache_home(env: Mapping[str, str]) -> Path:
    """The user's cache folder: ``XDG_CACHE_HOME`` when absolute, else ~/.cache."""
    configured = env.get("XDG_CACHE_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"


def write_override(override: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """Write an override bake file where the printed command finds it again.

    Its name follows from its text, so a printed command still reads the same
    settings when rerun by hand, and pushes of other stacks leave it alone.
    """
    text = plan.override_text(override)
    path = _cache_home(env) / "stack-tasks" / plan.override_name(text)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, "utf-8")
        os.replace(partial, path)
    except OSError as failure:
        raise StackError(
            f"cannot write the registry cache settings to {path}: "
            f"{failure.strerror}; set XDG_CACHE_HOME to a folder you can write to"
        ) from None
    return str(path)


def _cache_tags(settings: PushSettings) -> cache.CacheTags:
    """The cache tags for this push; git is asked only for a per-branch tag."""
    if cache.BRANCH_FIELD not in settings.cache_tag:
        return cache.CacheTags(settings.cache_tag)

    tags = cache.cache_tags(
        settings.cache_tag, git.current_branch(), settings.default_branch
    )
    if not tags.writes:
        console.warning(
            f"not on a git branch, so cache is read from the '{tags.tag}' tag of "
            f"branch {settings.default_branch} and none is written"
        )
    return tags


def push(request: Request, settings: PushSettings) -> int:
    """Bake multi-platform images with registry cache and --push."""
    _check_push(settings)
    guarded = _guarded(request, settings.drivers, "push")

    targets = _resolved_targets(_resolve(request, guarded), request.bake_file)
    tags = _cache_tags(settings)
    override = plan.cache_override(
        targets,
        tags.tag,
        skip_keys=plan.user_keys(request.sets),
        cache_fallback=tags.fallback,
        write_cache=tags.writes,
    )
    cache_file = write_override(override, os.environ) if override else None
    with _metadata_file(settings.metadata_file, dry=request.dry) as metadata_file:
        argv = plan.push_argv(
            guarded.options,
            platforms=settings.platforms,
            cache_file=cache_file,
            metadata_file=metadata_file,
        )

        code = _switch_and_bake(request, guarded, argv)
        if code == 0 and metadata_file and not request.dry:
            for ref in metadata.digest_refs(metadata.read(metadata_file), targets):
                print(ref, flush=True)
        return code


def list_targets(request: Request) -> targets.Listing:
    """Check the request, then resolve the bake file's groups and targets."""
    from . import targets

    _check(request)
    env, _ = plan.bake_env(
        os.environ, registry=request.registry, image_tag=request.image_tag
    )
    return targets.resolve(
        request.bake_file,
        targets=request.targets,
        sets=request.sets,
        env=env,
        timeout=request.probe_timeout,
    )
