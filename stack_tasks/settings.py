"""The collection's configuration: its defaults, and how a setting is resolved."""

from __future__ import annotations

from typing import Any

from .errors import StackError

# List-valued keys are comma-separated strings, because Invoke cannot cast an
# environment variable to a list; a YAML list is accepted too.
DEFAULTS: dict[str, Any] = {
    "bake_file": "docker-bake.hcl",
    "registry": None,
    "image_tag": None,
    "build_builder": None,
    "push_builder": "flowmesh-multiarch",
    "push_drivers": "docker-container,kubernetes,remote",
    "platforms": "linux/amd64,linux/arm64",
    "cache_tag": "buildcache",
    "cache_default_branch": "main",
    "probe_timeout": "20",
}


def stack_config(config: Any) -> dict[str, Any]:
    """The ``stack`` section of Invoke's config, with our defaults underneath."""
    section = config.get("stack") or {}
    return {**DEFAULTS, **dict(section)}


def pick(flag: Any, configured: Any) -> Any:
    """A flag beats the config; an absent flag is None or an empty list."""
    return configured if flag is None or flag == [] else flag


def as_list(value: Any, key: str) -> tuple[str, ...]:
    """Read a comma-separated string, or a list of them, as a tuple of items."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise StackError(
            f"config stack.{key} must be a comma-separated string or a list; "
            "fix it in invoke.yaml or the INVOKE_STACK_ variable"
        )
    items = [part.strip() for item in value for part in str(item).split(",")]
    return tuple(item for item in items if item)


def as_seconds(value: Any, key: str) -> float:
    """Read a positive number of seconds from config, as YAML or a string."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0.0
    if seconds <= 0:
        raise StackError(
            f"config stack.{key} must be a positive number of seconds, not "
            f"{value!r}; fix it in invoke.yaml or the INVOKE_STACK_ variable"
        )
    return seconds
