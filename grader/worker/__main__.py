"""Worker bootstrap: `python -I -X utf8 -B -m grader.worker CHANNEL PARENT_PID CONFIG_JSON`.

Order matters: tie our life to the parent's, reach the judge (`grader.channel`: ``N``, a
socket handed down, or ``tcp:PORT``, a loopback connection made now, while the network is still
the machine's), enter the isolation the judge asked for while the process is still
single-threaded (`grader.isolation.enter`: namespaces, private mounts, a uid of its own), load
the libraries the assignment needs, then apply the resource limits (so library start-up is not
charged to the student), and only then serve requests, the first of which imports the student's
module. The greeting tells the judge what isolation was achieved.

Nothing POSIX-only is imported at module level: the portable launcher starts this on Windows
and macOS too, where rlimits are applied as far as `resource` exists and the parent is watched
by a thread instead of PR_SET_PDEATHSIG.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

from grader.channel import connect
from grader.errors import ExitCode
from grader.messages import WorkerConfig, WorkerIsolation

PR_SET_PDEATHSIG = 1
_PARENT_LOOK_S = 0.5


def _die_with_parent(parent_pid: int) -> None:
    zygote = sys.modules.get("grader.zygote")
    if zygote is not None and zygote.forked_child():
        return  # tied to the zygote when forked; the zygote kills us when the judge that asked for us goes
    kill = getattr(signal, "SIGKILL", None)
    if os.name == "nt":
        _watch_parent_windows(parent_pid)  # a venv's python.exe runs us as its child: not os.getppid()
        return
    if sys.platform.startswith("linux") and kill is not None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
    else:  # macOS, or no SIGKILL: look at who our parent is, a few times a second
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="grader-parent", daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(ExitCode.ORPHANED)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_LOOK_S)
    os._exit(ExitCode.ORPHANED)


def _watch_parent_windows(parent_pid: int) -> None:
    """Exit when the judge's process ends (waited on through a handle to it)."""
    from ctypes import wintypes

    synchronize, infinite = 0x00100000, 0xFFFFFFFF
    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (Windows only)
    kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
    kernel32.WaitForSingleObject.restype = wintypes.DWORD
    handle = kernel32.OpenProcess(synchronize, False, parent_pid)
    if not handle:
        os._exit(ExitCode.ORPHANED)

    def wait() -> None:
        kernel32.WaitForSingleObject(handle, infinite)
        os._exit(ExitCode.ORPHANED)

    threading.Thread(target=wait, name="grader-parent", daemon=True).start()


def _apply_limits(config: WorkerConfig, *, own_uid: bool) -> None:
    """rlimits on ourselves (0: none) where the platform has them (not Windows); `memory_bytes`
    counts on top of what is mapped right now, so the address space is limited only where that
    can be read (/proc: Linux; macOS does not enforce RLIMIT_AS anyway). Elsewhere the judge's
    sampling is the memory limit.

    The number of processes is limited only under a uid of our own: the limit counts every
    process (and thread) of the real uid, which would otherwise be the grader's.
    """
    try:
        import resource
    except ImportError:
        return
    try:
        with open("/proc/self/statm", "rb") as fh:
            mapped: int | None = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        mapped = None  # not Linux: what is mapped now is unknown, so no address-space limit on top of it
    limits = {
        "RLIMIT_AS": mapped + config.memory_bytes if config.memory_bytes and mapped is not None else None,
        "RLIMIT_CPU": config.cpu_seconds or None,
        "RLIMIT_FSIZE": config.file_bytes or None,
        "RLIMIT_NOFILE": config.open_files or None,
        "RLIMIT_CORE": 0,
        "RLIMIT_NPROC": config.processes if own_uid and config.processes else None,
    }
    for name, value in limits.items():
        which = getattr(resource, name, None)
        if value is None or which is None:
            continue
        with contextlib.suppress(ValueError, OSError):
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))


def _isolate(spec: WorkerIsolation | None) -> dict[str, object]:
    """Enter the isolation the judge asked for (`grader.isolation`); what was achieved, as data."""
    if spec is None:
        return {}
    from grader.isolation import enter

    return enter(keep=spec.keep, share=spec.share, private=spec.private).to_dict()


def main() -> None:
    channel = sys.argv[1]
    if not (channel.isdigit() or channel.startswith("tcp:")):
        raise ValueError(f"unknown channel {channel!r}")
    parent_pid, config = int(sys.argv[2]), WorkerConfig.from_json(sys.argv[3])
    _die_with_parent(parent_pid)
    sys.dont_write_bytecode = True
    sock = connect(channel)  # before isolation: a loopback connection is not made from a network of its own
    isolation = _isolate(config.isolate)  # before any library is loaded: the process is single-threaded here
    for name in config.preload:
        __import__(name)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(max(1, config.threads))
    from grader.worker.server import serve

    _apply_limits(config, own_uid=bool(isolation.get("uid")))
    serve(sock, max_bytes=config.max_bytes, hello={"isolation": isolation})


if __name__ == "__main__":
    main()
