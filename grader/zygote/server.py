"""The zygote process: load the libraries once, then accept, check, fork, reap and report.

``python -I -X utf8 -B -m grader.zygote SOCKET PRELOAD`` (started by `grader.zygote.Zygote.start`).
Single-threaded by construction: it refuses to serve if loading its libraries left a second
thread, since a fork copies only the calling thread and any lock another one held.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import sys
import traceback
import weakref
from dataclasses import dataclass
from typing import Any

from grader.errors import ExitCode, MessageError, SandboxError, ServerStop
from grader.isolation import sweep, uid_for
from grader.messages import ZygoteRequest
from grader.zygote import MODULES
from grader.zygote.child import BASE_PATH, PR_SET_DUMPABLE, Request, become, prctl, precompile

_LOCALE_KEYS = ("LANG", "LC_ALL", "LC_CTYPE")  # read at interpreter start-up: a child cannot change them
_MAX_REQUEST = 1 << 20
_MAX_FDS = 16
_MAX_FD_NUMBER = 1024
_MADV_COLLAPSE = 25  # Linux 6.1+
_HUGE = 2 << 20


def main(argv: list[str] | None = None) -> None:
    """``python -I -X utf8 -B -m grader.zygote SOCKET PRELOAD``: load the libraries, then fork on request."""
    socket_path, modules = (argv or sys.argv[1:])[:2]
    prctl(PR_SET_DUMPABLE, 0)  # no same-user process may ptrace the parent of every judge
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    BASE_PATH[:] = sys.path
    preload([name for name in modules.split(",") if name])
    precompile(MODULES)
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:  # forking a threaded process can copy a lock that is held forever
        raise SystemExit(f"the zygote has {threads} threads after loading its libraries; it does not fork so")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    staging = socket_path + ".new"
    listener.bind(staging)
    listener.listen(64)
    os.rename(staging, socket_path)  # appears only once it serves
    try:
        Server(listener, os.getppid()).serve()
    finally:
        shutil.rmtree(os.path.dirname(socket_path), ignore_errors=True)


def preload(names: list[str]) -> None:
    """Import `names` (torch set to one thread first) and pytest's own plugins; freeze the heap."""
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
    for finalizer in list(weakref.finalize._registry):  # type: ignore[attr-defined]
        finalizer.atexit = False  # the libraries' exit teardown: nothing to undo here or in a child
    gc.collect()
    gc.freeze()  # fewer copy-on-write faults in the children
    huge_pages()


