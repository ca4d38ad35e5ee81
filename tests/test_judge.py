"""The judge process end to end on a small synthetic course: fixtures, scoring, statuses."""

from __future__ import annotations

import pytest

from grader.course import Course
from grader.errors import CourseError
from grader.results import AssignmentResult, dumps
from grader.runner import JudgeRunner
from tests.conftest import write

STUDENT = """
import os, time

def double(x):
    print(f"doubling {x}")
    if x > 100:
        return 2 * x + 1
    return 2 * x

def hang():
    while True:
        pass

def leave():
    os._exit(0)

def reject(x):
    raise ValueError(f"no {x}")
"""

PUBLIC = '''
import pytest
from hypothesis import given, strategies as st

@pytest.mark.points(2)
def test_double_small(submission):
    """double doubles small numbers"""
    assert submission.double(3) == 6, "double(3) must be 6"

@pytest.mark.points(1)
@given(x=st.integers(0, 1000))
def test_double_property(submission, x):
    """double doubles every number"""
    got = submission.double(x)
    assert got == 2 * x, f"double({x}) returned {got}, expected {2 * x}"

@pytest.mark.points(1)
def test_hang(submission):
    """hang returns"""
    submission.hang()

@pytest.mark.points(1)
def test_after_timeout(submission):
    """the next check still runs after a timeout"""
    assert submission.double(1) == 2, "double(1) must be 2"

@pytest.mark.points(1)
def test_swallowed(submission):
    """a swallowed worker failure still fails the check"""
    try:
        submission.leave()
    except BaseException:
        pass

@pytest.mark.points(1)
def test_raises(submission):
    """student exceptions keep their type"""
    with pytest.raises(ValueError, match="no 5"):
        submission.reject(5)

@pytest.mark.points(1)
def test_missing_name(submission):
    """a missing function is named in the feedback"""
    submission.triple(2)

@pytest.mark.points(1)
def test_source(student_files):
    """the submitted source is readable in the judge"""
    assert "def double" in student_files.source("demo.py"), "no double"

@pytest.fixture
def broken():
    raise RuntimeError("fixture bug")

@pytest.mark.points(0)
def test_setup_error(broken):
    """a check whose own setup fails"""

def test_skipped():
    """skipped for a reason"""
    pytest.skip("needs a GPU")
'''

