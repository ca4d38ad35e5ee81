"""How long grading one submission takes, per assignment, and what dominates.

    .venv/bin/python bench/grade_one.py [N ...] [--repeat R]

For each assignment: grades the reference solution with every check (public and hidden) R
times, one at a time, and prints the wall time and the slowest checks. With the zygote (the
default on Linux) torch is imported once per grader command, when the zygote starts: that start
is measured and printed on its own, and the wall times exclude it. With GRADER_ZYGOTE=0 every
judge and worker is a fresh interpreter: the cost of importing torch in one (measured in this
run: the worker pays it once, and the judge once more when its checks import torch) is
subtracted instead. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import zygote  # noqa: E402
from grader.course import Course  # noqa: E402
from grader.runner import JudgeRunner  # noqa: E402


def import_cost(modules: str, repeat: int = 3) -> float:
    """Median wall time of a fresh interpreter importing `modules`."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", f"import {modules}"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", type=int)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    course = Course.load(ROOT)
    assignments = [course.get(n) for n in args.numbers] if args.numbers else list(course)
    bare = import_cost("sys")
    torch_import = import_cost("torch, torch._dynamo") - bare
    print(f"fresh interpreter: {bare:.2f} s; importing torch + torch._dynamo: {torch_import:.2f} s")
    zygote.preload_libraries(assignments)
    started = time.perf_counter()
    forked = zygote.shared() is not None
    if forked:
        print(f"zygote start (once per grader command, torch imported there): {time.perf_counter() - started:.2f} s")
        torch_import = 0.0  # no judge or worker imports torch: they are forked with it loaded
    else:
        print("no zygote (GRADER_ZYGOTE=0 or not Linux): fresh interpreters, torch imports subtracted")
    runner = JudgeRunner(threads=1)
    for assignment in assignments:
        walls, results = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = runner.run(assignment, course.reference_root / assignment.label, scope="all")
            walls.append(time.perf_counter() - started)
            results.append(result)
        wall = statistics.median(walls)
        last = results[-1]
        judge_imports_torch = any(
            "import torch" in p.read_text() for v in ("public", "hidden") for p in assignment.check_files(v)
        )
        excluded = torch_import * (2 if judge_imports_torch else 1)
        print(
            f"\n{assignment.label}: {last.status}, {last.score:g}/{last.max_score:g}, "
            f"{len(last.tests)} checks; wall {wall:.2f} s (median of {len(walls)}), "
            f"{wall - excluded:.2f} s without torch imports ({excluded:.2f} s: worker"
            f"{' + judge' if judge_imports_torch else ''})"
        )
        slowest = sorted(last.tests, key=lambda t: t.duration_s, reverse=True)[:4]
        for test in slowest:
            print(f"  {test.duration_s:6.2f} s  {test.name}")
        print(f"  ({sum(t.duration_s for t in last.tests):.2f} s in checks, the first one includes the worker start)")


if __name__ == "__main__":
    main()
