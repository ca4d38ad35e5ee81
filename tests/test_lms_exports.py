"""Grades back to the LMS: Canvas's gradebook import and Moodle's grade import."""

from __future__ import annotations

import csv
import io

from grader.exporters.lms import (
    CANVAS_FIELDS,
    MOODLE_FIELDS,
    GradeColumn,
    GradeRow,
    canvas_grades_csv,
    moodle_grades_csv,
)

COLUMNS = [GradeColumn(1, "A1 Perceptron logic gates", 6), GradeColumn(2, "A2 Gradient descent (4821)", 25)]
ROWS = [
    GradeRow(
        "kimminsu", "Kim, Minsu", "kim@u.ac.kr", "A", lms_user_id="1001", sis_login_id="kim", scores={1: 6.0, 2: 12.5}
    ),
    GradeRow("leejiwoo", scores={1: 0.0, 2: None}),  # a grader error on A2: left blank, never 0
]


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_layout():
    rows = table(canvas_grades_csv(ROWS, COLUMNS))
    assert rows[0] == [*CANVAS_FIELDS, "A1 Perceptron logic gates", "A2 Gradient descent (4821)"]
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1] == ["Points Possible", "", "", "", "", "6", "25"]
    assert rows[2] == ["Kim, Minsu", "1001", "", "kim", "A", "6", "12.5"]
    assert rows[3] == ["leejiwoo", "", "", "", "", "0", ""]


def test_moodle_layout():
    rows = table(moodle_grades_csv(ROWS, COLUMNS))
    assert rows[0] == [*MOODLE_FIELDS, "A1 Perceptron logic gates", "A2 Gradient descent (4821)"]
    assert rows[1] == ["", "kim@u.ac.kr", "Kim, Minsu", "A", "6", "12.5"]
    assert rows[2] == ["", "", "leejiwoo", "", "0", ""]


def test_empty_class():
    assert table(canvas_grades_csv([], COLUMNS))[1][0] == "Points Possible"
    assert len(table(moodle_grades_csv([], []))) == 1
