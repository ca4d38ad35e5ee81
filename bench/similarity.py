"""What grader similar costs at class scale: time and peak memory for N students × 5 assignments.

    .venv/bin/python bench/similarity.py [--students 300] [--workers W] [--sizes 100 200 300]

Makes a class from the course's own solutions (the references and the alternatives of
tests/submissions/): each student starts from one of them per assignment, renamed with names of
their own, and rewritten by a few edits of their own (statements added between statements,
functions reordered, comments and spacing changed) so that pairs score across the whole range;
one student in ten hands in notebooks, one in ten a zip, and every twentieth copies the student
before. Then runs `grader.grading.similar_class` on it, as `grader similar` does, in a fresh
process per size, and prints the wall time, the peak memory (this process and its pool
together) and the pairs compared. With several sizes, time grows with the pairs (N²) while
memory follows the students (N): no pair is kept beyond the highest ones. The CPU seconds of
this process and of its pool say what the wall time would be on an idle machine: about
CPU + pool CPU / workers.

Figures are printed, never asserted; on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.notebooks import colab_notebook, split_cells, write_notebook  # noqa: E402
from tests.similarity_class import FILES, renamed, reordered, restyled, solutions  # noqa: E402


def edited(source: str, rng: random.Random) -> str:
    """`source` with a statement of the student's own before about one statement in three."""
    tree = ast.parse(source)
    starts = {}
    for node in ast.walk(tree):
        for body in (getattr(node, "body", None), getattr(node, "orelse", None)):
            if isinstance(body, list) and not isinstance(node, ast.Module):
                for stmt in body:
                    starts[stmt.lineno] = stmt.col_offset
    lines = source.splitlines()
    out = []
    for number, line in enumerate(lines, start=1):
        if number in starts and rng.random() < 0.35:
            name = rng.choice(["tmp", "check", "scale", "note", "count"]) + str(rng.randrange(1000))
            out.append(" " * starts[number] + f"{name} = {rng.randrange(2, 99)} * len(str({rng.randrange(10**6)}))")
        out.append(line)
    text = "\n".join(out) + "\n"
    try:
        ast.parse(text)
    except SyntaxError:
        return source
    return text


def make_class(folder: Path, students: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    bases = {a: list(solutions(a).values()) for a in FILES}
    previous: dict[str, str] = {}
    for i in range(students):
        files: dict[str, str] = {}
        for a, (_, name) in FILES.items():
            text = renamed(rng.choice(bases[a]), seed=rng.randrange(10**6))
            text = edited(text, rng)
            if rng.random() < 0.5:
                text = reordered(text)
            if rng.random() < 0.3:
                text = restyled(text)
            files[name] = text
        if i % 20 == 19:
            files = {name: restyled(text) for name, text in previous.items()}  # a copy of the student before
        previous = files
        student = folder / f"student{i:03d}"
        if i % 10 == 3:
            student.mkdir(parents=True)
            for name, text in files.items():
                cells = [("code", c) for c in split_cells(text)]
                write_notebook(student / name.replace(".py", ".ipynb"), colab_notebook(cells, name=name))
        elif i % 10 == 7:
            folder.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(folder / f"student{i:03d}.zip", "w") as zf:
                for name, text in files.items():
                    zf.writestr(f"student{i:03d}/{name}", text)
        else:
            student.mkdir(parents=True)
            for name, text in files.items():
                (student / name).write_text(text, encoding="utf-8")


def measure(students: int, workers: int) -> dict[str, float]:
    """One size, in this process: make the class, compare it, report."""
    from grader.course import Course
    from grader.grading import similar_class

    with tempfile.TemporaryDirectory(prefix="bench-similar-") as tmp:
        made = time.perf_counter()
        make_class(Path(tmp) / "class", students)
        made = time.perf_counter() - made
        start = time.perf_counter()
        cpu, pool_cpu = _cpu()
        run = similar_class(
            course=Course.load(ROOT), submissions=Path(tmp) / "class", out=Path(tmp) / "out", workers=workers
        )
        elapsed = time.perf_counter() - start
        after, pool_after = _cpu()
        cpu, pool_cpu = after - cpu, pool_after - pool_cpu
        size = (Path(tmp) / "out" / "similarity.json").stat().st_size
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "students": students,
        "pairs": sum(a.pairs for a in run.assignments),
        "kept": len(run.pairs),
        "not_compared": sum(len(a.not_compared) for a in run.assignments),
        "seconds": elapsed,
        "cpu_s": cpu,
        "pool_cpu_s": pool_cpu,
        "make_class_s": made,
        "peak_mib": own,
        "pool_peak_mib": pool,
        "json_kib": size / 1024,
    }


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the pool): what the comparison
    costs when the machine is shared, which the wall time alone would hide."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300], metavar="N", help="class sizes (default 300)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes reading the class")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size measured in this process
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.workers)))
        return
    print(f"grader similar, {len(FILES)} assignments, {args.workers} worker(s), {os.cpu_count()} cores")
    head = (
        ("students", 8),
        ("pairs", 8),
        ("kept", 5),
        ("wall s", 7),
        ("CPU s", 6),
        ("pool CPU s", 10),
        ("peak MiB", 9),
        ("pool MiB", 9),
    )
    print(" ".join(f"{name:>{width}}" for name, width in head), f"{'json KiB':>9}")
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--workers", str(args.workers)]
        figures = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"{figures['students']:>8} {figures['pairs']:>8} {figures['kept']:>5} {figures['seconds']:>7.1f} "
            f"{figures['cpu_s']:>6.1f} {figures['pool_cpu_s']:>10.1f} "
            f"{figures['peak_mib']:>9.0f} {figures['pool_peak_mib']:>9.0f} {figures['json_kib']:>9.0f}"
            f"   (class made in {figures['make_class_s']:.1f} s, {figures['not_compared']} not compared)"
        )


if __name__ == "__main__":
    main()
