"""The attack suite of issue 6: malicious submissions graded in one batch beside honest students.

Every folder of `submissions/` is one attack: the student's files (usually the skeleton, which
scores 0, plus one trick) and `expected.toml` stating the outcome: `assignment`, `description`,
`max_score` (points it may get at most: any point more is the trick working), `status`
(`graded` or `ungradable`; never `error`), `feedback_contains` (phrases the student's report
must show, case-insensitive; a list inside it is a choice of phrases), `requires` (isolation
features of `grader.isolation.probe()` the expectation depends on), and optionally
`student_name`, `rename` (files renamed when the batch is laid out: a conftest.py is never
stored as one here) and `zip` (a .zip built at run time).

All attacks are graded by ONE `grade_class` call (workers=2) together with an honest student (the
references) and the example class, on assignments 1 and 2: that batch is also the acceptance
test's "attacks mixed with the example class", compared with the example class graded alone.

An attack whose `requires` names a feature this machine lacks is not graded at all (its test is
skipped with the reason): without that isolation it would damage the rest of the batch (kill the
judges, overwrite the reports). `ATTACKS_RUN_ALL=1` grades them anyway, to see what they do;
`ATTACKS_ONLY=a,b` grades only those attacks (with the honest students), `ATTACKS_EXCLUDE=a,b`
all but those.

Each attack is given `attack_env.py` (TOKEN, MARK, the grader's pid, the listener's ports, a
guess of the report folder). Processes an attack leaves are named MARK (/proc/PID/comm) and files
it leaves carry MARK in their names, so the test finds what survived grading; whatever it finds
is removed at the end. An attack that gets what it must not prints ATTACK-SUCCEEDED, which must
appear nowhere in the results. The attacks that search /proc only look at the test run's own
processes (the grader's and its descendants), so nothing else on the machine is touched.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import tarfile
import threading
import time
import tomllib
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.course import Course
from grader.folders import remove_tree
from grader.grading import _report_name, grade_class
from tests.conftest import REPO

HERE = Path(__file__).resolve().parent
ATTACKS_DIR = HERE / "submissions"
EXAMPLES = REPO / "examples" / "submissions"
IDS = [1, 2]
FEATURES = ("network", "filesystem", "uid", "kill_all", "cgroup")  # cgroup: memory counted by the kernel
STATUSES = ("graded", "ungradable")
LEAK = "ATTACK-" + "SUCCEEDED"
HONEST = "honest-reference"
OUTPUT_CAP = 65536  # Limits.output_bytes: what a check keeps of the student's output
GRADER_FILES = {"students", "results.json", "index.html", "gradebook.csv", ".cache"}
MARKUP = ("<script>alert", "<img src=x", "<svg onload")
SECRET_NAME = "GRADER_TEST_SECRET"
MAX_WALK_DEPTH = 40  # folders below each searched root that are looked into for files an attack left


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    name: str
    folder: Path
    spec: dict[str, Any]
    code: str  # two characters: what its processes and files are named after

    @property
    def student(self) -> str:
        """The name of its folder (or archive) in the submissions folder: any bytes a student picks."""
        return str(self.spec.get("student_name", self.name))

    @property
    def shown(self) -> str:
        """That name as results and reports show it (cleaned)."""
        from grader.results import clean_name

        return clean_name(self.student)

    @property
    def assignment(self) -> int:
        return int(self.spec["assignment"])

    @property
    def requires(self) -> list[str]:
        return list(self.spec.get("requires", []))


def _catalogue() -> list[Attack]:
    folders = sorted(p for p in ATTACKS_DIR.iterdir() if (p / "expected.toml").is_file())
    return [
        Attack(p.name, p, tomllib.loads((p / "expected.toml").read_text(encoding="utf-8")), f"{i:02d}")
        for i, p in enumerate(folders)
    ]


ATTACKS = _catalogue()
BY_NAME = {a.name: a for a in ATTACKS}
NAMES = [a.name for a in ATTACKS]


def _probe() -> tuple[set[str], str]:
    """The isolation features this machine gives a worker, and a line saying what is missing."""
    try:
        from grader import isolation  # type: ignore[attr-defined]
    except ImportError:
        return set(), "grader.isolation does not exist yet"
    try:
        found = isolation.probe()
    except Exception as exc:  # the probe itself failing is reported, not fatal to the suite
        return set(), f"grader.isolation.probe() failed: {type(exc).__name__}: {exc}"
    present = {f for f in FEATURES if getattr(found, f, False) is True}
    if str(getattr(found, "memory", "")).startswith("cgroup"):
        present.add("cgroup")
    missing = list(found.missing()) if hasattr(found, "missing") else sorted(set(FEATURES) - present)
    return present, "this machine lacks: " + (", ".join(missing) or "nothing")


# --- what an attack is given ---------------------------------------------------------------------

ENV_TEMPLATE = '''"""Written by tests/attacks/test_attacks.py for one run: what this attack is told."""

import os

TOKEN = {token!r}
CODE = {code!r}
MARK = "atk" + TOKEN + CODE
GRADER_PID = {grader_pid}
TCP_PORT = {tcp_port}
UDP_PORT = {udp_port}
OUT = {out!r}


def succeeded(detail):
    """The attack got something it must not: say so where the report shows it."""
    print("ATTACK-" + "SUCCEEDED " + MARK + ": " + str(detail)[:400], flush=True)


def name_process():
    """Make this process findable by the test (/proc/PID/comm), whatever its command line."""
    try:
        with open("/proc/self/comm", "w") as fh:
            fh.write(MARK)
    except OSError:
        pass


def cmdline(pid):
    try:
        with open(f"/proc/{{pid}}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _parent(pid):
    try:
        with open(f"/proc/{{pid}}/stat", "rb") as fh:
            data = fh.read()
        return int(data[data.rindex(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def grader_processes(include_grader=False):
    """The grader's process (with include_grader) and its descendants that this process can see,
    never this process or its own descendants. A real attack would take every pid it sees; the suite
    keeps to the test run's own processes so that nothing else on the machine is touched."""
    parents = {{int(p): _parent(int(p)) for p in os.listdir("/proc") if p.isdigit()}}

    def tree(root):
        found, frontier = {{root}}, [root]
        while frontier:
            current = frontier.pop()
            for pid, parent in parents.items():
                if parent == current and pid not in found:
                    found.add(pid)
                    frontier.append(pid)
        return found

    if GRADER_PID not in parents:
        return []
    ours = tree(GRADER_PID) - tree(os.getpid())
    if not include_grader:
        ours.discard(GRADER_PID)
    return sorted(ours)
