"""The class roster: who should have handed something in, with their names, emails and sections.

`load_roster` reads a CSV (`grader.csvio.read_table`): ``id`` required, ``name``, ``email`` and
``section`` optional, header names in any case, other columns ignored (rosters are exported from
an LMS with many). The id is what the layout yields for the student (`grader.intake.Entry.student`:
the Canvas login, the Moodle participant id, the Blackboard username, the Classroom user name,
the folder name).

Wiring: `Roster.reconcile(ids)` with the ids of an `Intake`'s entries gives the roster student
each submission belongs to, the roster students with no submission (their assignments get the
status ``missing``) and the submissions whose student is not on the roster (flagged); gradebook
rows follow `Roster.students`, in the roster's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.csvio import read_table
from grader.errors import RosterError
from grader.results import clean_name

__all__ = ["Reconciled", "Roster", "RosterStudent", "load_roster"]


@dataclass(frozen=True)
class RosterStudent:
    """One line of the roster. `name`, `email` and `section` are "" when the roster lacks them;
    `line` is the line of the file it came from."""

    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    line: int = 0


@dataclass(frozen=True)
class Reconciled:
    """Submissions set against the roster.

    `matched`: each submission id found on the roster, with its roster student (matched exactly,
    else ignoring case); `missing`: roster students with no submission, in roster order;
    `unknown`: submission ids not on the roster, in the order given.
    """

    matched: dict[str, RosterStudent]
    missing: tuple[RosterStudent, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class Roster:
    """The roster's students in file order, ids unique (also ignoring case)."""

    students: tuple[RosterStudent, ...]

    def find(self, student_id: str) -> RosterStudent | None:
        """The roster student whose id is `student_id`: exactly, else ignoring case; None if absent."""
        for student in self.students:
            if student.id == student_id:
                return student
        folded = student_id.casefold()
        return next((s for s in self.students if s.id.casefold() == folded), None)

    def reconcile(self, submission_ids: Iterable[str]) -> Reconciled:
        """Match submission ids (an intake's `Entry.student`s) to the roster; see `Reconciled`."""
        ids = list(submission_ids)
        exact = {s.id: s for s in self.students}
        matched: dict[str, RosterStudent] = {sid: exact[sid] for sid in ids if sid in exact}
        taken = set(matched.values())
        unknown: list[str] = []
        for sid in ids:  # then ignoring case; an exact match wins whatever the order
            if sid in matched:
                continue
            found = self.find(sid)
            if found is None or found in taken:  # a second submission of one student is not theirs
                unknown.append(sid)
            else:
                matched[sid] = found
                taken.add(found)
        return Reconciled(matched, tuple(s for s in self.students if s not in taken), tuple(unknown))


def load_roster(path: Path) -> Roster:
    """The roster in the CSV at `path`, or `RosterError` naming the file and line at fault (an
    empty id, an id given twice, a file that is not UTF-8 or lacks the ``id`` column)."""
    rows = read_table(path, required=("id",), optional=("name", "email", "section"), extra="ignore", error=RosterError)
    students: list[RosterStudent] = []
    seen: dict[str, int] = {}
    for row in rows:
        sid = row.get("id")
        if not sid:
            raise RosterError("the id is empty", path=path, line=row.line)
        folded = sid.casefold()
        if folded in seen:
            raise RosterError(f"the id {clean_name(sid)!r} is already on line {seen[folded]}", path=path, line=row.line)
        seen[folded] = row.line
        students.append(
            RosterStudent(sid, clean_name(row.get("name")), row.get("email"), clean_name(row.get("section")), row.line)
        )
    return Roster(tuple(students))
