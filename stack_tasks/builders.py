"""Every buildx builder, read from ``docker buildx ls`` whatever its version."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import buildx, docker, table
from .errors import StackError

ERROR = "error"
_UNKNOWN_FORMAT_FLAG = "unknown flag: --format"


@dataclass(frozen=True)
class Node:
    """One node of a builder: where BuildKit runs, and what it can build."""

    name: str
    endpoint: str = ""
    status: str = ""
    platforms: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class BuilderInfo:
    """A builder with all its nodes, and whether it is the active one."""

    name: str
    driver: str = ""
    nodes: tuple[Node, ...] = ()
    error: str = ""
    active: bool = False

    @property
    def status(self) -> str:
        """``error`` when the builder or a node fails, else its nodes' states."""
        if self.error or any(node.error for node in self.nodes):
            return ERROR
        return ", ".join(_unique(node.status for node in self.nodes if node.status))

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms of all nodes together, each once, in node order."""
        return _unique(platform for node in self.nodes for platform in node.platforms)

    @property
    def errors(self) -> tuple[str, ...]:
        """The builder's error and its nodes' errors, each named."""
        found = [f"{self.name}: {self.error}"] if self.error else []
        found += [
            f"{self.name} ({node.name}): {node.error}"
            for node in self.nodes
            if node.error
        ]
        return tuple(found)


@dataclass(frozen=True)
class Acceptance:
    """The drivers each task accepts, to say which builders each would take."""

    build: frozenset[str]
    push: frozenset[str]

    def build_accepts(self, builder: BuilderInfo) -> bool:
        return builder.status != ERROR and builder.driver in self.build

    def push_accepts(self, builder: BuilderInfo) -> bool:
        return builder.status != ERROR and builder.driver in self.push


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _platforms(value: Any) -> tuple[str, ...]:
    """Platforms from a JSON list or an ``a, b*`` text; ``*`` marks a pinned one."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return _unique(str(item).strip().rstrip("*") for item in items if str(item).strip())


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return value.strip() if isinstance(value, str) else ""


def _node_from_json(record: Mapping[str, Any]) -> Node:
    return Node(
        name=_text(record, "Name"),
        endpoint=_text(record, "Endpoint"),
        status=_text(record, "Status"),
        platforms=_platforms(record.get("Platforms")),
        error=_text(record, "Err"),
    )


def _merge_nodes(first: Sequence[Node], second: Sequence[Node]) -> tuple[Node, ...]:
    known = {node.name for node in first}
    return (*first, *(node for node in second if node.name not in known))


def parse_ls_json(text: str) -> tuple[list[BuilderInfo], bool]:
    """Read ``buildx ls --format json``: one builder per line, in order.

    Before buildx 0.21 a builder can appear on several lines; they are merged by
    name. Returns the builders and whether buildx marked the active one (its
    ``Current`` field, from buildx 0.24).
    """
    builders: dict[str, BuilderInfo] = {}
    marked = False
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict) or not _text(record, "Name"):
            continue

        nodes = record.get("Nodes")
        current = record.get("Current")
        marked = marked or isinstance(current, bool)
        builder = BuilderInfo(
            name=_text(record, "Name"),
            driver=_text(record, "Driver"),
            nodes=tuple(
                _node_from_json(node)
                for node in nodes or ()
                if isinstance(node, dict) and _text(node, "Name")
            ),
            error=_text(record, "Err"),
            active=current is True,
        )

        seen = builders.get(builder.name)
        if seen is not None:
            builder = replace(
                seen,
                nodes=_merge_nodes(seen.nodes, builder.nodes),
                error=seen.error or builder.error,
                active=seen.active or builder.active,
            )
        builders[builder.name] = builder
    return list(builders.values()), marked


def parse_ls_table(text: str) -> tuple[list[str], str | None]:
    """Read builder names, and the starred active one, from plain ``buildx ls``.

    Builder rows start in the first column; node rows are indented. The active
    builder ends in ``*`` (buildx 0.13 on) or is followed by `` *`` (before).
    """
    names: list[str] = []
    active = None
    for line in text.splitlines()[1:]:
        if not line.strip() or line[0].isspace():
            continue
        words = line.split()
        name = words[0]
        starred = name.endswith("*") or (len(words) > 1 and words[1] == "*")
        name = name.rstrip("*")
        names.append(name)
        if starred:
            active = name
    return names, active


