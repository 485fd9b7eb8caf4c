from __future__ import annotations

import json
from pathlib import Path

import pytest

from stack_tasks.docker_config import current_context


def write_config(folder: Path, content: object) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(content))
    return {"DOCKER_CONFIG": str(folder)}


def test_docker_context_beats_the_config_file(tmp_path: Path) -> None:
    env = write_config(tmp_path, {"currentContext": "from-file"})

    assert current_context({**env, "DOCKER_CONTEXT": "desktop-linux"}) == (
        "desktop-linux"
    )


def test_the_config_file_names_the_context(tmp_path: Path) -> None:
    env = write_config(tmp_path, {"currentContext": "desktop-linux"})

    assert current_context(env) == "desktop-linux"


def test_docker_host_means_the_default_context(tmp_path: Path) -> None:
    env = write_config(tmp_path, {"currentContext": "desktop-linux"})

    assert current_context({**env, "DOCKER_HOST": "tcp://h:2375"}) == "default"


@pytest.mark.parametrize(
    "content",
    [None, {}, {"currentContext": ""}, {"currentContext": 3}, ["x"], "{broken"],
    ids=["no file", "no key", "empty", "not a string", "not an object", "not json"],
)
def test_anything_else_means_the_default_context(
    tmp_path: Path, content: object
) -> None:
    env = {"DOCKER_CONFIG": str(tmp_path)}
    if content == "{broken":
        (tmp_path / "config.json").write_text("{broken")
    elif content is not None:
        write_config(tmp_path, content)

    assert current_context(env) == "default"
