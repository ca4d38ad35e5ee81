"""The library behind the commands: check one folder, grade a class.

Keyword-only functions with their defaults here; `grader.cli` only parses arguments and
forwards. A bad submission never stops a batch; a bad course stops it before anything runs.
"""

from __future__ import annotations

import re
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.cache import ResultCache, machine_context
from grader.course import Assignment, Course
from grader.errors import (
    BatchInterrupted,
    CourseError,
    GraderError,
    GradingNeedsLinux,
    InsecureGrading,
    IntakeError,
    SubmissionError,
)
from grader.executors import DaskExecutor, Executor, LocalExecutor, run_one
from grader.exporters.gradebook import gradebook_csv
from grader.folders import remove_tree
from grader.i18n import text
from grader.intake import Entry, materialise, read
from grader.isolation import Isolation, probe
from grader.isolation import describe as describe_isolation
from grader.marking import Marking, previous_scores
from grader.messages import RunnerOptions
from grader.results import (
    AssignmentResult,
    GradingRun,
    Skipped,
    SubmissionResult,
    clean_text,
    load_run,
    now_iso,
    save_run,
)
from grader.runner import JudgeRunner, Runner, ungradable
from grader.sandbox import linux_machinery
from grader.similarity.model import DEFAULT_THRESHOLD, SimilarityRun
from grader.submission import Student
from grader.version import __version__
from grader.zygote import preload_libraries

__all__ = [
    "BatchProgress",
    "Discovered",
    "ResultWriter",
    "check_folder",
    "discover",
    "ensure_grading_platform",
    "grade_class",
    "similar_class",
]

STAGING = ".intake"  # under the output folder: each LMS submission's files under their own names, while grading
SIMILAR_STAGING = ".intake-similar"  # the same, while `grader similar` reads them
SIMILARITY_PAGE = "similarity.html"


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
    # Jinja2 is imported and the report's templates compiled while the judge runs: this thread only waits then.
    threading.Thread(target=_compile_report, name="grader-report", daemon=True).start()
    preload_libraries(assignments)
    report_dir = report_dir or folder / "grader-report"
    shown = clean_text(student or folder.resolve().name) or text("report.your_work")
    results = []
    for assignment in assignments:
        wanted = {k: v for k, v in (notebooks or {}).items() if k in assignment.files}
        result = run_one(runner, assignment, folder, scope="public", notebooks=wanted)
        results.append(result)
        report_dir.mkdir(parents=True, exist_ok=True)
        from grader.reports import render_student

        html = render_student(
            SubmissionResult(student=shown, assignments=[result]),
            generated=now_iso(),
            version=__version__,
            scope_note=text("report.check_scope"),
            lang=result.lang,
        )
        (report_dir / f"{assignment.id}.html").write_text(html, encoding="utf-8")
    return results


def _compile_report() -> None:
    from grader.reports import compile_student

    compile_student()


@dataclass(frozen=True)
class BatchProgress:
    """Reported after each student: how far the batch is and what the student got."""

    done: int
    total: int
    student: SubmissionResult
    cached: int = 0  # how many of this student's assignments came from the cache