def huge_pages() -> int:
    """Back the zygote's private anonymous memory with 2 MiB pages where the kernel can; bytes done.

    A fork copies a page-table entry for every 4 KiB page of it and the child's exit takes them
    down again: with torch's and the interpreter's ~400 MB that is ~10 ms each way, for every
    judge and every worker. A 2 MiB page is one entry. MADV_COLLAPSE (Linux 6.1+) collapses in
    place, whatever the system's transparent-huge-page mode short of never; elsewhere it fails
    and nothing changes. The areas are not marked MADV_HUGEPAGE: a child's own new memory stays
    in small pages (its resident size, which the worker's memory limit reads, grows as before).
    A child's first write to a huge page splits that mapping in the child only.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        with open("/proc/self/maps", encoding="ascii") as maps:
            lines = maps.read().splitlines()
    except (OSError, AttributeError):
        return 0
    done = 0
    for line in lines:
        fields = line.split()
        if fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue  # private anonymous memory only: not files, not the stack
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start, end = -(-start // _HUGE) * _HUGE, end // _HUGE * _HUGE
        if end - start < _HUGE:
            continue
        if libc.madvise(ctypes.c_void_p(start), ctypes.c_size_t(end - start), _MADV_COLLAPSE) == 0:
            done += end - start
    return done


def stop_on_signal(signum: int, _frame: object) -> None:
    """A signal handler: `Server.serve` returns."""
    raise ServerStop


@dataclass
class _Child:
    module: str
    conn: socket.socket | None  # the requester's connection, until the exit status is sent


_NO_CHILD = _Child("", None)


class Server:
    """Single-threaded: accept, check, fork, reap, report.

    The zygote's own; a judge's template (`grader.judge.template`) serves with a subclass that
    changes who may ask (`authorize`), what modules it starts (`modules`) and what a forked
    child does (`run_child`). `lifeline`: stop when stdin reaches end of file.
    """

    modules: tuple[str, ...] = MODULES

    def __init__(self, listener: socket.socket, parent_pid: int, *, lifeline: bool = True):
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
        if lifeline:
            self.selector.register(0, selectors.EVENT_READ, self._lifeline)

    def serve(self) -> None:
        """Until stopped (SIGTERM, SIGINT, the lifeline); a forked child leaves only through `run_child`."""
        try:
            while True:
                for key, _ in self.selector.select():
                    key.data(key.fileobj)
        except ServerStop:
            pass
        finally:
            if os.getpid() == self.pid:  # not in a child leaving through an exception
                for pid in list(self.children):
                    _kill_tree(pid)

    def _lifeline(self, _: Any) -> None:
        if not os.read(0, 4096):
            raise ServerStop

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
            request = _parse(data, fds, flags, self.modules)
            peer_pid, peer_uid = self.peers.get(conn, (0, -1))
            if peer_uid != os.getuid():
                raise PermissionError("another user")
            self.authorize(peer_pid, request.module)
        except (ValueError, KeyError, TypeError, PermissionError, MessageError) as exc:
            _send(conn, {"error": str(exc) or type(exc).__name__})
            self._drop(conn, fds)
            return
        pid = self._fork(request)
        for fd in fds:
            os.close(fd)
        self.children[pid] = _Child(request.module, conn)
        self.selector.modify(conn, selectors.EVENT_READ, self._hangup)
        _send(conn, {"pid": pid})

    def authorize(self, pid: int, module: str) -> None:
        """Raise `PermissionError` unless process `pid` (of our user) may have a `module` forked.

        The process that started the zygote may ask for anything; a judge the zygote forked, or
        a judge forked by such a judge (a template's, `grader.judge.template`), for workers.
        """
        if pid == self.parent_pid:
            return
        requester = self.children.get(pid) or self.children.get(_parent_of(pid), _NO_CHILD)
        if requester.module == "grader.judge" and module == "grader.worker":
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
                ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if ended is None or ended.si_pid == 0:
                return
            if self.children.get(ended.si_pid, _NO_CHILD).module == "grader.worker" and os.geteuid() == 0:
                # Before its pid (and so its uid) can be reused: every process the worker started,
                # setsid or not; the judge does this too, unless it died first.
                with contextlib.suppress(SandboxError):
                    sweep(uid_for(ended.si_pid))
            pid, status = os.waitpid(ended.si_pid, 0)
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

    def _fork(self, request: Request) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid
        try:
            self._forget()
        except BaseException:
            os._exit(ExitCode.ORPHANED)
        self.run_child(request)
        os._exit(ExitCode.ORPHANED)  # pragma: no cover - run_child does not return

    def run_child(self, request: Request) -> None:
        """In the forked child: become the requested module, run it and exit with its status."""
        code: int = ExitCode.ORPHANED
        try:
            code = become(request, parent_pid=self.pid)
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
        self.peers.clear()
        self.children.clear()  # not ours to kill or report on
        os.close(self.wakeup_r)
        os.close(self.wakeup_w)


def _parent_of(pid: int) -> int:
    """The parent of process `pid`, 0 when it is gone (or not Linux)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return int(stat[stat.rindex(b")") + 2 :].split()[1])  # after the command name, which may hold anything
    except (OSError, ValueError, IndexError):
        return 0


def _parse(data: bytes, fds: list[int], flags: int, modules: tuple[str, ...] = MODULES) -> Request:
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        raise ValueError("request too large")
    raw = ZygoteRequest.from_json(data)
    if raw.module not in modules:
        raise ValueError(f"not a module the zygote starts: {raw.module!r}")
    if any("\0" in a for a in raw.args):
        raise ValueError("arguments must be strings")
    if not (os.path.isabs(raw.cwd) and os.path.isdir(raw.cwd)):
        raise ValueError(f"no such folder: {raw.cwd!r}")
    if not all(_env_entry(k, v) for k, v in raw.env.items()):
        raise ValueError("malformed environment")
    if any(raw.env.get(k) != os.environ.get(k) for k in _LOCALE_KEYS):
        raise ValueError("the locale differs from the zygote's")
    targets = list(raw.fds)
    if not (len(targets) == len(fds) - 1 and len(set(targets)) == len(targets)):
        raise ValueError("descriptors do not match their numbers")
    if not all(3 <= t < _MAX_FD_NUMBER for t in targets):
        raise ValueError("descriptor numbers out of range")
    return Request(raw.module, list(raw.args), raw.cwd, raw.env, fds, targets)


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
