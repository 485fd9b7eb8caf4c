"""The ``stack`` Invoke collection: ``stack.build`` and ``stack.push``."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task, task

from . import console, docker, guard, plan, settings, workflow
from .errors import Interrupted, StackError

# The operator tasks import their modules when they run, so that build and
# push, the tasks run most often, load nothing they do not use.

# Exactly these short flags; every other flag is long only (-f means --force).
SHORT_FLAGS = {"target": "t", "builder": "b", "force": "f"}


class StackTask(Task[Any]):
    """A task whose short flags are exactly the ones in ``SHORT_FLAGS``."""

    def __init__(self, body: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(body, auto_shortflags=False, **kwargs)

    def arg_opts(
        self, name: str, default: Any, taken_names: set[str]
    ) -> dict[str, Any]:
        opts: dict[str, Any] = super().arg_opts(name, default, taken_names)
        short = SHORT_FLAGS.get(name)
        if short and short not in taken_names:
            opts["names"].append(short)
        return opts


COMMON_HELP = {
    "target": "Bake target or group to build; repeat for several (default: the "
    "bake file's default group).",
    "builder": "Buildx builder to bake on (see `docker buildx ls`).",
    "force": "Switch the active buildx builder without asking.",
    "bake-file": "Bake file to read (default: config stack.bake_file, "
    "docker-bake.hcl).",
    "set": "Override a target value, as bake's --set PATTERN.KEY=VALUE; repeatable.",
    "registry": "Registry and namespace for the images, handed to bake as REGISTRY.",
    "image-tag": "Tag for the images, handed to bake as TAG.",
    "progress": "Bake's progress output: auto, plain, tty, quiet or rawjson.",
    "no-cache": "Build without using any cache.",
    "pull": "Always pull a newer version of the base images.",
}


def _run(action: Callable[[], int]) -> None:
    """Run a task's action; turn failures into one line and an exit status."""
    try:
        with docker.stopping_on_sigterm():
            code = action()
    except Interrupted as interruption:
        raise Exit(code=interruption.code) from None
    except KeyboardInterrupt:
        raise Exit(code=Interrupted().code) from None
    except StackError as failure:
        console.error(failure.message, failure.hint)
        raise Exit(code=failure.code) from None

    if code:
        raise Exit(code=code)


def _source(flag_value: Any, flag: str, key: str) -> str:
    """Where a setting came from, for error messages: its flag or its config key."""
    given = flag_value is not None and flag_value != []
    return flag if given else f"config stack.{key}"


def _probe_timeout(config: dict[str, Any]) -> float:
    return settings.as_seconds(config["probe_timeout"], "probe_timeout")


def _push_drivers(config: dict[str, Any]) -> frozenset[str]:
    return frozenset(settings.as_list(config["push_drivers"], "push_drivers"))


def _request(
    c: Context, builder: str | None, builder_key: str, **flags: Any
) -> workflow.Request:
    config = settings.stack_config(c.config)
    chosen = settings.pick(builder, config[builder_key])
    return workflow.Request(
        builder=chosen,
        builder_source=_source(builder, "--builder", builder_key),
        bake_file=settings.pick(flags["bake_file"], config["bake_file"]),
        bake_file_source=_source(flags["bake_file"], "--bake-file", "bake_file"),
        targets=tuple(flags["target"] or ()),
        sets=tuple(flags["set_"] or ()),
        registry=settings.pick(flags["registry"], config["registry"]),
        registry_source=_source(flags["registry"], "--registry", "registry"),
        image_tag=settings.pick(flags["image_tag"], config["image_tag"]),
        image_tag_source=_source(flags["image_tag"], "--image-tag", "image_tag"),
        progress=flags["progress"],
        no_cache=flags["no_cache"],
        pull=flags["pull"],
        force=flags["force"],
        dry=bool(c.config.run.dry),
        probe_timeout=_probe_timeout(config),
    )