HIDDEN = '''
import pytest
from hypothesis import given, strategies as st

SECRET_EXPECTED = 4242

@pytest.mark.points(1)
@given(x=st.integers(0, 1000))
def test_hidden_property(submission, x):
    """hidden: double doubles every number"""
    assert submission.double(x) == 2 * x, "double is wrong on a hidden input"

@pytest.mark.points(1)
def test_hidden_crash(submission):
    """hidden: a check that trips over a wrong return"""
    value = submission.double(2)
    secret_lookup = {SECRET_EXPECTED: 1}[value]
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> AssignmentResult:
    root = tmp_path_factory.mktemp("judge")
    course_root = root / "course"
    folder = course_root / "assignments" / "01_demo"
    write(
        folder / "assignment.toml",
        'id = 1\nslug = "demo"\ntitle = "Demo"\npoints = 11\nfiles = ["demo.py"]\n'
        "[limits]\ncall_timeout_s = 2\ncheck_timeout_s = 10\nimport_timeout_s = 5\n",
    )
    write(folder / "checks" / "public" / "test_public.py", PUBLIC)
    write(folder / "checks" / "hidden" / "test_hidden.py", HIDDEN)
    write(root / "student" / "demo.py", STUDENT)
    course = Course.load(course_root)
    return JudgeRunner().run(course.get(1), root / "student", scope="all")


def one_check(points: float, title: str, condition: str) -> str:
    """Source of a check file with one check asserting `condition`."""
    return (
        f"import pytest\n@pytest.mark.points({points})\ndef test_x(submission):\n"
        f"    '''{title}'''\n    assert {condition}, 'failed'\n"
    )


def by_name(result: AssignmentResult) -> dict:
    return {t.name: t for t in result.tests}


def test_scores_come_from_points_markers_and_titles_from_docstrings(graded):
    tests = by_name(graded)
    assert tests["double doubles small numbers"].status == "passed"
    assert tests["double doubles small numbers"].score == 2
    assert tests["double doubles small numbers"].output == "doubling 3\n"
    assert graded.max_score == 11
    assert graded.score == sum(t.score for t in graded.tests)


def test_every_check_is_listed_in_order_with_its_visibility(graded):
    assert [t.id.split("::")[1] for t in graded.tests][:2] == ["test_double_small", "test_double_property"]
    assert {t.visibility for t in graded.tests if t.id.startswith("hidden/")} == {"hidden"}
    assert len(graded.tests) == 12


def test_public_property_failure_shows_the_shrunk_counterexample(graded):
    test = by_name(graded)["double doubles every number"]
    assert test.status == "failed"
    assert test.feedback.startswith("double(101) returned 203, expected 202")
    assert "x=101" in test.feedback


def test_hidden_failure_shows_message_only(graded):
    test = by_name(graded)["hidden: double doubles every number"]
    assert test.status == "failed"
    assert test.feedback == "double is wrong on a hidden input"
    assert test.output == "(output of hidden checks is not shown)"


def test_hidden_check_source_never_appears(graded):
    text = dumps(graded)
    for secret in ("SECRET_EXPECTED", "4242", "secret_lookup", 'test_hidden.py", line'):
        assert secret not in text
    crash = by_name(graded)["hidden: a check that trips over a wrong return"]
    assert crash.status == "failed"
    assert "could not use what your code returned" in crash.feedback


def test_hung_call_is_a_timeout_and_the_next_check_runs(graded):
    tests = by_name(graded)
    assert tests["hang returns"].status == "timeout"
    assert "did not finish within 2 s" in tests["hang returns"].feedback
    assert tests["the next check still runs after a timeout"].status == "passed"


def test_swallowed_worker_failure_still_fails(graded):
    test = by_name(graded)["a swallowed worker failure still fails the check"]
    assert test.status == "failed"
    assert "exited with status 0" in test.feedback


def test_student_exception_types_and_missing_names(graded):
    tests = by_name(graded)
    assert tests["student exceptions keep their type"].status == "passed"
    missing = tests["a missing function is named in the feedback"]
    assert missing.status == "failed"
    assert "demo.py does not define `triple`" in missing.feedback
    assert "double" in missing.feedback  # what it does define


def test_fixtures_statuses_and_assignment_status(graded):
    tests = by_name(graded)
    assert tests["the submitted source is readable in the judge"].status == "passed"
    assert tests["a check whose own setup fails"].status == "error"
    assert "not your fault" in tests["a check whose own setup fails"].feedback
    assert tests["skipped for a reason"].status == "skipped"
    assert tests["skipped for a reason"].feedback == "needs a GPU"
    assert graded.status == "error"  # a check errored: the grader, not the student, is at fault
    assert "a check whose own setup fails" in graded.message


def test_broken_check_file_makes_the_assignment_an_error(make_course, tmp_path):
    root = make_course(public="def test_x(:\n    pass\n", points=1)
    write(tmp_path / "s" / "demo.py", "x = 1\n")
    result = JudgeRunner().run(Course.load(root).get(1), tmp_path / "s", scope="public")
    assert result.status == "error"
    assert "test_public.py" in result.message


def test_points_that_do_not_add_up_are_an_error(make_course, tmp_path):
    check = one_check(1, "x", "submission.x == 1")
    root = make_course(public=check, hidden=check.replace("test_x", "test_y"), points=5)
    write(tmp_path / "s" / "demo.py", "x = 1\n")
    result = JudgeRunner().run(Course.load(root).get(1), tmp_path / "s", scope="all")
    assert result.status == "error"
    assert "add up to 2 points" in result.message


def test_syntax_error_is_ungradable_with_every_check_listed(make_course, tmp_path):
    check = one_check(3, "x is one", "submission.x == 1")
    root = make_course(public=check, points=3)
    write(tmp_path / "s" / "demo.py", "def broken(:\n")
    result = JudgeRunner().run(Course.load(root).get(1), tmp_path / "s", scope="public")
    assert result.status == "ungradable"
    assert "demo.py has a syntax error on line 1" in result.message
    assert result.max_score == 3 and result.score == 0
    assert [t.name for t in result.tests] == ["x is one"]
    assert result.tests[0].status == "failed"


def test_grading_without_hidden_checks_is_refused(make_course, tmp_path):
    root = make_course(public="def test_x():\n    pass\n", points=1)
    with pytest.raises(CourseError, match="hidden"):
        JudgeRunner().run(Course.load(root).get(1), tmp_path, scope="all")


def test_judge_never_puts_the_student_folder_on_its_path(make_course, tmp_path):
    check = (
        "import sys, pytest\n@pytest.mark.points(1)\ndef test_path(submission):\n"
        "    '''path'''\n    assert not any('planted' in p for p in sys.path), str(sys.path)\n"
        "    import json\n    assert not hasattr(json, 'PLANTED'), 'student json.py was imported by the judge'\n"
    )
    root = make_course(public=check, points=1)
    student = tmp_path / "planted"
    write(student / "demo.py", "x = 1\n")
    write(student / "json.py", "PLANTED = True\n")
    write(student / "conftest.py", "import os\nos._exit(0)\n")
    write(student / "sitecustomize.py", "import os\nos._exit(0)\n")
    result = JudgeRunner().run(Course.load(root).get(1), student, scope="public")
    assert result.status == "graded", result.message
    assert result.tests[0].status == "passed", result.tests[0].feedback


def test_submission_folder_is_untouched(make_course, tmp_path):
    check = one_check(1, "x", "submission.write() == 1")
    root = make_course(public=check, points=1)
    student = tmp_path / "s"
    write(student / "demo.py", "def write():\n    open('new_file.txt', 'w').write('hi')\n    return 1\n")
    result = JudgeRunner().run(Course.load(root).get(1), student, scope="public")
    assert result.tests[0].status == "passed"
    assert sorted(p.name for p in student.iterdir()) == ["demo.py"]


def test_a_linked_checkpoint_is_refused_not_followed(make_course, tmp_path):
    check = (
        "import pytest\nfrom grader.checklib import load_checkpoint\n@pytest.mark.points(1)\n"
        "def test_x(student_files):\n    '''checkpoint'''\n"
        "    state = load_checkpoint(student_files.path('model.pt'))\n    assert state, 'empty'\n"
    )
    root = make_course(public=check, points=1)
    toml = root / "assignments" / "01_demo" / "assignment.toml"
    toml.write_text(toml.read_text().replace('files = ["demo.py"]', 'files = ["demo.py"]\ncheckpoints = ["model.pt"]'))
    import torch

    secret = tmp_path / "instructor" / "reference.pt"
    secret.parent.mkdir()
    torch.save({"w": torch.ones(1)}, secret)
    student = tmp_path / "s"
    write(student / "demo.py", "x = 1\n")
    (student / "model.pt").symlink_to(secret)
    result = JudgeRunner().run(Course.load(root).get(1), student, scope="public")
    assert result.tests[0].status == "failed"
    assert "must be a regular file" in result.tests[0].feedback
    (student / "model.pt").unlink()
    result = JudgeRunner().run(Course.load(root).get(1), student, scope="public")
    assert "model.pt is missing" in result.tests[0].feedback
