"""Starting and stopping sandboxed processes.

The parent (a judge) never runs code between fork and exec: the child gets its own session
(`start_new_session`, done by the C implementation of subprocess), a closed stdin, only the
file descriptors it is passed, and a minimal environment. Resource limits are applied by the
child's own bootstrap (`grader.worker.__main__`) before any student code is imported, which
keeps the parent free of `preexec_fn` and safe to use from threads.

Which way a judge or worker is started (a fresh interpreter, or forked by the zygote) is
chosen in `grader.launch`; this module is what both ways share, and knows neither.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Any, Protocol

__all__ = ["FreshProcess", "Process", "kill_group", "launch", "minimal_env", "python_command", "resident_bytes"]


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
        """Everything the process printed, once it has closed its output. One of our own has ended
        then and is reaped; a `forked` one may still be ending (its server reaps it)."""
        ...


class FreshProcess(subprocess.Popen[bytes]):
    """A process of our own (`launch`): read to its end, and reaped, here."""

    forked = False

    def read_output(self, timeout: float | None = None) -> bytes:
        out, _ = self.communicate(timeout=timeout)
        return out or b""


def minimal_env(home: Path, *, threads: int = 1) -> dict[str, str]:
    """The whole environment a sandboxed process gets: nothing of the grader's own."""
    tmp = home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    threads_s = str(max(1, threads))
    return {
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


def launch(argv: list[str], *, cwd: Path, env: dict[str, str], pass_fds: tuple[int, ...] = ()) -> FreshProcess:
    """Start `argv` in a new session with stdout and stderr on one pipe and stdin closed."""
    return FreshProcess(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=pass_fds,
        close_fds=True,
        start_new_session=True,
    )


def kill_group(proc: Process, *, wait_s: float = 5.0) -> None:
    """SIGKILL the process's whole group (it leads its own session), reap it, close its output pipe."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=wait_s)
    if proc.stdout is not None:
        proc.stdout.close()


def resident_bytes(pid: int) -> int:
    """Resident memory of `pid` in bytes, 0 when it is gone (Linux; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def python_command(module: str, *args: str) -> list[str]:
    """Run a module of this package with this interpreter in isolated mode."""
    return [sys.executable, "-I", "-B", "-m", module, *args]
