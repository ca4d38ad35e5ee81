"""The results model: JSON round trip (hypothesis) and strict schema reading."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.results import (
    ASSIGNMENT_STATUSES,
    TEST_STATUSES,
    AssignmentResult,
    GradingRun,
    SubmissionResult,
    TestResult,
    assignment_from_dict,
    clean_text,
    counted_max_score,
    dumps,
    run_from_dict,
    test_from_dict,
    to_dict,
)

text = st.text(max_size=30).map(clean_text)  # reading cleans text (see the test below): round trips need clean text
amount = st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False)

tests = st.builds(
    TestResult,
    id=text,
    name=text,
    status=st.sampled_from(TEST_STATUSES),
    score=amount,
    max_score=amount,
    visibility=st.sampled_from(["public", "hidden"]),
    feedback=text,
    output=text,
    duration_s=amount,
    plots=st.lists(st.fixed_dictionaries({"svg": text, "caption": text}), max_size=2),
)
assignments = st.builds(
    AssignmentResult,
    id=st.integers(1, 99),
    slug=text,
    title=text,
    status=st.sampled_from(ASSIGNMENT_STATUSES),
    score=amount,
    max_score=amount,
    scope=st.sampled_from(["public", "all"]),
    message=text,
    duration_s=amount,
    tests=st.lists(tests, max_size=3),
)
runs = st.builds(
    GradingRun,
    submissions=st.lists(
        st.builds(SubmissionResult, student=text, assignments=st.lists(assignments, max_size=2)), max_size=3
    ),
    grader_version=text,
    created=text,
)


@given(runs)
def test_results_json_round_trips(run):
    assert run_from_dict(json.loads(dumps(run))) == run


@given(assignments)
def test_assignment_object_round_trips(assignment):
    assert assignment_from_dict(json.loads(dumps(assignment))) == assignment


@given(st.text(max_size=40))
def test_reading_cleans_any_text(raw):
    test = TestResult(id="t", name="n", status="failed", score=0, max_score=1, visibility="public", feedback=raw)
    read = test_from_dict(json.loads(json.dumps(to_dict(test))))
    read.feedback.encode("utf-8")  # never a lone surrogate
    assert not any(ord(c) < 32 and c not in "\n\t" for c in read.feedback)
    assert read.feedback == clean_text(raw)


def test_clean_text_keeps_lines_and_replaces_what_breaks_files_and_terminals():
    assert clean_text("ok\n\tline") == "ok\n\tline"
    assert clean_text("a\r\nb") == "a\nb"
    assert clean_text("nul\x00 esc\x1b[31m bad\udcff") == "nul\ufffd esc\ufffd[31m bad\ufffd"


def sample() -> dict:
    test = TestResult(id="public/t.py::test_a", name="a", status="passed", score=1, max_score=1, visibility="public")
    return to_dict(AssignmentResult(id=1, slug="s", title="t", status="graded", score=1, max_score=1, tests=[test]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(status="done"), "not one of"),
        (lambda d: d.update(extra=1), "unknown keys"),
        (lambda d: d.pop("score"), "missing keys"),
        (lambda d: d.update(score="1"), "finite number"),
        (lambda d: d.update(score=-1), "finite number"),
        (lambda d: d.update(id="1"), "integer"),
        (lambda d: d["tests"][0].update(status="ok"), "not one of"),
        (lambda d: d["tests"][0].update(visibility="secret"), "not one of"),
        (lambda d: d.update(tests={}), "list"),
    ],
)
def test_schema_violations_are_refused(change, message):
    data = sample()
    change(data)
    with pytest.raises(ValueError, match=message):
        assignment_from_dict(data)


def test_totals_leave_out_grader_errors():
    ok = AssignmentResult(id=1, slug="a", title="A", status="graded", score=3, max_score=5)
    broken = AssignmentResult(id=2, slug="b", title="B", status="error", score=2, max_score=5)
    submission = SubmissionResult(student="s", assignments=[ok, broken])
    assert submission.score == 3 and submission.max_score == 10


def test_skipped_checks_are_not_applicable_and_not_counted():
    def check(status: str, points: float) -> TestResult:
        return TestResult(
            f"public/t.py::{status}", status, status, points if status == "passed" else 0, points, "public"
        )

    checks = [check("passed", 2), check("failed", 3), check("skipped", 4), check("error", 1)]
    assert [t.applicable for t in checks] == [True, True, False, True]
    assert counted_max_score(checks) == 6  # the skipped check's 4 points neither earned nor lost
    assert counted_max_score([check("skipped", 4)]) == 0
