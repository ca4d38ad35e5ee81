"""Batch grading benchmarks; figures are printed, never asserted.

    .venv/bin/python bench/batch.py zygote [N ...] [--repeat R]
    .venv/bin/python bench/batch.py class [--students 100] [--workers 1 2]

class: a generated class (bench/make_class.py: correct, wrong and broken submissions across
assignments 1 to 4) graded by `grader grade` once per worker count, then once more with
nothing changed. Prints wall time, submissions per minute, the speed-up over the first worker
count, the rerun's share of the first run, and checks that every submission is accounted for
in results.json and gradebook.csv.

zygote: the overhead per graded (submission, assignment) over the checks' own compute, measured
in the same run on the reference solutions (default: assignments 1 and 2) three ways: as
`grader grade` runs them ("template": the zygote forks a template per assignment, which has
collected the checks and forks a judge per submission, `grader.judge.template`); a judge forked
by the zygote per grading, as `grader check` runs them ("zygote"); a fresh interpreter for every
judge and worker (``GRADER_ZYGOTE=0``, "fresh"). Prints the ratios to "fresh".

The checks' own compute is the sum of the check durations the judge records in that run, less
the start of the worker, which the first check that calls the student's code pays and which is
measured here on its own for each mode (a worker started, its module imported; a fresh one's
start varies by seconds). What is left of that run's wall time is overhead: starting the judge
and the worker, pytest's start and collection, the gaps between checks, stopping them, writing
and reading results. Taking both from the same run keeps the checks' own variation (hundreds
of milliseconds on a busy machine) out of the overhead.
The first grading of each mode (the file cache cold; the template's start) is shown on its own
("first") and not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import zygote  # noqa: E402
from grader.course import Assignment, Course  # noqa: E402
from grader.judge.client import RemoteError, WorkerClient, WorkerOptions  # noqa: E402
from grader.messages import WorkerConfig  # noqa: E402
from grader.protocol import read_frame  # noqa: E402
from grader.runner import JudgeRunner  # noqa: E402
from grader.sandbox import minimal_env  # noqa: E402

# as `grader grade` runs; a judge forked per grading (as `grader check`); no zygote
MODES = ("template", "zygote", "fresh")


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
    first: float  # the first grading: the file cache cold, and the template's start with the zygote
    overhead: float  # wall time less the checks' own compute, run by run


@contextlib.contextmanager
def mode(name: str) -> Iterator[None]:
    """Judges and workers forked by this process's zygote, or each from a fresh interpreter."""
    saved = {key: os.environ.pop(key, None) for key in (zygote.ENV_SWITCH, zygote.ENV_SOCKET)}
    if name == "fresh":
        os.environ[zygote.ENV_SWITCH] = "0"  # "template" and "zygote" both use this process's zygote
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
            module=assignment.module, files=files, limits=assignment.limits, preload=assignment.worker_preload
        )
        started = time.perf_counter()
        with WorkerClient(options) as client:
            client.begin_check()
            with contextlib.suppress(RemoteError):
                client.getattr(0, "__doc__")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


# A worker with no limits, no isolation and nothing preloaded (what the zygote's fork alone costs).
BARE_WORKER = WorkerConfig.bare().to_json()


