"""A build that fails for real ends with bake's status and buildx's own error."""

from __future__ import annotations

from pathlib import Path

from .sandbox import Sandbox, output

BROKEN_BAKE_FILE = """\
variable "REGISTRY" {{
  default = "localhost:5000/flowmesh"
}}

variable "TAG" {{
  default = "dev"
}}

target "broken" {{
  context = "{context}"
  tags    = ["${{REGISTRY}}/broken:${{TAG}}"]
}}

group "default" {{
  targets = ["broken"]
}}
"""


def test_a_broken_dockerfile_fails_with_the_status_and_error_of_bake(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    context = tmp_path / "broken"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\nCOPY missing-file /x\n")
    bake_file = tmp_path / "docker-bake.hcl"
    bake_file.write_text(BROKEN_BAKE_FILE.format(context=context))

    done = sandbox.invoke(
        "stack.build", "--bake-file", str(bake_file), *sandbox.image_flags
    )
    bake = sandbox.run(
        ["docker", "buildx", "bake", "--builder", "default", "-f", str(bake_file)],
        env={"REGISTRY": sandbox.namespace, "TAG": sandbox.tag},
    )

    assert bake.returncode != 0
    assert done.returncode == bake.returncode
    assert "ERROR: failed to solve" in done.stderr
    assert '"/missing-file" not found' in done.stderr
    assert "Traceback" not in output(done)
    assert "Error: " not in done.stderr
    assert sandbox.our_images() == []


def test_an_unreachable_daemon_is_one_error_line_for_each_task(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    nowhere = {"DOCKER_HOST": f"unix://{tmp_path / 'no-daemon.sock'}"}

    for args in (["stack.build"], ["--dry", "stack.push"]):
        done = sandbox.invoke(*args, env=nowhere)

        assert done.returncode == 1, output(done)
        assert done.stderr.startswith("Error: the Docker daemon cannot be reached")
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in output(done)
