"""`gradebook.csv`: one row per student, one column per assignment, and the total.

An assignment the grader failed on (`error`) is left blank, never charged as 0; an
ungradable one scores 0 (the student's files could not be graded) and says so in its
status column.
"""

from __future__ import annotations

import csv
import io

from grader.reports import points
from grader.results import GradingRun

__all__ = ["gradebook_csv"]


def gradebook_csv(run: GradingRun) -> str:
    labels: dict[int, str] = {}
    for submission in run.submissions:
        for graded in submission.assignments:
            labels.setdefault(graded.id, graded.label)
    ids = sorted(labels)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *(labels[i] for i in ids), "total", "max_total", *(f"{labels[i]}_status" for i in ids)])
    for submission in sorted(run.submissions, key=lambda s: s.student.lower()):
        scores, statuses = [], []
        for i in ids:
            a = submission.assignment(i)
            scores.append("" if a is None or a.status == "error" else points(a.score))
            statuses.append("" if a is None else a.status)
        writer.writerow(
            [_safe_cell(submission.student), *scores, points(submission.score), points(submission.max_score), *statuses]
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """Keep spreadsheet programs from reading a student's folder name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
