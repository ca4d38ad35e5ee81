"""The portable launcher: what Windows and macOS get, proven on Linux.

The worker, command-line and known-wrong tests run a second time with it forced
(`tests.conftest.LAUNCHERS`); here: the choice of launcher, the loopback channel and its token,
`grader check` in processes where the POSIX-only names are gone, `grader grade` refusing, and the
CI workflow that runs `grader check` on Windows and macOS.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
import yaml

from grader import launch
from grader.channel import ENV_TOKEN, JudgeChannel, connect
from grader.cli import main
from grader.course import Course
from grader.errors import GradingNeedsLinux
from grader.grading import grade_class
from grader.isolation import Isolation
from grader.protocol import read_frame, write_frame
from tests.conftest import REPO

# --- which launcher ------------------------------------------------------------------------------


def test_the_portable_launcher_is_chosen_when_asked_or_where_linux_machinery_is_missing(monkeypatch):
    monkeypatch.setenv(launch.ENV_LAUNCHER, "portable")
    assert isinstance(launch.launcher(), launch.PortableLauncher)
    assert launch.zygote_launcher() is None, "no zygote is started for it"
    monkeypatch.delenv(launch.ENV_LAUNCHER)
    monkeypatch.setattr(launch, "linux_machinery", lambda: False)
    assert isinstance(launch.launcher(), launch.PortableLauncher)
    assert not launch.PortableLauncher.passes_descriptors


def test_a_judge_started_portably_starts_its_workers_portably(tmp_path, monkeypatch):
    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(launch, "launch", lambda argv, *, cwd, env, stdin=False: started.append((argv, env)))
    portable = launch.PortableLauncher()
    portable.start("grader.judge", ["job.json"], cwd=tmp_path, env={"HOME": "h"}, may_ask_zygote=True)
    portable.start("grader.worker", ["tcp:1"], cwd=tmp_path, env={"HOME": "h"})
    (judge_argv, judge_env), (_, worker_env) = started
    assert judge_argv[-4:] == ["-B", "-m", "grader.judge", "job.json"]
    assert judge_env[launch.ENV_LAUNCHER] == "portable" and worker_env == {"HOME": "h"}
    with pytest.raises(Exception, match="no descriptors"):
        portable.start("grader.worker", ["3"], cwd=tmp_path, env={}, pass_fds=(3,))


# --- the channel ---------------------------------------------------------------------------------


def test_only_a_connection_with_the_token_becomes_the_channel(monkeypatch):
    channel = JudgeChannel(descriptors=False)
    assert channel.arg.startswith("tcp:") and channel.pass_fds == ()
    assert channel.env[ENV_TOKEN] not in channel.arg, "the token is never on the command line"
    port = int(channel.arg.split(":")[1])
    impostors = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    impostors[0].sendall(b"GRDC" + b"0" * 64)  # a wrong token; the second says nothing and is timed out
    monkeypatch.setenv(ENV_TOKEN, channel.env[ENV_TOKEN])
    worker: list[socket.socket] = []
    thread = threading.Thread(target=lambda: worker.append(connect(channel.arg)))
    thread.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("grader.channel._PROOF_TIMEOUT_S", 0.3)
        judge = channel.accept(deadline=time.monotonic() + 30)
    thread.join()
    assert ENV_TOKEN not in os.environ, "the worker takes the token out of its environment"
    write_frame(worker[0], {"hello": 1})
    assert read_frame(judge, max_bytes=1024, deadline=time.monotonic() + 5) == ({"hello": 1}, [])
    for impostor in impostors:
        assert impostor.recv(1) == b"", "dropped"
        impostor.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)  # the listener is closed
    judge.close()
    worker[0].close()


def test_a_channel_nobody_connects_to_times_out_and_idles_meanwhile():
    channel = JudgeChannel(descriptors=False)
    calls: list[float] = []
    with pytest.raises(TimeoutError):
        channel.accept(deadline=time.monotonic() + 0.3, idle=lambda: calls.append(time.monotonic()))
    channel.close()
    assert calls


# --- grader check without POSIX --------------------------------------------------------------------

# Run as `python -I -B noposix.py [-I -X utf8 -B -S] (-m MODULE | -c CODE) ARGS`: takes away what Windows
# lacks, then runs the module or code as the interpreter would. The judge and the worker are started
# through it as well (it stands in for sys.executable), and each start is logged.
NO_POSIX = """
import os, signal, socket, sys
import shutil, subprocess, tempfile, threading  # (the standard library takes its Windows paths there)
sys.modules["resource"] = None
sys.modules["fcntl"] = None
del os.fork, socket.AF_UNIX, signal.SIGKILL
for name in {windows_lacks!r}:
    for module in (os, signal):
        if hasattr(module, name):
            delattr(module, name)
