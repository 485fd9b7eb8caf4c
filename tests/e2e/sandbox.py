"""Run invoke and docker as a user would, with buildx state of the test's own.

A sandbox has its own ``DOCKER_CONFIG``, so the builders it creates and the
builder it makes active are invisible to the user's own ``docker buildx``; its
images carry a namespace no one else uses, and it removes what it made.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stack_tasks.docker_config import config_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_BAKE_FILE = REPO_ROOT / "docker-bake.hcl"
NATIVE_BUILDER = "default"
QUERY_TIMEOUT = 60.0
TASK_TIMEOUT = 240.0

# Variables that would steer buildx, Invoke or the bake file away from what the
# test asks for.
_STEERING_PREFIXES = ("BUILDX_", "BUILDKIT_", "INVOKE_")
_STEERING_NAMES = frozenset({"DOCKER_CONFIG", "DOCKER_CONTEXT", "REGISTRY", "TAG"})

Completed = subprocess.CompletedProcess[str]

# Taken at import, before any function fixture (tests/conftest.py's included)
# changes the environment: the daemon is reached the way the user reaches it.
STARTING_ENV = dict(os.environ)


def unique(prefix: str) -> str:
    """A name no other run on this machine uses: ``prefix-`` and random hex."""
    return f"{prefix}-{secrets.token_hex(4)}"


def prepare_config_dir(path: Path, env: Mapping[str, str]) -> None:
    """Make ``path`` a fresh Docker config that still finds the user's plugins."""
    path.mkdir(parents=True, exist_ok=True)
    plugins = config_dir(env) / "cli-plugins"
    if plugins.is_dir():
        (path / "cli-plugins").symlink_to(plugins, target_is_directory=True)


def isolated_env(base: Mapping[str, str], config_dir: Path) -> dict[str, str]:
    """The user's environment, less what steers buildx, with our own config.

    The user's cache folder, where push writes its cache settings, is in
    ``config_dir`` too, so it goes when the sandbox goes.
    """
    env = {
        name: value
        for name, value in base.items()
        if not name.startswith(_STEERING_PREFIXES) and name not in _STEERING_NAMES
    }
    return {
        **env,
        "DOCKER_CONFIG": str(config_dir),
        "XDG_CACHE_HOME": str(config_dir / "cache"),
        "NO_COLOR": "1",
    }


def output(done: Completed) -> str:
    """Everything a child printed, stdout first."""
    return f"{done.stdout}{done.stderr}"


def first_value(text: str, key: str) -> str:
    """The value of the first ``key:`` line, as buildx inspect prints it."""
    match = re.search(rf"^{re.escape(key)}:[ \t]*(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


@dataclass
class Sandbox:
    """One test's own buildx state, image namespace and image tag."""

    env: dict[str, str]
    namespace: str = field(default_factory=lambda: unique("stack-e2e"))
    tag: str = field(default_factory=lambda: unique("e2e"))
    builders: list[str] = field(default_factory=list)

    @property
    def image_flags(self) -> list[str]:
        """The task flags that put every image in this sandbox's namespace."""
        return ["--registry", self.namespace, "--image-tag", self.tag]

    def run(
        self,
        argv: list[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = QUERY_TIMEOUT,
    ) -> Completed:
        """Run a child from the repository root with no terminal, and capture it."""
        return subprocess.run(
            argv,
            cwd=REPO_ROOT,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def invoke(self, *args: str, env: Mapping[str, str] | None = None) -> Completed:
        """Run ``invoke ARGS`` in a real process, as a user would type it."""
        argv = [sys.executable, "-m", "invoke", *args]
        return self.run(argv, env=env, timeout=TASK_TIMEOUT)

    def docker(self, *args: str, timeout: float = QUERY_TIMEOUT) -> Completed:
        """Run ``docker ARGS``; the caller checks the status."""
        return self.run(["docker", *args], timeout=timeout)

    def docker_ok(self, *args: str, timeout: float = QUERY_TIMEOUT) -> str:
        """Run ``docker ARGS``, fail the test unless it succeeds; return stdout."""
        done = self.docker(*args, timeout=timeout)
        assert done.returncode == 0, f"docker {' '.join(args)}: {output(done)}"
        return done.stdout

    def create_builder(self, name: str, *options: str) -> str:
        """Create a docker-container builder (no bootstrap), removed at the end."""
        self.builders.append(name)
        self.docker_ok("buildx", "create", "--name", name, *options)
        return name

    def adopt_builder(self, name: str) -> None:
        """Remove ``name`` at the end too: a builder the test made some other way."""
        self.builders.append(name)

    def borrow_builder(self, name: str, owner_config: Path) -> bool:
        """Make a builder of another Docker config usable here; False if none.

        buildx keeps each builder as one file under ``buildx/instances``. The
        copy goes with the sandbox, and the builder itself is never removed.
        """
        source = owner_config / "buildx" / "instances" / name
        if not source.is_file():
            return False

        instances = Path(self.env["DOCKER_CONFIG"]) / "buildx" / "instances"
        instances.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, instances / name)
        return True

    def active_builder(self) -> tuple[str, str]:
        """Name and driver of the builder that bare ``docker buildx`` uses."""
        text = self.docker_ok("buildx", "inspect")
        return first_value(text, "Name"), first_value(text, "Driver")

    def use(self, name: str) -> None:
        """Make ``name`` this sandbox's active builder."""
        self.docker_ok("buildx", "use", name)

    def bake_targets(
        self, bake_file: Path = EXAMPLE_BAKE_FILE, registry: str | None = None
    ) -> dict[str, Any]:
        """The ``target`` map that ``bake --print`` resolves for our namespace."""
        variables = {"REGISTRY": registry or self.namespace, "TAG": self.tag}
        done = self.run(
            ["docker", "buildx", "bake", "--print", "-f", str(bake_file)],
            env=variables,
        )
        assert done.returncode == 0, output(done)
        targets: dict[str, Any] = json.loads(done.stdout)["target"]
        return targets

    def image(self, reference: str) -> dict[str, Any]:
        """What ``docker image inspect`` knows about one image."""
        described: list[dict[str, Any]] = json.loads(
            self.docker_ok("image", "inspect", reference)
        )
        return described[0]

    def our_images(self) -> list[str]:
        """Every image reference in the daemon under this sandbox's namespace."""
        listing = self.docker_ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}}")
        return [
            reference
            for reference in listing.split()
            if self.namespace in reference.split("/")
        ]

    def clean_up(self) -> list[str]:
        """Remove the builders and images this sandbox made; return what failed."""
        failures: list[str] = []
        for name in self.builders:
            done = self.docker("buildx", "rm", name)
            if done.returncode != 0 and "no builder" not in done.stderr:
                failures.append(f"docker buildx rm {name}: {output(done).strip()}")

        images = self.our_images()
        if images:
            done = self.docker("image", "rm", *images)
            if done.returncode != 0:
                failures.append(f"docker image rm: {output(done).strip()}")
        return failures
