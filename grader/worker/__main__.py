"""Worker bootstrap: `python -I -B -m grader.worker FD PARENT_PID CONFIG_JSON`.

Order matters: tie our life to the parent's, enter the isolation the judge asked for while the
process is still single-threaded (`grader.isolation.enter`: namespaces, private mounts, a uid of
its own), load the libraries the assignment needs, then apply the resource limits (so library
start-up is not charged to the student), and only then serve requests, the first of which
imports the student's module. The greeting tells the judge what isolation was achieved.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import socket
import sys

from grader.errors import ExitCode
from grader.messages import WorkerConfig, WorkerIsolation

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    zygote = sys.modules.get("grader.zygote")
    if zygote is not None and zygote.forked_child():
        return  # tied to the zygote when forked; the zygote kills us when the judge that asked for us goes
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the judge still kills us by group
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(ExitCode.ORPHANED)


def _apply_limits(config: WorkerConfig, *, own_uid: bool) -> None:
    """rlimits on ourselves (0: none); `memory_bytes` counts on top of what is mapped right now.

    The number of processes is limited only under a uid of our own: the limit counts every
    process (and thread) of the real uid, which would otherwise be the grader's.
    """
    try:
        with open("/proc/self/statm", "rb") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        mapped = 0
    limits = {
        resource.RLIMIT_AS: mapped + config.memory_bytes if config.memory_bytes else None,
        resource.RLIMIT_CPU: config.cpu_seconds or None,
        resource.RLIMIT_FSIZE: config.file_bytes or None,
        resource.RLIMIT_NOFILE: config.open_files or None,
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NPROC: config.processes if own_uid and config.processes else None,
    }
    for which, value in limits.items():
        if value is None:
            continue
        hard = resource.getrlimit(which)[1]
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))


def _isolate(spec: WorkerIsolation | None) -> dict[str, object]:
    """Enter the isolation the judge asked for (`grader.isolation`); what was achieved, as data."""
    if spec is None:
        return {}
    from grader.isolation import enter

    return enter(keep=spec.keep, share=spec.share, private=spec.private).to_dict()


def main() -> None:
    fd, parent_pid, config = int(sys.argv[1]), int(sys.argv[2]), WorkerConfig.from_json(sys.argv[3])
    _die_with_parent(parent_pid)
    sys.dont_write_bytecode = True
    isolation = _isolate(config.isolate)  # before any library is loaded: the process is single-threaded here
    for name in config.preload:
        __import__(name)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(max(1, config.threads))
    from grader.worker.server import serve

    _apply_limits(config, own_uid=bool(isolation.get("uid")))
    sock = socket.socket(fileno=fd)
    serve(sock, max_bytes=config.max_bytes, hello={"isolation": isolation})


if __name__ == "__main__":
    main()
