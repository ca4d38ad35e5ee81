"""`grader check N --watch`: run the public checks again whenever the student saves a file.

The files looked at are the assignment's (`Assignment.submitted_files`) and the notebook that may
stand for each (``NAME.ipynb``), in the student's folder; a change is a file appearing, vanishing,
or changing size or modification time. They are looked at every `POLL_S` seconds: cheaper than
any file-system notification, the same on Linux, macOS and Windows, and quick enough that the
time to see a save is a small part of the time to check it. A change is acted on once the files
have stayed the same for `SETTLE_S` (an editor that writes a file in several steps is checked
once, on what it wrote last). A save made while the checks run is checked right after.

What makes a run quick is the runner the caller passes: the command line's keeps the zygote
(`grader.zygote`: torch, pytest and hypothesis imported once) and a template of the assignment's
collected checks (`grader.judge.template`), so that each run forks a judge and a worker that have
nothing left to import; where processes start the portable way (Windows, macOS), each run starts
them afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from grader.course import Assignment

__all__ = ["POLL_S", "SETTLE_S", "Snapshot", "snapshot", "watch", "watched_files"]

POLL_S = 0.05
SETTLE_S = 0.02

Snapshot = dict[str, tuple[int, int] | None]  # file name: (modification time in ns, size), None if absent


def watched_files(assignment: Assignment) -> list[str]:
    """The names in the student's folder whose change means a new run."""
    names: list[str] = []
    for name in assignment.submitted_files:
        names.append(name)
        if name.endswith(".py"):
            names.append(name.removesuffix(".py") + ".ipynb")
    return names


def snapshot(folder: Path, names: list[str]) -> Snapshot:
    found: Snapshot = {}
    for name in names:
        try:
            st = (folder / name).stat()
        except OSError:
            found[name] = None
        else:
            found[name] = (st.st_mtime_ns, st.st_size)
    return found


def changed_names(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


def watch(
    *,
    assignment: Assignment,
    folder: Path,
    run: Callable[[], None],
    changed: Callable[[list[str]], None],
    stop: threading.Event | None = None,
    poll_s: float = POLL_S,
    settle_s: float = SETTLE_S,
) -> None:
    """Call `run()` now and again after every change to the watched files (`changed(names)` just
    before), until `stop` is set (or the caller's thread is interrupted: Ctrl-C)."""
    names = watched_files(assignment)
    stop = stop or threading.Event()
    last = snapshot(folder, names)
    run()
    while not stop.wait(poll_s):
        now = snapshot(folder, names)
        if now == last:
            continue
        while not stop.wait(settle_s):  # until it holds still
            settled = snapshot(folder, names)
            if settled == now:
                break
            now = settled
        if stop.is_set():
            return
        names_changed = changed_names(last, now)
        last = now
        changed(names_changed)
        run()


def clock() -> str:
    return time.strftime("%H:%M:%S")
