"""The sandboxed worker, driven through the judge's client: calls, handles, failures, limits."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from grader.course import Limits
from grader.errors import CodecError, RemoteError, WorkerFailure
from grader.judge.client import Remote, WorkerClient, WorkerOptions
from tests.conftest import write

pytestmark = pytest.mark.usefixtures("launcher_kind")  # every test twice: the default launcher, then the portable one

STUDENT = """
import os, sys, time

VALUE = (1, 2.5, "three")

def add(a, b):
    return a + b

def fail():
    raise ValueError("bad input")

class Custom(Exception):
    pass

def fail_custom():
    raise Custom("custom")

def sleep(seconds):
    time.sleep(seconds)
    return "woke"

def spin():
    while True:
        pass

def leave(how):
    if how == "exit":
        sys.exit(0)
    if how == "_exit":
        os._exit(3)
    if how == "interrupt":
        raise KeyboardInterrupt
    if how == "generator":
        raise GeneratorExit
    os.kill(os.getpid(), 9)

def chatter(n):
    print("x" * n)
    return n

def hog(mb):
    block = bytearray(mb * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(0.5)  # hold it: the judge samples memory every 50 ms
    return len(block)

def pid():
    return os.getpid()

def forge():
    # Write a fake "ok" reply straight into the channel socket, then return normally.
    import json, stat, struct
    doc = json.dumps({"msg": {"seq": 999, "ok": 42}, "blobs": []}).encode()
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, struct.pack("<4sIQ", b"GRD1", len(doc), 0) + doc)
        except OSError:
            pass
    return 0

class Counter:
    def __init__(self, start):
        self.count = start
    def bump(self):
        self.count += 1
        return self.count

def make_counter(start=0):
    return Counter(start)

def read(counter):
    return counter.count

def gen():
    yield 1
