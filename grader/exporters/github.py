"""Output for a student's repository grading itself on push: GitHub Actions and GitHub Classroom.

`grader check --all --ci` prints the usual summary, then what this module makes of the results:

- one `::error` workflow command per failing check, so the check's feedback shows up as an
  annotation on the run (and on the student's file when the check names it);
- `Points X/Y`, the line GitHub Classroom's reporters print and instructors look for;
- a markdown table of points appended to the job summary (`$GITHUB_STEP_SUMMARY`);
- the Classroom result in the step outputs (`$GITHUB_OUTPUT`, key `result`): base64 of the JSON
  that `autograding-grading-reporter` reads from `<STEP_ID>_RESULTS`, with the fields it uses:
  `version`, `status` ("pass", "fail" or "error"), `max_score`, and `tests`, each with `name`,
  `status`, `score`, `message`, `line_no`, `execution_time`.

Workflow command escaping follows GitHub's rules: in a message `%`, CR and LF are encoded; in a
property also `:` and `,`.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.i18n import text
from grader.results import AssignmentResult, points

__all__ = [
    "CLASSROOM_FIELDS",
    "CLASSROOM_TEST_FIELDS",
    "classroom_result",
    "error_annotations",
    "points_line",
    "step_summary",
    "write_ci_outputs",
]

CLASSROOM_FIELDS = ("version", "status", "max_score", "tests")
CLASSROOM_TEST_FIELDS = ("name", "status", "score", "message", "line_no", "execution_time")

_CLASSROOM_STATUS = {"passed": "pass", "failed": "fail", "timeout": "fail", "error": "error"}


def _total(results: list[AssignmentResult]) -> tuple[float, float]:
    return sum(a.score for a in results if a.status != "error"), sum(a.max_score for a in results)


def points_line(results: list[AssignmentResult]) -> str:
    score, max_score = _total(results)
    return f"Points {points(score)}/{points(max_score)}"


def classroom_result(results: list[AssignmentResult]) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for assignment in results:
        if assignment.status != "graded":
            tests.append(
                {
                    "name": f"{assignment.id} · {assignment.title}",
                    "status": "error" if assignment.status == "error" else "fail",
                    "score": 0,
                    "message": assignment.message,
                    "line_no": 0,
                    "execution_time": f"{assignment.duration_s:.2f}s",
                }
            )
            continue
        for test in assignment.tests:
            if not test.applicable:
                continue
            tests.append(
                {
                    "name": f"{assignment.id} · {test.name}",
                    "status": _CLASSROOM_STATUS.get(test.status, "fail"),
                    "score": test.score,
                    "message": test.feedback,
                    "line_no": 0,
                    "execution_time": f"{test.duration_s:.2f}s",
                }
            )
    statuses = {t["status"] for t in tests}
    status = "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"
    _, max_score = _total(results)
    return {"version": 1, "status": status, "max_score": max_score, "tests": tests}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_annotations(results: list[AssignmentResult], files: Mapping[int, str] | None = None) -> list[str]:
    """`::error` workflow commands: one per failing check, one per assignment that could not be graded.

    `files` maps an assignment id to the student file its annotations are attached to.
    """
    lines = []
    for assignment in results:
        first_file = (files or {}).get(assignment.id, "")
        where = f"file={_escape_property(first_file)}," if first_file else ""
        if assignment.status != "graded":
            title = text("ci.title", id=assignment.id, name=text(f"status.{assignment.status}"))
            lines.append(f"::error {where}title={_escape_property(title)}::{_escape_data(assignment.message)}")
            continue
        for test in assignment.tests:
            if test.status in ("passed", "skipped"):
                continue
            title = text("ci.title", id=assignment.id, name=test.name)
            message = test.feedback or text(f"status.{test.status}")
            lines.append(f"::error {where}title={_escape_property(title)}::{_escape_data(message)}")
    return lines


def step_summary(results: list[AssignmentResult]) -> str:
    """The job summary: a markdown table of points, then the checks that did not pass."""
    score, max_score = _total(results)
    rows = [text("ci.heading"), "", text("ci.columns"), "|---|---|---|---|"]
    for a in results:
        applicable = [t for t in a.tests if t.applicable]
        passed = sum(t.passed for t in applicable)
        rows.append(
            f"| {a.id} · {_cell(a.title)} | {text(f'status.{a.status}')} | {passed}/{len(applicable)} | "
            f"{points(a.score)}/{points(a.max_score)} |"
        )
    rows.append(text("ci.total", score=points(score), max_score=points(max_score)))
    failing = [(a, t) for a in results for t in a.tests if t.status not in ("passed", "skipped")]
    problems = [a for a in results if a.status != "graded"]
    if problems or failing:
        rows += ["", text("ci.to_fix"), ""]
        rows += [f"- **{a.id} · {_cell(a.title)}**: {_cell(a.message)}" for a in problems]
        rows += [
            f"- **{a.id} · {_cell(t.name)}**: {_cell(t.feedback or text(f'status.{t.status}'))}" for a, t in failing
        ]
    rows += ["", text("ci.hidden_note"), ""]
    return "\n".join(rows)


def _cell(text: str) -> str:
    """One line of markdown table text: no pipes, no line breaks, no raw HTML."""
    flat = " ".join(text.split())
    flat = flat.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return flat if len(flat) <= 300 else flat[:299] + "…"


def write_ci_outputs(
    results: list[AssignmentResult], *, files: Mapping[int, str] | None = None, env: Mapping[str, str] | None = None
) -> list[str]:
    """Append the job summary and the Classroom step output where GitHub says; return the lines to print."""
    env = os.environ if env is None else env
    if summary_path := env.get("GITHUB_STEP_SUMMARY"):
        with Path(summary_path).open("a", encoding="utf-8") as f:
            f.write(step_summary(results))
    if output_path := env.get("GITHUB_OUTPUT"):
        encoded = base64.b64encode(json.dumps(classroom_result(results)).encode("utf-8")).decode("ascii")
        with Path(output_path).open("a", encoding="utf-8") as f:
            f.write(f"result={encoded}\n")
    return [*error_annotations(results, files), points_line(results)]
