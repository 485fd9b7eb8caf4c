"""A throwaway registry (Debian's ``docker-registry``) and reads of its HTTP API."""

from __future__ import annotations

import json
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT = 15.0
HTTP_TIMEOUT = 10.0

INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
CACHE_CONFIG_TYPE = "application/vnd.buildkit.cacheconfig.v0"


@dataclass(frozen=True)
class RunningRegistry:
    """A registry process serving plain HTTP on ``address`` (host:port)."""

    address: str
    process: subprocess.Popen[bytes]
    storage: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def answers(address: str) -> bool:
    """Whether ``GET /v2/`` at ``address`` answers 200."""
    try:
        with urllib.request.urlopen(
            f"http://{address}/v2/", timeout=HTTP_TIMEOUT
        ) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _config(storage: Path, address: str) -> str:
    # JSON is YAML, and needs no quoting rules of its own.
    return json.dumps(
        {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {"filesystem": {"rootdirectory": str(storage / "data")}},
            "http": {"addr": address},
        }
    )


def _wait_until_up(registry: RunningRegistry, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if registry.process.poll() is not None:
            break
        if answers(registry.address):
            return
        time.sleep(0.1)
    raise RuntimeError(
        f"docker-registry did not answer on {registry.address}: "
        f"{log.read_text('utf-8', 'replace')[-2000:]}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def local_registry(binary: str) -> Iterator[RunningRegistry]:
    """Serve a registry on 127.0.0.1 with storage in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="stack-e2e-registry-") as folder:
        storage = Path(folder)
        address = f"127.0.0.1:{free_port()}"
        config = storage / "config.yml"
        config.write_text(_config(storage, address), "utf-8")
        log = storage / "registry.log"

        with log.open("wb") as sink:
            process = subprocess.Popen(
                [binary, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        registry = RunningRegistry(address, process, storage)
        try:
            _wait_until_up(registry, log)
            yield registry
        finally:
            _stop(process)


def manifest(address: str, repository: str, reference: str) -> dict[str, Any]:
    """The manifest or index that ``repository:reference`` names, as JSON."""
    request = urllib.request.Request(
        f"http://{address}/v2/{repository}/manifests/{reference}",
        headers={"Accept": ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))},
    )
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
        document: dict[str, Any] = json.load(response)
    return document


def platforms(index: dict[str, Any]) -> set[str]:
    """The ``os/architecture`` of each image in an index, less attestations."""
    found: set[str] = set()
    for entry in index.get("manifests", []):
        platform = entry.get("platform") or {}
        if platform.get("os", "unknown") != "unknown":
            found.add(f"{platform['os']}/{platform['architecture']}")
    return found


def is_index(document: dict[str, Any]) -> bool:
    """Whether a manifest document is an image index (a manifest list)."""
    return document.get("mediaType") in INDEX_TYPES or "manifests" in document


def holds_buildkit_cache(document: dict[str, Any]) -> bool:
    """Whether a manifest is a BuildKit registry cache export.

    BuildKit writes the cache config as an index entry, or (image-manifest=true)
    as the config of an image manifest.
    """
    entries = [entry.get("mediaType") for entry in document.get("manifests", [])]
    config = (document.get("config") or {}).get("mediaType")
    return CACHE_CONFIG_TYPE in [*entries, config]
