"""One way to write CSV: cells a spreadsheet would run as formulas are neutralised everywhere."""

from __future__ import annotations

import csv
import io

import pytest

from grader.csvio import csv_text, safe_cell
from grader.exporters.gradebook import gradebook_csv
from grader.exporters.lms import GradeColumn, GradeRow, canvas_grades_csv, moodle_grades_csv
from grader.results import AssignmentResult, GradingRun, SubmissionResult

HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_is_quoted(text):
    assert safe_cell(text) == "'" + text.replace("\r", "\n")


def test_a_carriage_return_never_ends_a_row():
    assert cells(csv_text([["a\rb", "c\r\nd"], ["e", "f"]])) == [["a\nb", "c\nd"], ["e", "f"]]


def test_numbers_stay_numbers_and_text_stays_text():
    assert [safe_cell(v) for v in (-3, -1.5, 2.0, 0.1 + 0.2, None, "kim", "-3", True)] == [
        -3, -1.5, 2, 0.3, "", "kim", "'-3", "True",
    ]  # fmt: skip
    assert csv_text([["a", -3, 2.5, None]]) == "a,-3,2.5,\n"


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_every_csv_the_grader_writes_neutralises_hostile_names():
    run = GradingRun(
        [SubmissionResult(name, [AssignmentResult(1, "gates", "Gates", "graded", 3, 6)]) for name in HOSTILE]
    )
    columns = [GradeColumn(1, "Gates", 6)]
    rows = [GradeRow(name, name=name, email=name, section=name, scores={1: 3.0}) for name in HOSTILE]
    for text in (gradebook_csv(run), canvas_grades_csv(rows, columns), moodle_grades_csv(rows, columns)):
        for row in cells(text)[1:]:
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
        assert len(cells(text)) == len(HOSTILE) + 1 + (text.startswith("Student,"))


def test_hostile_names_from_a_download_reach_the_lms_files_neutralised(tmp_path):
    from grader.intake import read

    stamp = "attempt_2026-03-20-23-58-03"
    (tmp_path / f"A1_=cmd|' -C calc'!A0_{stamp}_gates.py").write_text("x = 1\n")
    (tmp_path / f"A1_@SUM(1+1)_{stamp}_gates.py").write_text("x = 1\n")
    entries = read(tmp_path, tz="UTC").entries
    assert sorted(e.student for e in entries) == ["=cmd|' -C calc'!A0", "@SUM(1+1)"]
    rows = [GradeRow(e.student, scores={1: -0.0}) for e in entries]
    for text in (
        canvas_grades_csv(rows, [GradeColumn(1, "A1", 6)]),
        moodle_grades_csv(rows, [GradeColumn(1, "A1", 6)]),
    ):
        body = cells(text)[-2:]
        assert sorted(row[0] if text.startswith("Student") else row[2] for row in body) == [
            "'=cmd|' -C calc'!A0",
            "'@SUM(1+1)",
        ]
