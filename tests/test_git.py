import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_subprocess import FakeProcess

from stack_tasks import git

from .conftest import BAKE, INSPECT, Result, inspect_output

Invoke = Callable[..., Result]
BUILD_BAKE = [*BAKE, "--builder", "default", "-f", "docker-bake.hcl", "--load"]

COMMITTED = "1700000000"


def run(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_COMMITTER_DATE": f"@{COMMITTED} +0000"}
    completed = subprocess.run(
        ["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


@pytest.fixture(autouse=True)
def no_git_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep git in the test's own folder: GIT_DIR and its kin point elsewhere.

    git sets them for the commands it runs itself, such as `rebase --exec`.
    """
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    run(folder, "init", "-q", "-b", "feature/login")
    run(folder, "config", "user.email", "t@example.com")
    run(folder, "config", "user.name", "T")
    (folder / "a.txt").write_text("a")
    run(folder, "add", "a.txt")
    run(folder, "commit", "-q", "-m", "a")
    return folder


def test_current_branch_names_the_checked_out_branch(repo: Path) -> None:
    assert git.current_branch(str(repo)) == "feature/login"


def test_current_branch_is_none_on_a_detached_head(repo: Path) -> None:
    run(repo, "checkout", "-q", "--detach")

    assert git.current_branch(str(repo)) is None


def test_revision_is_the_commit_of_a_clean_tree(repo: Path) -> None:
    assert git.revision(str(repo)) == run(repo, "rev-parse", "HEAD")


def test_revision_says_dirty_when_a_tracked_file_changed(repo: Path) -> None:
    (repo / "a.txt").write_text("b")

    assert git.revision(str(repo)) == run(repo, "rev-parse", "HEAD") + "-dirty"


def test_commit_time_is_the_commits_own_time(repo: Path) -> None:
    assert git.commit_time(str(repo)) == COMMITTED


def test_outside_git_nothing_is_known(tmp_path: Path) -> None:
    assert git.current_branch(str(tmp_path)) is None
    assert git.revision(str(tmp_path)) == "unknown"
    assert git.commit_time(str(tmp_path)) is None


def test_a_missing_git_is_the_same_as_outside_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(git, "GIT", str(tmp_path / "no-such-git"))

    assert git.revision() == "unknown"


def test_source_variables_come_from_the_commit(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)

    assert git.source_variables({}) == {
        "REVISION": run(repo, "rev-parse", "HEAD"),
        "SOURCE_DATE_EPOCH": COMMITTED,
    }


def test_source_variables_leave_the_users_own_values_alone(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)

    assert git.source_variables({"REVISION": "v1", "SOURCE_DATE_EPOCH": "1"}) == {}


def test_source_variables_outside_git_give_revision_unknown_and_no_epoch() -> None:
    assert git.source_variables({}) == {"REVISION": "unknown"}


def test_build_hands_bake_the_revision_and_the_commit_time(
    fp: FakeProcess, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REVISION")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    fp.register(INSPECT, stdout=inspect_output("default", "docker"))
    head = fp.register(
        ["git", "log", "-1", "--format=%H %ct"], stdout=f"abc {COMMITTED}\n"
    )
    fp.register(["git", "status", "--porcelain", "--untracked-files=no"], stdout="")
    bake = fp.register([*BUILD_BAKE, fp.any()])

    result = invoke("stack.build")

    assert result.code == 0, result.err
    assert head.call_count() == 1
    assert [next(iter(call)) for call in fp.calls].count("git") == 2
    call = bake.first_call
    assert call is not None and call.kwargs is not None
    env = call.kwargs["env"]
    assert (env["REVISION"], env["SOURCE_DATE_EPOCH"]) == ("abc", COMMITTED)
    assert f"REVISION=abc SOURCE_DATE_EPOCH={COMMITTED} docker buildx bake" in (
        result.err
    )
