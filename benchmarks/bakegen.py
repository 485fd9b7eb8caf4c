"""Generated bake files of any size, and the JSON ``bake --print`` gives for them."""

from __future__ import annotations

from typing import Any


def target_names(count: int) -> list[str]:
    """Names for ``count`` services, zero-padded so that they sort in order."""
    width = len(str(count))
    return [f"svc-{number:0{width}d}" for number in range(1, count + 1)]


def bake_hcl(count: int) -> str:
    """A bake file with ``count`` targets in its default group, like the example's."""
    names = target_names(count)
    members = ", ".join(f'"{name}"' for name in names)
    blocks = [
        'variable "REGISTRY" {\n  default = "localhost:5000/flowmesh"\n}\n',
        'variable "TAG" {\n  default = "dev"\n}\n',
        f'group "default" {{\n  targets = [{members}]\n}}\n',
    ]
    blocks += [
        f'target "{name}" {{\n'
        f'  context = "services/{name}"\n'
        f'  tags    = ["${{REGISTRY}}/{name}:${{TAG}}"]\n'
        "}\n"
        for name in names
    ]
    return "\n".join(blocks)


def bake_print(count: int, registry: str, tag: str) -> dict[str, Any]:
    """What ``docker buildx bake --print`` prints for ``bake_hcl(count)``."""
    names = target_names(count)
    return {
        "group": {"default": {"targets": names}},
        "target": {
            name: {
                "context": f"services/{name}",
                "dockerfile": "Dockerfile",
                "tags": [f"{registry}/{name}:{tag}"],
            }
            for name in names
        },
    }