@task(klass=StackTask, iterable=["target", "set_"], help=COMMON_HELP)
def build(
    c: Context,
    target: list[str] | None = None,
    builder: str | None = None,
    force: bool = False,
    bake_file: str | None = None,
    set_: list[str] | None = None,
    registry: str | None = None,
    image_tag: str | None = None,
    progress: str | None = None,
    no_cache: bool = False,
    pull: bool = False,
) -> None:
    """Build the stack's images into the local Docker daemon.

    Runs bake on the native `docker` builder with --load: no registry cache,
    one platform, and the daemon's own layer cache.
    """
    flags = dict(locals())
    del flags["c"], flags["builder"]
    _run(lambda: workflow.build(_request(c, builder, "build_builder", **flags)))


@task(
    klass=StackTask,
    iterable=["target", "set_", "platform"],
    help={
        **COMMON_HELP,
        "platform": "Platform to push, such as linux/arm64; repeatable, and each "
        "may be a comma list (default: config stack.platforms).",
        "metadata-file": "Keep bake's metadata (digests of what was pushed) in "
        "this file.",
    },
)
def push(
    c: Context,
    target: list[str] | None = None,
    builder: str | None = None,
    force: bool = False,
    bake_file: str | None = None,
    set_: list[str] | None = None,
    registry: str | None = None,
    image_tag: str | None = None,
    progress: str | None = None,
    no_cache: bool = False,
    pull: bool = False,
    platform: list[str] | None = None,
    metadata_file: str | None = None,
) -> None:
    """Push multi-platform images with shared registry cache.

    Runs bake with --push on a docker-container (or kubernetes, remote)
    builder, with cache-from and cache-to of type=registry, mode=max. Prints
    each pushed tag with its digest, REF@sha256:..., to stdout.
    """
    flags = dict(locals())
    del flags["c"], flags["builder"], flags["platform"], flags["metadata_file"]

    def action() -> int:
        config = settings.stack_config(c.config)
        push_settings = workflow.PushSettings(
            drivers=_push_drivers(config),
            platforms=settings.as_list(
                settings.pick(platform, config["platforms"]), "platforms"
            ),
            cache_tag=config["cache_tag"],
            platforms_source=_source(platform, "--platform", "platforms"),
            metadata_file=metadata_file,
            default_branch=config["cache_default_branch"],
        )
        request = _request(c, builder, "push_builder", **flags)
        return workflow.push(request, push_settings)

    _run(action)


def _print_data(data: Any, *, as_json: bool, human: str) -> None:
    """Print a listing to stdout: JSON for scripts, else the human text."""
    print(json.dumps(data, indent=2) if as_json else human, flush=True)


@task(
    klass=StackTask,
    iterable=["target", "set_"],
    help={
        "target": "Target or group to list; repeat for several (default: every "
        "group and target the bake file declares).",
        "bake-file": COMMON_HELP["bake-file"],
        "set": COMMON_HELP["set"],
        "registry": COMMON_HELP["registry"],
        "image-tag": COMMON_HELP["image-tag"],
        "json": "Print JSON to stdout for scripts instead of tables.",
    },
)
def targets(
    c: Context,
    target: list[str] | None = None,
    bake_file: str | None = None,
    set_: list[str] | None = None,
    registry: str | None = None,
    image_tag: str | None = None,
    json_: bool = False,
) -> None:
    """List the bake file's groups and targets.

    Shows each target's tags, platforms and declared cache, as bake itself
    resolves them with --print; nothing is built.
    """

    def action() -> int:
        from . import targets as bake_targets

        flags = {
            "target": target,
            "bake_file": bake_file,
            "set_": set_,
            "registry": registry,
            "image_tag": image_tag,
            "progress": None,
            "no_cache": False,
            "pull": False,
            "force": False,
        }
        listing = workflow.list_targets(_request(c, None, "build_builder", **flags))
        _print_data(
            bake_targets.as_json(listing),
            as_json=json_,
            human=bake_targets.render(listing),
        )
        return 0

    _run(action)


