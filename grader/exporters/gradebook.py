"""`gradebook.csv`: one row per student, one column per assignment, and the total.

An assignment the grader failed on (`error`) is left blank, never charged as 0; an
ungradable one scores 0 (the student's files could not be graded) and says so in its
status column. Written through `grader.csvio.csv_text`, which keeps a spreadsheet from running
a student's folder name as a formula.
"""

from __future__ import annotations

from grader.csvio import Cell, csv_text
from grader.reports import points
from grader.results import GradingRun

__all__ = ["gradebook_csv"]


def gradebook_csv(run: GradingRun) -> str:
    labels: dict[int, str] = {}
    for submission in run.submissions:
        for graded in submission.assignments:
            labels.setdefault(graded.id, graded.label)
    ids = sorted(labels)
    header = ["student", *(labels[i] for i in ids), "total", "max_total", *(f"{labels[i]}_status" for i in ids)]
    rows: list[list[Cell]] = [list(header)]
    for submission in sorted(run.submissions, key=lambda s: s.student.lower()):
        scores: list[Cell] = []
        statuses: list[Cell] = []
        for i in ids:
            a = submission.assignment(i)
            scores.append("" if a is None or a.status == "error" else points(a.score))
            statuses.append("" if a is None else a.status)
        rows.append([submission.student, *scores, points(submission.score), points(submission.max_score), *statuses])
    return csv_text(rows)
