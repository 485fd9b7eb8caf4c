"""What bake's ``--metadata-file`` says was pushed: one digest per target."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import console

DIGEST_KEY = "containerimage.digest"
NAMES_KEY = "image.name"


def read(path: str) -> dict[str, Any]:
    """The metadata file bake wrote; empty, with a warning, if it cannot be read."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as failure:
        console.warning(f"cannot read bake's metadata file {path}: {failure}")
        return {}
    return data if isinstance(data, dict) else {}


def _names(entry: Mapping[str, Any], target: Mapping[str, Any]) -> list[str]:
    """The pushed names: bake's ``image.name``, else the tags the plan resolved.

    Some builders leave ``image.name`` out of the metadata.
    """
    listed = entry.get(NAMES_KEY)
    if isinstance(listed, str) and listed.strip():
        return [name.strip() for name in listed.split(",") if name.strip()]
    return [str(tag) for tag in target.get("tags") or ()]


def digest_refs(
    metadata: Mapping[str, Any], targets: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """One ``REF@sha256:...`` per pushed tag, target by target in name order."""
    refs: list[str] = []
    for name, target in sorted(targets.items()):
        entry = metadata.get(name)
        entry = entry if isinstance(entry, Mapping) else {}
        digest = entry.get(DIGEST_KEY)
        if not isinstance(digest, str) or not digest:
            console.warning(f"bake's metadata has no digest for target '{name}'")
            continue
        refs += [f"{ref}@{digest}" for ref in _names(entry, target)]
    return refs
