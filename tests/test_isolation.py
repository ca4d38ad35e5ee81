"""Worker isolation (grader.isolation): what the probe finds, what a worker can and cannot reach,
and how grading behaves on a machine without isolation. The attacks in tests/attacks/ go
through the whole grader; these look at the mechanism itself."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import isolation
from grader.course import Course, Limits
from grader.errors import InsecureGrading, SandboxError, WorkerFailure
from grader.grading import grade_class
from grader.isolation import Isolation, probe
from grader.judge.client import WorkerClient, WorkerOptions
from grader.runner import JudgeRunner
from tests.conftest import REPO, write

linux_root = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0, reason="full isolation needs root on Linux"
)

SNOOP = """
import json, os, socket, subprocess, sys, time
COURSE = ["%s/reference/01_gates/gates.py", "%s/assignments/01_gates/checks/hidden", "%s/tests"]

def look(secret_folder, marker):
    seen = {"uid": os.getuid(), "cwd": os.getcwd()}
    seen["secret_visible"] = os.path.exists(secret_folder)
    seen["course_visible"] = [p for p in COURSE if os.path.exists(p)]
    seen["tmp"] = sorted(os.listdir("/tmp"))
    seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        seen["network"] = "reachable"
    except OSError as exc:
        seen["network"] = type(exc).__name__
    try:
        os.kill(1, 0)
        seen["signal_init"] = "allowed"
    except OSError as exc:
        seen["signal_init"] = type(exc).__name__
    with open("written.txt", "w") as fh:
        fh.write("x")
    # a grandchild that leaves the worker's session and would live on
    subprocess.Popen([sys.executable, "-c", f"import os, time; os.setsid(); time.sleep(600)  # {marker}"])
    time.sleep(0.3)
    return json.dumps(seen)
