"""Gradescope autograder output: one `results.json` per submission.

The fields are those of Gradescope's autograder specification ("Output format" of the
autograder documentation): top level `score`, `execution_time`, `output`, `output_format`,
`test_output_format`, `test_name_format`, `visibility`, `stdout_visibility`, `tests`; each test
`score`, `max_score`, `status` ("passed" or "failed"), `name`, `name_format`, `number`,
`output`, `output_format`, `tags`, `visibility` ("hidden", "after_due_date",
"after_published" or "visible").

Public checks are visible at once (the student already runs them with `grader check`); hidden
checks become visible when the instructor publishes the grades. A skipped check (not
applicable on the grading machine) is left out: it carries no points.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from grader.i18n import text
from grader.results import AssignmentResult, GradingRun, SubmissionResult

__all__ = ["GRADESCOPE_FIELDS", "GRADESCOPE_TEST_FIELDS", "gradescope_results", "write_gradescope"]

GRADESCOPE_FIELDS = (
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "tests",
)
GRADESCOPE_TEST_FIELDS = (
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
)


def gradescope_results(submission: SubmissionResult) -> dict[str, Any]:
    """The whole `results.json` Gradescope reads for one student's submission."""
    tests: list[dict[str, Any]] = []
    lines = []
    for assignment in submission.assignments:
        lines.append(_summary_line(assignment))
        lines.extend(f"  {note}" for note in assignment.notes)  # how a notebook was read, say
        if assignment.status != "graded":
            tests.append(_assignment_problem(assignment))
            continue
        for number, test in enumerate((t for t in assignment.tests if t.applicable), start=1):
            text = test.feedback if not test.output else f"{test.feedback}\n\nYour code printed:\n{test.output}"
            tests.append(
                {
                    "score": test.score,
                    "max_score": test.max_score,
                    "status": "passed" if test.passed else "failed",
                    "name": test.name,
                    "name_format": "text",
                    "number": f"{assignment.id}.{number}",
                    "output": text.strip() or ("passed" if test.passed else test.status),
                    "output_format": "text",
                    "tags": [assignment.label, test.visibility, test.status],
                    "visibility": "visible" if test.visibility == "public" else "after_published",
                }
            )
    return {
        "score": round(submission.score, 4),
        "execution_time": round(sum(a.duration_s for a in submission.assignments), 3),
        "output": "\n".join(lines),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _summary_line(assignment: AssignmentResult) -> str:
    head = text("report.assignment_heading", id=assignment.id, title=assignment.title)
    if assignment.status == "graded":
        return f"{head}: {assignment.score:g}/{assignment.max_score:g}"
    return f"{head}: {text(f'status.{assignment.status}')}: {assignment.message}"


def _assignment_problem(assignment: AssignmentResult) -> dict[str, Any]:
    """An ungradable (or errored) assignment as one failed test carrying its reason and its points."""
    error = assignment.status == "error"
    return {
        "score": 0.0,
        "max_score": 0.0 if error else assignment.max_score,
        "status": "failed",
        "name": text("ci.regrade" if error else "ci.ungradable", title=assignment.title),
        "name_format": "text",
        "number": f"{assignment.id}.0",
        "output": assignment.message,
        "output_format": "text",
        "tags": [assignment.label, assignment.status],
        "visibility": "visible",
    }


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def write_gradescope(run: GradingRun, folder: Path) -> int:
    """`folder/NAME/results.json` for every student (names made filesystem-safe and unique); how many."""
    used: set[str] = set()
    for submission in run.submissions:
        base = _UNSAFE.sub("_", submission.student).strip("._") or "student"
        name, n = base, 2
        while name.lower() in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name.lower())
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        body = json.dumps(gradescope_results(submission), indent=2, ensure_ascii=False, allow_nan=False)
        (target / "results.json").write_text(body + "\n", encoding="utf-8")
    return len(run.submissions)