def parse_inspect(text: str) -> BuilderInfo:
    """Read ``buildx inspect NAME``: the builder's own lines, then each node's.

    Every ``Name:`` after the ``Nodes:`` line starts a node; an ``Error:`` line
    belongs to the builder before that line and to the node after it.
    """
    own: dict[str, str] = {}
    nodes: list[dict[str, str]] = []
    fields = own
    in_nodes = False
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not colon:
            continue
        if key == "Nodes":
            in_nodes = True
            continue
        if in_nodes and key == "Name":
            nodes.append({})
            fields = nodes[-1]
        fields.setdefault(key, value)

    return BuilderInfo(
        name=own.get("Name", ""),
        driver=own.get("Driver", ""),
        error=own.get("Error", ""),
        nodes=tuple(
            Node(
                name=node.get("Name", ""),
                endpoint=node.get("Endpoint", ""),
                status=node.get("Status", ""),
                platforms=_platforms(node.get("Platforms")),
                error=node.get("Error", ""),
            )
            for node in nodes
        ),
    )


def _failed(output: docker.Output, what: str) -> StackError:
    lines = [line for line in output.stderr.splitlines() if line.strip()]
    reason = lines[-1].removeprefix("ERROR:").strip() if lines else "no output"
    return StackError(
        f"{what} failed: {reason}; run it yourself to see the whole message"
    )


def _active_name(timeout: float | None) -> str | None:
    """The stored active builder, as ``buildx.inspect_active`` finds it.

    Its errors are the listing's to show, so they do not stop us here.
    """
    env = {key: value for key, value in os.environ.items() if key != "BUILDX_BUILDER"}
    output = docker.probe(["buildx", "inspect"], env=env, timeout=timeout)
    name = buildx.parse_inspect(output.stdout).name
    return name or None


def _mark_active(builders: list[BuilderInfo], name: str | None) -> list[BuilderInfo]:
    return [replace(builder, active=builder.name == name) for builder in builders]


def _inspect_each(names: Sequence[str], timeout: float | None) -> list[BuilderInfo]:
    """Describe each builder with ``buildx inspect``, for buildx before 0.13."""
    builders = []
    for name in names:
        output = docker.probe(["buildx", "inspect", name], timeout=timeout)
        if output.returncode != 0:
            reason = output.stderr.strip().removeprefix("ERROR:").strip()
            builders.append(BuilderInfo(name=name, error=reason or ERROR))
            continue
        builders.append(replace(parse_inspect(output.stdout), name=name))
    return builders


def list_builders(timeout: float | None) -> list[BuilderInfo]:
    """Every builder buildx knows, with its nodes, and the active one marked."""
    output = docker.probe(["buildx", "ls", "--format", "json"], timeout=timeout)
    if output.returncode == 0:
        builders, marked = parse_ls_json(output.stdout)
        if marked:
            return builders
        return _mark_active(builders, _active_name(timeout))

    if _UNKNOWN_FORMAT_FLAG not in output.stderr:
        raise _failed(output, "docker buildx ls --format json")

    plain = docker.probe(["buildx", "ls"], timeout=timeout)
    if plain.returncode != 0:
        raise _failed(plain, "docker buildx ls")
    names, active = parse_ls_table(plain.stdout)
    return _mark_active(_inspect_each(names, timeout), active)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def as_json(
    builders: Sequence[BuilderInfo], acceptance: Acceptance
) -> list[dict[str, Any]]:
    """The builders as plain JSON data, in buildx's order."""
    return [
        {
            "name": builder.name,
            "driver": builder.driver,
            "status": builder.status,
            "platforms": list(builder.platforms),
            "active": builder.active,
            "build": acceptance.build_accepts(builder),
            "push": acceptance.push_accepts(builder),
            "error": builder.error or None,
            "nodes": [
                {
                    "name": node.name,
                    "endpoint": node.endpoint,
                    "status": node.status,
                    "platforms": list(node.platforms),
                    "error": node.error or None,
                }
                for node in builder.nodes
            ],
        }
        for builder in builders
    ]


def render(builders: Sequence[BuilderInfo], acceptance: Acceptance) -> str:
    """A table for a person, then each error in full.

    One row per builder; a builder with several nodes gets a row for each.
    """
    rows: list[tuple[str, ...]] = []
    for builder in builders:
        rows.append(
            (
                builder.name,
                builder.driver,
                builder.status,
                ", ".join(builder.platforms),
                _yes(builder.active),
                _yes(acceptance.build_accepts(builder)),
                _yes(acceptance.push_accepts(builder)),
            )
        )
        if len(builder.nodes) > 1:
            rows += [
                (
                    f"  {node.name}",
                    node.endpoint,
                    ERROR if node.error else node.status,
                    ", ".join(node.platforms),
                    "",
                    "",
                    "",
                )
                for node in builder.nodes
            ]

    text = table.render(
        (
            "NAME/NODE",
            "DRIVER/ENDPOINT",
            "STATUS",
            "PLATFORMS",
            "ACTIVE",
            "BUILD",
            "PUSH",
        ),
        rows,
    )
    errors = [message for builder in builders for message in builder.errors]
    return "\n".join([text, *(["", "Errors:"] if errors else []), *errors])