"""


def _processes_with(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(name))
    return found


def _wait_until_gone(marker: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_isolation_describes_what_is_missing():
    none = Isolation(reason="not Linux")
    assert none.level == "none" and not none.sufficient_for_grading
    assert "no network access" in none.describe() and "(not Linux)" in none.describe()
    partial = Isolation(network=True, filesystem=True, reason="not root")
    assert partial.level == "partial" and partial.sufficient_for_grading
    assert partial.missing() == ["uid", "kill_all"]
    full = Isolation(network=True, filesystem=True, uid=True, kill_all=True)
    assert full.level == "full" and full.describe().startswith("full isolation")
    recorded = isolation.describe(partial.to_dict() | {"insecure": True})
    assert recorded.startswith("partial isolation") and recorded.endswith("(graded with --insecure)")
    assert isolation.describe({}) == ""


def test_outermost():
    assert isolation._outermost(["/a/b", "/a", "/c/d", "/c/d/e", "/a"]) == ["/a", "/c/d"]


def test_the_worker_needs_its_libraries_not_the_checkout_they_were_installed_from():
    needed = isolation._needed()
    package = str(Path(isolation.__file__).resolve().parent)
    assert any(isolation._within(package, n) for n in needed)
    assert os.path.realpath(sys.prefix) in needed or any(isolation._within(sys.prefix, n) for n in needed)
    assert str(REPO) not in needed  # an editable install's checkout is the course itself: hidden


@linux_root
def test_probe_finds_full_isolation_as_root():
    found = probe()
    assert found.level == "full", found.describe()


def test_a_probe_started_early_is_the_one_probe_waits_for(monkeypatch):
    children = []
    real_run = subprocess.run

    def counted(command, **kwargs):
        children.append(command)
        time.sleep(0.2)  # a slow machine: probe() is called while the child still runs
        return real_run(command, **kwargs)

    monkeypatch.setattr(isolation, "_probed", None)
    monkeypatch.setattr(isolation, "_probing", None)
    monkeypatch.setattr(isolation.subprocess, "run", counted)
    monkeypatch.delenv("GRADER_ISOLATION", raising=False)
    isolation.probe_soon()
    isolation.probe_soon()  # a second call starts nothing more
    found = probe()
    assert found is probe() is isolation._probed
    assert isolation._probing is not None and not isolation._probing.is_alive()
    assert len(children) == (1 if isolation.linux_machinery() else 0)


@linux_root
def test_a_worker_sees_nothing_of_the_machine_and_leaves_nothing_running(tmp_path):
    secret = tmp_path / "secret"
    write(secret / "hidden_check.py", "ANSWER = 42\n")
    student = write(tmp_path / "submissions" / "alice" / "snoop.py", SNOOP.replace("%s", str(REPO)))
    marker = f"grader-isolation-test-{os.getpid()}-{time.monotonic_ns()}"
    options = WorkerOptions(module="snoop", files=[student], private=(secret, REPO), scratch=tmp_path)
    with WorkerClient(options) as client:
        client.begin_check()
        seen = json.loads(client.call(0, "look", (str(secret), marker), {}))
        client.end_check()
        assert client.isolation["level"] == "full"
        workdir = Path(seen["cwd"])
        survivors = _processes_with(marker)
        assert survivors, "the grandchild should be running until the worker stops"
    assert seen["uid"] >= isolation.UID_BASE
    assert seen["secret_visible"] is False
    assert seen["course_visible"] == [], "the course checkout is hidden, the grader package and venv in it are not"
    assert seen["network"] in ("OSError", "ConnectionRefusedError") and seen["network"] != "reachable"
    assert seen["signal_init"] in ("ProcessLookupError", "PermissionError")
    assert len(seen["pids"]) <= 3, seen["pids"]  # itself, the grandchild, maybe a shell: nobody else's
    # a fresh /tmp: only the way to its own folder (and to the venv, where the checkout is under /tmp)
    allowed = {workdir.relative_to("/tmp").parts[0]}
    allowed |= {Path(n).relative_to("/tmp").parts[0] for n in isolation._needed() if n.startswith("/tmp/")}
    assert set(seen["tmp"]) <= allowed
    assert not (workdir / "written.txt").exists(), "the student's writes must stay in its tmpfs"
    _wait_until_gone(marker)
    assert not _processes_with(marker), "a setsid grandchild outlived its worker"


def test_grading_refuses_without_isolation_unless_insecure(tmp_path):
    course = Course.load(REPO)
    submissions = tmp_path / "submissions"
    (submissions / "bob").mkdir(parents=True)  # nothing submitted: ungradable, quickly
    runner = JudgeRunner()
    weak = Isolation(reason="a test machine")
    batch = {"course": course, "submissions": submissions, "out": tmp_path / "out", "assignment_ids": [2]}
    with pytest.raises(InsecureGrading, match="--insecure"):
        grade_class(**batch, runner=runner, isolation=weak)
    assert not (tmp_path / "out").exists(), "nothing may be written before the refusal"
    run = grade_class(**batch, runner=runner, isolation=weak, insecure=True)
    assert run.isolation["insecure"] is True and run.isolation["level"] == "none"
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert saved["isolation"]["reason"] == "a test machine"
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "graded with --insecure" in index
    student = next((tmp_path / "out" / "students").glob("*.html")).read_text(encoding="utf-8")
    assert "graded with --insecure" in student


def test_grade_help_explains_insecure(capsys):
    from grader.cli import main

    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--insecure" in text and "SECURITY.md" in text


def test_a_worker_without_the_isolation_the_judge_requires_is_a_grader_error(tmp_path):
    student = write(tmp_path / "alice" / "plain.py", "def f():\n    return 1\n")
    options = WorkerOptions(module="plain", files=[student], isolate=False, require=("network", "filesystem"))
    with WorkerClient(options) as client:
        client.begin_check()
        with pytest.raises(SandboxError, match="without network, filesystem isolation"):
            client.call(0, "f", (), {})


@linux_root
def test_processes_of_a_worker_die_with_it_even_when_its_judge_is_killed(make_course, tmp_path):
    """The judge hangs and is killed from outside: the zygote sweeps the worker's uid when it reaps it."""
    marker = f"grader-orphan-test-{os.getpid()}-{time.monotonic_ns()}"
    root = make_course(
        public=f'''
        import time
        import pytest

        @pytest.mark.points(1)
        def test_spawn(submission):
            """spawns, then the judge hangs"""
            submission.spawn("{marker}")
            time.sleep(600)
        ''',
        points=1,
        limits="call_timeout_s = 5\ncheck_timeout_s = 10\nimport_timeout_s = 5\njudge_timeout_s = 4",
    )
    folder = write(
        tmp_path / "alice" / "demo.py",
        """
        import subprocess, sys, time
        def spawn(marker):
            subprocess.Popen([sys.executable, "-c", f"import os, time; os.setsid(); time.sleep(600)  # {marker}"])
            time.sleep(0.3)
        """,
    ).parent
    result = JudgeRunner().run(Course.load(root).get(1), folder, scope="public")
    assert result.status == "error" and "longer than" in result.message
    _wait_until_gone(marker)
    assert not _processes_with(marker), "a setsid grandchild outlived its killed judge"