def fork_time(client: zygote.ZygoteClient, repeat: int = 20) -> float:
    """Median time from asking the zygote for a worker (no preload) to its first message."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for _ in range(repeat):
            ours, theirs = socket.socketpair()
            started = time.perf_counter()
            proc = client.spawn(
                "grader.worker",
                [str(theirs.fileno()), str(os.getpid()), BARE_WORKER],
                cwd=home,
                env=minimal_env(home),
                pass_fds=(theirs.fileno(),),
            )
            theirs.close()
            read_frame(ours, max_bytes=1 << 16, deadline=time.monotonic() + 30)
            times.append(time.perf_counter() - started)
            ours.close()  # the worker ends on end of file
            proc.communicate(timeout=30)
    return statistics.median(times)


def grade_times(
    assignment: Assignment, folder: Path, repeat: int, *, templates: bool
) -> tuple[float, list[float], list[float]]:
    """The first grading's wall time, then wall times and check-duration sums of `repeat` more.

    `templates`: as `grader grade` runs them (`grader.judge.template`), the template's start paid
    by the first grading (which also warms the file cache).
    """
    walls, sums = [], []
    with JudgeRunner(threads=1, templates=templates) as runner:
        for index in range(repeat + 1):
            started = time.perf_counter()
            result = runner.run(assignment, folder, scope="all")
            wall = time.perf_counter() - started
            if result.status != "graded" or result.score != result.max_score:
                raise SystemExit(
                    f"{assignment.label}: the reference got {result.status} {result.score}: {result.message}"
                )
            if index == 0:
                first = wall
            else:
                walls.append(wall)
                sums.append(sum(t.duration_s for t in result.tests))
        if runner.template_failures:
            raise SystemExit(f"{assignment.label}: no template: {'; '.join(runner.template_failures)}")
    return first, walls, sums


def zygote_overhead(assignment_ids: list[int] | None = None, repeat: int = 3) -> list[Overhead]:
    """Overhead per graded assignment with the zygote and with fresh interpreters; prints a table."""
    course = Course.load(ROOT)
    assignments = [course.get(n) for n in (assignment_ids or [1, 2])]
    zygote.preload_libraries(assignments)
    started = time.perf_counter()
    with mode("zygote"):
        client = zygote.shared()
    if client is None:
        raise SystemExit(f"no zygote here: {zygote._shared_failure or 'not supported on this platform'}")
    print(f"zygote start (once per grader command): {time.perf_counter() - started:.2f} s")
    print(f"fork to a bare worker's greeting: {fork_time(client) * 1000:.0f} ms (median of 20)")
    rows = []
    for assignment in assignments:
        folder = course.reference_root / assignment.label
        measured = {}
        for name in MODES:
            with mode(name):
                start = worker_start(assignment, folder, repeat)
                measured[name] = start, *grade_times(assignment, folder, repeat, templates=name == "template")
        for name, (started_in, first, walls, sums) in measured.items():
            checks = [total - started_in for total in sums]
            rows.append(
                Overhead(
                    assignment.label,
                    name,
                    repeat,
                    wall=statistics.median(walls),
                    checks=statistics.median(checks),
                    worker_start=started_in,
                    first=first,
                    overhead=statistics.median(w - c for w, c in zip(walls, checks)),
                )
            )
    _print_overheads(rows)
    return rows


def _print_overheads(rows: list[Overhead]) -> None:
    print(f"\n{'assignment':24} {'mode':7} {'first':>8} {'wall':>8} {'checks':>8} {'worker':>8} {'overhead':>9}")
    for row in rows:
        print(
            f"{row.assignment:24} {row.mode:7} {row.first:7.3f}s {row.wall:7.3f}s {row.checks:7.3f}s "
            f"{row.worker_start:7.3f}s {row.overhead * 1000:7.0f}ms"
        )
    by_key = {(r.assignment, r.mode): r for r in rows}
    for label in dict.fromkeys(r.assignment for r in rows):
        slow = by_key[(label, "fresh")]
        for name in ("template", "zygote"):
            fast = by_key[(label, name)]
            ratio = slow.overhead / fast.overhead if fast.overhead > 0 else float("inf")
            print(
                f"{label}: overhead {fast.overhead * 1000:.0f} ms {name}, {slow.overhead:.2f} s fresh: "
                f"{ratio:.0f}x less; wall {slow.wall / fast.wall:.1f}x faster (medians of {fast.runs})"
            )


# --- class: a generated class graded end to end ----------------------------------------------


def grade_command(subs: Path, out: Path, workers: int) -> float:
    """Wall time of `grader grade SUBS --out OUT -a 1 -a 2 -a 3 -a 4 --workers N`."""
    import subprocess

    grader = Path(sys.executable).with_name("grader")
    command = [str(grader), "grade", str(subs), "--out", str(out), "--workers", str(workers)]
    command += [arg for n in (1, 2, 3, 4) for arg in ("-a", str(n))]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"grader grade failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall


def accounted(out: Path, students: int) -> str:
    import csv

    from grader.results import load_run

    run = load_run(out / "results.json")
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    statuses: dict[str, int] = {}
    for submission in run.submissions:
        for result in submission.assignments:
            statuses[result.status] = statuses.get(result.status, 0) + 1
    if len(run.submissions) != students or len(rows) != students:
        raise SystemExit(f"{out}: {len(run.submissions)} in results.json, {len(rows)} in gradebook.csv")
    return ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))


def class_benchmark(students: int, workers: list[int]) -> None:
    import tempfile

    sys.path.insert(0, str(ROOT / "bench"))
    from make_class import make_class

    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        subs = Path(tmp) / "class"
        counts = make_class(subs, students)
        print(f"{students} submissions: " + ", ".join(f"{n} {p}" for p, n in counts.items()))
        print(f"{os.cpu_count()} cores; assignments 1 to 4")
        first = None
        for n in workers:
            out = Path(tmp) / f"out-{n}"
            wall = grade_command(subs, out, n)
            first = first or wall
            print(
                f"--workers {n}: {wall:7.1f} s, {60 * students / wall:5.1f} submissions/min, "
                f"speed-up {first / wall:.2f}x over --workers {workers[0]}; results: {accounted(out, students)}"
            )
        rerun = grade_command(subs, out, workers[-1])
        print(
            f"rerun with nothing changed (--workers {workers[-1]}): {rerun:.1f} s, {100 * rerun / wall:.1f}% of the run"
        )


# --- command line -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    overhead = commands.add_parser("zygote", help="overhead per graded assignment: zygote vs fresh interpreters")
    overhead.add_argument("numbers", nargs="*", type=int, help="assignments (default: 1 2)")
    overhead.add_argument("--repeat", type=int, default=3, help="counted runs per assignment and mode (default 3)")
    whole = commands.add_parser("class", help="a generated class graded end to end: workers, speed-up, rerun")
    whole.add_argument("--students", type=int, default=100)
    whole.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if args.command == "zygote":
        zygote_overhead(args.numbers or None, repeat=args.repeat)
    else:
        class_benchmark(args.students, args.workers)


if __name__ == "__main__":
    main()