def ensure_grading_platform(*, scheduler: str | None = None) -> None:
    """`GradingNeedsLinux` where `grade_class` cannot grade here: not Linux with its process
    machinery (`grader.sandbox.linux_machinery`), unless a Dask cluster (`scheduler`) grades."""
    if scheduler is None and not linux_machinery():
        raise GradingNeedsLinux(sys.platform)


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
    layout: str = "auto",
    tz: str | None = None,
    marking: Marking | None = None,
    on_discovered: Callable[[Discovered], None] | None = None,
    similarity: bool = False,
) -> GradingRun:
    """Grade every student's submission under `submissions` with public and hidden checks.

    `submissions` is read as `layout` says (`grader.intake`: a folder or archive per student, or
    a Canvas, Moodle, Blackboard or GitHub Classroom download; ``auto`` detects which, and the
    run records it); `tz` is the zone of Blackboard's attempt times. What is not a submission is
    listed in the run's `skipped`, with the reason. `marking` (`grader.marking`) matches the
    students to a roster (roster students with nothing handed in are `missing`), takes late
    penalties off and applies overrides; the previous run's scores in `out/results.json` are
    kept beside the new ones. `on_discovered` is told what was found before grading starts.
    `similarity`: after grading, compare every pair of students too (`grader.similarity`), into
    `out/similarity.html`, linked from `out/index.html`.

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
    The isolation used is recorded in results.json and the reports. Grading here needs Linux
    (`grader.sandbox.linux_machinery`): elsewhere `GradingNeedsLinux` is raised, `insecure` or not.
    """
    assignments = _graded_assignments(course, assignment_ids)
    preload_libraries(assignments)
    if scheduler is not None and runner is not None:
        raise GraderError("a Dask cluster builds its own judge runners: pass runner_options, not a runner")
    ensure_grading_platform(scheduler=scheduler)
    out = out.resolve()  # absolute before anything is shipped to a Dask worker with another working folder
    marking = replace(marking or Marking(), previous=previous_scores(_previous_run(out / "results.json")))
    found = discover(submissions, out / STAGING, layout=layout, tz=tz)
    if not found.entries:  # a wrong layout must not become a class of zeros (every roster student `missing`)
        raise _nothing_found(submissions, found)
    if on_discovered is not None:
        on_discovered(found)
    hide = (submissions.resolve(), out)  # from student code, with what the runner hides itself
    options = runner_options or RunnerOptions()
    data_dir = options.data_dir.resolve() if options.data_dir is not None else None
    options = replace(options, data_dir=data_dir, private=(*options.private, *hide))
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
            own_runner = runner = JudgeRunner.from_options(options, templates=len(found.students) > 1)
        executor = LocalExecutor(runner, assignments, cache, workers=workers, reuse=not force, on_start=on_start)
    run = GradingRun(
        created=now_iso(), isolation=recorded, skipped=found.skipped, layout=found.layout, lang=options.lang
    )
    writer = ResultWriter(out, run)
    reconciled = marking.roster.reconcile(found.entries) if marking.roster is not None else None
    if reconciled is not None:
        marking = replace(marking, claims=reconciled.matched)
    order = _class_order(found, marking)
    total = len(found.entries) + (len(reconciled.missing) if reconciled is not None else 0)

    def finish(result: SubmissionResult, cached: int) -> None:
        entry = found.entries[result.student]
        result.notes = [*entry.notes, *result.notes]
        result.lms_id = entry.lms_user_id or ""
        marked = marking.mark(result, submitted=entry.submitted, name=entry.name or "")
        writer.add(marked, cached, order=order)
        if on_progress is not None:
            on_progress(BatchProgress(len(writer.run.submissions), total, marked, cached))

    try:
        for name, why in found.unreadable.items():  # files the student handed in that cannot be laid out
            finish(SubmissionResult(student=name, assignments=[ungradable(a, "all", why) for a in assignments]), 0)
        executor.grade(found.students, finish)
        for student in reconciled.missing if reconciled is not None else ():
            result = marking.missing(student, assignments)
            writer.add(result, len(result.assignments), order=order)
            if on_progress is not None:
                on_progress(BatchProgress(len(writer.run.submissions), total, result, 0))
        if similarity:
            writer.close()  # the grades are written, whatever the comparison does
            _compare(course, found, out, [a.id for a in assignments], workers=1)
            writer.similarity = SIMILARITY_PAGE
    except KeyboardInterrupt:
        executor.cancel()
        writer.close()
        raise BatchInterrupted(writer.run, total) from None
    finally:
        if own_runner is not None:
            own_runner.close()
        remove_tree(out / STAGING)
    writer.close()
    return writer.run


def similar_class(
    *,
    course: Course,
    submissions: Path,
    out: Path,
    assignment_ids: list[int] | None = None,
    layout: str = "auto",
    tz: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int = 1,
    on_discovered: Callable[[Discovered], None] | None = None,
) -> SimilarityRun:
    """Compare every pair of students under `submissions` on each assignment (`grader.similarity`):
    read as grading reads them (`layout`, `tz`: as for `grade_class`), nothing run. Writes
    `out/similarity.json`, `out/similarity.html` and a page per pair at or above `threshold`;
    `workers` processes read the submissions."""
    out = out.resolve()
    found = discover(submissions, out / SIMILAR_STAGING, layout=layout, tz=tz)
    try:
        if not found.entries:
            raise _nothing_found(submissions, found)
        if on_discovered is not None:
            on_discovered(found)
        return _compare(course, found, out, assignment_ids, workers=workers, threshold=threshold)
    finally:
        remove_tree(out / SIMILAR_STAGING)