UNSHARE = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
UNPRIVILEGED = """
import ctypes, json, os, sys
from pathlib import Path
from grader.course import Limits
from grader.errors import WorkerFailure
from grader.judge.client import WorkerClient, WorkerOptions

student, secret = Path(sys.argv[1]), Path(sys.argv[2])
options = WorkerOptions(module="escape", files=[student], private=(secret,))
with WorkerClient(options) as client:
    client.begin_check()
    seen = json.loads(client.call(0, "escape", (str(secret),), {}))
    print(json.dumps({"seen": seen, "isolation": client.isolation}))
"""

ESCAPE = """
import ctypes, json, os, socket

def escape(secret):
    libc = ctypes.CDLL(None, use_errno=True)
    seen = {"uid": os.getuid(), "before": os.path.exists(secret)}
    seen["umount"] = libc.umount2(secret.encode(), 2)  # MNT_DETACH: the mask over the secret folder
    libc.unshare(0x00020000 | 0x10000000)  # a user and mount namespace of its own, then again
    seen["umount_nested"] = libc.umount2(secret.encode(), 2)
    seen["after"] = os.path.exists(secret)
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        seen["network"] = True
    except OSError:
        seen["network"] = False
    return json.dumps(seen)
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
    reason="needs Linux, root (to become another user) and util-linux's unshare",
)
def test_without_root_user_namespaces_still_hide_files_and_network(tmp_path):
    """As another user (here: uid 1000 in a user namespace) the worker gets network and filesystem
    isolation inside a user namespace, and the mounts hiding private folders are locked."""
    secret = tmp_path / "secret"
    write(secret / "answers.py", "ANSWER = 42\n")
    student = write(tmp_path / "alice" / "escape.py", ESCAPE)
    done = subprocess.run(
        [*UNSHARE, sys.executable, "-c", UNPRIVILEGED, str(student), str(secret)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GRADER_ZYGOTE": "0"},
    )
    if done.returncode != 0 and "unshare failed" in done.stderr:
        pytest.skip(f"user namespaces are not allowed here: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    seen, found = report["seen"], report["isolation"]
    assert found["level"] == "partial" and found["network"] and found["filesystem"] and not found["uid"]
    assert seen["uid"] == 1000
    assert seen["before"] is False and seen["after"] is False, "the secret folder became visible"
    assert seen["umount"] == -1 and seen["umount_nested"] == -1
    assert seen["network"] is False


FAMILY = """
import os, time

def pid():
    return os.getpid()

def bomb(children, megabytes):
    for _ in range(children):
        if os.fork() == 0:
            block = bytearray(megabytes * 1024 * 1024)  # touched: zero pages are written
            for i in range(0, len(block), 4096):
                block[i] = 1
            time.sleep(600)
            os._exit(0)
    time.sleep(600)