'''


class Listener:
    """A TCP and a UDP socket on 127.0.0.1 recording whatever reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.received: list[tuple[str, bytes]] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._accept, daemon=True),
            threading.Thread(target=self._recv, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def ports(self) -> tuple[int, int]:
        return self.tcp.getsockname()[1], self.udp.getsockname()[1]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
            self.received.append(("tcp", data or b"(connected)"))

    def _recv(self) -> None:
        while not self._stop.is_set():
            try:
                data, _ = self.udp.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            self.received.append(("udp", data))

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        self.tcp.close()
        self.udp.close()


# --- zip submissions, built at run time ----------------------------------------------------------


def _raw_zip(entries: list[tuple[str, bytes, int, int, int, int]], *, utf8: bool = False) -> bytes:
    """A zip written by hand: (name, stored data, method, crc, declared size, unix mode) per entry,
    so that sizes, CRCs and names can lie as an attacker's would."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, size, mode in entries:
        offset = out.tell()
        raw = name.encode("utf-8")
        flags = 0x800 if utf8 else 0  # the name is UTF-8
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0, crc, len(data), size, len(raw), 0))
        out.write(raw + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x0314,
                20,
                flags,
                method,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                mode << 16,
                offset,
            )
            + raw
        )
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0))
    return out.getvalue()


def _zeros_deflated(size: int) -> tuple[bytes, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    parts, crc = [], 0
    for _ in range(size >> 20):
        parts.append(packer.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(packer.flush())
    return b"".join(parts), crc


def _stored(name: str, data: bytes, mode: int = 0o100644) -> tuple[str, bytes, int, int, int, int]:
    return (name, data, 0, zlib.crc32(data), len(data), mode)


def _nest(folder: Path, depth: int) -> None:
    """Move everything in `folder` to the bottom of `depth` nested folders (made one level at a time)."""
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    for path in list(folder.iterdir()):
        path.unlink()
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    for name, data in files.items():
        with open(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
            fh.write(data)
    os.close(fd)


def build_zip(kind: str, subs: Path, student: str, mark: str) -> None:
    """The archive `student.zip` (or `.tar.gz`) of the given kind in `subs`."""
    skeleton = (REPO / "student_template" / "gates.py").read_bytes()
    path = subs / f"{student}.zip"
    if kind == "tar":
        with tarfile.open(subs / f"{student}.tar.gz", "w:gz") as archive:
            info = tarfile.TarInfo(f"{student}/gates.py")
            info.size = len(skeleton)
            archive.addfile(info, io.BytesIO(skeleton))
        return
    if kind == "not_utf8":  # a name flagged as UTF-8 that is not
        entries = [_stored("gates\u00e9.py", skeleton)]
        path.write_bytes(_raw_zip(entries, utf8=True).replace("\u00e9".encode(), b"\xff\xfe"))
        return
    if kind == "bomb":
        data, crc = _zeros_deflated(256 << 20)
        entries = [_stored("gates.py", skeleton)] + [
            (f"data{i}.bin", data, 8, crc, 256 << 20, 0o100644) for i in range(8)
        ]
    elif kind == "bad_crc":
        data, crc = _zeros_deflated(256 << 20)
        entries = [("gates.py", data, 8, crc, 1024, 0o100644)]
    elif kind == "slip":
        entries = [_stored(f"../../{mark}-zipslip.py", b"x = 1\n"), _stored("gates.py", skeleton)]
    elif kind == "absolute":
        entries = [_stored(f"/tmp/{mark}-zipabs.py", b"x = 1\n"), _stored("gates.py", skeleton)]
    elif kind == "symlink":
        target = str(REPO / "reference" / "01_gates" / "gates.py").encode()
        entries = [_stored("gates.py", target, 0o120777)]
    elif kind == "file_and_folder":  # gates.py is a file, then a folder
        entries = [_stored("gates.py", skeleton), _stored("gates.py/inner.py", b"x = 1\n")]
    elif kind == "dot_member":  # a member named "." among honest ones
        entries = [_stored(".", b""), _stored("gates.py", skeleton)]
    elif kind == "long_name":  # a member name longer than a file name may be
        entries = [_stored("gates.py", skeleton), _stored("n" * 300 + ".py", b"x = 1\n")]
    elif kind == "deep":  # 1,000 nested folders
        entries = [_stored("a/" * 1000 + "gates.py", skeleton)]
    elif kind == "colon":  # a legal name with a colon in it
        entries = [_stored("gates.py", skeleton), _stored("notes 10:30.txt", b"meeting at 10:30\n")]
    else:
        raise ValueError(f"unknown zip kind {kind!r}")
    path.write_bytes(_raw_zip(entries))


# --- the batch -----------------------------------------------------------------------------------


@dataclass
class Batch:
    token: str
    out: Path
    graded: list[str]
    skipped: dict[str, str]
    error: BaseException | None
    elapsed_s: float
    results: dict[str, dict[str, Any]]  # student -> its submission in results.json
    snapshot: dict[str, bytes]  # the out folder right after the batch (relative path -> bytes)
    rerun: dict[str, dict[str, Any]] | None
    rerun_error: BaseException | None
    processes: dict[int, str]  # marked processes alive after grading: pid -> comm
    files: list[Path]  # marked files found outside the out folder after grading
    received: list[tuple[str, bytes]]
    secret: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def stopped(self) -> str:
        """What stopped the batch, in one short line ("" when it finished)."""
        if self.error is None:
            return ""
        return f"the batch stopped: {type(self.error).__name__}: {str(self.error)[:300]}"

    def mark(self, attack: Attack) -> str:
        return "atk" + self.token + attack.code

    def submission(self, attack: Attack) -> dict[str, Any]:
        result = self.results.get(attack.shown)
        assert result is not None, f"{attack.shown!r} is missing from results.json; {self.stopped}"
        return result

    def report_html(self, student: str) -> str:
        data = self.snapshot.get(f"students/{_report_name(student, set())}")
        assert data is not None, f"no report students/{_report_name(student, set())} for {student!r}"
        return data.decode("utf-8", "replace")


def _assignment(submission: dict[str, Any], assignment_id: int) -> dict[str, Any]:
    for entry in submission["assignments"]:
        if entry["id"] == assignment_id:
            return entry
    raise AssertionError(f"assignment {assignment_id} is missing for {submission['student']!r}")


def _text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _marked_processes(prefix: str) -> dict[int, str]:
    """Processes with a live thread named after `prefix`. Every thread is looked at: a process
    whose first thread has ended shows as a zombie while its other threads run on."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            tids = os.listdir(f"/proc/{entry}/task")
        except OSError:
            continue
        for tid in tids:
            task = f"/proc/{entry}/task/{tid}"
            try:
                comm = Path(f"{task}/comm").read_text(encoding="utf-8", errors="replace").strip()
                stat = Path(f"{task}/stat").read_text(encoding="utf-8", errors="replace")
                state = stat.rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if comm.startswith(prefix) and state not in ("Z", "X"):  # a zombie is dead, not yet collected
                found[int(entry)] = comm
                break
    return found


def _wait_for_marked_processes(prefix: str, seconds: float) -> dict[int, str]:
    deadline = time.monotonic() + seconds
    while True:
        found = _marked_processes(prefix)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _marked_files(prefix: str, out: Path) -> list[Path]:
    """Paths named after an attack's MARK anywhere an attack could have left them, the out folder excepted."""
    roots = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.home(), REPO]
    found: list[Path] = []
    skip = {".git", ".venv", "node_modules", "proc", "sys"}
    for entry in Path("/").iterdir():  # a zip's ../../ from /tmp/grader-s-*/ lands at the root
        if prefix in entry.name:
            found.append(entry)
    for root in roots:
        for current, dirs, files in os.walk(root, onerror=lambda _: None):
            here = Path(current)
            if here == out or out in here.parents:
                dirs[:] = []
                continue
            for name in files + dirs:
                if prefix in name:
                    found.append(here / name)
            # os.walk recurses: a tree nested deeper than Python's recursion limit (another test's,
            # a hostile submission's) is looked into no further than any attack writes
            deep = len(here.relative_to(root).parts) >= MAX_WALK_DEPTH
            dirs[:] = [] if deep else [d for d in dirs if d not in skip and prefix not in d]
    return sorted(set(found))


def _snapshot(out: Path) -> dict[str, bytes]:
    files = {}
    for path in out.rglob("*"):
        if path.is_file():
            files[path.relative_to(out).as_posix()] = path.read_bytes()
    return files


def _results(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    return {s["student"]: s for s in json.loads(path.read_text(encoding="utf-8"))["submissions"]}


def _lay_out(subs: Path, graded: list[Attack], env: dict[str, Any]) -> None:
    for attack in graded:
        mark = "atk" + env["token"] + attack.code
        if "zip" in attack.spec:
            build_zip(str(attack.spec["zip"]), subs, attack.student, mark)
            continue
        dest = subs / attack.student
        shutil.copytree(attack.folder, dest, ignore=shutil.ignore_patterns("expected.toml", "__pycache__"))
        if "deep" in attack.spec:
            _nest(dest, int(attack.spec["deep"]))
        for old, new in attack.spec.get("rename", {}).items():
            (dest / old).rename(dest / new)
        (dest / "attack_env.py").write_text(ENV_TEMPLATE.format(code=attack.code, **env), encoding="utf-8")
    honest = subs / HONEST
    honest.mkdir()
    shutil.copyfile(REPO / "reference" / "01_gates" / "gates.py", honest / "gates.py")
    shutil.copyfile(REPO / "reference" / "02_gradient_descent" / "gradient_descent.py", honest / "gradient_descent.py")
    for example in sorted(EXAMPLES.iterdir()):
        shutil.copytree(example, subs / example.name)


def _grade(subs: Path, out: Path, present: set[str]) -> Any:
    kwargs: dict[str, Any] = {}
    if "insecure" in inspect.signature(grade_class).parameters:
        kwargs["insecure"] = not {"network", "filesystem"} <= present
    return grade_class(course=Course.load(REPO), submissions=subs, out=out, assignment_ids=IDS, workers=2, **kwargs)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Any:
    token = secrets.token_hex(3)
    root = tmp_path_factory.mktemp(f"attacks-{token}-")
    subs, out = root / "submissions", root / f"out-{token}"
    subs.mkdir()
    present, why = _probe()
    run_all = os.environ.get("ATTACKS_RUN_ALL") == "1"
    only = {n for n in os.environ.get("ATTACKS_ONLY", "").split(",") if n}
    excluded = {n for n in os.environ.get("ATTACKS_EXCLUDE", "").split(",") if n}
    graded: list[Attack] = []
    skipped: dict[str, str] = {}
    for attack in ATTACKS:
        missing = [r for r in attack.requires if r not in present]
        if (only and attack.name not in only) or attack.name in excluded:
            skipped[attack.name] = "left out by ATTACKS_ONLY or ATTACKS_EXCLUDE"
        elif missing and not run_all:
            skipped[attack.name] = (
                f"needs worker isolation {', '.join(missing)} ({why}): not graded, since without it "
                "the attack would damage the rest of the batch (ATTACKS_RUN_ALL=1 grades it anyway)"
            )
        else:
            graded.append(attack)
    listener = Listener()
    prefix = "atk" + token
    timings: dict[str, float] = {}
    try:
        with pytest.MonkeyPatch.context() as patch:
            secret = "canary-" + secrets.token_hex(12)
            patch.setenv(SECRET_NAME, secret)
            tcp_port, udp_port = listener.ports
            env = {
                "token": token,
                "grader_pid": os.getpid(),
                "tcp_port": tcp_port,
                "udp_port": udp_port,
                "out": str(out),
            }
            _lay_out(subs, graded, env)
            started = time.monotonic()
            error: BaseException | None = None
            try:
                _grade(subs, out, present)
            except Exception as exc:  # a batch that stops is what test_batch_kept_going reports
                error = exc
            timings["batch_s"] = time.monotonic() - started
            snapshot = _snapshot(out) if out.is_dir() else {}
            results = _results(out / "results.json")
            rerun, rerun_error = None, None
            if error is None:
                started = time.monotonic()
                try:
                    _grade(subs, out, present)
                    rerun = _results(out / "results.json")
                except Exception as exc:
                    rerun_error = exc
                timings["rerun_s"] = time.monotonic() - started
        processes = _wait_for_marked_processes(prefix, 3.0)
        files = _marked_files(prefix, out)
    finally:
        listener.close()
    yield Batch(
        token=token,
        out=out,
        graded=[a.name for a in graded],
        skipped=skipped,
        error=error,
        elapsed_s=timings["batch_s"],
        results=results,
        snapshot=snapshot,
        rerun=rerun,
        rerun_error=rerun_error,
        processes=processes,
        files=files,
        received=list(listener.received),
        secret=secret,
        timings=timings,
    )
    for pid in _marked_processes(prefix):  # leave the machine as we found it
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for path in _marked_files(prefix, out):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    remove_tree(root)  # the deep folders: pytest's own clean-up recurses and would leave them


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The example class graded by itself, for the acceptance test."""
    out = tmp_path_factory.mktemp("examples-alone") / "out"
    grade_class(course=Course.load(REPO), submissions=EXAMPLES, out=out, assignment_ids=IDS, workers=2)
    return _results(out / "results.json")


def _graded(batch: Batch, name: str) -> Attack:
    attack = BY_NAME[name]
    if name in batch.skipped:
        pytest.skip(batch.skipped[name])
    return attack


def _student_text(batch: Batch, attack: Attack) -> str:
    return _text_of(batch.report_html(attack.shown))


def _outputs(submission: dict[str, Any]) -> list[str]:
    texts = []
    for entry in submission["assignments"]:
        texts.append(entry.get("message", ""))
        for test in entry.get("tests", []):
            texts += [test.get("feedback", ""), test.get("output", "")]
    return texts


# --- the catalogue itself ------------------------------------------------------------------------


def test_the_catalogue_states_an_outcome_for_every_attack() -> None:
    assert len(ATTACKS) >= 28
    for attack in ATTACKS:
        spec = attack.spec
        assert {"assignment", "description", "max_score", "status"} <= set(spec), attack.name
        assert spec["status"] in STATUSES, f"{attack.name}: an attack must never be expected to be a grader error"
        assert spec["assignment"] in IDS, attack.name
        assert set(attack.requires) <= set(FEATURES), attack.name
        assert set(spec) <= {
            "assignment",
            "description",
            "max_score",
            "status",
            "feedback_contains",
            "requires",
            "student_name",
            "rename",
            "zip",
            "deep",
        }, attack.name
        handed_in = [*attack.folder.glob("*.py"), *attack.folder.glob("*.ipynb")]
        assert spec.get("zip") or spec.get("deep") or handed_in, f"{attack.name}: no files"


# --- per attack ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_trick_gains_no_points(batch: Batch, name: str) -> None:
    attack = _graded(batch, name)
    submission = batch.submission(attack)
    target = _assignment(submission, attack.assignment)
    passed = [t["name"] for t in target.get("tests", []) if t["status"] == "passed"]
    assert target["score"] <= attack.spec["max_score"], (
        f"{attack.spec['description']}: scored {target['score']} (at most {attack.spec['max_score']}); passed: {passed}"
    )
    for entry in submission["assignments"]:
        if entry["id"] != attack.assignment:
            assert entry["score"] == 0, (
                f"assignment {entry['id']}, whose file is not even there, scored {entry['score']}"
            )


@pytest.mark.parametrize("name", NAMES)
def test_the_outcome_is_the_expected_one_and_said_plainly(batch: Batch, name: str) -> None:
    attack = _graded(batch, name)
    submission = batch.submission(attack)
    target = _assignment(submission, attack.assignment)
    assert target["status"] == attack.spec["status"], f"status {target['status']}: {target.get('message', '')}"
    for entry in submission["assignments"]:
        assert entry["status"] != "error", f"assignment {entry['id']} is a grader error: {entry.get('message', '')}"
    text = _student_text(batch, attack).lower()
    for phrase in attack.spec.get("feedback_contains", []):
        choices = [phrase] if isinstance(phrase, str) else list(phrase)
        assert any(c.lower() in text for c in choices), f"the report of {attack.student!r} does not say {phrase!r}"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_leaks_to_the_attack(batch: Batch, name: str) -> None:
    attack = _graded(batch, name)
    submission = batch.submission(attack)
    leaks = [line for text in _outputs(submission) for line in text.splitlines() if LEAK in line]
    assert not leaks, "\n".join(leaks[:5])
    check = EXTRA_CHECKS.get(name)
    if check is not None:
        check(batch, attack)


@pytest.mark.parametrize("name", NAMES)
def test_the_machine_is_left_unharmed(batch: Batch, name: str) -> None:
    attack = _graded(batch, name)
    mark = batch.mark(attack)
    alive = {pid: comm for pid, comm in batch.processes.items() if comm.startswith(mark)}
    assert not alive, f"processes of the attack still running after grading: {sorted(alive)}"
    left = [str(p) for p in batch.files if mark in str(p)]
    assert not left, f"files the attack left outside the report folder: {left[:10]}"


# --- extra checks of single attacks ----------------------------------------------------------------


def _nothing_reached_the_listener(batch: Batch, attack: Attack) -> None:
    mark = batch.mark(attack).encode()
    reached = [(kind, data[:60]) for kind, data in batch.received if mark in data or data == b"(connected)"]
    assert not reached, f"the test's listener on 127.0.0.1 received {reached}"


def _secret_not_shown(batch: Batch, attack: Attack) -> None:
    texts = _outputs(batch.submission(attack))
    assert not any(batch.secret in t for t in texts), "the grader's canary environment variable reached the worker"
    assert not any(SECRET_NAME in t for t in texts), f"{SECRET_NAME} is in the worker's environment"


def _output_capped(batch: Batch, attack: Attack) -> None:
    for entry in batch.submission(attack)["assignments"]:
        for test in entry.get("tests", []):
            assert len(test.get("output", "")) <= OUTPUT_CAP + 200, (
                f"{test['name']}: {len(test['output'])} characters kept"
            )


def _report_is_clean_text(batch: Batch, attack: Attack) -> None:
    raw = batch.snapshot[f"students/{_report_name(attack.shown, set())}"]
    raw.decode("utf-8")  # strict: the report is valid UTF-8
    assert b"\x00" not in raw, "a NUL byte in the report"


def _markup_escaped(batch: Batch, attack: Attack) -> None:
    page = batch.report_html(attack.shown).lower()
    shown = [m for m in MARKUP if m in page]
    assert not shown, f"the student's markup reached the report unescaped: {shown}"
    assert "content-security-policy" in page


def _report_folder_is_the_graders(batch: Batch, attack: Attack) -> None:
    forged = [path for path, data in batch.snapshot.items() if b"PWNED" in data or b"forged_by" in data]
    assert not forged, f"files of the report folder written by the attack: {forged[:5]}"


EXTRA_CHECKS = {
    "network_tcp": _nothing_reached_the_listener,
    "network_dns": _nothing_reached_the_listener,
    "env_snoop": _secret_not_shown,
    "output_flood": _output_capped,
    "nul_bytes": _report_is_clean_text,
    "invalid_utf8": _report_is_clean_text,
    "html_injection": _markup_escaped,
    "report_folder_write": _report_folder_is_the_graders,
}


# --- the batch as a whole ------------------------------------------------------------------------


def test_the_batch_kept_going(batch: Batch) -> None:
    assert batch.error is None, batch.stopped
    expected = {BY_NAME[n].shown for n in batch.graded} | {HONEST} | {p.name for p in EXAMPLES.iterdir()}
    assert set(batch.results) == expected
    errors = [
        (student, entry["id"], entry.get("message", ""))
        for student, submission in batch.results.items()
        for entry in submission["assignments"]
        if entry["status"] == "error"
    ]
    assert not errors, f"grader errors: {errors}"


def test_the_honest_student_gets_full_marks(batch: Batch) -> None:
    submission = batch.results.get(HONEST)
    assert submission is not None, f"the honest student is missing; {batch.stopped}"
    for entry in submission["assignments"]:
        failed = [(t["name"], t["feedback"][:200]) for t in entry["tests"] if t["status"] != "passed"]
        assert entry["status"] == "graded" and entry["score"] == entry["max_score"], failed


def test_the_report_folder_holds_only_what_the_grader_writes(batch: Batch) -> None:
    assert batch.snapshot, f"no report folder; {batch.stopped}"
    top = {path.split("/", 1)[0] for path in batch.snapshot}
    assert top <= GRADER_FILES, f"unexpected entries in the report folder: {sorted(top - GRADER_FILES)}"
    reports = {path for path in batch.snapshot if path.startswith("students/")}
    assert reports == {f"students/{_report_name(s, set())}" for s in batch.results}


def test_the_secret_of_the_grader_process_never_reaches_the_reports(batch: Batch) -> None:
    leaked = [path for path, data in batch.snapshot.items() if batch.secret.encode() in data]
    assert not leaked, leaked


def test_no_connection_reached_the_test_listener(batch: Batch) -> None:
    assert not batch.received, batch.received[:5]


def test_every_report_escapes_the_students_markup(batch: Batch) -> None:
    for path, data in batch.snapshot.items():
        if path.endswith(".html"):
            page = data.decode("utf-8", "replace").lower()
            shown = [m for m in MARKUP if m in page]
            assert not shown, f"{path}: {shown}"
            assert "\x00" not in page, path


def test_captured_output_is_capped_everywhere(batch: Batch) -> None:
    for submission in batch.results.values():
        for entry in submission["assignments"]:
            for test in entry.get("tests", []):
                assert len(test.get("output", "")) <= OUTPUT_CAP + 200, (submission["student"], test["name"])


def test_a_rerun_from_the_cache_gives_the_same_results(batch: Batch) -> None:
    assert batch.error is None, batch.stopped
    assert batch.rerun_error is None, (
        f"the rerun stopped: {type(batch.rerun_error).__name__}: {str(batch.rerun_error)[:300]}"
    )
    assert batch.rerun is not None
    for student, submission in batch.results.items():
        again = batch.rerun[student]
        first = [(a["id"], a["status"], a["score"]) for a in submission["assignments"]]
        second = [(a["id"], a["status"], a["score"]) for a in again["assignments"]]
        assert first == second, f"{student}: {first} then {second}"


def test_attacks_mixed_with_the_example_class_leave_its_marks_as_graded_alone(
    batch: Batch, alone: dict[str, dict[str, Any]]
) -> None:
    """Acceptance: the honest students get exactly the marks they get when graded alone."""
    assert alone, "the example class graded alone gave no results"
    for student, solo in alone.items():
        mixed = batch.results.get(student)
        assert mixed is not None, f"{student} is missing from the mixed batch; {batch.stopped}"
        for want, got in zip(solo["assignments"], mixed["assignments"], strict=True):
            assert (got["id"], got["status"], got["score"]) == (want["id"], want["status"], want["score"]), student
            checks_alone = [(t["id"], t["status"], t["score"]) for t in want["tests"]]
            checks_mixed = [(t["id"], t["status"], t["score"]) for t in got["tests"]]
            assert checks_mixed == checks_alone, f"{student}, assignment {want['id']}"


def test_report_the_timings(batch: Batch, capsys: pytest.CaptureFixture[str]) -> None:
    """Not a check: prints how long the batch took (visible with -s or -rP)."""
    with capsys.disabled():
        print(
            f"\nattack batch: {len(batch.graded)} attacks, {1 + len(list(EXAMPLES.iterdir()))} honest students, "
            f"{len(batch.results)} students in results.json; "
            + ", ".join(f"{k} {v:.1f}" for k, v in batch.timings.items())
            + f"; skipped: {len(batch.skipped)}"
        )


def test_security_md_lists_every_attack() -> None:
    """SECURITY.md's table of attacks names every folder here (and nothing that is gone)."""
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \| A\d", text, flags=re.MULTILINE))
    folders = {p.name for p in ATTACKS_DIR.iterdir() if p.is_dir()}
    assert listed == folders, f"missing from SECURITY.md: {sorted(folders - listed)}; gone: {sorted(listed - folders)}"
    assert len(folders) >= 25
