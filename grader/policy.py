"""Deadlines and the late penalty, applied to results after grading (never inside the checks).

Three instructor files and one computation:

- `load_policy`: the TOML of ``--policy`` (default ``course.toml`` beside ``assignments/``), one
  table per assignment id::

      [assignments.1]
      due = 2026-03-20T23:59:00+09:00   # a TOML date-time with its offset
      late_penalty_per_day = 0.10       # fraction of the assignment's points, per started day
      max_days_late = 3                 # later than this scores zero (absent: no limit)
      grace_minutes = 0

- `load_extensions`: CSV ``student, assignment, due`` (ISO 8601 with a zone): a student's own
  due date for one assignment, in place of the policy's.
- `load_times`: CSV ``student, assignment, submitted`` (``assignment`` empty: every assignment):
  submission times the layout does not know (Canvas and folders give none).
- `late(score, max_score, submitted, due, rule)`: the raw score, days late, penalty and final
  score (`Late`).

Wiring, per graded assignment of a student: ``rule = policy.get(assignment_id)``; if there is
one, ``due = extensions.due(student, assignment_id) or rule.due``; ``submitted = entry.submitted
or times.get(student, assignment_id)``; then ``late(result.score, result.max_score, submitted,
due, rule)``. Overrides (`grader.overrides.apply`) come after, on ``Late.final``.

Every time is aware; a naive one is refused when the file is read, because the same wall-clock
time in Seoul and in UTC are nine hours apart and a penalty must not depend on the grading
machine's zone.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from grader import i18n
from grader.csvio import Row, read_table
from grader.errors import PolicyError
from grader.results import clean_name

__all__ = ["Extensions", "Late", "Policy", "Rule", "Times", "late", "load_extensions", "load_policy", "load_times"]

DAY = timedelta(days=1)
_RULE_KEYS = ("due", "late_penalty_per_day", "max_days_late", "grace_minutes")


@dataclass(frozen=True)
class Rule:
    """The deadline and late rule of one assignment."""

    assignment: int
    due: datetime  # aware
    late_penalty_per_day: float = 0.0  # fraction of the assignment's points, per started day late
    max_days_late: int | None = None  # later than this many days scores 0; None: no limit
    grace_minutes: float = 0.0


@dataclass(frozen=True)
class Policy:
    """The rules by assignment id; an assignment without one has no deadline."""

    rules: Mapping[int, Rule]
    path: Path | None = None

    def get(self, assignment: int) -> Rule | None:
        return self.rules.get(assignment)


@dataclass(frozen=True)
class Late:
    """What the late rule did to one score. `final` = `raw` - `penalty`, never below 0; `note` says
    it in words for the report ("" when nothing happened and nothing is unknown)."""

    raw: float
    days_late: int
    penalty: float
    final: float
    note: str


def late(score: float, max_score: float, submitted: datetime | None, due: datetime, rule: Rule) -> Late:
    """The late penalty on `score` (out of `max_score`) for work `submitted` against `due`.

    Days late are counted per started day after ``due + grace_minutes`` (a minute late is one
    day). The penalty is ``late_penalty_per_day * days * max_score``, at most the score itself;
    more than ``max_days_late`` days late scores 0. With no submission time, nothing is taken
    off and the note says the time is unknown.
    """
    if submitted is None:
        return Late(score, 0, 0.0, score, i18n.text("late.time_unknown"))
    cutoff = due + timedelta(minutes=rule.grace_minutes)
    if submitted <= cutoff:
        return Late(score, 0, 0.0, score, "")
    days = -((cutoff - submitted) // DAY)  # started days: ceil of the time past the cutoff
    when = i18n.text("late.days_one" if days == 1 else "late.days", days=days)
    if rule.max_days_late is not None and days > rule.max_days_late:
        return Late(score, days, score, 0.0, i18n.text("late.too_late", when=when, limit=rule.max_days_late))
    penalty = min(score, round(rule.late_penalty_per_day * days * max_score, 9))
    penalty = max(penalty, 0.0)
    if penalty == 0:
        return Late(score, days, 0.0, score, i18n.text("late.no_penalty", when=when))
    fraction = round(rule.late_penalty_per_day * days * 100, 6)
    return Late(score, days, penalty, score - penalty, i18n.text("late.penalty", when=when, percent=fraction))


def load_policy(path: Path) -> Policy:
    """The policy in the TOML file at `path`, or `PolicyError` naming the key at fault (an unknown
    key, a due date without a time zone, a penalty outside [0, 1], a negative limit)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot be read ({exc.strerror or exc})", path=path) from None
    except UnicodeDecodeError:
        raise PolicyError("is not UTF-8 text", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"is not valid TOML ({exc})", path=path) from None
    for key in data:
        if key != "assignments":
            raise PolicyError("unknown key (the file holds [assignments.N] tables only)", path=path, key=key)
    tables = data.get("assignments", {})
    if not isinstance(tables, dict):
        raise PolicyError("must be a table of [assignments.N] tables", path=path, key="assignments")
    rules: dict[int, Rule] = {}
    for name, table in tables.items():
        key = f"assignments.{name}"
        if not name.isdigit():
            raise PolicyError("an assignment is named by its number, as in [assignments.1]", path=path, key=key)
        if not isinstance(table, dict):
            raise PolicyError("must be a table", path=path, key=key)
        rules[int(name)] = _rule(path, key, int(name), table)
    return Policy(rules, path)