def _compare(
    course: Course,
    found: Discovered,
    out: Path,
    assignment_ids: list[int] | None,
    *,
    workers: int,
    threshold: float = DEFAULT_THRESHOLD,
) -> SimilarityRun:
    from grader.similarity.compare import compare_class  # copydetect loads matplotlib: only when comparing

    return compare_class(
        course=course,
        students=found.students,
        out=out,
        assignment_ids=assignment_ids,
        threshold=threshold,
        workers=workers,
        names={sid: entry.name for sid, entry in found.entries.items() if entry.name},
        not_compared=found.unreadable,
        skipped=found.skipped,
        layout=found.layout,
    )


@dataclass(frozen=True)
class Discovered:
    """Who is graded, and what was handed over but is not graded, each with why.

    `layout`: how the submissions were read ("canvas (detected)"); `entries`: each student's
    submission as the layout found it (names, times), by student id; `students`: what the
    executors grade (a folder or an archive each); `unreadable`: students whose files could not
    be laid out for grading, with why (their work is `ungradable`).
    """

    layout: str
    entries: dict[str, Entry]
    students: list[Student]
    skipped: list[Skipped]
    unreadable: dict[str, str]

    @property
    def order(self) -> dict[str, int]:
        """Each student's place in the class, as the layout found them (ids are unique)."""
        return {name: i for i, name in enumerate(self.entries)}


def discover(submissions: Path, staging: Path, *, layout: str = "auto", tz: str | None = None) -> Discovered:
    """The students under `submissions` read as `layout` (`grader.intake.read`), each made a
    `Student` today's grading takes (`grader.intake.materialise`); the files of a flat download
    are copied under `staging` (emptied first), one folder per student."""
    intake = read(submissions, layout, tz=tz)
    remove_tree(staging)
    students: list[Student] = []
    unreadable: dict[str, str] = {}
    for i, entry in enumerate(intake.entries):
        try:
            students.append(materialise(entry, staging / str(i)))
        except SubmissionError as exc:
            unreadable[entry.student] = exc.reason
        except OSError as exc:  # a file that vanished or may not be read
            unreadable[entry.student] = f"the submission cannot be read ({exc.strerror or exc})"
    entries = {entry.student: entry for entry in intake.entries}
    return Discovered(intake.describe(), entries, students, list(intake.unused), unreadable)


def _nothing_found(submissions: Path, found: Discovered) -> IntakeError:
    """The error for a submissions folder in which the layout found no student at all."""
    if not found.skipped:
        return IntakeError(text("intake.empty"), path=submissions)
    examples = "; ".join(f"{s.name}: {s.reason}" for s in found.skipped[:3])
    more = text("intake.and_more", count=len(found.skipped) - 3) if len(found.skipped) > 3 else ""
    return IntakeError(
        text("intake.no_student", layout=found.layout, count=len(found.skipped), examples=examples + more),
        path=submissions,
    )


def _class_order(found: Discovered, marking: Marking) -> dict[str, int]:
    """Each student's place in the class: roster order when there is a roster (those not on it
    after), else the order the layout found them in. Keyed by the id results carry."""
    order: dict[str, int] = {}
    if marking.roster is not None:
        order = {s.id: i for i, s in enumerate(marking.roster.students)}
    for i, name in enumerate(found.entries):
        order.setdefault(marking.identity(name)[0], len(order) + i)
    return order


def _previous_run(path: Path) -> GradingRun | None:
    """The run an earlier `grader grade` into the same folder left, if it can be read."""
    try:
        return load_run(path)
    except (OSError, ValueError):
        return None


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
        self.similarity: str | None = None  # the similarity report beside index.html, when there is one
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
        from grader.reports import render_index

        (self.out / "index.html").write_text(
            render_index(self.run, self._links, similarity=self.similarity), encoding="utf-8"
        )
        (self.out / "gradebook.csv").write_text(gradebook_csv(self.run), encoding="utf-8")
        save_run(self.run, self.out / "results.json")

    def _write_report(self, result: SubmissionResult) -> str:
        """Write one student's report; the file name it got (unique, whatever the student's name)."""
        from grader.reports import render_student

        html = render_student(
            result,
            generated=self.run.created,
            version=__version__,
            index_href="../index.html",
            isolation=describe_isolation(self.run.isolation, lang=self.run.lang),
            lang=self.run.lang,
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
