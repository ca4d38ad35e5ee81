"""Starting and stopping sandboxed processes.

The parent (a judge) never runs code between fork and exec: the child gets its own session
(`start_new_session`, done by the C implementation of subprocess; on Windows a process group of
its own), a closed stdin, only the file descriptors it is passed, and a minimal environment.
Resource limits are applied by the child's own bootstrap (`grader.worker.__main__`) before any
student code is imported, which keeps the parent free of `preexec_fn` and safe to use from threads.

Which way a judge or worker is started (a fresh interpreter, forked by the zygote, or the portable
way) is chosen in `grader.launch`; this module is what they share, and knows none of them. What it
does works on every platform: `kill_group` kills a process group (POSIX) or a process tree
(Windows, ``taskkill /T``); `resident_bytes` reads /proc, or asks psutil where that is installed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any, Protocol

__all__ = [
    "FreshProcess",
    "OutputPump",
    "Process",
    "kill_group",
    "launch",
    "linux_machinery",
    "memory_sampling",
    "minimal_env",
    "python_command",
    "resident_bytes",
]

_WINDOWS = os.name == "nt"
# What a process is killed with: SIGKILL where there is one; elsewhere (Windows) the process tree
# is ended with taskkill, and what is left with TerminateProcess.
_KILL = getattr(signal, "SIGKILL", None)


def linux_machinery() -> bool:
    """Whether this is Linux with what the zygote, the isolation and descriptor passing are built on:
    fork, AF_UNIX sockets, SIGKILL, rlimits and fcntl. Where not, judges and workers start the
    portable way (`grader.launch`) and `grader grade` refuses to run."""
    if not sys.platform.startswith("linux"):
        return False
    if not (hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and _KILL is not None):
        return False
    return all(_importable(name) for name in ("resource", "fcntl"))


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class Process(Protocol):
    """What callers use of a started process: a `FreshProcess` or a `grader.zygote.ZygoteProcess`."""

    pid: int
    returncode: Any
    stdout: IO[bytes] | None
    forked: bool  # forked by a server (the zygote, a template) that reaps it: nobody here need wait for it

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def kill(self) -> None: ...
    def terminate(self) -> None: ...
    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]: ...
    def read_output(self, timeout: float | None = None) -> bytes:
        """Everything the process printed, once it has closed its output (`subprocess.TimeoutExpired`
        if it has not within `timeout`). It may still be ending then: `wait()` for its status."""
        ...


class FreshProcess(subprocess.Popen[bytes]):
    """A process of our own (`launch`): read to its end, and reaped, here."""

    forked = False

    def read_output(self, timeout: float | None = None) -> bytes:
        """Read by a thread (a pipe cannot be waited on with a timeout everywhere); a judge lets go of
        its output once its results are written, and its interpreter's exit is not waited for."""
        assert self.stdout is not None
        stdout, got = self.stdout, bytearray()

        def read() -> None:
            with contextlib.suppress(OSError, ValueError):
                got.extend(stdout.read() or b"")  # to end of file

        reader = threading.Thread(target=read, name="grader-output", daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        stdout.close()
        return bytes(got)


def minimal_env(home: Path, *, threads: int = 1) -> dict[str, str]:
    """The whole environment a sandboxed process gets: nothing of the grader's own."""
    tmp = home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    threads_s = str(max(1, threads))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        # A worker's uid of its own has no passwd entry: these answer getpass.getuser() (which
        # torch.compile asks for its cache folder) without a lookup that would fail.
        "USER": "student",
        "LOGNAME": "student",
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "OMP_NUM_THREADS": threads_s,
        "MKL_NUM_THREADS": threads_s,
        "OPENBLAS_NUM_THREADS": threads_s,
        "CUDA_MODULE_LOADING": "LAZY",
        "MPLBACKEND": "Agg",
    }
    if _WINDOWS:
        env |= _windows_env(home, tmp)
    return env


def _windows_env(home: Path, tmp: Path) -> dict[str, str]:
    """What Python and its libraries need on Windows: SYSTEMROOT (sockets cannot start without
    it), the system folder on PATH, the profile and temp folders under their Windows names."""
    root = os.environ.get("SYSTEMROOT", r"C:\Windows")
    return {
        "SYSTEMROOT": root,
        "WINDIR": root,
        "PATH": os.pathsep.join([os.path.join(root, "System32"), root]),
        "USERPROFILE": str(home),
        "TEMP": str(tmp),
        "TMP": str(tmp),
    }


