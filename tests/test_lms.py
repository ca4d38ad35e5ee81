"""From the LMS and back: downloads as Canvas, Moodle, Blackboard and GitHub Classroom give them,
graded with the right students, names and times; roster, deadlines, overrides and grade exports
in one run; regrade history."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.course import Assignment, Course
from grader.errors import IntakeError
from grader.grading import grade_class
from grader.marking import Marking
from grader.policy import Rule, late
from grader.results import AssignmentResult, Scope, TestResult, load_run
from tests.conftest import REPO
from tests.fakes import FakeRunner
from tests.test_intake import GATES, RECEIPT, clone, needs_git, put

COURSE = Course.load(REPO)
GRADER = Path(sys.executable).with_name("grader")
SEOUL = timezone(timedelta(hours=9))
WRONG = b"def AND(a, b):\n    return 0\n"


def by_reference(assignment: Assignment, folder: Path, scope: Scope) -> AssignmentResult:
    """Full marks for the reference's gates.py under its own name, 5 for anything else there."""
    path = folder / "gates.py"
    score = 25.0 if path.is_file() and path.read_bytes().startswith(GATES) else 5.0 if path.is_file() else 0.0
    test = TestResult("t", "t", "passed" if score == 25 else "failed", score, 25.0, "public")
    return AssignmentResult(assignment.id, assignment.slug, assignment.title, "graded", score, 25.0, tests=[test])


def grade(folder: Path, out: Path, runner: FakeRunner | None = None, **kwargs) -> dict:
    run = grade_class(
        course=COURSE,
        submissions=folder,
        out=out,
        assignment_ids=[1],
        runner=runner or FakeRunner(by_reference),
        **kwargs,
    )
    return {s.student: s for s in run.submissions} | {"": run}


def test_a_canvas_download_is_graded_per_student_under_the_original_names(tmp_path):
    d = tmp_path / "canvas"
    put(d, "kimminsu_1001_5001_gates.py")
    put(d, "leejiwoo_LATE_1003_5003_gates-1.py")  # resubmitted: Canvas named it gates-1.py
    put(d, "parkseo_1004_5004_gates.py", WRONG)
    put(d, "notes.txt", b"the TA's notes")
    graded = grade(d, tmp_path / "out")
    assert sorted(k for k in graded if k) == ["kimminsu", "leejiwoo", "parkseo"]
    assert [graded[s].score for s in ("kimminsu", "leejiwoo", "parkseo")] == [25, 25, 5]
    assert graded["leejiwoo"].lms_id == "1003" and any("late" in n for n in graded["leejiwoo"].notes)
    run = graded[""]
    assert run.layout == "canvas (detected)"
    assert [(s.name, "fits no Canvas pattern" in s.reason) for s in run.skipped] == [("notes.txt", True)]
    assert "notes.txt" in (tmp_path / "out" / "index.html").read_text()
    assert not (tmp_path / "out" / ".intake").exists(), "the staged copies are removed after the batch"


def test_a_moodle_download_gives_participant_ids_and_full_names(tmp_path):
    d = tmp_path / "moodle"
    put(d, "김민수_123457_assignsubmission_file_/gates.py")
    put(d, "Lee Ji Woo_123458_assignsubmission_file_/gates.py", WRONG)
    put(d, "Han Jiho_123460_assignsubmission_file_gates.py")  # the flat variant
    put(d, "grades.csv", b"a,b\n")
    graded = grade(d, tmp_path / "out")
    assert {k: (s.name, s.score) for k, s in graded.items() if k} == {
        "123457": ("김민수", 25),
        "123458": ("Lee Ji Woo", 5),
        "123460": ("Han Jiho", 25),
    }
    assert [s.name for s in graded[""].skipped] == ["grades.csv"]


def test_a_blackboard_download_is_late_by_its_attempt_time(tmp_path):
    d = tmp_path / "bb"
    put(d, "Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03_gates_1.py")
    put(d, "Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03.txt", RECEIPT.encode())
    put(d, "Assignment_1_leejiwoo_attempt_2026-03-22-09-30-00_gates.py")  # two started days late, no receipt
    put(d, "readme.md", b"x")
    policy = tmp_path / "course.toml"
    policy.write_text("[assignments.1]\ndue = 2026-03-21T00:00:00+09:00\nlate_penalty_per_day = 0.1\n")
    graded = grade(d, tmp_path / "out", tz="Asia/Seoul", marking=Marking.load(policy=policy))
    kim, lee = graded["kim_minsu"].assignments[0], graded["leejiwoo"].assignments[0]
    assert graded["kim_minsu"].name == "Minsu Kim"
    assert kim.submitted == "2026-03-20T23:58:03+09:00" and kim.days_late == 0 and kim.score == 25
    assert lee.submitted == "2026-03-22T09:30:00+09:00" and lee.days_late == 2
    assert (lee.raw_score, lee.penalty, lee.score) == (25, 5, 20)
    assert [s.name for s in graded[""].skipped] == ["readme.md"]