"""


def client_for(tmp_path: Path, source: str = STUDENT, **limits: float) -> WorkerClient:
    module = write(tmp_path / "sub" / "student.py", source)
    settings = {"call_timeout_s": 3.0, "check_timeout_s": 20.0, "import_timeout_s": 5.0} | limits
    return WorkerClient(WorkerOptions(module="student", files=[module], limits=Limits(**settings), scratch=tmp_path))


@pytest.fixture
def client(tmp_path: Path):
    with client_for(tmp_path) as c:
        c.begin_check()
        yield c


def test_the_launcher_asked_for_starts_the_worker(client, launcher_kind):
    assert client.call(0, "add", (1, 2), {}) == 3
    assert (client._pump is not None) == (launcher_kind == "portable"), "its output read by a thread: started portably"


def test_calls_and_plain_attributes(client):
    assert client.call(0, "add", (2, 3), {}) == 5
    assert client.getattr(0, "VALUE") == (1, 2.5, "three")
    assert client.call(0, "add", ([1], [2]), {}) == [1, 2]


def test_student_exceptions_keep_their_builtin_type(client):
    with pytest.raises(ValueError, match="bad input") as info:
        client.call(0, "fail", (), {})
    assert isinstance(info.value, RemoteError)
    assert 'student.py", line' in info.value.student_traceback
    with pytest.raises(Exception, match="custom") as info:
        client.call(0, "fail_custom", (), {})
    assert info.value.type_name == "Custom"


def test_objects_stay_in_the_worker_as_handles(client):
    counter = client.call(0, "make_counter", (5,), {})
    assert isinstance(counter, Remote) and counter.type_name == "student.Counter"
    assert counter.call_method("bump") == 6
    assert counter.count == 6  # plain attribute read
    assert client.call(0, "read", (counter,), {}) == 6  # a handle passed back as an argument
    generator = client.call(0, "gen", (), {})
    assert isinstance(generator, Remote)


def test_handles_do_not_survive_a_restart(client):
    counter = client.call(0, "make_counter", (), {})
    with pytest.raises(WorkerFailure):
        client.call(0, "leave", ("_exit",), {})
    client.end_check()
    client.begin_check()
    with pytest.raises(WorkerFailure, match="restarted"):
        counter.call_method("bump")


def test_hung_call_times_out_and_the_next_call_runs(client):
    started = time.monotonic()
    with pytest.raises(WorkerFailure) as info:
        client.call(0, "spin", (), {})
    assert info.value.status == "timeout"
    assert "spin() did not finish within 3 s" in info.value.message
    assert time.monotonic() - started < 6
    _, failure = client.end_check()
    assert failure is info.value
    client.begin_check()
    assert client.call(0, "add", (1, 1), {}) == 2


def test_worker_killed_mid_call_fails_the_call_and_restarts(client):
    worker_pid = client.call(0, "pid", (), {})
    threading.Timer(0.3, os.kill, (worker_pid, signal.SIGKILL)).start()
    with pytest.raises(WorkerFailure, match="killed by SIGKILL during sleep"):
        client.call(0, "sleep", (2,), {})
    client.end_check()
    client.begin_check()
    assert client.call(0, "pid", (), {}) != worker_pid


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("exit", "raised SystemExit"),
        ("_exit", "exited with status 3"),
        ("interrupt", "raised KeyboardInterrupt"),
        ("generator", "raised GeneratorExit"),
        ("kill", "killed by SIGKILL"),
    ],
)
def test_leaving_the_process_fails_the_check(client, how, expected):
    with pytest.raises(WorkerFailure, match=expected):
        client.call(0, "leave", (how,), {})
    _, failure = client.end_check()
    assert failure is not None and failure.status == "failed"


def test_a_failure_is_charged_to_the_check_even_if_swallowed(client):
    with contextlib.suppress(BaseException):  # a careless check that catches everything
        client.call(0, "leave", ("exit",), {})
    _, failure = client.end_check()
    assert failure is not None


def test_only_one_failure_per_check(client):
    with pytest.raises(WorkerFailure):
        client.call(0, "leave", ("_exit",), {})
    with pytest.raises(WorkerFailure, match="exited"):  # no restart inside the same check
        client.call(0, "add", (1, 2), {})


def test_check_budget_covers_all_calls_of_a_check(tmp_path):
    with client_for(tmp_path, check_timeout_s=1.5) as c:
        c.begin_check()
        c.call(0, "sleep", (0.8,), {})
        with pytest.raises(WorkerFailure, match="in total"):
            c.call(0, "sleep", (0.8,), {})


def test_memory_limit_is_enforced_from_outside(tmp_path):
    with client_for(tmp_path, memory_mb=200) as c:
        c.begin_check()
        assert c.call(0, "hog", (20,), {}) == 20 * 1024 * 1024
        with pytest.raises(WorkerFailure) as info:
            c.call(0, "hog", (600,), {})
        assert info.value.kind == "memory"
        assert "more than the 200 MB allowed" in info.value.message


def test_output_is_captured_and_capped(tmp_path):
    with client_for(tmp_path, output_bytes=1000) as c:
        c.begin_check()
        c.call(0, "chatter", (5000,), {})
        output, failure = c.end_check()
    assert failure is None
    assert output.startswith("x" * 1000)
    assert "more bytes of output not kept" in output


def test_korean_printed_by_a_student_reaches_the_report_as_written(tmp_path):
    """The worker writes UTF-8 whatever the system's code page (`-X utf8`: isolated mode ignores
    PYTHONIOENCODING). Without it, on Windows this print fails (cp1252) or comes back garbled (cp949)."""
    source = (
        "import sys\n"
        "def speak():\n"
        "    print('에포크 1, 손실 0.25 ✓')\n"
        "    print('경고', file=sys.stderr)\n"
        "    return [sys.flags.utf8_mode, sys.stdout.encoding, sys.stderr.encoding]\n"
    )
    with client_for(tmp_path, source=source) as c:
        c.begin_check()
        assert c.call(0, "speak", (), {}) == [1, "utf-8", "utf-8"]
        output, failure = c.end_check()
    assert failure is None
    assert "에포크 1, 손실 0.25 ✓" in output and "경고" in output


def test_megabytes_of_output_do_not_block_the_worker(tmp_path):
    with client_for(tmp_path, output_bytes=100) as c:
        c.begin_check()
        assert c.call(0, "chatter", (5_000_000,), {}) == 5_000_000


def test_a_forged_reply_is_refused_not_believed(client):
    with pytest.raises(WorkerFailure, match=r"refused|out of sequence"):
        client.call(0, "forge", (), {})


def test_import_failure_is_reported_once_and_remembered(tmp_path):
    with client_for(tmp_path, source="import os\nraise RuntimeError('broken at import')\n") as c:
        c.begin_check()
        with pytest.raises(WorkerFailure, match=r"importing student\.py raised RuntimeError: broken at import"):
            c.call(0, "anything", (), {})
        c.end_check()
        c.begin_check()
        started = time.monotonic()
        with pytest.raises(WorkerFailure, match="broken at import"):
            c.getattr(0, "x")
        assert time.monotonic() - started < 0.5  # not retried


def test_import_that_hangs_times_out(tmp_path):
    with client_for(tmp_path, source="while True:\n    pass\n", import_timeout_s=1.0) as c:
        c.begin_check()
        with pytest.raises(WorkerFailure) as info:
            c.getattr(0, "x")
    assert info.value.status == "timeout"


def test_the_worker_has_a_minimal_environment_and_no_stdin(tmp_path):
    source = (
        "import os, sys\n"
        "def env():\n    return sorted(os.environ)\n"
        "def user():\n    import getpass\n    return getpass.getuser()\n"
        "def ask():\n    return input()\n"
        "def path():\n    return sys.path[0]\n"
    )
    os.environ["GRADER_TEST_SECRET"] = "s3cret"
    try:
        with client_for(tmp_path, source=source) as c:
            c.begin_check()
            names = c.call(0, "env", (), {})
            assert c.call(0, "user", (), {}) == "student"  # no passwd entry for its uid: from the environment
            with pytest.raises(EOFError):
                c.call(0, "ask", (), {})
            workdir = c.call(0, "path", (), {})
    finally:
        del os.environ["GRADER_TEST_SECRET"]
    assert "GRADER_TEST_SECRET" not in names and "HOME" in names
    assert Path(workdir).name.startswith("run") and Path(workdir) != tmp_path / "sub"


def test_judge_refuses_to_send_objects_it_cannot_encode(client):
    with pytest.raises(CodecError):
        client.call(0, "add", (object(), 1), {})


def test_models_stay_in_the_worker_and_their_weights_come_back_as_tensors(tmp_path):
    import torch

    source = (
        "import torch\n"
        "def make():\n"
        "    torch.manual_seed(0)\n"
        "    return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))\n"
    )
    module = write(tmp_path / "sub" / "student.py", source)
    options = WorkerOptions(module="student", files=[module], preload=("torch",), scratch=tmp_path)
    with WorkerClient(options) as c:
        c.begin_check()
        model = c.call(0, "make", (), {})
        assert isinstance(model, Remote) and model.type_name == "torch.nn.modules.container.Sequential"
        weights = model.state_dict()
        output = model(torch.ones(4, 2))
    assert list(weights) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(type(t) is torch.Tensor for t in weights.values())
    torch.manual_seed(0)
    trusted = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    trusted.load_state_dict(weights)
    assert type(output) is torch.Tensor and torch.allclose(output, trusted(torch.ones(4, 2)))


def test_files_written_by_the_student_can_be_fetched(tmp_path):
    source = "def save(name, text):\n    open(name, 'w').write(text)\n"
    with client_for(tmp_path, source=source) as c:
        c.begin_check()
        c.call(0, "save", ("out.txt", "hello"), {})
        assert c.fetch("out.txt") == b"hello"
        with pytest.raises(FileNotFoundError):
            c.fetch("../../etc/passwd")
        with pytest.raises(FileNotFoundError):
            c.fetch("missing.txt")
        c.call(0, "save", ("big.txt", "x" * 100), {})
        with pytest.raises(ValueError, match="larger than"):
            c.fetch("big.txt", max_bytes=10)
