"""Grades back to the LMS: Canvas's gradebook import CSV and Moodle's grade import CSV.

Both take the same plain rows (`GradeRow`, one per student: `grade_rows` fills them from a
graded run and the roster) and columns (`GradeColumn`, one per assignment); `write_grades`
writes the files `grader grade --format` asks for. A score of None is an empty cell, which both
LMSs read as "leave this grade as it is": that is what a grader `error` gives, never a 0. A
student whose work is `missing` gets 0. Every cell goes through `grader.csvio.csv_text`.

Canvas (Grades > Import): the header is ``Student, ID, SIS User ID, SIS Login ID, Section`` and
one column per assignment, then a ``Points Possible`` row, as Canvas's own gradebook export
writes them. Canvas finds a student by ``ID`` (its numeric user id: the Canvas intake knows it
from the download, `grader.intake.Entry.lms_user_id`), else by ``SIS User ID`` or ``SIS Login
ID``; an assignment column named ``Title (123)`` updates Canvas assignment 123, any other title
is matched by name or becomes a new assignment worth its Points Possible.

Moodle (Grades > Import > CSV file): the instructor maps one column to identify the user,
``Email address`` (to the email) or ``ID number`` (to the ID number), and each assignment column
to a grade item. ``ID number`` is Moodle's ID number (`GradeRow.sis_user_id`), never the
participant id of a Moodle download, which is a different number and could name another student.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import Assignment
from grader.csvio import Cell, csv_text
from grader.results import GradingRun
from grader.roster import Roster

__all__ = [
    "CANVAS_FIELDS",
    "EXPORTS",
    "MOODLE_FIELDS",
    "GradeColumn",
    "GradeRow",
    "canvas_grades_csv",
    "grade_rows",
    "moodle_grades_csv",
    "write_grades",
]

CANVAS_FIELDS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_FIELDS = ("ID number", "Email address", "Full name", "Section")


@dataclass(frozen=True)
class GradeColumn:
    """One assignment's column: its id (the key of `GradeRow.scores`), its title in the LMS (for
    Canvas, ``Title (123)`` names Canvas assignment 123) and the points it is out of."""

    assignment: int
    title: str
    points: float


@dataclass(frozen=True)
class GradeRow:
    """One student's final scores and what the LMS may find them by ("" when unknown).

    `student`: the grader's id (the layout's or roster's); `name`: the display name (roster,
    else the LMS's); `lms_user_id`: the LMS's own numeric user id (Canvas ``ID``);
    `sis_user_id`, `sis_login_id`: the institution's ids where the roster gives them;
    `scores`: final score by assignment id, None to leave the LMS's grade unchanged.
    """

    student: str
    name: str = ""
    email: str = ""
    section: str = ""
    lms_user_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    scores: Mapping[int, float | None] = field(default_factory=dict)


def canvas_grades_csv(rows: Sequence[GradeRow], columns: Sequence[GradeColumn]) -> str:
    """The CSV text for Canvas's gradebook import (see the module's docstring)."""
    table: list[list[Cell]] = [
        [*CANVAS_FIELDS, *(c.title for c in columns)],
        ["Points Possible", "", "", "", "", *(c.points for c in columns)],
    ]
    for row in rows:
        ids = [row.name or row.student, row.lms_user_id, row.sis_user_id, row.sis_login_id, row.section]
        table.append([*ids, *_scores(row, columns)])
    return csv_text(table)


def moodle_grades_csv(rows: Sequence[GradeRow], columns: Sequence[GradeColumn]) -> str:
    """The CSV text for Moodle's grade import (see the module's docstring)."""
    table: list[list[Cell]] = [[*MOODLE_FIELDS, *(c.title for c in columns)]]
    for row in rows:
        table.append([row.sis_user_id, row.email, row.name or row.student, row.section, *_scores(row, columns)])
    return csv_text(table)


def _scores(row: GradeRow, columns: Sequence[GradeColumn]) -> list[Cell]:
    return [row.scores.get(c.assignment) for c in columns]


def grade_rows(run: GradingRun, roster: Roster | None = None) -> list[GradeRow]:
    """One row per student of `run`, in its order: final scores (blank for a grader `error`), and
    what the LMS may find the student by: Canvas's user id from a Canvas download, and, for a
    student on the roster, the roster's email and its id as the SIS login."""
    rows = []
    for submission in run.submissions:
        listed = roster.find(submission.student) if roster is not None else None
        rows.append(
            GradeRow(
                student=submission.student,
                name=submission.name,
                email=listed.email if listed is not None else "",
                section=submission.section,
                lms_user_id=submission.lms_id,
                sis_login_id=listed.id if listed is not None else "",
                scores={a.id: a.score if a.counted else None for a in submission.assignments},
            )
        )
    return rows


EXPORTS = {"canvas": ("canvas_grades.csv", canvas_grades_csv), "moodle": ("moodle_grades.csv", moodle_grades_csv)}


def write_grades(
    run: GradingRun, out: Path, formats: Sequence[str], assignments: Sequence[Assignment], roster: Roster | None = None
) -> list[Path]:
    """Write the LMS grade files `formats` names (`EXPORTS`) into `out`; the paths written."""
    columns = [GradeColumn(a.id, a.title, a.points) for a in assignments]
    rows = grade_rows(run, roster)
    written = []
    for name in dict.fromkeys(f for f in formats if f in EXPORTS):
        filename, render = EXPORTS[name]
        (out / filename).write_text(render(rows, columns), encoding="utf-8")
        written.append(out / filename)
    return written
