"""The order of things in each task: check, guard, resolve, switch, bake."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import buildx, console, docker, guard, plan, validate
from .errors import StackError


@dataclass(frozen=True)
class Request:
    """One task run, with every setting already resolved from flags and config."""

    builder: str | None
    builder_source: str
    bake_file: str
    targets: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    registry: str | None = None
    image_tag: str | None = None
    progress: str | None = None
    no_cache: bool = False
    pull: bool = False
    force: bool = False
    dry: bool = False
    probe_timeout: float = 20.0


@dataclass(frozen=True)
class PushSettings:
    """What only a push needs: accepted drivers, platforms and the cache tag."""

    drivers: frozenset[str]
    platforms: tuple[str, ...]
    cache_tag: str


def _check(request: Request) -> tuple[str, ...]:
    if request.builder is not None:
        validate.check_builder(request.builder, request.builder_source)
    return validate.check_targets(request.targets)


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


def _bake(
    argv: Sequence[str],
    env: Mapping[str, str],
    ours: Mapping[str, str],
    *,
    dry: bool,
) -> int:
    console.show_command(console.command_line(argv, ours), dry=dry)
    if dry:
        return 0
    return docker.run_attached(argv, env=env)


def build(request: Request) -> int:
    """Bake on the native builder with --load; return bake's exit status."""
    _check(request)
    env, ours = plan.bake_env(
        os.environ, registry=request.registry, image_tag=request.image_tag
    )

    selection = guard.select_builder(
        request.builder,
        guard.BUILD_DRIVERS,
        task="build",
        timeout=request.probe_timeout,
    )
    options = _options(request, selection.name)
    if selection.needs_switch:
        buildx.bake_print(
            plan.print_args(options),
            bake_file=request.bake_file,
            env=env,
            timeout=request.probe_timeout,
        )

    guard.switch(
        selection,
        force=request.force,
        dry=request.dry,
        timeout=request.probe_timeout,
    )
    guard.warn_builder_override(selection)
    return _bake(plan.build_argv(options), env, ours, dry=request.dry)


def _resolved_targets(resolved: Mapping[str, Any], bake_file: str) -> dict[str, Any]:
    targets = resolved.get("target")
    if not isinstance(targets, dict) or not targets:
        raise StackError(
            f"bake resolved no targets from {bake_file}; add a target or a "
            "default group to the bake file"
        )
    return {name: value for name, value in targets.items() if isinstance(value, dict)}


def push(request: Request, settings: PushSettings) -> int:
    """Bake multi-platform images with registry cache and --push."""
    _check(request)
    env, ours = plan.bake_env(
        os.environ, registry=request.registry, image_tag=request.image_tag
    )

    selection = guard.select_builder(
        request.builder,
        settings.drivers,
        task="push",
        timeout=request.probe_timeout,
    )
    options = _options(request, selection.name)
    resolved = buildx.bake_print(
        plan.print_args(options),
        bake_file=request.bake_file,
        env=env,
        timeout=request.probe_timeout,
    )
    argv = plan.push_argv(
        options,
        _resolved_targets(resolved, request.bake_file),
        platforms=settings.platforms,
        cache_tag=settings.cache_tag,
    )

    guard.switch(
        selection,
        force=request.force,
        dry=request.dry,
        timeout=request.probe_timeout,
    )
    guard.warn_builder_override(selection)
    return _bake(argv, env, ours, dry=request.dry)