def launch(
    argv: list[str], *, cwd: Path, env: dict[str, str], pass_fds: tuple[int, ...] = (), stdin: bool = False
) -> FreshProcess:
    """Start `argv` in a new session (Windows: a new process group) with stdout and stderr on one
    pipe and stdin closed, or (`stdin`) a pipe the caller writes to. `pass_fds` needs POSIX."""
    group: dict[str, Any] = (
        {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
        if _WINDOWS
        else {"start_new_session": True, "pass_fds": pass_fds}
    )
    return FreshProcess(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        close_fds=True,
        **group,
    )


def kill_group(proc: Process, *, wait_s: float = 5.0) -> None:
    """Kill the process and every process it started (its group: it leads its own session; on
    Windows its tree), reap it, close its output pipe."""
    if _WINDOWS:
        _taskkill(proc.pid)
    elif _KILL is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, _KILL)
    else:  # a POSIX system without SIGKILL: the strongest signal there is, to the whole group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(ProcessLookupError, OSError):
        if _KILL is not None:
            proc.kill()
        else:
            proc.terminate()  # Windows: TerminateProcess
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=wait_s)
    if proc.stdout is not None:
        proc.stdout.close()


def _taskkill(pid: int) -> None:
    """End `pid` and its descendants (Windows). A venv's python.exe is a launcher that runs the
    real interpreter as its child: killing the launcher alone would leave that running."""
    root = os.environ.get("SYSTEMROOT", r"C:\Windows")
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [os.path.join(root, "System32", "taskkill.exe"), "/F", "/T", "/PID", str(pid)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )


def resident_bytes(pid: int) -> int:
    """Resident memory of `pid` in bytes, 0 when it is gone or cannot be measured.

    Linux: /proc. Elsewhere psutil, when it is installed, of `pid` and its descendants (on Windows
    a venv's python.exe runs the interpreter as its child); without it, 0 (`memory_sampling`).
    """
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    psutil = _psutil()
    if psutil is None:
        return 0
    try:
        process = psutil.Process(pid)
        family = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in family:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return int(total)


def memory_sampling() -> bool:
    """Whether `resident_bytes` can measure processes here (/proc, or psutil installed)."""
    return os.path.isdir("/proc/self") or _psutil() is not None


def _psutil() -> Any:
    if os.path.isdir("/proc/self"):
        return None  # Linux reads /proc, and never needs it
    try:
        import psutil
    except ImportError:
        return None
    return psutil


class OutputPump:
    """A process's output, read by a thread into a capped buffer: for where `select` cannot wait
    on pipes (Windows), and for the portable launcher everywhere.

    The thread reads its own duplicate of the pipe's descriptor, so closing the process's
    `stdout` never pulls a descriptor from under a read in progress; the thread ends, closing its
    copy, once every writer has gone. At most `cap` bytes wait to be taken; beyond that output is
    dropped and counted.
    """

    def __init__(self, stream: IO[bytes], cap: int):
        self._fd = os.dup(stream.fileno())
        self._cap = cap
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._dropped = 0
        self._ended = False
        threading.Thread(target=self._run, name="grader-output", daemon=True).start()

    def _run(self) -> None:
        try:
            while True:
                try:
                    chunk = os.read(self._fd, 65536)
                except InterruptedError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                with self._lock:
                    room = max(0, self._cap - len(self._pending))
                    self._pending += chunk[:room]
                    self._dropped += len(chunk) - min(room, len(chunk))
        finally:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            with self._lock:
                self._ended = True

    def take(self) -> tuple[bytes, int, bool]:
        """What was read since the last call, how many bytes were dropped, and whether the output has ended."""
        with self._lock:
            data, dropped, ended = bytes(self._pending), self._dropped, self._ended
            self._pending.clear()
            self._dropped = 0
        return data, dropped, ended


def python_command(module: str, *args: str) -> list[str]:
    """Run a module of this package with this interpreter in isolated mode and UTF-8 mode.

    Isolated mode ignores every PYTHON* variable, PYTHONIOENCODING included: without ``-X utf8``
    a worker on Windows would write to its pipes in the system's code page, and a student's
    ``print("손실")`` would fail there (cp1252) or reach the report garbled (cp949). On Linux and
    macOS, where the locale is C.UTF-8 already, nothing changes."""
    return [sys.executable, "-I", "-X", "utf8", "-B", "-m", module, *args]
