"""What a submission cannot do to a grade: see a hidden check's inputs, keep a stale grade from the
cache, make the grader read a huge file, flood the results with text, escape its resource limits."""

from __future__ import annotations

import os
from pathlib import Path

from grader import cache as cache_module
from grader.course import Course
from grader.grading import grade_class
from grader.results import FEEDBACK_CAP, AssignmentResult, TestResult
from grader.runner import JudgeRunner
from tests.conftest import REPO, write
from tests.fakes import FakeRunner

SECRET = "0.713705"  # a hidden check's input, which the student's code tries to smuggle out

HIDDEN = f'''
import pytest

@pytest.mark.points(1)
def test_secret_call(submission):
    """the hidden call gives 1"""
    assert submission.f({SECRET}) == 1, "f(...) must give 1"

@pytest.mark.points(1)
def test_secret_object(submission):
    """the hidden call returns a number"""
    value = submission.g({SECRET})
    assert isinstance(value, int), f"g(...) returned {{value!r}}; it must return an int"

@pytest.mark.points(1)
def test_secret_text(submission):
    """the hidden call returns a short word"""
    value = submission.h({SECRET})
    assert len(value) < 3, f"h(...) returned {{value!r}}, which is too long"
'''

PUBLIC = """
import pytest

@pytest.mark.points(1)
def test_public(submission):
    '''the public call gives 1'''
    assert submission.f(2) == 1, "f(2) must give 1"
"""

SMUGGLER = """
class Smuggled_{tag}(Exception):
    pass

def f(x):
    raise ValueError(f"the input was {{x!r}}")

def g(x):
    return type(f"Carrier_{{str(x).replace('.', '_')}}", (), {{}})()

def h(x):
    return f"input {{x}}"
"""


def test_hidden_checks_never_show_the_students_text(make_course, tmp_path):
    root = make_course(public=PUBLIC, hidden=HIDDEN, points=4)
    write(tmp_path / "s" / "demo.py", SMUGGLER.format(tag="x"))
    result = JudgeRunner().run(Course.load(root).get(1), tmp_path / "s", scope="all")
    tests = {t.name: t for t in result.tests}
    public = tests["the public call gives 1"]
    assert "the input was 2" in public.feedback and public.detail == ""  # a public check shows everything
    smuggled = SECRET.replace(".", "_")
    for name in ("the hidden call gives 1", "the hidden call returns a number", "the hidden call returns a short word"):
        check = tests[name]
        assert check.status == "failed", check
        assert SECRET not in check.feedback and smuggled not in check.feedback, check.feedback
        assert SECRET in check.detail or smuggled in check.detail, check.detail  # the instructor sees it all
    assert tests["the hidden call gives 1"].feedback == "f(...) raised ValueError"
    assert "[…]" in tests["the hidden call returns a short word"].feedback


def test_a_changed_helper_module_is_regraded(tmp_path):
    course = Course.load(REPO)
    student = tmp_path / "class" / "ann"
    write(student / "gates.py", "from helper import X\n")
    write(student / "helper.py", "X = 1\n")
    calls: list[int] = []

    def produce(assignment, folder, scope):
        calls.append(assignment.id)
        return AssignmentResult(assignment.id, assignment.slug, assignment.title, "graded", 1, 25, tests=[])

    def grade() -> None:
        runner = FakeRunner(produce)
        grade_class(course=course, submissions=student.parent, out=tmp_path / "out", assignment_ids=[1], runner=runner)

    grade()
    grade()
    assert calls == [1], "the same files: graded once, then from the cache"
    write(student / "helper.py", "X = 2\n")
    grade()
    assert calls == [1, 1], "a changed helper module must be graded again"


def test_sizes_are_checked_before_anything_is_hashed(tmp_path, monkeypatch):
    folder = tmp_path / "sparse"
    folder.mkdir()
    with open(folder / "gates.py", "wb") as fh:
        fh.truncate(10 * 1024**3)  # 10 GiB, sparse: reading it would take half a minute
    read: list[Path] = []
    real = cache_module._update_with_file
    monkeypatch.setattr(cache_module, "_update_with_file", lambda digest, path: (read.append(path), real(digest, path)))
    first = cache_module.submission_digest(folder, Course.load(REPO).get(1))
    assert read == [] and len(first) == 64
    os.utime(folder / "gates.py", ns=(1, 1))
    assert cache_module.submission_digest(folder, Course.load(REPO).get(1)) != first  # still tells a change


def test_feedback_from_student_code_is_capped(make_course, tmp_path):
    check = '''
import pytest

@pytest.mark.points(1)
def test_huge(submission):
    """a huge value in the message"""
    value = submission.big()
    assert value == "", f"big() returned {value!r}"
'''
    root = make_course(public=check, points=1)
    write(tmp_path / "s" / "demo.py", "def big():\n    return 'x' * 5_000_000\n")
    result = JudgeRunner().run(Course.load(root).get(1), tmp_path / "s", scope="public")
    (test,) = result.tests
    assert test.status == "failed" and len(test.feedback) < FEEDBACK_CAP + 100
    assert "more characters not kept" in test.feedback


def test_results_keep_details_for_instructors_only():
    from grader.exporters.gradescope import gradescope_results
    from grader.results import SubmissionResult, test_from_dict, to_dict

    test = TestResult(
        "hidden/t", "t", "failed", 0, 1, "hidden", feedback="g(...) returned […]", detail="g(...) returned 'x'"
    )
    assert test_from_dict(to_dict(test)) == test
    assignment = AssignmentResult(1, "gates", "Gates", "graded", 0, 1, tests=[test])
    exported = gradescope_results(SubmissionResult("ann", [assignment]))
    assert "'x'" not in str(exported)
