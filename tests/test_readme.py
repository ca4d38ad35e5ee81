"""The README's promises: its two commands, the example class they grade, CI running the tests."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import Course
from grader.results import load_run
from tests.conftest import REPO

GRADER = Path(sys.executable).with_name("grader")
# Every assignment but 5, whose score depends on the machine (its GPU-only checks): full marks.
FULL_MARKS = {a.id: ("graded", a.points) for a in Course.load(REPO) if a.id != 5}


def readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README.md must open with a sh code block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def make_recipe(target: str) -> list[str]:
    """The commands `make TARGET` would run, without running them."""
    out = subprocess.run(["make", "-n", "-W", "pyproject.toml", target], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_readme_opens_with_demo_and_test_commands():
    assert readme_commands()[:2] == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        ln.strip() for ln in script.splitlines() if ln.strip() and not ln.strip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]


def test_make_targets_set_up_the_venv_first():
    for target in ("demo", "test"):
        recipe = make_recipe(target)
        assert any("-m venv .venv" in line for line in recipe), recipe
        assert any("pip install" in line and "-e '.[test]'" in line for line in recipe), recipe
    assert ".venv/bin/grader grade examples/submissions --out grading-report" in make_recipe("demo")
    assert ".venv/bin/python -m pytest" in make_recipe("test")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`make demo`'s grading command, run as written except for the output folder."""
    out = tmp_path_factory.mktemp("demo") / "grading-report"
    proc = subprocess.run(
        [str(GRADER), "grade", "examples/submissions", "--out", str(out)], cwd=REPO, capture_output=True, text=True
    )
    return proc, out


def test_demo_grades_every_example(demo):
    proc, out = demo
    assert proc.returncode == 0, proc.stderr
    assert "Graded 6 submissions" in proc.stdout
    assert (out / "index.html").is_file()
    students = ["01-perfect", "02-partly-wrong", "03-syntax-error", "04-missing-file", "05-cheater", "06-notebook"]
    assert sorted(p.stem for p in (out / "students").glob("*.html")) == students
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert set(rows) == set(students)


def test_example_outcomes(demo):
    _, out = demo
    run = {s.student: {a.id: a for a in s.assignments} for s in load_run(out / "results.json").submissions}
    perfect = run["01-perfect"]
    assert {n: (a.status, a.score) for n, a in perfect.items() if n != 5} == FULL_MARKS
    mnist = perfect[5]  # 40 points; the GPU-only checks (3 points) are not counted on a machine without CUDA
    assert mnist.status == "graded" and mnist.score == mnist.max_score and mnist.max_score in (37, 40)
    notebook = run["06-notebook"]  # every assignment handed in as a Colab notebook
    assert {n: (a.status, a.score) for n, a in notebook.items() if n != 5} == FULL_MARKS
    assert notebook[5].status == "graded" and notebook[5].score == notebook[5].max_score == mnist.max_score
    assert all(a.notes[0].startswith("Graded from ") for a in notebook.values())
    partial = run["02-partly-wrong"]
    assert partial[1].status == "graded" and 0 < partial[1].score < 25
    assert partial[2].status == "graded" and 0 < partial[2].score < 25
    assert partial[3].status == "ungradable" and "fitting.py" in partial[3].message
    syntax = run["03-syntax-error"][1]
    assert syntax.status == "ungradable" and "gates.py has a syntax error on line 4" in syntax.message
    missing = run["04-missing-file"][1]
    assert missing.status == "ungradable" and "found gate.py instead" in missing.message
    cheater = run["05-cheater"][1]
    assert cheater.status == "graded" and cheater.score == 0
    feedback = " ".join(t.feedback for t in cheater.tests)
    assert "exited with status 0" in feedback and "raised SystemExit" in feedback
    assert "an object of type gates.Anything" in feedback
    assert "ALL CHECKS PASSED" not in (out / "index.html").read_text()


def test_example_reports_show_the_plots(demo):
    _, out = demo
    page = (out / "students" / "01-perfect.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 4, "the perfect example's report should carry the fit curves and error maps"


def test_the_complete_example_is_the_reference_apart_from_its_first_line():
    """01-perfect carries copies of the references (the grader refuses linked files): keep them in step."""
    perfect = REPO / "examples" / "submissions" / "01-perfect"
    for copy in sorted(perfect.iterdir()):
        if copy.name == "gates.py":  # written differently on purpose
            continue
        (original,) = (REPO / "reference").glob(f"*/{copy.name}")
        if copy.suffix == ".pt":
            assert copy.read_bytes() == original.read_bytes(), copy.name
        else:
            ours, theirs = copy.read_text().splitlines(), original.read_text().splitlines()
            assert ours[1:] == theirs[1:], f"{copy.name} differs from {original}"
