"""From the checks' scores to the grades a course records: roster, deadlines, overrides, history.

Grading gives each (student, assignment) the score its checks earned; `Marking` turns that into
the final score, after grading and after the result cache, so a cached result is marked by
today's policy and overrides like a fresh one:

1. the student is matched to the roster (`grader.roster`): the result takes the roster's id,
   name and section; a submission not on the roster is flagged;
2. the late rule of the assignment (`grader.policy`), against the student's extension if there
   is one, takes its penalty off; the submission time comes from the download (Blackboard's
   attempt, a repository's last commit) or, failing that, from the instructor's times file;
   where no time is known nothing is taken off and the result says so;
3. overrides (`grader.overrides`) add or take away points, clamped to [0, max], with their
   reason shown to the student;
4. the previous run's final score is recorded beside the new one, so a changed check shows who
   it moved.

A roster student with no submission gets every assignment `missing` (0 points; overrides still
apply, so an excused student can be given the points). An assignment the grader failed on
(`error`) is left as it is: it is blank in the gradebook, never charged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader import i18n
from grader import overrides as overriding
from grader.course import Assignment
from grader.policy import Extensions, Policy, Times, late, load_extensions, load_policy, load_times
from grader.results import NOT_ON_ROSTER, Adjustment, AssignmentResult, GradingRun, SubmissionResult
from grader.roster import Roster, RosterStudent, load_roster

__all__ = ["NOT_ON_ROSTER", "Marking", "missing_result", "previous_scores"]


@dataclass(frozen=True)
class Marking:
    """What the course adds to the checks' scores; every part optional (none: scores as graded)."""

    roster: Roster | None = None
    policy: Policy | None = None
    extensions: Extensions | None = None
    times: Times | None = None
    overrides: overriding.Overrides | None = None
    previous: Mapping[tuple[str, int], float] = field(default_factory=dict)  # final scores of the last run
    # The roster students the batch's submissions were matched to (`grader.roster.Roster.reconcile`):
    # of two submissions whose ids match one student (differing in case), only the first is theirs.
    claims: Mapping[str, RosterStudent] | None = None

    @classmethod
    def load(
        cls,
        *,
        roster: Path | None = None,
        policy: Path | None = None,
        extensions: Path | None = None,
        times: Path | None = None,
        overrides: Path | None = None,
    ) -> Marking:
        """Read the instructor's files (each refused with the file, line and key at fault)."""
        return cls(
            roster=load_roster(roster) if roster else None,
            policy=load_policy(policy) if policy else None,
            extensions=load_extensions(extensions) if extensions else None,
            times=load_times(times) if times else None,
            overrides=overriding.load_overrides(overrides) if overrides else None,
        )

    def identity(self, student: str, name: str = "") -> tuple[str, str, str, bool]:
        """(id, name, section, on the roster) for a submission found as `student`."""
        if self.roster is None:
            return student, name, "", True
        found = self.claims.get(student) if self.claims is not None else self.roster.find(student)
        if found is None:
            return student, name, "", False
        return found.id, found.name or name, found.section, True

    def mark(self, result: SubmissionResult, *, submitted: datetime | None = None, name: str = "") -> SubmissionResult:
        """`result` (one student, as graded) with the roster's identity, late penalties, overrides
        and previous scores applied; `submitted`: when the download says it was handed in."""
        student, shown, section, listed = self.identity(result.student, name)
        notes = [n for n in result.notes if n != NOT_ON_ROSTER] + ([] if listed else [NOT_ON_ROSTER])
        marked = SubmissionResult(student=student, name=shown, section=section, notes=notes, lms_id=result.lms_id)
        marked.assignments = [self._mark_one(student, a, submitted) for a in result.assignments]
        return marked

    def missing(self, student: RosterStudent, assignments: Iterable[Assignment]) -> SubmissionResult:
        """A roster student who handed nothing in: every assignment `missing`, then marked."""
        result = SubmissionResult(student=student.id, name=student.name, section=student.section)
        result.assignments = [self._mark_one(student.id, missing_result(a), None) for a in assignments]
        return result

    def _mark_one(self, student: str, result: AssignmentResult, submitted: datetime | None) -> AssignmentResult:
        if result.status == "error":
            return result
        raw = result.raw_score if result.raw_score is not None else result.score
        result.score, result.days_late, result.penalty, result.late_note = raw, 0, 0.0, ""
        result.submitted, result.adjustments = "", []
        when = submitted or (self.times.get(student, result.id) if self.times is not None else None)
        if when is not None:
            result.submitted = when.isoformat()
        rule = self.policy.get(result.id) if self.policy is not None and result.status != "missing" else None
        if rule is not None:
            due = (self.extensions.due(student, result.id) if self.extensions is not None else None) or rule.due
            outcome = late(raw, result.max_score, when, due, rule)
            result.score, result.days_late, result.penalty = outcome.final, outcome.days_late, outcome.penalty
            result.late_note = outcome.note
            if due != rule.due:
                note = outcome.note or i18n.text("late.on_time")
                result.late_note = i18n.text("late.extension", note=note, due=due.isoformat())
        rows = self.overrides.get(student, result.id) if self.overrides is not None else ()
        if rows:
            result.score, applied = overriding.apply(result.score, result.max_score, rows)
            result.adjustments = [Adjustment(points=o.points, reason=o.reason, check=o.check) for o in applied]
        marked = rule is not None or bool(rows)
        result.raw_score = raw if marked else None
        result.score = round(result.score, 6)
        result.previous_score = self.previous.get((student, result.id))
        return result


def missing_result(assignment: Assignment) -> AssignmentResult:
    """An assignment a roster student did not hand in: 0 of its points."""
    return AssignmentResult(
        id=assignment.id,
        slug=assignment.slug,
        title=assignment.title_in(i18n.current()),
        status="missing",
        score=0.0,
        max_score=assignment.points,
        message="nothing was handed in",
    )


def previous_scores(run: GradingRun | None) -> dict[tuple[str, int], float]:
    """The final score of each (student, assignment) a previous run counted."""
    if run is None:
        return {}
    return {(s.student, a.id): a.score for s in run.submissions for a in s.assignments if a.counted}
