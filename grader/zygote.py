"""The zygote: one process that imports torch and the grader once, then forks judges and workers.

A fresh interpreter spends seconds importing torch; forking one that already has costs tens of
milliseconds. `Zygote.start()` runs ``python -I -B -m grader.zygote SOCKET``, which imports
torch (set to one thread first; no parallel op, CUDA never touched), numpy, pytest, hypothesis
and the judge's and worker's modules, then serves requests on an AF_UNIX socket in a private
0700 folder.

Protocol (SOCK_SEQPACKET, one JSON document per message): a request names the module
(``grader.judge`` or ``grader.worker``), its arguments, a working folder, the whole environment
and the descriptor numbers the child should see; the requester's stdout pipe and those
descriptors travel with it as SCM_RIGHTS. The zygote answers ``{"pid": N}`` (or
``{"error": why}``) and, once it has reaped the child, ``{"exit": code}`` (negative: the signal
that killed it, as `subprocess` reports it). `ZygoteProcess` turns that into the
`subprocess.Popen` surface the grader uses.

A forked child becomes what ``python -I -B -m MODULE ARGS`` started by `grader.sandbox.launch`
would be: its own session, the working folder, exactly the environment it was sent, stdin on
/dev/null, stdout and stderr on the requester's pipe, no open descriptor but those it was
passed (at the numbers the requester used), `sys.argv` and an isolated-mode `sys.path`, fresh
random seeds; then the module runs as ``__main__`` and the child exits with its status.
Differences from a fresh interpreter: libraries are already imported (numpy's BLAS keeps the
zygote's one thread), the hash seed is the zygote's, and every child starts non-dumpable like
the zygote (a fresh worker would be dumpable; not being so only shuts other processes out).

Who may ask: the process that started the zygote (judges and workers) and the judges it forked
(workers only), checked against the peer credentials of each connection. Judges learn the
socket from `ENV_SOCKET`; workers are never told, and a worker that finds the socket anyway is
refused: it would otherwise get processes outside its own limits and process group.

Lifetimes: every child has PDEATHSIG on the zygote; the zygote kills a child's process group
when the connection that asked for it closes before it ended (the requester died: how a worker
follows its judge); the zygote stops, killing its children, when its stdin (held by the process
that started it) reaches end of file, so it never outlives the grader.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import gc
import importlib
import json
import os
import runpy
import select
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from grader.errors import SandboxError
from grader.sandbox import minimal_env, python_command

__all__ = [
    "ENV_SOCKET",
    "ENV_SWITCH",
    "Zygote",
    "ZygoteClient",
    "ZygoteError",
    "ZygoteProcess",
    "forked_child",
    "shared",
    "supported",
]

ENV_SWITCH = "GRADER_ZYGOTE"  # "0": every judge and worker from a fresh interpreter
ENV_SOCKET = "GRADER_ZYGOTE_SOCKET"  # in a forked judge's environment: where to ask for workers
MODULES = ("grader.judge", "grader.worker")
PRELOAD = (
    "numpy",
    "torch._dynamo",  # optimizers import it on first use
    "torchvision",  # the students' data loading (assignment 5)
    "pytest",
    "hypothesis",
    "hypothesis.extra.numpy",
    "grader.judge.plugin",
    "grader.checklib",
    "grader.plots",
    "grader.worker.server",
)
START_TIMEOUT_S = 180.0  # importing torch on a cold machine
_REPLY_TIMEOUT_S = 60.0
_LOCALE_KEYS = ("LANG", "LC_ALL", "LC_CTYPE")  # read at interpreter start-up: a child cannot change them
_MAX_REQUEST = 1 << 20
_MAX_FDS = 16
_MAX_FD_NUMBER = 1024
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4

_forked = False


class ZygoteError(SandboxError):
    """The zygote cannot serve this request (not running, refused, gone): start a fresh process."""


def supported() -> bool:
    """fork, SCM_RIGHTS over SOCK_SEQPACKET and PDEATHSIG: Linux."""
    return sys.platform == "linux" and hasattr(socket, "send_fds") and hasattr(socket, "SOCK_SEQPACKET")


def forked_child() -> bool:
    """True in a process the zygote forked (its parent is the zygote, not its requester)."""
    return _forked


# --- the requester's side ------------------------------------------------------------------


class ZygoteProcess:
    """A child of the zygote, used like the `subprocess.Popen` that `grader.sandbox.launch` returns."""

    def __init__(self, pid: int, stdout: IO[bytes], control: socket.socket, args: list[str]):
        self.pid = pid
        self.args = args
        self.stdin: IO[bytes] | None = None
        self.stdout: IO[bytes] | None = stdout
        self.stderr: IO[bytes] | None = None
        self.returncode: int | None = None
        self._control: socket.socket | None = control
        self._lock = threading.Lock()
        self._output = bytearray()

    def poll(self) -> int | None:
        self._receive(0.0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)  # type: ignore[arg-type]
            self._receive(0.5 if remaining is None else min(remaining, 0.5))  # another thread may take the status
        return self.returncode

    def communicate(self, input: bytes | None = None, timeout: float | None = None) -> tuple[bytes, None]:
        """Everything the child printed, once it has ended; `subprocess.TimeoutExpired` as Popen."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.stdout is not None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout, output=bytes(self._output))  # type: ignore[arg-type]
            fd = self.stdout.fileno()
            if not select.select([fd], [], [], remaining)[0]:
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if chunk:
                self._output += chunk
            else:
                self.stdout.close()
                self.stdout = None
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            self.wait(remaining)
        except subprocess.TimeoutExpired:
            raise subprocess.TimeoutExpired(self.args, timeout, output=bytes(self._output)) from None  # type: ignore[arg-type]
        return bytes(self._output), None

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:  # never signal a pid the zygote has already reaped
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _receive(self, timeout: float | None) -> None:
        """Take the exit status from the zygote if it has sent it within `timeout` seconds.

        Safe from several threads at once (a batch's cancel() kills judges others wait on).
        """
        control = self._control
        if control is None:
            return
        try:
            if not select.select([control], [], [], timeout)[0]:
                return
        except (OSError, ValueError):  # closed by another thread meanwhile
            return
        with self._lock:
            if self._control is not control:
                return
            try:
                data = control.recv(4096, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            try:
                status = json.loads(data)["exit"] if data else None
            except (ValueError, KeyError, TypeError):
                status = None
            if type(status) is not int:
                # The zygote went away without reporting: it kills its children as it goes (and
                # they have PDEATHSIG on it); make sure, and report what killed them.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
                status = -signal.SIGKILL
            self.returncode = status
            self._close()

    def _close(self) -> None:
        control, self._control = self._control, None
        if control is not None:
            control.close()

    def __del__(self) -> None:
        self._close()  # closing the connection makes the zygote kill a child still running
        if self.stdout is not None:
            self.stdout.close()


class ZygoteClient:
    """Asks the zygote listening on `socket_path` for children."""

    def __init__(self, socket_path: Path):
        self.socket_path = socket_path

    def spawn(
        self, module: str, args: Sequence[str], *, cwd: Path, env: dict[str, str], pass_fds: Sequence[int] = ()
    ) -> ZygoteProcess:
        """Fork `module` with `args` as ``python -I -B -m module args`` would run; raises `ZygoteError`."""
        request = {
            "module": module,
            "args": list(args),
            "cwd": str(cwd),
            "env": dict(env),
            "fds": list(pass_fds),
        }
        control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        read_end, write_end = os.pipe()
        try:
            control.settimeout(_REPLY_TIMEOUT_S)
            control.connect(str(self.socket_path))
            socket.send_fds(control, [json.dumps(request).encode()], [write_end, *pass_fds])
            os.close(write_end)
            write_end = -1
            reply = json.loads(control.recv(_MAX_REQUEST) or b"{}")
            pid = reply.get("pid") if isinstance(reply, dict) else None
            if type(pid) is not int:
                why = reply.get("error") if isinstance(reply, dict) else None
                raise ZygoteError(f"the zygote did not start {module}: {why or 'no answer'}")
        except (OSError, ValueError) as exc:
            control.close()
            os.close(read_end)
            raise ZygoteError(f"the zygote did not start {module}: {exc}") from None
        except ZygoteError:
            control.close()
            os.close(read_end)
            raise
        finally:
            if write_end >= 0:
                os.close(write_end)
        control.settimeout(None)
        return ZygoteProcess(pid, open(read_end, "rb"), control, python_command(module, *args))


class Zygote:
    """A zygote process owned by this process: `Zygote.start()`, `spawn(...)`, `close()`."""

    def __init__(self, proc: subprocess.Popen[bytes], folder: Path):
        self._proc = proc
        self.folder = folder
        self.client = ZygoteClient(folder / "zygote.sock")

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def socket_path(self) -> Path:
        return self.client.socket_path

    def alive(self) -> bool:
        return self._proc.poll() is None

    @classmethod
    def start(cls, *, preload: Sequence[str] = PRELOAD, timeout_s: float = START_TIMEOUT_S) -> Zygote:
        """Start a zygote and wait until it serves; `ZygoteError` when it cannot."""
        if not supported():
            raise ZygoteError("no zygote on this platform")
        folder = Path(tempfile.mkdtemp(prefix="grader-z-"))  # 0700: ours alone
        if len(os.fsencode(folder / "zygote.sock")) > 100:  # AF_UNIX paths are short
            shutil.rmtree(folder, ignore_errors=True)
            folder = Path(tempfile.mkdtemp(prefix="grader-z-", dir="/tmp"))
        socket_path = folder / "zygote.sock"
        with open(folder / "zygote.log", "wb") as log:
            proc = subprocess.Popen(
                python_command("grader.zygote", str(socket_path), ",".join(preload)),
                cwd=folder,
                env=minimal_env(folder / "home"),
                stdin=subprocess.PIPE,  # the lifeline: end of file when this process is gone
                stdout=log,
                stderr=subprocess.STDOUT,
                close_fds=True,
                start_new_session=True,  # a Ctrl-C in the terminal reaches us; we stop it
            )
        zygote = cls(proc, folder)
        deadline = time.monotonic() + timeout_s
        while not socket_path.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                log_tail = zygote._log_tail()
                zygote.close()
                raise ZygoteError(f"the zygote did not start: {log_tail or 'no output'}")
            time.sleep(0.02)
        return zygote

    def spawn(
        self, module: str, args: Sequence[str], *, cwd: Path, env: dict[str, str], pass_fds: Sequence[int] = ()
    ) -> ZygoteProcess:
        return self.client.spawn(module, args, cwd=cwd, env=env, pass_fds=pass_fds)

    def close(self) -> None:
        """Stop the zygote (its children die with it) and remove its folder."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(5.0)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            text = (self.folder / "zygote.log").read_bytes()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""
        return text.strip().splitlines()[-1] if text.strip() else ""


_lock = threading.Lock()
_shared: Zygote | None = None
_shared_failure: str | None = None
_shared_owner = 0


def shared() -> ZygoteClient | None:
    """The zygote this process asks for judges and workers; None: start fresh interpreters.

    A judge the zygote forked finds it in `ENV_SOCKET`. `GRADER_ZYGOTE=0` turns it off (a judge
    started from a fresh interpreter is told so, and never starts its own). Anywhere else the
    first call starts one for the life of this process; a zygote that failed to start or died
    is not tried again.
    """
    global _shared, _shared_failure, _shared_owner
    path = os.environ.get(ENV_SOCKET)
    if path:
        return ZygoteClient(Path(path))
    if os.environ.get(ENV_SWITCH, "1") == "0" or not supported():
        return None
    with _lock:
        if _shared_owner != os.getpid():  # a forked copy of this process: that zygote is not ours
            _shared, _shared_failure, _shared_owner = None, None, os.getpid()
        if _shared is None and _shared_failure is None:
            try:
                _shared = Zygote.start()
                atexit.register(_shared.close)
            except ZygoteError as exc:
                _shared_failure = str(exc)
        if _shared is not None and not _shared.alive():
            _shared, _shared_failure = None, "the zygote stopped"
        return _shared.client if _shared is not None else None


# --- the zygote's side ---------------------------------------------------------------------


@dataclass
class _Request:
    module: str
    args: list[str]
    cwd: str
    env: dict[str, str]
    fds: list[int]  # received: the stdout pipe, then the passed descriptors
    targets: list[int]  # the numbers the passed descriptors get in the child


@dataclass
class _Child:
    module: str
    conn: socket.socket | None  # the requester's connection, until the exit status is sent


class _Stop(Exception):
    pass


class _Server:
    """Single-threaded: accept, check, fork, reap, report."""

    def __init__(self, listener: socket.socket, parent_pid: int):
        self.listener = listener
        self.parent_pid = parent_pid
        self.pid = os.getpid()
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, _Child] = {}
        self.peers: dict[socket.socket, tuple[int, int]] = {}  # connection -> (pid, uid)
        self.wakeup_r, self.wakeup_w = os.pipe()
        os.set_blocking(self.wakeup_r, False)
        os.set_blocking(self.wakeup_w, False)
        signal.set_wakeup_fd(self.wakeup_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.selector.register(listener, selectors.EVENT_READ, self._accept)
        self.selector.register(self.wakeup_r, selectors.EVENT_READ, self._reap)
        self.selector.register(0, selectors.EVENT_READ, self._lifeline)

    def serve(self) -> None:
        try:
            while True:
                for key, _ in self.selector.select():
                    key.data(key.fileobj)
        except _Stop:
            pass
        finally:
            for pid in list(self.children):
                _kill_tree(pid)

    def _lifeline(self, _: Any) -> None:
        if not os.read(0, 4096):
            raise _Stop

    def _accept(self, _: Any) -> None:
        with contextlib.suppress(BlockingIOError):
            conn, _addr = self.listener.accept()
            pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            conn.setblocking(False)
            self.peers[conn] = (pid, uid)
            self.selector.register(conn, selectors.EVENT_READ, self._request)

    def _request(self, conn: socket.socket) -> None:
        try:
            data, fds, flags, _addr = socket.recv_fds(conn, _MAX_REQUEST, _MAX_FDS)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, fds, flags = b"", [], 0
        if not data:  # the requester left without asking
            self._drop(conn, fds)
            return
        try:
            request = _parse(data, fds, flags)
            self._authorize(conn, request.module)
        except (ValueError, KeyError, TypeError, PermissionError) as exc:
            _send(conn, {"error": str(exc) or type(exc).__name__})
            self._drop(conn, fds)
            return
        pid = self._fork(request)
        for fd in fds:
            os.close(fd)
        self.children[pid] = _Child(request.module, conn)
        self.selector.modify(conn, selectors.EVENT_READ, self._hangup)
        _send(conn, {"pid": pid})

    def _authorize(self, conn: socket.socket, module: str) -> None:
        pid, uid = self.peers.get(conn, (0, -1))
        if uid != os.getuid():
            raise PermissionError("another user")
        if pid == self.parent_pid:
            return
        requester = self.children.get(pid)
        if requester is not None and requester.module == "grader.judge" and module == "grader.worker":
            return
        raise PermissionError(f"process {pid} may not ask for {module}")

    def _hangup(self, conn: socket.socket) -> None:
        """The requester closed its end (or broke the protocol) while its child runs: kill it."""
        for pid, child in self.children.items():
            if child.conn is conn:
                _kill_tree(pid)
                child.conn = None
        self._drop(conn, [])

    def _reap(self, _: Any) -> None:
        with contextlib.suppress(OSError):
            while os.read(self.wakeup_r, 512):
                pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is not None and child.conn is not None:
                _send(child.conn, {"exit": os.waitstatus_to_exitcode(status)})
                self._drop(child.conn, [])

    def _drop(self, conn: socket.socket, fds: list[int]) -> None:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn)
        self.peers.pop(conn, None)
        conn.close()

    def _fork(self, request: _Request) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid
        code = 70
        try:
            self._forget()
            code = _become(request, zygote_pid=self.pid)
        except BaseException:
            with contextlib.suppress(BaseException):
                traceback.print_exc()
        finally:
            os._exit(code)

    def _forget(self) -> None:
        """In a child: let go of everything the zygote holds, through the objects that own it."""
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.selector.close()
        self.listener.close()
        for conn in list(self.peers):
            conn.close()
        os.close(self.wakeup_r)
        os.close(self.wakeup_w)


def _parse(data: bytes, fds: list[int], flags: int) -> _Request:
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        raise ValueError("request too large")
    raw = json.loads(data)
    module, args, cwd, env, targets = raw["module"], raw["args"], raw["cwd"], raw["env"], raw["fds"]
    if module not in MODULES:
        raise ValueError(f"not a module the zygote starts: {module!r}")
    if not (isinstance(args, list) and all(type(a) is str and "\0" not in a for a in args)):
        raise ValueError("arguments must be strings")
    if not (type(cwd) is str and os.path.isabs(cwd) and os.path.isdir(cwd)):
        raise ValueError(f"no such folder: {cwd!r}")
    if not (isinstance(env, dict) and all(_env_entry(k, v) for k, v in env.items())):
        raise ValueError("malformed environment")
    if any(env.get(k) != os.environ.get(k) for k in _LOCALE_KEYS):
        raise ValueError("the locale differs from the zygote's")
    if not (isinstance(targets, list) and len(targets) == len(fds) - 1 and len(set(targets)) == len(targets)):
        raise ValueError("descriptors do not match their numbers")
    if not all(type(t) is int and 3 <= t < _MAX_FD_NUMBER for t in targets):
        raise ValueError("descriptor numbers out of range")
    return _Request(module, args, cwd, env, fds, targets)


def _env_entry(key: object, value: object) -> bool:
    return type(key) is str and type(value) is str and key != "" and "=" not in key and "\0" not in key + value


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        conn.send(json.dumps(message).encode())


def _kill_tree(pid: int) -> None:
    """SIGKILL a child's process group (it leads one once it has called setsid) and the child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


# --- the forked child ----------------------------------------------------------------------


_BASE_PATH: list[str] = []


def _become(request: _Request, *, zygote_pid: int) -> int:
    """Turn this fresh fork into ``python -I -B -m MODULE ARGS``; run it; return its exit status."""
    global _forked
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote_pid:  # the zygote died before PDEATHSIG was set
        return 70
    os.setsid()
    _arrange_fds(request.fds, request.targets)
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    sys.path[:] = _BASE_PATH
    sys.argv = [request.module, *request.args]  # runpy puts the module's file first
    sys.orig_argv = python_command(request.module, *request.args)
    tempfile.tempdir = None
    for finalizer in list(weakref.finalize._registry):  # type: ignore[attr-defined]
        finalizer.atexit = False  # the preloaded libraries' teardown: nothing to undo in a process that ends
    _follow_folders()
    _fresh_state(request.env)
    _forked = True
    return _run_module(request.module)


def _arrange_fds(received: list[int], targets: list[int]) -> None:
    """/dev/null on 0, the pipe on 1 and 2, each passed descriptor at its number; close the rest."""
    top = max([2, *targets, *received]) + 1
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, top) for fd in received]
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    null = fcntl.fcntl(null, fcntl.F_DUPFD_CLOEXEC, top)
    os.dup2(null, 0)
    os.dup2(moved[0], 1)
    os.dup2(moved[0], 2)
    for fd, target in zip(moved[1:], targets):
        os.dup2(fd, target)  # inheritable, as subprocess's pass_fds leaves them
    keep = {0, 1, 2, *targets}
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, os.sysconf("SC_OPEN_MAX")))
    for fd in open_fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _follow_folders() -> None:
    """Paths libraries derive from the cwd, HOME or TMPDIR when imported: derive them for the child.

    The ones the preloaded libraries have (found by scanning their globals for the zygote's
    folders); without this a child would share the zygote's hypothesis and torch.compile folders.
    """
    cwd = os.getcwd()
    modules: Any = sys.modules  # libraries that may or may not be loaded, attributes that may move
    with contextlib.suppress(Exception):
        modules["multiprocessing.process"].ORIGINAL_DIR = cwd
    with contextlib.suppress(Exception):
        modules["site"].USER_BASE = modules["site"].USER_SITE = None  # computed again when asked
    with contextlib.suppress(Exception):
        hypothesis = modules["hypothesis.configuration"]
        setattr(hypothesis, "__hypothesis_home_directory_default", Path(cwd) / ".hypothesis")
        setattr(hypothesis, "__hypothesis_home_directory", None)
    with contextlib.suppress(Exception):
        dynamo = modules["torch._dynamo.config"]
        dynamo.debug_dir_root = dynamo.default_debug_dir_root()
    with contextlib.suppress(Exception):
        package = modules["torch._dynamo.package"]
        default_cache_dir = modules["torch._inductor.runtime.cache_dir_utils"].default_cache_dir
        folder = os.environ.get("TORCHINDUCTOR_CACHE_DIR") or default_cache_dir()  # not cache_dir(): it sets the env
        package.DynamoCache._path_prefix = os.path.join(os.path.abspath(folder), "dynamo")
    with contextlib.suppress(Exception):
        vision = modules["torchvision._internally_replaced_utils"]
        vision._HOME = os.path.join(vision._get_torch_home(), "datasets", "vision")


