"""Create the push builder, or add a node to it, once and only once."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from . import builders, buildx, console, docker, validate
from .errors import StackError

CREATE = ("docker", "buildx", "create")
PUSH_DRIVER = "docker-container"


@dataclass(frozen=True)
class CreateRequest:
    """What to create: the builder, its options, and a node to add."""

    name: str
    drivers: frozenset[str]
    platforms: tuple[str, ...] = ()
    driver_opts: tuple[str, ...] = ()
    buildkitd_config: str | None = None
    append: bool = False
    node: str | None = None
    endpoint: str | None = None
    dry: bool = False
    timeout: float | None = None

    @property
    def has_options(self) -> bool:
        return bool(self.platforms or self.driver_opts or self.buildkitd_config)


def create_argv(request: CreateRequest) -> list[str]:
    """The ``docker buildx create`` command for a new builder or a new node.

    A new node takes the builder's own driver, so ``--driver`` goes only with a
    new builder; the endpoint is the command's one positional argument.
    """
    argv = [*CREATE, "--name", request.name]
    if request.append:
        argv += ["--append", "--node", str(request.node)]
    else:
        argv += ["--driver", PUSH_DRIVER]
    for platform in request.platforms:
        argv += ["--platform", platform]
    for option in request.driver_opts:
        argv += ["--driver-opt", option]
    if request.buildkitd_config:
        argv += ["--buildkitd-config", request.buildkitd_config]
    argv.append("--bootstrap")
    if request.append:
        argv.append(str(request.endpoint))
    return argv


def check(request: CreateRequest) -> None:
    """Refuse flags that do not go together, before any process starts."""
    validate.check_builder(request.name)
    if request.append and not (request.node and request.endpoint):
        raise StackError(
            "--append adds a node, so it needs --node NAME and --endpoint ENDPOINT "
            "(a Docker context, or a BuildKit address such as tcp://host:1234)"
        )
    if not request.append and (request.node or request.endpoint):
        raise StackError(
            "--node and --endpoint add a node to an existing builder; pass --append "
            "with them"
        )
    if request.node:
        validate.check_builder(request.node, "--node")
    if request.endpoint and request.endpoint.startswith("-"):
        raise StackError(
            f"--endpoint {request.endpoint!r} is not an endpoint; pass a Docker "
            "context name or a BuildKit address such as tcp://host:1234"
        )
    config = request.buildkitd_config
    if config and not Path(config).is_file():
        raise StackError(
            f"--buildkitd-config {config!r} is not a file; pass the path of a "
            "buildkitd.toml"
        )


def _check_driver(builder: buildx.Builder, drivers: frozenset[str]) -> None:
    if builder.driver in drivers:
        return
    accepted = ", ".join(sorted(drivers))
    raise StackError(
        f"builder '{builder.name}' exists with the '{builder.driver}' driver, "
        f"which stack.push does not accept (only: {accepted}); nothing was changed; "
        "pass another name with --builder or set config stack.push_builder"
    )


def _node_names(name: str, timeout: float | None) -> tuple[str, ...]:
    output = docker.probe(["buildx", "inspect", name], timeout=timeout)
    return tuple(node.name for node in builders.parse_inspect(output.stdout).nodes)


def _undo_command(request: CreateRequest) -> str:
    if request.append:
        argv = [*CREATE, "--leave", "--name", request.name, "--node", str(request.node)]
        return shlex.join(argv)
    return shlex.join(["docker", "buildx", "rm", request.name])


def _not_booted(request: CreateRequest) -> StackError:
    """Say what buildx left behind when ``create --bootstrap`` failed."""
    if request.append:
        left = request.node in _node_names(request.name, request.timeout)
        what = f"node '{request.node}' was added to builder '{request.name}'"
    else:
        left = buildx.inspect_builder(request.name, request.timeout) is not None
        what = f"builder '{request.name}' was created"

    if not left:
        return StackError(
            "docker buildx create failed and nothing was changed; buildx's own "
            "message is above"
        )
    return StackError(
        f"{what} but did not boot (buildx's message is above); fix the cause and "
        "boot it with the command below, or undo it with "
        f"`{_undo_command(request)}`",
        hint=shlex.join(["docker", "buildx", "inspect", "--bootstrap", request.name]),
    )


def _run_create(request: CreateRequest, done: str) -> int:
    argv = create_argv(request)
    console.show_command(shlex.join(argv), dry=request.dry)
    if request.dry:
        return 0

    if docker.run_attached(argv) != 0:
        raise _not_booted(request)
    console.status(done)
    return 0


def create_builder(request: CreateRequest) -> int:
    """Create the builder or add the node, unless it is there already."""
    check(request)
    existing = buildx.inspect_builder(request.name, request.timeout)

    if request.append:
        if existing is None:
            raise StackError(
                f"there is no builder '{request.name}' to add a node to; run "
                "stack.create-builder without --append first"
            )
        _check_driver(existing, request.drivers)
        if request.node in _node_names(request.name, request.timeout):
            console.status(
                f"Builder '{request.name}' already has a node '{request.node}'; "
                "left as it is"
            )
            return 0
        return _run_create(
            request, f"Added node '{request.node}' to builder '{request.name}'"
        )

    if existing is not None:
        _check_driver(existing, request.drivers)
        console.status(
            f"Builder '{request.name}' exists with the '{existing.driver}' driver; "
            "left as it is"
        )
        if request.has_options:
            console.warning(
                "--platform, --driver-opt and --buildkitd-config apply only to a new "
                f"builder; to apply them, remove it with `docker buildx rm "
                f"{request.name}` and run this again"
            )
        return 0

    return _run_create(request, f"Created builder '{request.name}' ({PUSH_DRIVER})")
