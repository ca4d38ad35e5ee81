"""A control group per worker: a memory limit that counts everything its processes hold.

Watching a worker from outside (its resident memory, the private memory of the processes it
started) misses memory that belongs to no process's mappings: a memfd filled with ``write``,
files in tmpfs, data queued in socket buffers. The kernel counts all of it against the worker's
memory cgroup, as nsjail and systemd use it. Where a cgroup can be made, each worker gets one:

- cgroup v2, where this process's cgroup delegates the ``memory`` controller to its children
  (``cgroup.subtree_control``): ``memory.max``, ``memory.swap.max = 0``, ``pids.max``;
- cgroup v1 (hybrid machines, with the v1 ``memory`` and ``pids`` hierarchies mounted and
  writable, as when grading as root): ``memory.limit_in_bytes`` (and ``memsw``), ``pids.max``.

The judge moves the worker in once it has loaded its libraries (what the worker held before
stays charged where it was, so the limit applies to what student code adds), reads the usage
while it waits for replies, and learns from the kernel when it killed a process for memory.
Where neither is possible (not root, no delegation, not Linux), `create` returns None and the
judge's sampling is the only limit; `available()` says which applies here, and grading records it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import linux_machinery

__all__ = ["WorkerCgroup", "available"]

PREFIX = "grader-w-"  # cgroups made here: grader-w-<pid of the judge>-<counter>


def _mounts() -> dict[str, Path]:
    """'v2' -> the cgroup2 mount; 'memory', 'pids' -> the v1 hierarchies holding them."""
    found: dict[str, Path] = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        point = Path(fields[4])
        if tail[0] == "cgroup2":
            found.setdefault("v2", point)
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                if option in ("memory", "pids"):
                    found.setdefault(option, point)
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup in each hierarchy: '' (v2) or a controller's name -> its path."""
    paths: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


@dataclass(frozen=True)
class _Layout:
    kind: str  # "cgroup v2" or "cgroup v1"
    memory: Path  # the folder our workers' cgroups go in
    pids: Path | None


def _layout() -> _Layout | None:
    if not linux_machinery():
        return None
    mounts, paths = _mounts(), _own_paths()
    if "v2" in mounts and "" in paths:
        parent = mounts["v2"] / paths[""].lstrip("/")
        try:
            delegated = (parent / "cgroup.subtree_control").read_text().split()
        except OSError:
            delegated = []
        if "memory" in delegated and os.access(parent, os.W_OK):
            return _Layout("cgroup v2", parent, parent if "pids" in delegated else None)
    if "memory" in mounts and "memory" in paths:
        memory = mounts["memory"] / paths["memory"].lstrip("/")
        pids = mounts["pids"] / paths["pids"].lstrip("/") if "pids" in mounts and "pids" in paths else None
        if pids is not None and not os.access(pids, os.W_OK):
            pids = None
        if (memory / "memory.limit_in_bytes").is_file() and os.access(memory, os.W_OK):
            return _Layout("cgroup v1", memory, pids)
    return None


def available() -> str:
    """How a worker's memory is limited here: "cgroup v2", "cgroup v1" or "sampling"."""
    layout = _layout()
    return layout.kind if layout is not None else "sampling"


class WorkerCgroup:
    """One worker's cgroup (memory, and processes where the pids controller is there)."""

    _counter = 0

    def __init__(self, layout: _Layout, memory: Path, pids: Path | None):
        self.kind = layout.kind
        self.memory = memory
        self.pids = pids

    @classmethod
    def create(cls, *, memory_bytes: int, processes: int) -> WorkerCgroup | None:
        """A fresh cgroup with these limits, or None where none can be made (see `available`)."""
        layout = _layout()
        if layout is None:
            return None
        _remove_stale(layout)
        cls._counter += 1
        name = f"{PREFIX}{os.getpid()}-{cls._counter}"
        memory = layout.memory / name
        pids = layout.pids / name if layout.pids is not None and layout.pids != layout.memory else None
        try:
            memory.mkdir()
            if layout.kind == "cgroup v2":
                _write(memory / "memory.max", memory_bytes)
                _write_if_there(memory / "memory.swap.max", 0)
                if layout.pids is not None:
                    _write(memory / "pids.max", processes)
            else:
                _write(memory / "memory.limit_in_bytes", memory_bytes)
                _write_if_there(memory / "memory.memsw.limit_in_bytes", memory_bytes)  # no escape into swap
                if pids is not None:
                    pids.mkdir()
                    _write(pids / "pids.max", processes)
        except OSError:
            _remove(memory)
            if pids is not None:
                _remove(pids)
            return None
        return cls(layout, memory, pids)

    def add(self, pid: int) -> bool:
        """Move process `pid` (and the processes it starts from now on) in; False if that failed."""
        try:
            _write(self.memory / "cgroup.procs", pid)
            if self.pids is not None:
                _write(self.pids / "cgroup.procs", pid)
        except OSError:
            return False
        return True

    def usage(self) -> int:
        """Bytes the cgroup holds that the kernel cannot simply drop: everything charged to it
        (memfd, tmpfs, kernel memory included) but the cache of files on disk."""
        v2 = self.kind == "cgroup v2"
        try:
            charged = int((self.memory / ("memory.current" if v2 else "memory.usage_in_bytes")).read_text())
            stat = dict(line.split() for line in (self.memory / "memory.stat").read_text().splitlines())
            if v2:
                cache = int(stat.get("file", 0)) - int(stat.get("shmem", 0))
            else:
                cache = int(stat.get("total_cache", 0)) - int(stat.get("total_shmem", 0))
        except (OSError, ValueError):
            return 0
        return max(0, charged - max(0, cache))

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process here for going over the limit."""
        name = "memory.events" if self.kind == "cgroup v2" else "memory.oom_control"
        try:
            lines = (self.memory / name).read_text().splitlines()
        except OSError:
            return False
        counts = dict(line.split() for line in lines if len(line.split()) == 2)
        return counts.get("oom_kill", "0") not in ("0", "")

    def close(self) -> None:
        """Kill whatever still runs in it and remove it."""
        for folder in (self.memory, self.pids):
            if folder is not None:
                _kill_all(folder)
                _remove(folder)


def _write(path: Path, value: int) -> None:
    with open(path, "w") as fh:
        fh.write(str(value))


def _write_if_there(path: Path, value: int) -> None:
    if path.exists():
        with contextlib.suppress(OSError):
            _write(path, value)


def _kill_all(folder: Path, *, wait_s: float = 2.0) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        if not pids or time.monotonic() > deadline:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _remove(folder: Path) -> None:
    for _ in range(50):  # a killed process leaves its cgroup as it exits, a moment after the signal
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def _remove_stale(layout: _Layout) -> None:
    """Cgroups of judges that died before removing theirs (their pid is gone)."""
    for parent in {p for p in (layout.memory, layout.pids) if p is not None}:
        try:
            children = [p for p in parent.iterdir() if p.name.startswith(PREFIX) and p.is_dir()]
        except OSError:
            continue
        for child in children:
            owner = child.name[len(PREFIX) :].split("-", 1)[0]
            if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                _kill_all(child)
                _remove(child)
