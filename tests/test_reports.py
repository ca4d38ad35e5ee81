"""HTML reports: golden files (update with `pytest --update-goldens`), escaping, CSP."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.reports import render_index, render_student
from grader.results import AssignmentResult, GradingRun, Skipped, SubmissionResult, TestResult, points

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def sample_run() -> GradingRun:
    tests = [
        TestResult("public/t.py::test_a", "perceptron follows the step rule", "passed", 2, 2, "public", duration_s=0.1),
        TestResult(
            "public/t.py::test_b",
            "AND truth table",
            "failed",
            0,
            1,
            "public",
            feedback="AND(1, 1) returned 0, expected 1\nFalsifying example: x=1",
            output=f"debug: {HOSTILE}\n",
        ),
        TestResult(
            "hidden/h.py::test_c",
            "XOR is two layers",
            "timeout",
            0,
            2,
            "hidden",
            feedback="XOR(...) did not finish within 10 s",
        ),
        TestResult("hidden/h.py::test_d", "runs on the GPU", "skipped", 0, 0, "hidden", feedback="no CUDA device here"),
        TestResult(
            "hidden/h.py::test_e", "a broken check", "error", 0, 1, "hidden", feedback="the check itself failed"
        ),
    ]
    notes = [
        "Graded from gates.ipynb (4 code cells): what defines things was kept; what runs work was left out.",
        f"cell 5 (for epoch in range(500):) left out: line 1 is a loop {HOSTILE}",
    ]
    good = AssignmentResult(
        1, "gates", "Perceptron logic gates", "graded", 2, 6, tests=tests, duration_s=4.25, notes=notes
    )
    ungradable = AssignmentResult(
        2, "gradient_descent", "Gradient descent", "ungradable", 0, 20, message=f"gd.py is missing {HOSTILE}"
    )
    errored = AssignmentResult(1, "gates", "Perceptron logic gates", "error", 0, 6, message="the judge failed")
    return GradingRun(
        submissions=[
            SubmissionResult(HOSTILE, [good, ungradable]),
            SubmissionResult("bob", [errored]),
            SubmissionResult("Ada Lovelace", [AssignmentResult(1, "gates", "Perceptron logic gates", "graded", 6, 6)]),
        ],
        grader_version="0.1.0",
        created="2026-11-22T10:00:00Z",
        skipped=[Skipped(f"notes {HOSTILE}.txt", "a file, not a student's folder or archive (.zip, .tar.gz)")],
    )


def rendered() -> dict[str, str]:
    run = sample_run()
    links = {s.student: f"students/{i}.html" for i, s in enumerate(run.submissions)}
    return {
        "student.html": render_student(
            run.submissions[0], generated=run.created, version="0.1.0", index_href="../index.html"
        ),
        "index.html": render_index(run, links),
        # the engine's words in Korean (the checks' own titles and feedback stay as the sample has them)
        "student.ko.html": render_student(
            run.submissions[0], generated=run.created, version="0.1.0", index_href="../index.html", lang="ko"
        ),
        "index.ko.html": render_index(dataclasses.replace(run, lang="ko"), links),
    }


@pytest.mark.parametrize("name", ["student.html", "index.html", "student.ko.html", "index.ko.html"])
def test_reports_match_golden_files(name, update_goldens):
    html = rendered()[name]
    golden = GOLDEN / name
    if update_goldens or not golden.exists():
        golden.write_text(html, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"wrote missing golden file {golden}; check it and commit it")
    assert html == golden.read_text(encoding="utf-8"), f"{name} changed: inspect, then run pytest --update-goldens"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


@pytest.mark.parametrize("name", ["student.html", "index.html"])
def test_student_text_is_escaped_and_nothing_executes(name):
    parser = _Collect()
    parser.feed(rendered()[name])
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "img" not in tags and "iframe" not in tags
    assert not any(k.startswith("on") for _, attrs in parser.tags for k in attrs)
    assert not any(("style" in attrs) for tag, attrs in parser.tags if tag != "style")


@pytest.mark.parametrize("name", ["student.html", "index.html"])
def test_csp_allows_only_the_inline_stylesheet(name):
    parser = _Collect()
    parser.feed(rendered()[name])
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp and "script-src" not in csp
    digest = base64.b64encode(hashlib.sha256(parser.style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp


def test_report_content():
    html = rendered()["student.html"]
    assert '2</span><span class="of">/ 26' in html  # total over both assignments
    assert "Could not be graded." in html and "gd.py is missing" in html
    assert "Falsifying example: x=1" in html
    index = rendered()["index.html"]
    assert re.search(r"Needs attention <span class=\"pts\">2</span>", index)
    students = index[index.index("<h2>Students</h2>") :]
    assert students.index("bob") < students.index("Ada Lovelace")  # the class order results.json keeps


@pytest.mark.parametrize(("value", "text"), [(2.0, "2"), (0.5, "0.5"), (12.25, "12.25"), (1 / 3, "0.33"), (0.0, "0")])
def test_points_format(value, text):
    assert points(value) == text