def _fresh_state(env: dict[str, str]) -> None:
    """What a new interpreter would have: fresh random seeds, torch's thread count from the env."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.default_generator.seed()  # CPU only: CUDA is never touched here
        threads = env.get("OMP_NUM_THREADS", "")
        if threads.isdigit() and int(threads) > 1:
            torch.set_num_threads(int(threads))


def _run_module(module: str) -> int:
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_status(exc.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)  # as Python does: the parent sees -SIGINT
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    _flush()
    return code


def _exit_status(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    with contextlib.suppress(BaseException):
        print(value, file=sys.stderr)
    return 1


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()


def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


# --- the zygote process --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """``python -I -B -m grader.zygote SOCKET PRELOAD``: load the libraries, then fork on request."""
    socket_path, preload = (argv or sys.argv[1:])[:2]
    _prctl(_PR_SET_DUMPABLE, 0)  # no same-user process may ptrace the parent of every judge
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    _BASE_PATH[:] = sys.path
    _preload([name for name in preload.split(",") if name])
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:  # forking a threaded process can copy a lock that is held forever
        raise SystemExit(f"the zygote has {threads} threads after loading its libraries; it does not fork so")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    staging = socket_path + ".new"
    listener.bind(staging)
    listener.listen(64)
    os.rename(staging, socket_path)  # appears only once it serves
    try:
        _Server(listener, os.getppid()).serve()
    finally:
        shutil.rmtree(os.path.dirname(socket_path), ignore_errors=True)


def _preload(names: list[str]) -> None:
    if "torch" in names or any(n.startswith(("torch.", "torchvision")) for n in names):
        import torch

        torch.set_num_threads(1)  # before anything else: no thread pool a child could inherit half of
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            if name.startswith("grader"):
                raise
    pytest_config = sys.modules.get("_pytest.config")
    for plugin in getattr(pytest_config, "default_plugins", ()):  # what pytest.main() would import first
        importlib.import_module(f"_pytest.{plugin}")
    gc.collect()
    gc.freeze()  # fewer copy-on-write faults in the children


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise _Stop


if __name__ == "__main__":
    from grader.zygote import main as _main  # the module proper, so children see its state

    _main()