os.supports_dir_fd = set()  # no descriptor-relative calls, and no scandir of a descriptor
os.supports_fd = {{f for f in os.supports_fd if f is not os.scandir}}
sys.path.pop(0)  # this script's folder
sys.executable = {wrapper!r}
args = sys.argv[1:]
while args and args[0] in ("-I", "-B", "-S", "-E", "-s", "-u", "-X"):
    del args[: 2 if args[0] == "-X" else 1]  # -X takes a value: -X utf8
with open({log!r}, "a", encoding="utf-8") as fh:
    fh.write(" ".join(args[:2]) + "\\n")
if args[0] == "-m":
    import runpy
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = ["-c", *args[2:]]
    exec(compile(args[1], "<string>", "exec"), {{"__name__": "__main__"}})
"""


# Names of os and signal that Windows does not have and the grader's modules use.
WINDOWS_LACKS = (
    "O_DIRECTORY", "O_NOFOLLOW", "O_PATH", "O_CLOEXEC", "getuid", "geteuid", "getgid", "setgroups", "setresuid",
    "statvfs", "chown", "setsid", "getpgid",
    "SIGCHLD", "SIGHUP", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGPIPE", "alarm", "setitimer", "pthread_kill",
)  # fmt: skip


@pytest.mark.skipif(sys.platform != "linux", reason="takes Linux's names away to stand for Windows")
def test_grader_check_runs_where_resource_fcntl_fork_af_unix_and_sigkill_are_missing(tmp_path):
    bin_dir, work = tmp_path / "bin", tmp_path / "work"
    bin_dir.mkdir()
    work.mkdir()
    wrapper, log = bin_dir / "python", tmp_path / "started.log"
    shim = NO_POSIX.format(wrapper=str(wrapper), log=str(log), windows_lacks=WINDOWS_LACKS)
    (bin_dir / "noposix.py").write_text(shim, encoding="utf-8")
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -B "{bin_dir / "noposix.py"}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    shutil.copy(REPO / "reference" / "01_gates" / "gates.py", work / "gates.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    proc = subprocess.run(
        [str(wrapper), "-m", "grader", "check", "1"], cwd=work, capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Score: 12/12 on public checks (9 of 9 passed)" in proc.stdout
    assert "no Linux process machinery" in proc.stderr, "the warning says why nothing is isolated"
    started = log.read_text(encoding="utf-8").split("\n")
    assert {"-m grader", "-m grader.judge", "-m grader.worker"} <= set(started), started


def test_grader_grade_refuses_where_linux_machinery_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("grader.grading.linux_machinery", lambda: False)
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    assert main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--insecure"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: grader grade runs on Linux only") and "grader check works here" in err
    assert err.count("\n") == 1 and not (tmp_path / "out").exists()
    with pytest.raises(GradingNeedsLinux):  # the library refuses too, whoever calls it
        grade_class(course=Course.load(REPO), submissions=tmp_path / "subs", out=tmp_path / "out", insecure=True)


def test_where_memory_cannot_be_measured_the_isolation_line_says_so():
    assert "no memory limit" in Isolation(reason="win32: no namespaces", memory="none").describe()
    assert "memory" not in Isolation(reason="win32: no namespaces", memory="sampling").describe()


# --- the workflow that runs grader check on Windows and macOS --------------------------------------

WORKFLOW = REPO / ".github" / "workflows" / "check.yml"


def test_the_workflow_checks_the_references_on_windows_and_macos():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "pull_request" in triggers
    (job,) = workflow["jobs"].values()
    matrix = job["strategy"]["matrix"]
    assert set(matrix["os"]) == {"windows-latest", "macos-latest"}
    assert {str(v) for v in matrix["python-version"]} == {"3.11", "3.13"}
    assert job["runs-on"] == "${{ matrix.os }}"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "download.pytorch.org/whl/cpu" in runs and "mlxtend" in runs
    assert "grader check --all --dir work" in runs
    for assignment in Course.load(REPO):  # every file each assignment needs, from its reference
        for name in (*assignment.files, *assignment.checkpoints):
            assert f"reference/{assignment.label}/{name}" in runs, name
    assert any("setup-python" in step.get("uses", "") for step in job["steps"])
