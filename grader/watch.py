"""`grader check N --watch`: run the public checks again whenever the student saves a file.

The files looked at are the assignment's (`Assignment.submitted_files`) and the notebook that may
stand for each (``NAME.ipynb``), in the student's folder; a change is a file appearing, vanishing,
or changing size, modification time or content. The content is compared (by digest) for files up
to `DIGEST_ALWAYS` bytes, and for larger ones while their modification time is under `COARSE_S`
old: FAT32 and exFAT, on which many USB sticks and SD cards are formatted, keep modification times
to 2 s, so two saves of the same size within 2 s leave the same time and size behind. They are
looked at every `POLL_S` seconds: cheaper than
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

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

from grader.course import Assignment

__all__ = ["COARSE_S", "DIGEST_ALWAYS", "POLL_S", "SETTLE_S", "Seen", "Snapshot", "snapshot", "watch", "watched_files"]

POLL_S = 0.05
SETTLE_S = 0.02
DIGEST_ALWAYS = 256 * 1024  # a student's .py file, most notebooks: read every poll (under 1 ms)
COARSE_S = 3.0  # 2 s timestamps, and a little for the clocks of a network share

Seen = tuple[int, int, bytes | None]  # (modification time in ns, size, digest of the content or None: not read)
Snapshot = dict[str, Seen | None]  # file name: what was seen, None if absent


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
    now = time.time()
    for name in names:
        path = folder / name
        try:
            st = path.stat()
        except OSError:
            found[name] = None
            continue
        digest = None
        if st.st_size <= DIGEST_ALWAYS or abs(now - st.st_mtime) < COARSE_S:
            # (One held open by an editor that locks it, on Windows, is left to its time and size.)
            with contextlib.suppress(OSError):
                digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        found[name] = (st.st_mtime_ns, st.st_size, digest)
    return found


def same(before: Seen | None, after: Seen | None) -> bool:
    """Whether nothing changed between two looks at a file. A digest missing on either side (a
    large file grown old, or one that could not be read) leaves the time and size to decide."""
    if before is None or after is None:
        return before is after
    if before[:2] != after[:2]:
        return False
    return before[2] is None or after[2] is None or before[2] == after[2]


def changed_names(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in after if not same(before.get(name), after[name])]


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
        if not changed_names(last, now):
            last = now  # (the digests of what is still the same, for the next look)
            continue
        while not stop.wait(settle_s):  # until it holds still
            settled = snapshot(folder, names)
            if not changed_names(now, settled):
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
