"""The launcher seam: a fresh interpreter, the zygote, and the one place that chooses."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import launch
from grader.sandbox import FreshProcess, minimal_env
from grader.zygote import ENV_SOCKET, ENV_SWITCH, ZygoteClient


def test_a_fresh_interpreter_runs_the_module_its_output_read_to_the_end(tmp_path):
    proc = launch.FreshLauncher().start("platform", [], cwd=tmp_path, env=minimal_env(tmp_path / "home"))
    assert isinstance(proc, FreshProcess)
    assert not proc.forked
    assert proc.read_output(timeout=60).strip()  # to its end: it may still be exiting
    assert proc.wait(timeout=60) == 0


@pytest.fixture
def started(monkeypatch) -> list[tuple[list[str], dict[str, str]]]:
    """What `grader.sandbox.launch` was asked to start, instead of starting it."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(launch, "launch", lambda argv, *, cwd, env, pass_fds: calls.append((argv, env)))
    return calls


def test_a_fresh_judge_is_told_not_to_start_a_zygote_and_a_worker_is_told_nothing(tmp_path, started):
    env = {"HOME": str(tmp_path)}
    launch.FreshLauncher().start("grader.judge", ["job.json"], cwd=tmp_path, env=env, may_ask_zygote=True)
    launch.FreshLauncher().start("grader.worker", ["3"], cwd=tmp_path, env=env)
    (judge_argv, judge_env), (_, worker_env) = started
    assert judge_argv[-4:] == ["-B", "-m", "grader.judge", "job.json"]
    assert judge_env == env | {ENV_SWITCH: "0"}
    assert worker_env == env


def test_a_zygote_that_refuses_gives_a_fresh_interpreter(tmp_path, started):
    gone = launch.ZygoteLauncher(ZygoteClient(tmp_path / "no.sock"))
    launch._ZygoteOrFresh(gone).start("grader.worker", ["3"], cwd=tmp_path, env={}, pass_fds=())
    assert started and started[0][0][-2:] == ["grader.worker", "3"]


def test_without_a_zygote_every_process_is_a_fresh_interpreter(monkeypatch):
    monkeypatch.delenv(ENV_SOCKET, raising=False)
    monkeypatch.setenv(ENV_SWITCH, "0")
    assert launch.zygote_launcher() is None
    assert isinstance(launch.launcher(), launch.FreshLauncher)


def test_a_judge_forked_by_a_zygote_asks_that_zygote(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_SOCKET, str(tmp_path / "z.sock"))
    forker = launch.zygote_launcher()
    assert forker is not None
    assert forker.client.socket_path == Path(tmp_path / "z.sock")