@needs_git
def test_classroom_clones_give_the_student_and_the_last_commit_time(tmp_path):
    d = tmp_path / "clones"
    clone(d, "gates-kimminsu")
    clone(d, "gates-leejiwoo", date="2026-03-21T01:00:00Z")
    put(d, "stray.txt", b"x")
    graded = grade(d, tmp_path / "out")
    assert sorted(k for k in graded if k) == ["kimminsu", "leejiwoo"]
    assert graded["kimminsu"].score == 25  # the clone's gates.py, not its .git
    times = {k: s.assignments[0].submitted for k, s in graded.items() if k}
    assert times == {"kimminsu": "2026-03-20T23:58:03+09:00", "leejiwoo": "2026-03-21T01:00:00+00:00"}
    assert [s.name for s in graded[""].skipped] == ["stray.txt"]


def test_missing_unknown_and_roster_order(tmp_path):
    d = tmp_path / "subs"
    put(d, "s2/gates.py")
    put(d, "zz-stranger/gates.py")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,section\ns1,Kim Minsu,A\ns2,Lee Jiwoo,B\n", encoding="utf-8-sig")  # Excel's BOM
    graded = grade(d, tmp_path / "out", marking=Marking.load(roster=roster))
    run = graded[""]
    assert [s.student for s in run.submissions] == ["s1", "s2", "zz-stranger"]  # the roster's order, then the rest
    missing = graded["s1"]
    assert (missing.name, missing.section, missing.assignments[0].status, missing.score) == (
        "Kim Minsu",
        "A",
        "missing",
        0,
    )
    assert graded["s2"].name == "Lee Jiwoo" and graded["s2"].score == 25
    assert graded["zz-stranger"].notes == ["not on the roster"]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Missing" in page and "Not on the roster" in page
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gradebook.csv").read_text())))
    assert [(r["student"], r["name"], r["section"], r["01_gates"], r["01_gates_status"]) for r in rows] == [
        ("s1", "Kim Minsu", "A", "0", "missing"),
        ("s2", "Lee Jiwoo", "B", "25", "graded"),
        ("zz-stranger", "", "", "25", "graded"),
    ]


def test_a_changed_check_lists_who_moved_and_results_keep_the_previous_score(tmp_path):
    d, out = tmp_path / "subs", tmp_path / "out"
    put(d, "s1/gates.py")
    put(d, "s2/gates.py", WRONG)
    grade(d, out)

    def stricter(assignment: Assignment, folder: Path, scope: Scope) -> AssignmentResult:
        result = by_reference(assignment, folder, scope)
        result.score = min(result.score, 20.0)
        return result

    graded = grade(d, out, FakeRunner(stricter), force=True)
    assert (graded["s1"].assignments[0].previous_score, graded["s1"].score) == (25, 20)
    assert not graded["s2"].assignments[0].changed
    page = (out / "index.html").read_text()
    changed = page.split("Changed since the last run")[1].split("</section>")[0]
    assert ">s1</a>" in changed and ">s2</a>" not in changed and "<strong>20</strong>" in changed
    saved = json.loads((out / "results.json").read_text())
    assert saved["submissions"][0]["assignments"][0]["previous_score"] == 25


def test_the_late_rule_and_an_extension():
    rule = Rule(1, datetime(2026, 3, 20, 23, 59, tzinfo=SEOUL), late_penalty_per_day=0.1, max_days_late=3)
    assert late(20, 25, datetime(2026, 3, 21, 0, 1, tzinfo=SEOUL), rule.due, rule).final == 17.5
    assert late(20, 25, datetime(2026, 3, 25, tzinfo=SEOUL), rule.due, rule).final == 0


BLACKBOARD_CLASS = {
    "Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03_gates_1.py": GATES,  # on time (receipt below)
    "Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03.txt": RECEIPT.encode(),
    "Assignment_1_leejiwoo_attempt_2026-03-22-09-30-00_gates.py": GATES,  # 2 days late, extension to the 23rd
    "Assignment_1_parkseo_attempt_2026-03-21-10-00-00_gates.py": WRONG,  # 1 day late, failing checks
    "Assignment_1_=cmd_attempt_2026-03-20-10-00-00_gates.py": GATES,  # a username a spreadsheet would run
    "stray.txt": b"not a submission",
}


