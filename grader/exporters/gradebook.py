"""`gradebook.csv`: one row per student, one column per assignment, and the total.

Rows follow the class's order: the roster's when there is one (students with nothing handed in
included, as `missing`), else the order the submissions were found in. Each assignment's column
holds the final score; after the totals come, per assignment, its status and how the final score
came about: the checks' raw score, days late, the late penalty and the instructor's adjustments
(`grader.marking`). An assignment the grader failed on (`error`) is left blank, never charged as
0; an ungradable or missing one scores 0 and says so in its status column. Written through
`grader.csvio.csv_text`, which keeps a spreadsheet from running a student's name as a formula.
"""

from __future__ import annotations

from grader.csvio import Cell, csv_text
from grader.results import AssignmentResult, GradingRun, points

__all__ = ["gradebook_csv"]

_DETAILS = ("status", "raw", "days_late", "penalty", "adjustment")


def gradebook_csv(run: GradingRun) -> str:
    labels: dict[int, str] = {}
    for submission in run.submissions:
        for graded in submission.assignments:
            labels.setdefault(graded.id, graded.label)
    ids = sorted(labels)
    details = [f"{labels[i]}_{what}" for i in ids for what in _DETAILS]
    header = ["student", "name", "section", *(labels[i] for i in ids), "total", "max_total", *details]
    rows: list[list[Cell]] = [list(header)]
    for submission in run.submissions:
        scores: list[Cell] = []
        how: list[Cell] = []
        for i in ids:
            a = submission.assignment(i)
            scores.append("" if a is None or not a.counted else points(a.score))
            how.extend(_details(a))
        totals = [points(submission.score), points(submission.max_score)]
        rows.append([submission.student, submission.name, submission.section, *scores, *totals, *how])
    return csv_text(rows)


def _details(a: AssignmentResult | None) -> list[Cell]:
    """Status, raw score, days late, penalty and adjustments of one assignment ("" where none)."""
    if a is None:
        return [""] * len(_DETAILS)
    if not a.counted:
        return [a.status, "", "", "", ""]
    raw = a.raw_score if a.raw_score is not None else a.score
    adjusted = sum(x.points for x in a.adjustments)
    return [a.status, points(raw), a.days_late, points(a.penalty), _signed(adjusted) if a.adjustments else ""]


def _signed(value: float) -> int | float:
    """A number that may be negative, written as a number (a text "-3" would be taken for a formula)."""
    return int(value) if float(value).is_integer() else round(value, 2)
