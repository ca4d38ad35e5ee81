"""Progress of a batch on the terminal.

On a terminal: one line rewritten in place with a bar, counts, the students being graded and an
estimate of the time left; each finished student is printed above it. Elsewhere (a log file, CI):
one plain line per finished student, nothing rewritten.
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import TextIO

from grader.grading import BatchProgress
from grader.i18n import text
from grader.results import points
from grader.terminal import Style, clip

__all__ = ["BatchDisplay"]


class BatchDisplay:
    def __init__(self, stream: TextIO, *, live: bool | None = None):
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.style = Style(stream)
        self.started = time.monotonic()
        self.running: list[str] = []
        self.done = 0
        self.total = 0
        self.cached = 0
        self._graded_time = 0.0  # wall time of the students graded (not from the cache)
        self._graded = 0
        self._lock = threading.Lock()

    def start(self, name: str, total: int) -> None:
        with self._lock:
            self.total = total
            self.running.append(name)
            self._clear()
            self._redraw()

    def finish(self, p: BatchProgress) -> None:
        with self._lock:
            self.done, self.total = p.done, p.total
            if p.student.student in self.running:
                self.running.remove(p.student.student)
            if p.cached == len(p.student.assignments) and p.cached:
                self.cached += 1
            else:
                self._graded += 1
            self._clear()
            self.stream.write(self._line(p) + "\n")
            self._redraw()
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            self._clear()
            self.stream.flush()

    def _line(self, p: BatchProgress) -> str:
        parts = []
        for a in p.student.assignments:
            if a.status == "graded":
                parts.append(f"{a.id}: {points(a.score)}/{points(a.max_score)}")
            else:
                status = text(f"status.{a.status}")
                parts.append(self.style(f"{a.id}: {status}", "failed" if a.status == "ungradable" else "error"))
        note = self.style(text("progress.cached"), "dim") if p.cached and p.cached == len(p.student.assignments) else ""
        return f"[{p.done}/{p.total}] {p.student.student}  " + "  ".join(parts) + note

    def eta(self) -> float | None:
        """Seconds left, from the pace of the students graded so far (cached ones cost nothing)."""
        if self._graded == 0 or self.total == 0:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / self._graded * max(0, self.total - self.done)

    def _clear(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")

    def _redraw(self) -> None:
        if not self.live or (not self.running and (self.total == 0 or self.done >= self.total)):
            return
        width = shutil.get_terminal_size((100, 20)).columns
        filled = int(20 * self.done / self.total) if self.total else 0
        bar = "█" * filled + "░" * (20 - filled)
        eta = self.eta()
        eta_text = "" if eta is None else text("progress.left", duration=_duration(eta))
        running = ", ".join(self.running[:3]) + (" …" if len(self.running) > 3 else "")
        line = f"{bar} {self.done}/{self.total or '?'}{eta_text}  " + text("progress.grading", names=running)
        self.stream.write(clip(line, max(10, width - 1), mark=""))  # columns: Korean letters take two
        self.stream.flush()


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return text("progress.seconds", s=whole)
    minutes, whole = divmod(whole, 60)
    if minutes < 60:
        return text("progress.minutes", m=minutes, s=whole)
    hours, minutes = divmod(minutes, 60)
    return text("progress.hours", h=hours, m=minutes)
