"""The builder guard: bake runs on the intended builder, and the user agrees."""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass

from . import buildx, console, docker_config
from .errors import StackError

BUILD_DRIVERS = frozenset({"docker"})


@dataclass(frozen=True)
class Selection:
    """The builder a task will bake on, and the one active before it ran."""

    name: str
    active: str

    @property
    def needs_switch(self) -> bool:
        return self.name != self.active


def create_command(name: str) -> str:
    """The buildx command that creates a push builder called ``name``."""
    argv = ["docker", "buildx", "create", "--name", name]
    return shlex.join([*argv, "--driver", "docker-container", "--bootstrap"])


def _missing(name: str, task: str) -> StackError:
    if task == "push":
        return StackError(
            f"there is no buildx builder named '{name}'; create it with the "
            "command below, then run stack.push again",
            hint=create_command(name),
        )
    return StackError(
        f"there is no buildx builder named '{name}'; pass --builder with a builder "
        "that `docker buildx ls` shows with the docker driver"
    )


def _check_driver(builder: buildx.Builder, drivers: frozenset[str], task: str) -> None:
    if builder.driver in drivers:
        return

    driver = f"the '{builder.driver}' driver" if builder.driver else "an unknown driver"
    accepted = ", ".join(sorted(drivers))
    why = (
        "loads images into the Docker daemon"
        if task == "build"
        else "pushes multi-platform images with registry cache"
    )
    raise StackError(
        f"builder '{builder.name}' uses {driver}, but stack.{task} {why} and "
        f"accepts only: {accepted}; pass --builder with a builder that has one"
    )


def select_builder(
    wanted: str | None,
    drivers: frozenset[str],
    *,
    task: str,
    timeout: float | None,
) -> Selection:
    """Find the builder to bake on and check its driver, switching nothing.

    With no builder wanted (build only), the active one is kept when its driver
    fits; otherwise the current Docker context's native builder is chosen.
    """
    active = buildx.inspect_active(timeout)
    name = wanted
    if name is None:
        fits = active.driver in drivers
        name = active.name if fits else docker_config.current_context()

    if name == active.name:
        _check_driver(active, drivers, task)
        return Selection(name=name, active=active.name)

    builder = buildx.inspect_builder(name, timeout)
    if builder is None:
        raise _missing(name, task)
    _check_driver(builder, drivers, task)
    return Selection(name=name, active=active.name)


def switch(
    selection: Selection,
    *,
    force: bool,
    dry: bool,
    timeout: float | None,
) -> None:
    """Make the selected builder the active one, asking first unless forced."""
    if not selection.needs_switch:
        return

    old, new = selection.active, selection.name
    if dry:
        console.show_command(shlex.join(["docker", "buildx", "use", new]), dry=True)
        return

    if not force:
        if not sys.stdin.isatty():
            raise StackError(
                f"the active buildx builder is '{old}', not '{new}'; pass --force "
                f"to switch without asking, or run `docker buildx use {new}` first"
            )
        if not console.ask(f"Active buildx builder is '{old}'; switch to '{new}'?"):
            raise StackError(
                f"the active builder stays '{old}' and nothing was built; answer y "
                "or pass --force to switch"
            )

    buildx.use(new, timeout)
    console.status(
        f"Switched the active buildx builder from '{old}' to '{new}'; "
        f"to switch back: docker buildx use {old}"
    )


def warn_builder_override(selection: Selection) -> None:
    """Warn that ``BUILDX_BUILDER`` overrides the active builder in this shell."""
    override = os.environ.get("BUILDX_BUILDER")
    if override and override != selection.name:
        console.warning(
            f"BUILDX_BUILDER={override} is set, so your own `docker buildx` "
            f"commands in this shell use '{override}', not '{selection.name}'; "
            "unset it to follow the active builder"
        )
