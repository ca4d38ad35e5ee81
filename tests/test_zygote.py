"""The zygote: forked judges and workers behave as fresh interpreters would, and die when they should."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader import zygote
from grader.course import Course, Limits
from grader.errors import WorkerFailure
from grader.judge.client import WorkerClient, WorkerOptions
from grader.messages import WorkerConfig
from grader.protocol import read_frame, write_frame
from grader.runner import JudgeRunner
from grader.sandbox import kill_group, minimal_env
from tests.conftest import write

pytestmark = pytest.mark.skipif(not zygote.supported(), reason="the zygote needs Linux")

STUDENT = """
import os, sys

def facts():
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[name] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # the listing's own descriptor, closed by now
    return {
        "ppid": os.getppid(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "fds": fds,
        "sid_is_pid": os.getsid(0) == os.getpid(),
        "argv": sys.argv[1:2],
        "isolated": sys.flags.isolated,
    }

def add(a, b):
    print("adding")
    return a + b

def fail():
    raise ValueError("bad input")

def leave(how):
    if how == "_exit":
        os._exit(3)
    os.kill(os.getpid(), signal_number())

def signal_number():
    import signal
    return signal.SIGKILL

def folders():
    import multiprocessing.process, tempfile
    import hypothesis.configuration
    import torch._dynamo.config, torch._dynamo.package
    import torchvision._internally_replaced_utils as vision

    cwd, home = os.getcwd(), os.environ["HOME"]
    found = {
        "tmp": tempfile.gettempdir(),
        "multiprocessing": multiprocessing.process.ORIGINAL_DIR,
        "hypothesis": getattr(hypothesis.configuration, "__hypothesis_home_directory_default"),
        "compile debug": torch._dynamo.config.debug_dir_root,
        "compile cache": torch._dynamo.package.DynamoCache.path_prefix(),
        "vision": vision._HOME,
    }
    uid = f"uid_{os.getuid()}"  # an isolated worker runs as a uid of its own (grader.isolation)
    return {k: str(v).replace(cwd, "CWD").replace(home, "HOME").replace(uid, "uid_UID") for k, v in found.items()}

def ask_zygote(path, cwd):
    from pathlib import Path
    from grader.errors import ZygoteError
    from grader.zygote import ZygoteClient
    try:
        ZygoteClient(Path(path)).spawn("grader.worker", ["x"], cwd=Path(cwd), env=dict(os.environ))
    except ZygoteError as exc:
        return str(exc)
    return "started"
"""


@pytest.fixture(scope="module")
def client() -> zygote.ZygoteClient:
    """This test process's zygote (the one every runner here shares), started when first needed."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(zygote.ENV_SWITCH, raising=False)
        mp.delenv(zygote.ENV_SOCKET, raising=False)
        found = zygote.shared()
    assert found is not None, zygote._shared_failure
    return found


def use(monkeypatch: pytest.MonkeyPatch, mode: str, client: zygote.ZygoteClient) -> None:
    """Route this test's judges and workers: "zygote", "fresh", or "unreachable" (falls back to fresh)."""
    monkeypatch.delenv(zygote.ENV_SWITCH, raising=False)
    monkeypatch.delenv(zygote.ENV_SOCKET, raising=False)
    if mode == "zygote":
        monkeypatch.setenv(zygote.ENV_SOCKET, str(client.socket_path))
    elif mode == "unreachable":
        monkeypatch.setenv(zygote.ENV_SOCKET, "/nonexistent/zygote.sock")
    else:
        monkeypatch.setenv(zygote.ENV_SWITCH, "0")


def worker(tmp_path: Path, source: str = STUDENT, call_timeout_s: float = 5.0, *, isolate: bool = True) -> WorkerClient:
    module = write(tmp_path / "sub" / "student.py", source)
    limits = Limits(call_timeout_s=call_timeout_s, check_timeout_s=max(20.0, call_timeout_s), import_timeout_s=5.0)
    options = WorkerOptions(module="student", files=[module], limits=limits, scratch=tmp_path, isolate=isolate)
    return WorkerClient(options)


def session(tmp_path: Path, source: str = STUDENT) -> tuple[dict, list]:
    """What a worker reports about itself, and what a short session of calls gives."""
    with worker(tmp_path, source) as c:
        c.begin_check()
        facts = c.call(0, "facts", (), {})
        transcript: list = [c.call(0, "add", (2, 3), {})]
        with pytest.raises(ValueError) as info:
            c.call(0, "fail", (), {})
        transcript.append(str(info.value))
        transcript.append(c.end_check())
        c.begin_check()
        with pytest.raises(WorkerFailure) as failure:
            c.call(0, "leave", ("_exit",), {})
        transcript.append(failure.value.message)
        c.end_check()
        c.begin_check()
        with pytest.raises(WorkerFailure) as failure:
            c.call(0, "leave", ("kill",), {})
        transcript.append(failure.value.message)
        c.end_check()
    return facts, transcript


# A worker with no limits, no isolation and nothing preloaded.
BARE_WORKER = WorkerConfig.bare()


def spawn_worker(client: zygote.ZygoteClient, home: Path) -> tuple[zygote.ZygoteProcess, socket.socket]:
    """A bare worker, asked for directly; returns once it has said hello."""
    ours, theirs = socket.socketpair()
    try:
        config = BARE_WORKER.to_json()
        proc = client.spawn(
            "grader.worker",
            [str(theirs.fileno()), str(os.getpid()), config],
            cwd=home,
            env=minimal_env(home),
            pass_fds=(theirs.fileno(),),
        )
    finally:
        theirs.close()
    hello, _ = read_frame(ours, max_bytes=1 << 16, deadline=time.monotonic() + 30)
    assert "hello" in hello
    return proc, ours


def close(proc: zygote.ZygoteProcess, sock: socket.socket) -> None:
    sock.close()
    if proc.stdout is not None:
        proc.stdout.close()


def gone(pid: int, within_s: float = 5.0) -> bool:
    """The process has ended (reaped, or a zombie nobody has reaped yet)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


def test_a_forked_worker_gives_the_same_results_as_a_fresh_one(tmp_path, monkeypatch, client):
    results = {}
    for mode in ("zygote", "fresh", "unreachable"):
        use(monkeypatch, mode, client)
        results[mode] = session(tmp_path / mode)
    facts = {mode: result[0] for mode, result in results.items()}
    transcripts = {mode: result[1] for mode, result in results.items()}
    assert transcripts["zygote"] == transcripts["fresh"] == transcripts["unreachable"]
    assert transcripts["zygote"][0] == 5 and transcripts["zygote"][2][0].strip() == "adding"
    assert "exited with status 3" in transcripts["zygote"][3]
    assert "killed by SIGKILL" in transcripts["zygote"][4]
    zygote_pid = facts["zygote"]["ppid"]
    assert zygote_pid != os.getpid() and facts["fresh"]["ppid"] == facts["unreachable"]["ppid"] == os.getpid()
    for mode, fact in facts.items():
        assert fact["sid_is_pid"] and fact["isolated"] == 1, mode
        assert Path(fact["cwd"]).name == "run1" and Path(fact["cwd"]).parent.parent == tmp_path / mode, mode


def test_the_environment_is_exactly_the_minimal_one(tmp_path, monkeypatch, client):
    monkeypatch.setenv("GRADER_TEST_SECRET", "s3cret")
    envs = {}
    for mode in ("zygote", "fresh"):
        use(monkeypatch, mode, client)
        env = session(tmp_path / mode)[0]["env"]
        assert env == minimal_env(Path(env["HOME"])), mode
        envs[mode] = {k: v for k, v in env.items() if k not in ("HOME", "TMPDIR")}
    assert envs["zygote"] == envs["fresh"]


def test_paths_libraries_derive_when_imported_follow_the_child(tmp_path, monkeypatch, client):
    found = {}
    for mode in ("zygote", "fresh"):
        use(monkeypatch, mode, client)
        with worker(tmp_path / mode, call_timeout_s=120.0) as c:  # a fresh one imports torch here
            c.begin_check()
            found[mode] = c.call(0, "folders", (), {})
    assert found["zygote"] == found["fresh"]
    assert found["zygote"]["hypothesis"] == "CWD/.hypothesis" and found["zygote"]["tmp"] == "HOME/tmp"


def test_no_descriptor_is_inherited_but_the_passed_ones(tmp_path, monkeypatch, client):
    use(monkeypatch, "zygote", client)
    busy, busy_sock = spawn_worker(client, tmp_path)  # the zygote holds its connection while forking the next
    try:
        fds = {}
        for mode in ("zygote", "fresh"):
            use(monkeypatch, mode, client)
            fds[mode] = session(tmp_path / mode)[0]["fds"]
    finally:
        kill_group(busy)
        close(busy, busy_sock)
    for mode, table in fds.items():
        channel = set(table) - {"0", "1", "2"}
        assert len(channel) == 1 and table[channel.pop()].startswith("socket:"), (mode, table)
        assert table["0"] == "/dev/null" and table["1"] == table["2"] and table["1"].startswith("pipe:"), mode
    assert sorted(fds["zygote"]) == sorted(fds["fresh"])


def test_exit_statuses_are_reported_like_popen(tmp_path, client):
    proc, sock = spawn_worker(client, tmp_path)
    write_frame(sock, {"op": "shutdown", "seq": 0})
    assert proc.communicate(timeout=10) == (b"", None) and proc.returncode == 0
    sock.close()

    proc, sock = spawn_worker(client, tmp_path)
    assert proc.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        proc.communicate(timeout=0.2)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(10) == -signal.SIGTERM
    close(proc, sock)

    broken = client.spawn("grader.worker", ["not-a-number"], cwd=tmp_path, env=minimal_env(tmp_path))
    out, _ = broken.communicate(timeout=30)
    assert broken.returncode == 1 and b"ValueError" in out


def test_every_waiting_thread_sees_the_status(tmp_path, client):
    proc, sock = spawn_worker(client, tmp_path)
    seen: list[int] = []
    waiters = [threading.Thread(target=lambda: seen.append(proc.wait(10))) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    kill_group(proc)  # as a batch's cancel() does while its runner threads wait on their judges
    for waiter in waiters:
        waiter.join(10)
    assert seen == [-signal.SIGKILL] * 3 and proc.returncode == -signal.SIGKILL
    close(proc, sock)


PRELOAD_PROBE = """
import os, sys, torch
calls = []
for name in ("_lazy_init", "init", "is_available", "device_count", "current_device", "synchronize"):
    original = getattr(torch.cuda, name)
    setattr(torch.cuda, name, lambda *a, _n=name, _o=original, **k: calls.append(_n) or _o(*a, **k))
from grader.course import find_course
from grader.zygote import PRELOAD
from grader.zygote.server import preload
preload([*(name for assignment in find_course() for name in assignment.preload), *PRELOAD])
print(calls, torch.cuda.is_initialized(), torch.get_num_threads(), len(os.listdir("/proc/self/task")))
"""


def test_preloading_touches_no_cuda_and_starts_no_thread(tmp_path):
    env = minimal_env(tmp_path)
    out = subprocess.run(
        [sys.executable, "-I", "-B", "-c", PRELOAD_PROBE], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[-2] == "[] False 1 1"


def test_a_child_dies_with_the_zygote(tmp_path):
    own = zygote.Zygote.start(preload=("grader.worker.server",))
    try:
        proc, sock = spawn_worker(own.client, tmp_path)
        os.kill(own.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
        assert gone(proc.pid)
        close(proc, sock)
    finally:
        own.close()
    assert not own.folder.exists()


def test_closing_the_zygote_stops_its_children(tmp_path):
    own = zygote.Zygote.start(preload=("grader.worker.server",))
    proc, sock = spawn_worker(own.client, tmp_path)
    own.close()
    assert proc.wait(10) == -signal.SIGKILL and gone(proc.pid)
    close(proc, sock)


def test_a_child_dies_when_its_requester_goes(tmp_path, client):
    proc, sock = spawn_worker(client, tmp_path)
    pid = proc.pid
    proc._close()  # what the kernel does to a judge's connection when the judge dies
    assert gone(pid)
    close(proc, sock)


def test_a_worker_may_not_ask_the_zygote_for_anything(tmp_path, monkeypatch, client):
    use(monkeypatch, "zygote", client)
    for isolate in (False, True):  # isolated, it does not even see the socket
        with worker(tmp_path / str(isolate), isolate=isolate) as c:
            c.begin_check()
            answer = c.call(0, "ask_zygote", (str(client.socket_path), str(tmp_path)), {})
        assert ("may not ask" if not isolate else "did not start") in answer


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"module": "os"}, "not a module the zygote starts"),
        ({"cwd": "relative"}, "no such folder"),
        ({"env": {"LANG": "fr_FR.UTF-8"}}, "locale differs"),
        ({"fds": [3, 4]}, "do not match"),
    ],
)
def test_malformed_requests_are_refused(tmp_path, client, change, reason):
    request = {"module": "grader.worker", "args": [], "cwd": str(tmp_path), "env": minimal_env(tmp_path), "fds": []}
    request |= change
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as conn:
        conn.settimeout(10)
        conn.connect(str(client.socket_path))
        read_end, write_end = os.pipe()
        socket.send_fds(conn, [json.dumps(request).encode()], [write_end])
        os.close(write_end)
        reply = json.loads(conn.recv(65536))
        os.close(read_end)
    assert reason in reply["error"]


CHECK = '''
import ctypes, json, os, sys
from pathlib import Path
import pytest

@pytest.mark.points(1)
def test_judge(submission, worker_client):
    """the judge is isolated, and its worker answers"""
    assert submission.add(1, 2) == 3
    facts = {
        "path_clean": "" not in sys.path and os.getcwd() not in sys.path
        and not any(p.startswith(STUDENT_DIR) for p in sys.path),
        "isolated": sys.flags.isolated,
        "dumpable": ctypes.CDLL(None).prctl(3, 0, 0, 0, 0),
        "env": sorted(os.environ),
        "ppid": os.getppid(),
        "worker_ppid": worker_client.call(0, "facts", (), {})["ppid"],
        "worker_pid": worker_client._proc.pid,
    }
    from grader.errors import ZygoteError
    from grader.zygote import ZygoteClient
    socket_path = os.environ.get("GRADER_ZYGOTE_SOCKET")
    if socket_path:
        try:
            ZygoteClient(Path(socket_path)).spawn("grader.judge", ["x"], cwd=Path.cwd(), env=dict(os.environ))
            facts["judge_for_judge"] = "started"
        except ZygoteError as exc:
            facts["judge_for_judge"] = str(exc)
    Path(FACTS).write_text(json.dumps(facts))
    if DIE:
        os.kill(os.getpid(), 9)
'''


def judge_facts(make_course, tmp_path: Path, *, die: bool = False, templates: bool = False):
    student = write(tmp_path / "student" / "demo.py", STUDENT).parent
    facts_path = tmp_path / "facts.json"
    public = f"STUDENT_DIR = {str(student)!r}\nFACTS = {str(facts_path)!r}\nDIE = {die}\n" + CHECK
    course = Course.load(make_course(public=public, points=1))
    with JudgeRunner(templates=templates) as runner:
        result = runner.run(course.get(1), student, scope="public")
        assert not runner.template_failures
    return result, json.loads(facts_path.read_text())


def test_a_forked_judge_is_isolated_like_a_fresh_one(make_course, tmp_path, monkeypatch, client):
    found = {}
    for mode in ("zygote", "template", "fresh"):
        use(monkeypatch, "zygote" if mode == "template" else mode, client)
        result, found[mode] = judge_facts(make_course, tmp_path / mode, templates=mode == "template")
        assert result.status == "graded" and result.score == 1, (mode, result.message, result.tests)
    for mode, facts in found.items():
        assert facts["path_clean"] and facts["isolated"] == 1 and facts["dumpable"] == 0, mode
    zygote_pid = found["zygote"]["ppid"]
    assert found["zygote"]["worker_ppid"] == zygote_pid != os.getpid()
    assert found["fresh"]["ppid"] == os.getpid()
    # forked by the template the zygote forked; its worker asked of the zygote all the same
    assert found["template"]["worker_ppid"] == zygote_pid != found["template"]["ppid"] != os.getpid()
    for mode in ("zygote", "template"):
        assert "may not ask for grader.judge" in found[mode]["judge_for_judge"]
    assert found["template"]["env"] == found["zygote"]["env"]
    assert set(found["zygote"]["env"]) - set(found["fresh"]["env"]) == {zygote.ENV_SOCKET}
    assert set(found["fresh"]["env"]) - set(found["zygote"]["env"]) == {zygote.ENV_SWITCH}


@pytest.mark.parametrize("templates", [False, True])
def test_a_worker_dies_with_its_judge(make_course, tmp_path, monkeypatch, client, templates):
    use(monkeypatch, "zygote", client)
    result, facts = judge_facts(make_course, tmp_path, die=True, templates=templates)
    assert result.status == "error" and "judge failed" in result.message
    assert gone(facts["worker_pid"])