def _rule(path: Path, key: str, number: int, table: dict[str, Any]) -> Rule:
    for name in table:
        if name not in _RULE_KEYS:
            raise PolicyError(f"unknown key (known: {', '.join(_RULE_KEYS)})", path=path, key=f"{key}.{name}")
    if "due" not in table:
        raise PolicyError("is required: the due date with its time zone", path=path, key=f"{key}.due")
    due = table["due"]
    if not isinstance(due, datetime):
        what = "a date without a time" if isinstance(due, date) else "not a date-time"
        raise PolicyError(f"is {what}: write it as 2026-03-20T23:59:00+09:00 (no quotes)", path=path, key=f"{key}.due")
    if due.tzinfo is None:
        raise PolicyError(
            "has no time zone: add its offset, as in 2026-03-20T23:59:00+09:00", path=path, key=f"{key}.due"
        )
    per_day = _number(path, f"{key}.late_penalty_per_day", table.get("late_penalty_per_day", 0.0))
    if not 0 <= per_day <= 1:
        raise PolicyError(
            "must be between 0 and 1 (a fraction of the points)", path=path, key=f"{key}.late_penalty_per_day"
        )
    max_days = table.get("max_days_late")
    if max_days is not None and (not isinstance(max_days, int) or isinstance(max_days, bool) or max_days < 0):
        raise PolicyError("must be a whole number of days, 0 or more", path=path, key=f"{key}.max_days_late")
    grace = _number(path, f"{key}.grace_minutes", table.get("grace_minutes", 0.0))
    if grace < 0:
        raise PolicyError("must be 0 or more", path=path, key=f"{key}.grace_minutes")
    return Rule(number, due, per_day, max_days, grace)


def _number(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyError("must be a number", path=path, key=key)
    return float(value)


# --- the CSV files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Extensions:
    """Due dates given to single students, by (student, assignment id)."""

    dues: Mapping[tuple[str, int], datetime]

    def due(self, student: str, assignment: int) -> datetime | None:
        """The student's own due date for `assignment` (student matched exactly, else ignoring case)."""
        return _lookup(self.dues, student, assignment)


@dataclass(frozen=True)
class Times:
    """Submission times the instructor gives, by (student, assignment id); assignment None: all."""

    times: Mapping[tuple[str, int | None], datetime]

    def get(self, student: str, assignment: int) -> datetime | None:
        """When `student` handed in `assignment`: the row for that assignment, else the student's
        row for every assignment; student matched exactly, else ignoring case."""
        found = _lookup(self.times, student, assignment)
        return found if found is not None else _lookup(self.times, student, None)


def load_extensions(path: Path) -> Extensions:
    """The extensions CSV at `path` (``student, assignment, due``), or `PolicyError` naming the line."""
    dues: dict[tuple[str, int], datetime] = {}
    for row in read_table(path, required=("student", "assignment", "due"), error=PolicyError):
        student = _student(path, row)
        number = _assignment(path, row, required=True)
        assert number is not None
        _no_repeat(path, row, dues, (student, number))
        dues[(student, number)] = _time(path, row, "due")
    return Extensions(dues)


def load_times(path: Path) -> Times:
    """The submission times CSV at `path` (``student, assignment, submitted``; ``assignment``
    optional, empty meaning every assignment), or `PolicyError` naming the line."""
    times: dict[tuple[str, int | None], datetime] = {}
    for row in read_table(path, required=("student", "submitted"), optional=("assignment",), error=PolicyError):
        key = (_student(path, row), _assignment(path, row, required=False))
        _no_repeat(path, row, times, key)
        times[key] = _time(path, row, "submitted")
    return Times(times)


def _lookup(table: Mapping[tuple[str, Any], datetime], student: str, assignment: int | None) -> datetime | None:
    if (student, assignment) in table:
        return table[(student, assignment)]
    folded = student.casefold()
    return next((t for (s, a), t in table.items() if a == assignment and s.casefold() == folded), None)


def _student(path: Path, row: Row) -> str:
    student = row.get("student")
    if not student:
        raise PolicyError("the student is empty", path=path, line=row.line)
    return student


def _assignment(path: Path, row: Row, *, required: bool) -> int | None:
    text = row.get("assignment")
    if not text and not required:
        return None
    if not text.isdigit():
        raise PolicyError(f"the assignment must be its number, not {clean_name(text)!r}", path=path, line=row.line)
    return int(text)


def _time(path: Path, row: Row, column: str) -> datetime:
    text = row.get(column)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise PolicyError(
            f"{column} {clean_name(text)!r} is not an ISO 8601 time such as 2026-03-20T23:59:00+09:00",
            path=path,
            line=row.line,
        ) from None
    if value.tzinfo is None:
        raise PolicyError(
            f"{column} {clean_name(text)!r} has no time zone: add its offset (+09:00) or Z", path=path, line=row.line
        )
    return value


def _no_repeat(path: Path, row: Row, seen: Mapping[tuple[str, Any], Any], key: tuple[str, Any]) -> None:
    if any(s.casefold() == key[0].casefold() and a == key[1] for s, a in seen):
        raise PolicyError("this student and assignment are already given on an earlier line", path=path, line=row.line)
