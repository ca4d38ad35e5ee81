"""Batch grading benchmarks; figures are printed, never asserted.

    .venv/bin/python bench/batch.py zygote [N ...] [--repeat R]

zygote: the overhead per graded (submission, assignment) over the checks' own compute, with
judges and workers forked by the zygote and with a fresh interpreter for each
(``GRADER_ZYGOTE=0``), measured in the same run on the reference solutions (default:
assignments 1 and 2), and the ratio of the two.

The checks' own compute is the sum of the check durations the judge records, less the start of
the worker, which the first check that calls the student's code pays and which is measured
here on its own (a worker started, its module imported). It is taken from the zygote runs for
both modes: the same checks do the same work once their processes run, and a fresh worker's
start varies by seconds, which would swamp it. What is left of the wall time is overhead:
starting the judge and the worker, pytest's start and collection, writing and reading results.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import zygote  # noqa: E402
from grader.course import Assignment, Course  # noqa: E402
from grader.judge.client import RemoteError, WorkerClient, WorkerOptions  # noqa: E402
from grader.runner import JudgeRunner  # noqa: E402

MODES = ("zygote", "fresh")


# --- zygote: overhead per graded assignment -------------------------------------------------


@dataclass
class Overhead:
    """Medians over the runs of one assignment in one mode, in seconds."""

    assignment: str
    mode: str
    runs: int
    wall: float
    checks: float  # the checks' own compute
    worker_start: float

    @property
    def overhead(self) -> float:
        return self.wall - self.checks


@contextlib.contextmanager
def mode(name: str) -> Iterator[None]:
    """Judges and workers forked by this process's zygote, or each from a fresh interpreter."""
    saved = {key: os.environ.pop(key, None) for key in (zygote.ENV_SWITCH, zygote.ENV_SOCKET)}
    if name == "fresh":
        os.environ[zygote.ENV_SWITCH] = "0"
    try:
        yield
    finally:
        os.environ.pop(zygote.ENV_SWITCH, None)
        os.environ.update({key: value for key, value in saved.items() if value is not None})


def worker_start(assignment: Assignment, folder: Path, repeat: int) -> float:
    """Median time to start a worker for `assignment` and import the student's module."""
    files = [folder / name for name in assignment.files]
    times = []
    for _ in range(repeat):
        options = WorkerOptions(
            module=assignment.module, files=files, limits=assignment.limits, preload=assignment.preload
        )
        started = time.perf_counter()
        with WorkerClient(options) as client:
            client.begin_check()
            with contextlib.suppress(RemoteError):
                client.getattr(0, "__doc__")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def grade_times(assignment: Assignment, folder: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Wall times and check-duration sums of `repeat` gradings (after one not counted)."""
    runner = JudgeRunner(threads=1)
    walls, sums = [], []
    for index in range(repeat + 1):
        started = time.perf_counter()
        result = runner.run(assignment, folder, scope="all")
        wall = time.perf_counter() - started
        if result.status != "graded" or result.score != result.max_score:
            raise SystemExit(f"{assignment.label}: the reference got {result.status} {result.score}: {result.message}")
        if index:  # the first one warms the file cache
            walls.append(wall)
            sums.append(sum(t.duration_s for t in result.tests))
    return walls, sums


def zygote_overhead(assignment_ids: list[int] | None = None, repeat: int = 3) -> list[Overhead]:
    """Overhead per graded assignment with the zygote and with fresh interpreters; prints a table."""
    course = Course.load(ROOT)
    assignments = [course.get(n) for n in (assignment_ids or [1, 2])]
    started = time.perf_counter()
    with mode("zygote"):
        if zygote.shared() is None:
            raise SystemExit(f"no zygote here: {zygote._shared_failure or 'not supported on this platform'}")
    print(f"zygote start (once per grader command): {time.perf_counter() - started:.2f} s")
    rows = []
    for assignment in assignments:
        folder = course.reference_root / assignment.label
        measured = {}
        for name in MODES:
            with mode(name):
                measured[name] = worker_start(assignment, folder, repeat), *grade_times(assignment, folder, repeat)
        start, _, sums = measured["zygote"]
        checks = statistics.median(sums) - start
        for name, (started_in, walls, _) in measured.items():
            rows.append(Overhead(assignment.label, name, repeat, statistics.median(walls), checks, started_in))
    _print_overheads(rows)
    return rows


def _print_overheads(rows: list[Overhead]) -> None:
    print(f"\n{'assignment':24} {'mode':7} {'wall':>8} {'checks':>8} {'worker':>8} {'overhead':>9}")
    for row in rows:
        print(
            f"{row.assignment:24} {row.mode:7} {row.wall:7.3f}s {row.checks:7.3f}s "
            f"{row.worker_start:7.3f}s {row.overhead * 1000:7.0f}ms"
        )
    by_key = {(r.assignment, r.mode): r for r in rows}
    for label in dict.fromkeys(r.assignment for r in rows):
        fast, slow = by_key[(label, "zygote")], by_key[(label, "fresh")]
        ratio = slow.overhead / fast.overhead if fast.overhead > 0 else float("inf")
        print(
            f"{label}: overhead {fast.overhead * 1000:.0f} ms with the zygote, {slow.overhead:.2f} s fresh: "
            f"{ratio:.0f}x less; wall {slow.wall / fast.wall:.1f}x faster (medians of {fast.runs})"
        )


# --- command line -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    overhead = commands.add_parser("zygote", help="overhead per graded assignment: zygote vs fresh interpreters")
    overhead.add_argument("numbers", nargs="*", type=int, help="assignments (default: 1 2)")
    overhead.add_argument("--repeat", type=int, default=3, help="counted runs per assignment and mode (default 3)")
    args = parser.parse_args()
    if args.command == "zygote":
        zygote_overhead(args.numbers or None, repeat=args.repeat)


if __name__ == "__main__":
    main()
