"""Instructor overrides: points added to (or taken from) one student's assignment, with the reason.

`load_overrides` reads the CSV of ``--overrides``: ``student``, ``assignment``, ``points`` (may
be negative), ``reason`` (required: a mark changed by hand must say why), optional ``check``
(the check it is about, shown beside it). A student may have several rows for one assignment;
they add up.

Wiring: overrides come last, after grading and after the late penalty
(`grader.policy.late`): ``final, applied = apply(late.final, max_score,
overrides.get(student, assignment_id))``. They live in their own file, outside the results
cache, so a regrade or a cache hit keeps them; the report lists `applied` with their reasons.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.csvio import read_table
from grader.errors import OverridesError
from grader.results import clean_name, clean_text

__all__ = ["Override", "Overrides", "apply", "load_overrides"]


@dataclass(frozen=True)
class Override:
    """One row of the overrides file; `line` is where it is, for the report and for errors."""

    student: str
    assignment: int
    points: float
    reason: str
    check: str = ""
    line: int = 0


@dataclass(frozen=True)
class Overrides:
    """Every override, in file order."""

    rows: tuple[Override, ...]

    def get(self, student: str, assignment: int) -> tuple[Override, ...]:
        """The overrides of `student` (matched exactly, else ignoring case) for `assignment`."""
        exact = tuple(o for o in self.rows if o.student == student and o.assignment == assignment)
        if exact:
            return exact
        folded = student.casefold()
        return tuple(o for o in self.rows if o.student.casefold() == folded and o.assignment == assignment)


def apply(score: float, max_score: float, overrides: Sequence[Override]) -> tuple[float, tuple[Override, ...]]:
    """`score` plus every override's points, clamped to [0, `max_score`]; and the overrides applied."""
    total = score + sum(o.points for o in overrides)
    return min(max(round(total, 9), 0.0), max_score), tuple(overrides)


def load_overrides(path: Path) -> Overrides:
    """The overrides in the CSV at `path`, or `OverridesError` naming the line at fault (an empty
    student or reason, an assignment that is not a number, points that are not a number)."""
    rows = read_table(
        path, required=("student", "assignment", "points", "reason"), optional=("check",), error=OverridesError
    )
    found: list[Override] = []
    for row in rows:
        student = row.get("student")
        if not student:
            raise OverridesError("the student is empty", path=path, line=row.line)
        number = row.get("assignment")
        if not number.isdigit():
            raise OverridesError(
                f"the assignment must be its number, not {clean_name(number)!r}", path=path, line=row.line
            )
        try:
            points = float(row.get("points"))
        except ValueError:
            points = math.nan
        if not math.isfinite(points):
            raise OverridesError(
                f"points must be a number such as 2 or -1.5, not {clean_name(row.get('points'))!r}",
                path=path,
                line=row.line,
            )
        reason = clean_text(row.get("reason"))
        if not reason:
            raise OverridesError("the reason is empty: say why the mark changes", path=path, line=row.line)
        found.append(Override(student, int(number), points, reason, clean_name(row.get("check")), row.line))
    return Overrides(tuple(found))
