"""What the Docker CLI's own configuration says, read without running docker."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_CONTEXT = "default"


def config_dir(env: Mapping[str, str]) -> Path:
    """The Docker CLI's config folder: ``DOCKER_CONFIG``, else ``~/.docker``."""
    configured = env.get("DOCKER_CONFIG")
    return Path(configured) if configured else Path.home() / ".docker"


def current_context(env: Mapping[str, str] | None = None) -> str:
    """Name the Docker context the CLI uses, resolved as the CLI resolves it.

    ``DOCKER_HOST`` forces the default context; then ``DOCKER_CONTEXT``; then
    ``currentContext`` in config.json; then ``default``.
    """
    env = os.environ if env is None else env
    if env.get("DOCKER_HOST"):
        return DEFAULT_CONTEXT
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]

    context = cli_config(env).get("currentContext")
    return context if isinstance(context, str) and context else DEFAULT_CONTEXT


def cli_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The CLI's ``config.json``; empty when it is missing or unreadable."""
    env = os.environ if env is None else env
    try:
        config = json.loads((config_dir(env) / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}