def test_roster_policy_extensions_overrides_and_exports_in_one_run_then_a_rerun(tmp_path):
    """The instructor's whole round trip through the README's command, with the real grader; a rerun
    with nothing changed reuses every result and writes the same gradebook."""
    d = tmp_path / "download"
    for name, data in BLACKBOARD_CLASS.items():
        put(d, name, data)
    files = {
        "roster.csv": "id,name,email,section\r\nkim_minsu,Kim Minsu,kim@uni.ac.kr,A\r\n"
        "leejiwoo,Lee Jiwoo,lee@uni.ac.kr,A\r\nparkseo,@SUM(1+1)*cmd|' /C calc'!A0,park@uni.ac.kr,B\r\n"
        "choi,Choi Yuna,choi@uni.ac.kr,B\r\n",
        "course.toml": "[assignments.1]\ndue = 2026-03-21T00:00:00+09:00\nlate_penalty_per_day = 0.10\n"
        "max_days_late = 3\ngrace_minutes = 5\n",
        "extensions.csv": "student,assignment,due\nleejiwoo,1,2026-03-23T00:00:00+09:00\n",
        "overrides.csv": "student,assignment,points,reason,check\n"
        "parkseo,1,3,Partial credit for the truth table in the comments,\n"
        "kim_minsu,1,5,Bonus beyond full marks is clamped,\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    command = [
        str(GRADER), "grade", str(d), "--out", str(tmp_path / "out"), "-a", "1", "--workers", "1", "--tz", "Asia/Seoul",
        "--roster", str(tmp_path / "roster.csv"), "--policy", str(tmp_path / "course.toml"),
        "--extensions", str(tmp_path / "extensions.csv"), "--overrides", str(tmp_path / "overrides.csv"),
        "--format", "canvas", "--format", "moodle",
    ]  # fmt: skip
    first = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "Submissions read as blackboard (detected): 4 students" in first.stderr
    assert "Missing (nothing handed in): 1: choi" in first.stdout
    assert "Not on the roster: 1: =cmd" in first.stdout
    assert "stray.txt" in first.stdout
    out = tmp_path / "out"
    results = {s.student: s for s in load_run(out / "results.json").submissions}
    kim, lee, park = (results[s].assignments[0] for s in ("kim_minsu", "leejiwoo", "parkseo"))
    assert (kim.status, kim.score, kim.days_late, kim.adjustments[0].points) == ("graded", 25, 0, 5)
    assert (lee.score, lee.days_late, lee.penalty) == (25, 0, 0) and "extension" in lee.late_note
    assert park.days_late == 1 and park.raw_score is not None and park.raw_score < 25
    assert park.score == pytest.approx(max(0, park.raw_score - 2.5) + 3)
    assert results["choi"].assignments[0].status == "missing"
    gradebook = (out / "gradebook.csv").read_text()
    assert [r["student"] for r in csv.DictReader(io.StringIO(gradebook))] == [
        "kim_minsu",
        "leejiwoo",
        "parkseo",
        "choi",
        "'=cmd",
    ]
    canvas = list(csv.reader(io.StringIO((out / "canvas_grades.csv").read_text())))
    assert (
        canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        and canvas[1][0] == "Points Possible"
    )
    assert canvas[4][:5] == ["'@SUM(1+1)*cmd|' /C calc'!A0", "", "", "parkseo", "B"]
    moodle = list(csv.reader(io.StringIO((out / "moodle_grades.csv").read_text())))
    assert moodle[1][:4] == ["", "kim@uni.ac.kr", "Kim Minsu", "A"] and moodle[1][4] == "25"
    report = next((out / "students").glob("parkseo*.html")).read_text()
    assert "Partial credit for the truth table in the comments" in report and "1 day late" in report

    second = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "4 unchanged and reused from the cache" in second.stdout
    assert (out / "gradebook.csv").read_text() == gradebook
    assert "Scores changed" not in second.stdout


def test_a_layout_that_finds_nobody_stops_before_marking_the_roster_missing(tmp_path):
    """A Canvas download read as Moodle must not become a class of zeros: every roster student
    `missing`, exported to the LMS as 0."""
    d = tmp_path / "canvas"
    put(d, "kimminsu_1001_5001_gates.py")
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nkimminsu\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"read as moodle, none of its 1 entries .* --layout"):
        grade(d, tmp_path / "out", layout="moodle", marking=Marking.load(roster=roster))
    assert not (tmp_path / "out" / "gradebook.csv").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(IntakeError, match="holds no submissions"):
        grade(tmp_path / "empty", tmp_path / "out")
