"""How long a student waits for `grader check N`: cold, and warm under `--watch`.

    .venv/bin/python bench/check_latency.py [N ...] [--repeat R]

For each assignment (default 1 to 4; 5 reads MNIST and takes longer) on its reference solution:

- cold: `grader check N` as a student runs it, a new process each time (median and spread of R);
- before: the same check the way it ran before `grader check` started judge and worker side by
  side in fresh interpreters: the zygote imports everything first, then forks both (median of R);
- floor: a fresh interpreter, in the worker's environment, that only imports what the worker of
  every one of these assignments must (`import torch, torch._dynamo`: the reference solutions
  train with `torch.optim`, whose first step imports torch._dynamo); no check can come back
  sooner than that on this machine;
- watch: `grader check N --watch` running, the file saved R times: from each save to the new
  result on screen (the "Checked in" line read from its output), median and worst; once as this
  machine runs it (the zygote and a template of the checks), once as Windows and macOS do
  (GRADER_LAUNCHER=portable, no file-system isolation: a judge on standby for each next run).

The three cold measurements take turns (floor, cold, before, R times per assignment), so that
a machine busy for a moment weighs on all three alike. Ratios are cold/floor and cold/before,
all measured in this run. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course import Assignment, Course  # noqa: E402

GRADER = [sys.executable, "-m", "grader"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADER_LANG": "en"}
BEFORE = """
import sys
from pathlib import Path
from grader.course import Course
from grader.grading import check_folder
from grader.runner import JudgeRunner
course = Course.load(Path(sys.argv[1]))
with JudgeRunner(fork=True) as runner:
    check_folder(course=course, assignment_ids=[int(sys.argv[2])], folder=Path(sys.argv[3]), runner=runner)
"""


def timed(command: list[str], *, env: dict[str, str] = ENV) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def floor_run(home: Path) -> float:
    """From start to `import torch, torch._dynamo` done, in a fresh interpreter started as a worker
    is (not counting its exit: the grader kills its worker rather than wait for torch's teardown)."""
    from grader.sandbox import minimal_env

    command = [sys.executable, "-I", "-B", "-c", "import torch, torch._dynamo; print('ready', flush=True)"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=minimal_env(home), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    took = time.perf_counter() - started
    proc.kill()
    proc.communicate()
    return took


def work_folder(assignment: Assignment, parent: Path) -> Path:
    folder = parent / f"a{assignment.id}"
    folder.mkdir()
    for name in assignment.submitted_files:
        shutil.copy(ROOT / "reference" / assignment.dir.name / name, folder / name)
    return folder


def watch_latencies(
    assignment: Assignment, folder: Path, repeat: int, *, portable: bool = False, pause: float = 0.3
) -> list[float]:
    """Seconds from each save to the new result on screen, under `grader check N --watch`."""
    import signal

    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from grader.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "check", str(assignment.id), "--watch", "--dir", str(folder)],
        cwd=ROOT,
        env=ENV | ({"GRADER_LAUNCHER": "portable", "GRADER_ISOLATION": "off"} if portable else {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdout is not None
    target = folder / assignment.files[0]
    source = target.read_text(encoding="utf-8")
    latencies = []
    try:
        _read_until_checked(proc)
        for i in range(repeat):
            time.sleep(pause)  # between a result and the next save
            saved = time.perf_counter()
            target.write_text(f"{source}\n# save {i}\n", encoding="utf-8")
            _read_until_checked(proc)
            latencies.append(time.perf_counter() - saved)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    return sorted(latencies)


def _read_until_checked(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Checked in"):
            return
    raise SystemExit(f"grader check --watch stopped (exit status {proc.wait()})")


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s (min {times[0]:.2f}, max {times[-1]:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--pause",
        type=float,
        default=3.0,
        help="seconds between a result and the next save, portable watch (its next judge needs a few to get ready)",
    )
    args = parser.parse_args()
    course = Course.load(ROOT)
    assignments = [course.get(n) for n in (args.numbers or [1, 2, 3, 4])]
    print(f"{os.cpu_count()} cores; load average now {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="check-latency-") as tmp:
        for assignment in assignments:
            folder = work_folder(assignment, Path(tmp))
            floor, cold, before = [], [], []
            for _ in range(args.repeat):
                floor.append(floor_run(Path(tmp) / "home"))
                cold.append(timed([*GRADER, "check", str(assignment.id), "--dir", str(folder)]))
                before.append(timed([sys.executable, "-c", BEFORE, str(ROOT), str(assignment.id), str(folder)]))
            floor, cold, before = sorted(floor), sorted(cold), sorted(before)
            warm = watch_latencies(assignment, folder, args.repeat)
            away = watch_latencies(assignment, folder, args.repeat, portable=True, pause=args.pause)
            c, b, f = statistics.median(cold), statistics.median(before), statistics.median(floor)
            print(f"assignment {assignment.id}: cold {spread(cold)}")
            print(f"  floor (import torch, torch._dynamo): {spread(floor)}; cold/floor {c / f:.2f}")
            print(f"  before (zygote first): {spread(before)}; cold/before {c / b:.2f}")
            print(f"  watch, save to result on screen: median {statistics.median(warm):.2f} s, worst {warm[-1]:.2f} s")
            print(
                f"  watch, portable, saves {args.pause:g} s after a result: "
                f"median {statistics.median(away):.2f} s, worst {away[-1]:.2f} s"
            )


if __name__ == "__main__":
    main()
