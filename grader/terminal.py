"""Plain-text summaries for the terminal (colour only on a terminal, and never with NO_COLOR)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from grader.reports import points
from grader.results import AssignmentResult

__all__ = ["Style", "check_summary"]

_MARKS = {"passed": "✓", "failed": "✗", "timeout": "◔", "error": "!", "skipped": "-"}
_COLOURS = {"passed": "32", "failed": "31", "timeout": "33", "error": "35", "skipped": "90", "dim": "90", "bold": "1"}
_FEEDBACK_LINES = 8
_NOTE_LINES = 8


class Style:
    def __init__(self, stream: TextIO | None = None):
        stream = sys.stdout if stream is None else stream  # the one in use now, not the one at import
        self.enabled = stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"

    def __call__(self, text: str, kind: str) -> str:
        if not self.enabled or kind not in _COLOURS:
            return text
        return f"\033[{_COLOURS[kind]}m{text}\033[0m"


def check_summary(result: AssignmentResult, *, report: str | None, style: Style) -> str:
    """What `grader check` prints for one assignment."""
    lines = [style(f"Assignment {result.id} · {result.title}", "bold") + style("  (public checks)", "dim")]
    if result.status == "ungradable":
        lines.append(style(f"  ✗ could not be graded: {result.message}", "failed"))
    elif result.status == "error":
        lines.append(style(f"  ! the grader failed (not your fault): {result.message}", "error"))
    for note in result.notes[:_NOTE_LINES]:
        lines.append(style(f"  · {note}", "dim"))
    if len(result.notes) > _NOTE_LINES:
        lines.append(style(f"  · … {len(result.notes) - _NOTE_LINES} more in the report", "dim"))
    width = max((len(t.name) for t in result.tests), default=20)
    width = min(width, 72)
    for test in result.tests:
        mark = style(_MARKS.get(test.status, "?"), test.status)
        score = f"{points(test.score)}/{points(test.max_score)}" if test.applicable else "n/a"
        name = test.name if len(test.name) <= width else test.name[: width - 1] + "…"
        suffix = "" if test.status in ("passed", "failed") else style(f" [{test.status}]", test.status)
        lines.append(f"  {mark} {name.ljust(width)}  {score:>7}{suffix}")
        if test.status != "passed" and test.feedback and result.status == "graded":
            feedback = test.feedback.splitlines()
            shown = feedback[:_FEEDBACK_LINES] + (["…"] if len(feedback) > _FEEDBACK_LINES else [])
            lines.extend(style(f"      {line}", "dim") for line in shown)
    passed = sum(t.passed for t in result.tests)
    lines.append(
        f"  Score: {points(result.score)}/{points(result.max_score)} on public checks "
        f"({passed} of {len(result.tests)} passed)"
    )
    if report:
        lines.append(f"  Report: {report}")
    lines.append(
        style(
            "  Hidden checks run at grading time: passing every public check does not guarantee full marks.",
            "dim",
        )
    )
    return "\n".join(lines)
