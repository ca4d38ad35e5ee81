"""What handing in a notebook costs: converting it, and grading it against the same code as a .py file.

    .venv/bin/python bench/notebook.py [N ...] [--repeat R]

1. Conversion: a Colab-style notebook of 50 code cells (definitions, prints, loops, plots,
   magics) read with nbformat and turned into its module (`grader.notebook`), median of many
   runs; nbformat's own import, paid once per grader process that meets a notebook, apart.
2. Grading: for each assignment (default 1 and 2), the reference as a .py file and the same
   reference handed in as a Colab notebook (magics, shell lines, plots, a long training cell),
   graded with every check, alternately, R times each; the median wall times and their ratio.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import zygote  # noqa: E402
from grader.course import Course  # noqa: E402
from grader.notebook import convert, parse_notebook  # noqa: E402
from grader.runner import JudgeRunner  # noqa: E402
from tests.notebooks import WORK, colab_notebook, student_notebook, write_notebook  # noqa: E402


def fifty_cells() -> str:
    cells = [("code", "!pip install -q torch\n%matplotlib inline\nimport torch\nimport matplotlib.pyplot as plt")]
    for i in range(49):
        kind = i % 4
        if kind == 0:
            text = (
                f'def f{i}(x, w=0.5):\n    """Cell {i}."""\n    total = 0.0\n'
                "    for v in x:\n        total += v * w\n    return total"
            )
        elif kind == 1:
            text = f"DATA_{i} = [(2, 4), (4, 7), (8, 8)]\nprint(f{i - 1}([a for a, _ in DATA_{i}]))"
        elif kind == 2:
            text = f"for step in range(1000):\n    loss = f{i - 2}([step])\nplt.plot([1, 2, 3])\nplt.show()"
        else:
            text = f"%%time\nresult_{i} = f{i - 3}([1.0, 2.0])\nresult_{i}"
        cells.append(("code", text))
    return json.dumps(colab_notebook(cells, name="fifty.ipynb"))


def median_time(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def conversion(repeat: int = 50) -> None:
    text = fifty_cells()
    nbformat_import = median_time(
        lambda: subprocess.run([sys.executable, "-I", "-c", "import nbformat"], check=True), 3
    ) - median_time(lambda: subprocess.run([sys.executable, "-I", "-c", "pass"], check=True), 3)
    node = parse_notebook(text, "fifty.ipynb")
    converted = median_time(lambda: convert(node, origin="fifty.ipynb", module_file="fifty.py"), repeat)
    whole = median_time(
        lambda: convert(parse_notebook(text, "fifty.ipynb"), origin="fifty.ipynb", module_file="fifty.py"), repeat
    )
    result = convert(node, origin="fifty.ipynb", module_file="fifty.py")
    kept = sum(c.kept != "none" for c in result.cells)
    print(
        f"50-cell notebook ({len(text) // 1024} KiB, {kept} cells kept in part or whole): "
        f"convert {converted * 1000:.1f} ms, "
        f"read + validate + convert {whole * 1000:.1f} ms (median of {repeat}); "
        f"importing nbformat, once per process: {nbformat_import * 1000:.0f} ms"
    )


def grading(numbers: list[int], repeat: int) -> None:
    course = Course.load(ROOT)
    zygote.preload_libraries(course.get(number) for number in numbers)
    started = time.perf_counter()
    if zygote.shared() is not None:
        print(f"zygote start: {time.perf_counter() - started:.2f} s (not counted below)")
    runner = JudgeRunner(threads=1)
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
        for number in numbers:
            assignment = course.get(number)
            reference = course.reference_root / assignment.label
            module = assignment.files[0]
            plain, notebook = Path(tmp) / f"py{number}", Path(tmp) / f"nb{number}"
            shutil.copytree(reference, plain, ignore=shutil.ignore_patterns("calibrate.py", "train_*.py", "*.md"))
            shutil.copytree(plain, notebook)
            source = (notebook / module).read_text(encoding="utf-8")
            (notebook / module).unlink()
            name = module.removesuffix(".py") + ".ipynb"
            write_notebook(notebook / name, student_notebook(source, name=name, work=WORK[number], check=number))
            runner.run(assignment, plain, scope="all")  # warm: the first judge of an assignment loads its checks
            walls: dict[str, list[float]] = {"py": [], "ipynb": []}
            scores = {}
            for _ in range(repeat):
                for kind, folder in (("py", plain), ("ipynb", notebook)):
                    started = time.perf_counter()
                    result = runner.run(assignment, folder, scope="all")
                    walls[kind].append(time.perf_counter() - started)
                    scores[kind] = f"{result.score:g}/{result.max_score:g}"
            py, nb = statistics.median(walls["py"]), statistics.median(walls["ipynb"])
            print(
                f"{assignment.label}: .py {py:.2f} s ({scores['py']}), notebook {nb:.2f} s ({scores['ipynb']}); "
                f"notebook / .py = {nb / py:.3f} (medians of {repeat}, run alternately)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    conversion()
    grading(args.numbers, args.repeat)


if __name__ == "__main__":
    main()
