"""The library behind the commands: check one folder, grade a class.

Keyword-only functions with their defaults here; `grader.cli` only parses arguments and
forwards. A bad submission never stops a batch; a bad course stops it before anything runs.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.cache import ResultCache, machine_context
from grader.course import Assignment, Course
from grader.errors import BatchInterrupted, CourseError, GraderError, InsecureGrading
from grader.executors import DaskExecutor, Executor, LocalExecutor, run_one
from grader.exporters.gradebook import gradebook_csv
from grader.isolation import Isolation, probe
from grader.isolation import describe as describe_isolation
from grader.messages import RunnerOptions
from grader.reports import render_index, render_student
from grader.results import AssignmentResult, GradingRun, Skipped, SubmissionResult, clean_text, now_iso, save_run
from grader.runner import JudgeRunner, Runner
from grader.submission import Student, survey
from grader.version import __version__

__all__ = ["BatchProgress", "ResultWriter", "Roster", "check_folder", "discover", "grade_class"]

CHECK_SCOPE_NOTE = "Checked on your own machine with grader check."


def check_folder(
    *,
    course: Course,
    assignment_ids: list[int],
    folder: Path,
    runner: Runner | None = None,
    report_dir: Path | None = None,
    notebooks: Mapping[str, Path] | None = None,
    student: str | None = None,
) -> list[AssignmentResult]:
    """Run the public checks of each assignment on a student's work folder.

    Writes `report_dir/N.html` for each (default: `folder/grader-report`). `notebooks` names a
    notebook that stands for a file whatever its name (`grader.submission.prepare`); `student` is
    the name the report shows (default: the folder's).
    """
    runner = runner or JudgeRunner()  # one torch thread: the course's models are too small to gain from more
    assignments = [course.get(i) for i in assignment_ids]
    report_dir = report_dir or folder / "grader-report"
    shown = clean_text(student or folder.resolve().name) or "your work"
    results = []
    for assignment in assignments:
        wanted = {k: v for k, v in (notebooks or {}).items() if k in assignment.files}
        result = run_one(runner, assignment, folder, scope="public", notebooks=wanted)
        results.append(result)
        report_dir.mkdir(parents=True, exist_ok=True)
        html = render_student(
            SubmissionResult(student=shown, assignments=[result]),
            generated=now_iso(),
            version=__version__,
            scope_note=CHECK_SCOPE_NOTE,
        )
        (report_dir / f"{assignment.id}.html").write_text(html, encoding="utf-8")
    return results


@dataclass(frozen=True)
class BatchProgress:
    """Reported after each student: how far the batch is and what the student got."""

    done: int
    total: int
    student: SubmissionResult
    cached: int = 0  # how many of this student's assignments came from the cache


def grade_class(
    *,
    course: Course,
    submissions: Path,
    out: Path,
    assignment_ids: list[int] | None = None,
    runner: Runner | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    on_start: Callable[[str, int], None] | None = None,
    workers: int = 1,
    force: bool = False,
    scheduler: str | None = None,
    runner_options: RunnerOptions | None = None,
    insecure: bool = False,
    isolation: Isolation | None = None,
) -> GradingRun:
    """Grade every student folder or .zip under `submissions` with public and hidden checks.

    `workers` students are graded at once (each in its own judge and worker processes).
    Finished results are cached under `out/.cache/` by the hash of the student's files, of
    the checks and of the grader version, so a rerun regrades only new or changed submissions
    (`force` regrades everything). Writes one report per student under `out/students/`,
    `out/results.json` (rewritten at most every RESULTS_EVERY_S seconds: each result is in the
    cache at once), then `out/index.html` and
    `out/gradebook.csv`. `on_start(name, total)` and `on_progress(...)` are called as each student
    starts and finishes (from worker threads when `workers` > 1). On Ctrl-C the running judges
    are stopped, what finished is written out, and `BatchInterrupted` is raised.

    With `scheduler` (a Dask scheduler's address) each student is a task on that Dask cluster,
    graded there by the same code with `JudgeRunner.from_options(runner_options)`; the course, the
    submissions and `out` must be at the same paths on every Dask worker (one machine, or a
    shared filesystem). `on_start` is not called then: the cluster decides when tasks start.

    Student code must run without network and with the course, the other submissions and
    `out` out of its sight: `isolation` (default: what the runner's workers get on this machine)
    must allow that, or `InsecureGrading` is raised before anything runs, unless `insecure`.
    The isolation used is recorded in results.json and the reports.
    """
    assignments = _graded_assignments(course, assignment_ids)
    roster = discover(submissions)
    if scheduler is not None and runner is not None:
        raise GraderError("a Dask cluster builds its own judge runners: pass runner_options, not a runner")
    hide = (submissions.resolve(), out.resolve())  # from student code, with what the runner hides itself
    options = runner_options or RunnerOptions()
    options = replace(options, private=(*options.private, *hide))
    if runner is not None:
        runner.hide(hide)
    if isolation is None:
        isolation = runner.isolation() if runner is not None else probe()
    recorded = _isolation_record(isolation, insecure=insecure)
    cache = ResultCache(out / ".cache", machine_context(options))
    own_runner = None
    executor: Executor
    if scheduler is not None:
        executor = DaskExecutor(scheduler, course, assignments, cache, options, reuse=not force)
    else:
        if runner is None:  # many submissions: each assignment's checks collected once (grader.judge.template)
            own_runner = runner = JudgeRunner.from_options(options, templates=len(roster.students) > 1)
        executor = LocalExecutor(runner, assignments, cache, workers=workers, reuse=not force, on_start=on_start)
    writer = ResultWriter(out, GradingRun(created=now_iso(), isolation=recorded, skipped=roster.skipped))
    total = len(roster.students)

    def finish(result: SubmissionResult, cached: int) -> None:
        writer.add(result, cached, order=roster.order)
        if on_progress is not None:
            on_progress(BatchProgress(len(writer.run.submissions), total, result, cached))

    try:
        executor.grade(roster.students, finish)
    except KeyboardInterrupt:
        executor.cancel()
        writer.close()
        raise BatchInterrupted(writer.run, total) from None
    finally:
        if own_runner is not None:
            own_runner.close()
    writer.close()
    return writer.run


@dataclass(frozen=True)
class Roster:
    """Who is graded, and what was handed over but is not graded, each with why."""

    students: list[Student]
    skipped: list[Skipped]

    @property
    def order(self) -> dict[str, int]:
        """Each student's place in the class (names are unique once cleaned: `grader.submission.survey`)."""
        return {s.name: i for i, s in enumerate(self.students)}


def discover(submissions: Path) -> Roster:
    """The students under `submissions` (a folder or an archive each), and the entries that are none."""
    students, skipped = survey(submissions)
    return Roster(students, skipped)


def _graded_assignments(course: Course, assignment_ids: list[int] | None) -> list[Assignment]:
    """The assignments to grade; a `CourseError` for one without hidden checks (a student's copy)."""
    assignments = [course.get(i) for i in assignment_ids] if assignment_ids else list(course)
    for assignment in assignments:
        if not assignment.has_hidden_checks:
            raise CourseError(
                "no hidden checks: grading needs the instructor's course (pass --course or run from its checkout)",
                path=assignment.dir / "checks" / "hidden",
            )
    return assignments


def _isolation_record(isolation: Isolation | None, *, insecure: bool) -> dict[str, Any]:
    """What results.json records of the isolation; `InsecureGrading` when it is not enough."""
    if isolation is None:  # the runner starts no student code
        return {}
    if not isolation.sufficient_for_grading and not insecure:
        raise InsecureGrading(isolation.describe())
    # "insecure": graded only because of --insecure (a machine that merely lacks a uid of its
    # own, say, is isolated enough without it)
    return isolation.to_dict() | ({"insecure": True} if not isolation.sufficient_for_grading else {})


class ResultWriter:
    """What a batch writes under `out` as students finish: each report at once, results.json now
    and then (every result is in the cache already), and, on `close`, the class summaries."""

    def __init__(self, out: Path, run: GradingRun):
        self.out = out
        self.run = run
        self._links: dict[str, str] = {}
        self._used_names: set[str] = set()
        self._saved = time.monotonic()
        (out / "students").mkdir(parents=True, exist_ok=True)

    def add(self, result: SubmissionResult, cached: int, *, order: Mapping[str, int]) -> None:
        """One student's result: kept in class `order`, its report written; `cached` of its
        assignments came from the cache (none new: results.json need not be rewritten)."""
        self.run.submissions.append(result)
        self.run.submissions.sort(key=lambda s: order.get(s.student, len(order)))
        self._links[result.student] = "students/" + urllib.parse.quote(self._write_report(result))
        if cached < len(result.assignments) and time.monotonic() - self._saved > RESULTS_EVERY_S:
            save_run(self.run, self.out / "results.json")
            self._saved = time.monotonic()

    def close(self) -> None:
        """index.html, gradebook.csv and results.json for what is graded so far."""
        (self.out / "index.html").write_text(render_index(self.run, self._links), encoding="utf-8")
        (self.out / "gradebook.csv").write_text(gradebook_csv(self.run), encoding="utf-8")
        save_run(self.run, self.out / "results.json")

    def _write_report(self, result: SubmissionResult) -> str:
        """Write one student's report; the file name it got (unique, whatever the student's name)."""
        html = render_student(
            result,
            generated=self.run.created,
            version=__version__,
            index_href="../index.html",
            isolation=describe_isolation(self.run.isolation),
        )
        filename = _report_name(result.student, self._used_names)
        try:
            (self.out / "students" / filename).write_text(html, encoding="utf-8")
        except OSError:  # a name this file system refuses after all: a plain one
            filename = _report_name("student", self._used_names)
            (self.out / "students" / filename).write_text(html, encoding="utf-8")
        return filename


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
RESULTS_EVERY_S = 60.0  # results.json is rewritten at most this often during a batch, and at its end
_REPORT_NAME_BYTES = 160  # well under the 255 bytes a file name may have, room for "-12.html"


def _report_name(student: str, used: set[str]) -> str:
    base = _UNSAFE.sub("_", student).strip("._") or "student"
    while len(base.encode("utf-8")) > _REPORT_NAME_BYTES:
        base = base[:-1]
    name, n = f"{base}.html", 2
    while name.lower() in used:
        name, n = f"{base}-{n}.html", n + 1
    used.add(name.lower())
    return name
