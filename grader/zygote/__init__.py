"""The zygote: one process that imports torch and the grader once, then forks judges and workers.

A fresh interpreter spends seconds importing torch; forking one that already has costs tens of
milliseconds. `Zygote.start()` runs ``python -I -X utf8 -B -m grader.zygote SOCKET PRELOAD``, which imports
torch (set to one thread first; no parallel op, CUDA never touched), numpy, pytest, hypothesis,
the judge's and worker's modules (`PRELOAD`, the engine's own needs) and the libraries the
assignments being graded declare (`[worker] preload`, given to `preload_libraries` before the
shared zygote starts), then serves requests on an AF_UNIX socket in a private 0700 folder.

Protocol (SOCK_SEQPACKET, one JSON document per message): a request (`grader.messages.ZygoteRequest`)
names the module (``grader.judge`` or ``grader.worker``), its arguments, a working folder, the whole
environment and the descriptor numbers the child should see; the requester's stdout pipe and those
descriptors travel with it as SCM_RIGHTS. The zygote answers ``{"pid": N}`` (or
``{"error": why}``) and, once it has reaped the child, ``{"exit": code}`` (negative: the signal
that killed it, as `subprocess` reports it). `ZygoteProcess` turns that into the
`subprocess.Popen` surface the grader uses.

A forked child becomes what ``python -I -X utf8 -B -m MODULE ARGS`` started by `grader.sandbox.launch`
would be: its own session, the working folder, exactly the environment it was sent, stdin on
/dev/null, stdout and stderr on the requester's pipe, no open descriptor but those it was
passed (at the numbers the requester used), `sys.argv` and an isolated-mode `sys.path`, fresh
random seeds; then the module runs as ``__main__`` and the child exits with its status.
Differences from a fresh interpreter: libraries are already imported (numpy's BLAS keeps the
zygote's one thread; what their import did to `os.environ` is not redone), the hash seed is the
zygote's, the libraries' own exit finalizers do not run, and every child starts non-dumpable
like the zygote (a fresh worker would be dumpable; not being so only shuts other processes
out).

Who may ask: the process that started the zygote (judges and workers) and the judges it forked
or that a judge it forked forked (a template's, `grader.judge.template`; workers only), checked
against the peer credentials of each connection. Judges learn the
socket from `ENV_SOCKET`; workers are never told, and a worker that finds the socket anyway
(it runs as the same user, and the address is in the zygote's frames it inherits) is refused:
it would otherwise get processes outside its own limits and process group. Nothing of the
course is ever loaded into the zygote, so no child inherits checks or reference values.

Modules: this one is the requester's side (`shared`, `Zygote`, `ZygoteClient`,
`ZygoteProcess`); `grader.zygote.server` is the zygote process, `grader.zygote.child` what a
forked child does before it runs its module.

Lifetimes: every child has PDEATHSIG on the zygote; the zygote kills a child's process group
when the connection that asked for it closes before it ended (the requester died: how a worker
follows its judge); the zygote stops, killing its children, when its stdin (held by the process
that started it) reaches end of file, so it never outlives the grader.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from grader.errors import ZygoteError
from grader.messages import ZygoteRequest
from grader.sandbox import minimal_env, python_command

if TYPE_CHECKING:
    from grader.course import Assignment

__all__ = [
    "ENV_SOCKET",
    "ENV_SWITCH",
    "MODULES",
    "PRELOAD",
    "Zygote",
    "ZygoteClient",
    "ZygoteProcess",
    "forked_child",
    "preload_libraries",
    "shared",
    "supported",
]

ENV_SWITCH = "GRADER_ZYGOTE"  # "0": every judge and worker from a fresh interpreter
ENV_SOCKET = "GRADER_ZYGOTE_SOCKET"  # in a forked judge's environment: where to ask for workers
MODULES = ("grader.judge", "grader.worker")
PRELOAD = (
    "numpy",
    "pytest",
    "hypothesis",
    "hypothesis.extra.numpy",
    "grader.judge.plugin",
    # What a judge's pytest session would import on its own, every time: pytest's debugging and
    # capture plugins, its argument completion, hypothesis's engine; torch.load's helpers.
    "pdb",
    "readline",
    "faulthandler",
    "_pytest._argcomplete",
    "hypothesis.internal.conjecture.optimiser",
    "hypothesis.strategies._internal.flatmapped",
    "torch.utils.serialization",
    "torch._subclasses.schema_check_mode",
    "grader.checklib",
    "grader.plots",
    "grader.worker.server",
)
START_TIMEOUT_S = 180.0  # importing torch on a cold machine
_REPLY_TIMEOUT_S = 60.0
_REPLY_BYTES = 65536


def supported() -> bool:
    """fork, SCM_RIGHTS over SOCK_SEQPACKET and PDEATHSIG: Linux."""
    return sys.platform == "linux" and hasattr(socket, "send_fds") and hasattr(socket, "SOCK_SEQPACKET")


def forked_child() -> bool:
    """True in a process the zygote forked (its parent is the zygote, not its requester)."""
    child = sys.modules.get("grader.zygote.child")
    return bool(child is not None and child.forked)


# --- the requester's side ------------------------------------------------------------------


class ZygoteProcess:
    """A child of the zygote, used like the `subprocess.Popen` that `grader.sandbox.launch` returns."""

    forked = True  # the zygote reaps it

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
        self.read_output(timeout)
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            self.wait(remaining)
        except subprocess.TimeoutExpired:
            raise subprocess.TimeoutExpired(self.args, timeout, output=bytes(self._output)) from None  # type: ignore[arg-type]
        return bytes(self._output), None

    def read_output(self, timeout: float | None = None) -> bytes:
        """Everything the child printed, once it has closed its output (it may not have ended yet)."""
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
        return bytes(self._output)

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
        """Fork `module` with `args` as ``python -I -X utf8 -B -m module args`` would run; raises `ZygoteError`."""
        request = ZygoteRequest(module=module, args=tuple(args), cwd=str(cwd), env=dict(env), fds=tuple(pass_fds))
        control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        read_end, write_end = os.pipe()
        try:
            control.settimeout(_REPLY_TIMEOUT_S)
            control.connect(str(self.socket_path))
            socket.send_fds(control, [request.to_json().encode()], [write_end, *pass_fds])
            os.close(write_end)
            write_end = -1
            reply = json.loads(control.recv(_REPLY_BYTES) or b"{}")
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
_libraries: list[str] = []


def preload_libraries(assignments: Iterable[Assignment]) -> None:
    """Have the shared zygote also import the libraries that `assignments`, the ones about to be
    graded, declare (`[worker] preload`), so that their judges and workers find them loaded. A
    library declared once the zygote runs is imported by each worker itself, as it would be
    without a zygote: slower, never different."""
    with _lock:
        for assignment in assignments:
            _libraries.extend(name for name in assignment.preload if name not in _libraries)


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
                _shared = Zygote.start(preload=(*_libraries, *PRELOAD))
                atexit.register(_shared.close)
            except ZygoteError as exc:
                _shared_failure = str(exc)
        if _shared is not None and not _shared.alive():
            _shared, _shared_failure = None, "the zygote stopped"
        return _shared.client if _shared is not None else None