"""


@linux_root
def test_memory_of_the_processes_a_worker_starts_counts_against_its_limit(tmp_path):
    """Each child stays under the per-process limit; together they are over it."""
    student = write(tmp_path / "alice" / "family.py", FAMILY)
    options = WorkerOptions(
        module="family", files=[student], limits=Limits(memory_mb=300, call_timeout_s=30), scratch=tmp_path
    )
    with WorkerClient(options) as client:
        client.begin_check()
        uid = isolation.uid_for(client.call(0, "pid", (), {}))
        with pytest.raises(WorkerFailure) as info:
            client.call(0, "bomb", (4, 120), {})
        assert info.value.kind == "memory", info.value.message
    assert "more than the 300 MB allowed" in info.value.message
    assert isolation.pids_of(uid) == [], "every process of the worker is gone"


def test_check_says_plainly_what_protection_is_missing(tmp_path, monkeypatch, capsys):
    import grader.cli

    monkeypatch.setattr(grader.cli, "probe", lambda: Isolation(network=True, reason="a laptop"))
    code = grader.cli.main(["check", "1", "--dir", str(tmp_path), "--report-dir", str(tmp_path / "report")])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0  # nothing submitted
    assert "warning: your code runs with partial isolation" in err
    assert "a file system of its own" in err and "(a laptop)" in err


def test_only_grading_that_needed_insecure_is_recorded_as_such(tmp_path):
    """Network and file isolation without a uid of its own (no root) is enough to grade."""
    course = Course.load(REPO)
    submissions = tmp_path / "submissions"
    (submissions / "bob").mkdir(parents=True)
    enough = Isolation(network=True, filesystem=True, reason="not root: no uid of its own")
    run = grade_class(
        course=course, submissions=submissions, out=tmp_path / "out", assignment_ids=[2], isolation=enough
    )
    assert run.isolation["level"] == "partial" and "insecure" not in run.isolation
    assert "--insecure" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


MASKED = """
import json, os, sys
from grader.isolation import enter
keep, share, secret = sys.argv[1:4]
got = enter(keep=[keep], share=[share], private=[secret])
print(json.dumps({"level": got.level, "shared": sorted(os.listdir(share)), "secret": os.listdir(secret)}))
"""


@linux_root
def test_a_private_folder_inside_what_the_worker_sees_is_masked(tmp_path):
    """The course, say, inside a folder the worker is given: it shows up empty."""
    keep, share = tmp_path / "keep", tmp_path / "share"
    keep.mkdir()
    write(share / "data.txt", "for the student\n")
    write(share / "course" / "answers.py", "ANSWER = 42\n")
    done = subprocess.run(
        [sys.executable, "-I", "-c", MASKED, str(keep), str(share), str(share / "course")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=keep,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["level"] == "full"
    assert seen["shared"] == ["course", "data.txt"] and seen["secret"] == []


HALF_DEAD = '''
import os, subprocess, sys, time

CODE = """
import ctypes, os, threading, time
os.setsid()
threading.Thread(target=time.sleep, args=(600,)).start()
ctypes.CDLL(None).pthread_exit(None)  # its first thread ends: it shows as a zombie, the other runs on
"""

def start():
    pid = subprocess.Popen([sys.executable, "-c", CODE]).pid
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                return pid
        time.sleep(0.02)
    return -pid
'''


def _live_threads(pid: int) -> int:
    alive = 0
    for tid in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        try:
            state = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        alive += state not in ("Z", "X")
    return alive


@linux_root
def test_a_process_whose_first_thread_ended_is_not_taken_for_dead(tmp_path):
    """Its first thread gone, a process shows as a zombie while its other threads run: sweep kills it."""
    student = write(tmp_path / "alice" / "half.py", HALF_DEAD)
    options = WorkerOptions(module="half", files=[student], limits=Limits(call_timeout_s=30), scratch=tmp_path)
    with WorkerClient(options) as client:
        client.begin_check()
        pid = client.call(0, "start", (), {})
        client.end_check()
        assert pid > 0 and _live_threads(pid) == 1, "the process should be a zombie with one thread running"
    try:
        deadline = time.monotonic() + 5
        while _live_threads(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _live_threads(pid) == 0, "a thread of the worker's outlived it"
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
