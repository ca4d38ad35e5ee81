"""Export formats, checked against their published field names: Gradescope, GitHub Actions, Classroom."""

from __future__ import annotations

import base64
import json
import zipfile

from grader.dist import build_bundle
from grader.exporters.github import (
    CLASSROOM_FIELDS,
    CLASSROOM_TEST_FIELDS,
    classroom_result,
    error_annotations,
    points_line,
    step_summary,
    write_ci_outputs,
)
from grader.exporters.gradescope import GRADESCOPE_FIELDS, GRADESCOPE_TEST_FIELDS, gradescope_results
from grader.results import AssignmentResult, SubmissionResult, TestResult
from tests.conftest import REPO


def results() -> list[AssignmentResult]:
    gates = AssignmentResult(
        1,
        "gates",
        "Perceptron logic gates",
        "graded",
        3,
        6,
        tests=[
            TestResult("public/t.py::test_a", "AND truth table", "passed", 2, 2, "public", duration_s=0.2),
            TestResult(
                "public/t.py::test_b",
                "XOR: two layers, 100%",
                "failed",
                0,
                2,
                "public",
                feedback="XOR(1, 1) returned 1, expected 0\nsecond line: a, b",
            ),
            TestResult("hidden/h.py::test_c", "hidden | pipes", "passed", 1, 1, "hidden", output="hi"),
            TestResult("hidden/h.py::test_d", "trains", "timeout", 0, 1, "hidden", feedback="took over 10 s"),
            TestResult("hidden/h.py::test_gpu", "runs on the GPU", "skipped", 0, 1, "hidden", feedback="no CUDA here"),
        ],
    )
    broken = AssignmentResult(
        2, "gd", "Gradient descent", "ungradable", 0, 25, message="gradient_descent.py has a syntax error on line 3"
    )
    return [gates, broken]


def test_gradescope_results_use_the_published_fields():
    out = gradescope_results(SubmissionResult("alice", results()))
    assert set(out) == set(GRADESCOPE_FIELDS)
    assert all(set(t) == set(GRADESCOPE_TEST_FIELDS) for t in out["tests"])
    assert out["score"] == 3
    names = [t["name"] for t in out["tests"]]
    assert "runs on the GPU" not in names, "a skipped check carries no points and is left out"
    assert {t["status"] for t in out["tests"]} == {"passed", "failed"}
    visibility = {t["name"]: t["visibility"] for t in out["tests"]}
    assert visibility["AND truth table"] == "visible" and visibility["trains"] == "after_published"
    problem = out["tests"][-1]
    assert problem["max_score"] == 25 and "syntax error on line 3" in problem["output"]
    assert {t["visibility"] for t in out["tests"]} <= {"hidden", "after_due_date", "after_published", "visible"}
    json.dumps(out, allow_nan=False)


def test_classroom_result_uses_the_reporters_fields():
    out = classroom_result(results())
    assert set(out) == set(CLASSROOM_FIELDS)
    assert out["version"] == 1 and out["status"] == "fail" and out["max_score"] == 31
    assert all(set(t) == set(CLASSROOM_TEST_FIELDS) for t in out["tests"])
    assert {t["status"] for t in out["tests"]} <= {"pass", "fail", "error"}
    assert sum(t["score"] for t in out["tests"]) == 3
    passing = classroom_result([results()[0].__class__(1, "g", "G", "graded", 2, 2, tests=[results()[0].tests[0]])])
    assert passing["status"] == "pass"


def test_annotations_escape_workflow_commands():
    lines = error_annotations(results(), {1: "gates.py", 2: "gradient_descent.py"})
    assert len(lines) == 3  # the failed check, the timed-out one, the ungradable assignment
    xor = lines[0]
    assert xor.startswith("::error file=gates.py,title=Assignment 1%3A XOR%3A two layers%2C 100%25::")
    assert xor.endswith("XOR(1, 1) returned 1, expected 0%0Asecond line: a, b")
    assert all("\n" not in line for line in lines)
    assert lines[2].startswith("::error file=gradient_descent.py,title=Assignment 2%3A ungradable::")


def test_points_line_and_job_summary():
    assert points_line(results()) == "Points 3/31"
    summary = step_summary(results())
    assert "| 1 · Perceptron logic gates | graded | 2/4 | 3/6 |" in summary
    assert "| **Total** | | | **3/31** |" in summary
    assert "hidden \\| pipes" not in summary  # passing checks are not listed
    assert "XOR(1, 1) returned 1, expected 0 second line: a, b" in summary


def test_ci_outputs_go_where_github_reads_them(tmp_path):
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "output")}
    (tmp_path / "output").write_text("earlier=1\n")
    lines = write_ci_outputs(results(), env=env)
    assert lines[-1] == "Points 3/31" and lines[0].startswith("::error ")
    assert "## Grader: public checks" in (tmp_path / "summary.md").read_text()
    earlier, result = (tmp_path / "output").read_text().splitlines()
    assert earlier == "earlier=1" and result.startswith("result=")
    assert json.loads(base64.b64decode(result.removeprefix("result=")))["max_score"] == 31
    assert write_ci_outputs(results(), env={})[-1] == "Points 3/31"  # outside Actions: print only


def test_the_student_bundle_holds_the_public_course_and_nothing_else(tmp_path):
    bundle = build_bundle(REPO, tmp_path / "dist")
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert bundle.name.startswith("grader-course-") and "README.md" in names
    for needed in (
        "work/gates.py",
        "work/README.md",
        "work/.github/workflows/grade.yml",
        "course/assignments/01_gates/README.md",
        "course/assignments/01_gates/assignment.toml",
        "course/assignments/01_gates/checks/public/test_gates.py",
    ):
        assert needed in names, needed
    assert not [n for n in names if "hidden" in n or "reference" in n or n.endswith((".pyc", ".pt"))]
    shipped = {
        "course/assignments/" + p.relative_to(REPO / "assignments").as_posix()
        for p in (REPO / "assignments").glob("*/checks/public/*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped == {n for n in names if "/checks/public/" in n}