@task(
    klass=StackTask,
    help={"json": "Print JSON to stdout for scripts instead of a table."},
)
def builders(c: Context, json_: bool = False) -> None:
    """List every buildx builder and what each task accepts.

    Shows each builder's driver, status, platforms over all its nodes, the
    active one, and whether stack.build and stack.push would bake on it.
    """

    def action() -> int:
        from . import builders as builder_listing

        config = settings.stack_config(c.config)
        acceptance = builder_listing.Acceptance(
            build=guard.BUILD_DRIVERS,
            push=_push_drivers(config),
        )

        found = builder_listing.list_builders(_probe_timeout(config))
        _print_data(
            builder_listing.as_json(found, acceptance),
            as_json=json_,
            human=builder_listing.render(found, acceptance),
        )
        return 0

    _run(action)


@task(
    klass=StackTask,
    iterable=["platform", "driver_opt"],
    help={
        "builder": "Name of the builder to create (default: config "
        "stack.push_builder).",
        "platform": "Platform the new builder or node is pinned to, such as "
        "linux/arm64; repeatable.",
        "driver-opt": "Option for the docker-container driver, as buildx's "
        "--driver-opt KEY=VALUE; repeatable.",
        "buildkitd-config": "buildkitd.toml for the builder, for instance for a "
        "plain-http or mirror registry.",
        "append": "Add a node to the existing builder instead (with --node and "
        "--endpoint).",
        "node": "Name of the node to add with --append.",
        "endpoint": "Where the added node runs: a Docker context or a BuildKit "
        "address such as tcp://host:1234.",
    },
)
def create_builder(
    c: Context,
    builder: str | None = None,
    platform: list[str] | None = None,
    driver_opt: list[str] | None = None,
    buildkitd_config: str | None = None,
    append: bool = False,
    node: str | None = None,
    endpoint: str | None = None,
) -> None:
    """Create the push builder, or add a node to it.

    Runs `docker buildx create --driver docker-container --bootstrap` and
    prints the command first. A builder that exists with an accepted driver
    is left as it is; one with another driver is refused.
    """

    def action() -> int:
        from . import provision

        config = settings.stack_config(c.config)
        request = provision.CreateRequest(
            name=settings.pick(builder, config["push_builder"]),
            drivers=_push_drivers(config),
            platforms=tuple(platform or ()),
            driver_opts=tuple(driver_opt or ()),
            buildkitd_config=buildkitd_config,
            append=append,
            node=node,
            endpoint=endpoint,
            dry=bool(c.config.run.dry),
            timeout=_probe_timeout(config),
        )
        return provision.create_builder(request)

    _run(action)


@task(
    klass=StackTask,
    name="doctor",
    help={"json": "Print JSON to stdout for scripts instead of the report."},
)
def doctor_(c: Context, json_: bool = False) -> None:
    """Check what a first push needs, and say how to fix it.

    Each check is ok, warning or error; the task exits 1 when any is an error.
    """

    def action() -> int:
        from . import doctor

        config = settings.stack_config(c.config)
        env, _ = plan.bake_env(
            os.environ, registry=config["registry"], image_tag=config["image_tag"]
        )
        inputs = doctor.Inputs(
            bake_file=config["bake_file"],
            build_builder=config["build_builder"],
            push_builder=config["push_builder"],
            push_drivers=_push_drivers(config),
            platforms=settings.as_list(config["platforms"], "platforms"),
            env=env,
            timeout=_probe_timeout(config),
        )

        checks = doctor.run_checks(inputs)
        _print_data(doctor.as_json(checks), as_json=json_, human=doctor.render(checks))
        return 1 if doctor.failed(checks) else 0

    _run(action)


ns = Collection("stack", build, push, targets, builders, create_builder, doctor_)
ns.configure({"stack": settings.DEFAULTS})
