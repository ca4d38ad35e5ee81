"""The library behind the commands: check one folder, grade a class.

Keyword-only functions with their defaults here; `grader.cli` only parses arguments and
forwards. A bad submission never stops a batch; a bad course stops it before anything runs.
"""

from __future__ import annotations

import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import __version__
from grader.cache import ResultCache, archive_key, machine_context, submission_digest
from grader.course import Assignment, Course
from grader.errors import BatchInterrupted, CourseError, GraderError, InsecureGrading, SubmissionError
from grader.exporters.gradebook import gradebook_csv
from grader.folders import remove_tree
from grader.isolation import Isolation, probe
from grader.isolation import describe as describe_isolation
from grader.reports import render_index, render_student
from grader.results import (
    AssignmentResult,
    GradingRun,
    SubmissionResult,
    clean_text,
    now_iso,
    save_run,
    submission_from_dict,
    to_dict,
)
from grader.runner import JudgeRunner, Runner, grader_error, ungradable
from grader.submission import Student, survey, unpack
from grader.zygote import preload_libraries

__all__ = ["BatchProgress", "check_folder", "grade_class"]

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
    preload_libraries(assignments)
    report_dir = report_dir or folder / "grader-report"
    shown = clean_text(student or folder.resolve().name) or "your work"
    results = []
    for assignment in assignments:
        wanted = {k: v for k, v in (notebooks or {}).items() if k in assignment.files}
        result = _run_one(runner, assignment, folder, scope="public", notebooks=wanted)
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
    runner_options: dict[str, Any] | None = None,
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
    graded there by the same code with `JudgeRunner(**runner_options)`; the course, the
    submissions and `out` must be at the same paths on every Dask worker (one machine, or a
    shared filesystem). `on_start` is not called then: the cluster decides when tasks start.

    Student code must run without network and with the course, the other submissions and
    `out` out of its sight: `isolation` (default: `grader.isolation.probe()`, what workers get
    on this machine) must allow that, or `InsecureGrading` is raised before anything runs,
    unless `insecure`. The isolation used is recorded in results.json and the reports.
    """
    assignments = [course.get(i) for i in assignment_ids] if assignment_ids else list(course)
    preload_libraries(assignments)
    for assignment in assignments:
        if not assignment.has_hidden_checks:
            raise CourseError(
                "no hidden checks: grading needs the instructor's course (pass --course or run from its checkout)",
                path=assignment.dir / "checks" / "hidden",
            )
    students, skipped = survey(submissions)
    workers = max(1, workers)
    if scheduler is not None and runner is not None:
        raise GraderError("a Dask cluster builds its own judge runners: pass runner_options, not a runner")
    hide = [submissions.resolve(), out.resolve()]  # from student code, with what the runner hides itself
    runner_options = dict(runner_options or {})
    runner_options["private"] = [str(p) for p in [*runner_options.get("private", []), *hide]]
    if isinstance(runner, JudgeRunner):
        runner.private += [p for p in hide if p not in runner.private]
    runs_code = scheduler is not None or runner is None or isinstance(runner, JudgeRunner)
    isolation = isolation or (probe() if runs_code else None)
    recorded: dict[str, Any] = {}
    if isolation is not None:
        if not isolation.sufficient_for_grading and not insecure:
            raise InsecureGrading(isolation.describe())
        # "insecure": graded only because of --insecure (a machine that merely lacks a uid of its
        # own, say, is isolated enough without it)
        recorded = isolation.to_dict() | ({"insecure": True} if not isolation.sufficient_for_grading else {})
    own_runner = None
    if runner is None:  # many submissions here: each assignment's checks collected once (grader.judge.template)
        own_runner = runner = JudgeRunner(**runner_options, templates=scheduler is None and len(students) > 1)
    cache = ResultCache(out / ".cache", machine_context(runner_options))
    (out / "students").mkdir(parents=True, exist_ok=True)
    run = GradingRun(created=now_iso(), isolation=recorded, skipped=skipped)
    links: dict[str, str] = {}
    used_names: set[str] = set()
    order = {s.name: i for i, s in enumerate(students)}  # names are unique once cleaned (survey)
    saved = time.monotonic()

    def grade(student: Student) -> tuple[SubmissionResult, int]:
        if on_start is not None:
            on_start(student.name, len(students))
        try:
            return _grade_student(runner, student, assignments, cache, reuse=not force)
        except Exception as exc:  # a fault of ours on this submission must not cost the class its grades
            return _grader_failed(student, assignments, exc), 0

    def finish(result: SubmissionResult, cached: int) -> None:
        nonlocal saved
        run.submissions.append(result)
        run.submissions.sort(key=lambda s: order.get(s.student, len(order)))
        links[result.student] = "students/" + urllib.parse.quote(_write_report(result, out, run, used_names))
        # Each result is in the cache already: results.json is rewritten now and then, and at the end.
        if cached < len(result.assignments) and time.monotonic() - saved > RESULTS_EVERY_S:
            save_run(run, out / "results.json")
            saved = time.monotonic()
        if on_progress is not None:
            on_progress(BatchProgress(len(run.submissions), len(students), result, cached))

    try:
        if scheduler is not None:
            ids = [a.id for a in assignments]
            _grade_on_dask(scheduler, course.root, ids, students, cache.folder, force, runner_options, finish)
        elif workers == 1:
            for student in students:
                finish(*grade(student))
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as pool:
                futures = [pool.submit(grade, student) for student in students]
                try:
                    for future in as_completed(futures):
                        finish(*future.result())
                except BaseException:
                    for future in futures:
                        future.cancel()
                    _cancel(runner)
                    raise
    except KeyboardInterrupt:
        _cancel(runner)
        _write_summaries(run, links, out)
        raise BatchInterrupted(run, len(students)) from None
    finally:
        if own_runner is not None:
            own_runner.close()
    _write_summaries(run, links, out)
    return run


def grade_student_task(
    course_root: str,
    assignment_ids: list[int],
    name: str,
    path: str,
    cache_dir: str,
    force: bool,
    runner_options: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """One student graded where a Dask worker runs it; plain data in and out."""
    course = Course.load(Path(course_root))
    assignments = [course.get(i) for i in assignment_ids]
    preload_libraries(assignments)
    cache = ResultCache(Path(cache_dir), machine_context(runner_options))
    runner = JudgeRunner(**runner_options)
    student = Student(name, Path(path))
    try:
        result, cached = _grade_student(runner, student, assignments, cache, reuse=not force)
    except Exception as exc:  # as on this machine: one submission never stops the batch
        result, cached = _grader_failed(student, assignments, exc), 0
    return to_dict(result), cached


def _grade_on_dask(
    scheduler: str,
    course_root: Path,
    assignment_ids: list[int],
    students: list[Student],
    cache_dir: Path,
    force: bool,
    runner_options: dict[str, Any],
    finish: Callable[[SubmissionResult, int], None],
) -> None:
    """Each student a task on the cluster; results handed to `finish` as they come. On Ctrl-C the
    tasks not yet done are cancelled (a judge already running on a Dask worker finishes)."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise GraderError("the Dask executor needs the distributed package: pip install 'grader[dask]'") from None
    try:
        client = Client(scheduler, timeout=30, set_as_default=False)
    except OSError as exc:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        futures = [
            client.submit(
                grade_student_task,
                str(course_root),
                assignment_ids,
                student.name,
                str(student.path),
                str(cache_dir),
                force,
                runner_options,
                key=f"grade-{i}-{student.name}",
                pure=False,
                retries=0,
            )
            for i, student in enumerate(students)
        ]
        try:
            for future in dask_completed(futures, loop=client.loop):
                data, cached = future.result()
                finish(submission_from_dict(data), cached)
        except KeyboardInterrupt:
            client.cancel(futures)
            raise


def _write_report(result: SubmissionResult, out: Path, run: GradingRun, used: set[str]) -> str:
    """Write one student's report; the file name it got (unique, whatever the student's name)."""
    html = render_student(
        result,
        generated=run.created,
        version=__version__,
        index_href="../index.html",
        isolation=describe_isolation(run.isolation),
    )
    filename = _report_name(result.student, used)
    try:
        (out / "students" / filename).write_text(html, encoding="utf-8")
    except OSError:  # a name this file system refuses after all: a plain one
        filename = _report_name("student", used)
        (out / "students" / filename).write_text(html, encoding="utf-8")
    return filename


def _grader_failed(student: Student, assignments: list[Assignment], exc: Exception) -> SubmissionResult:
    why = clean_text(f"the grader failed on this submission: {type(exc).__name__}: {exc}"[:500])
    return SubmissionResult(student=student.name, assignments=[grader_error(a, "all", why) for a in assignments])


def _cancel(runner: Runner) -> None:
    cancel = getattr(runner, "cancel", None)
    if cancel is not None:
        cancel()


def _write_summaries(run: GradingRun, links: dict[str, str], out: Path) -> None:
    (out / "index.html").write_text(render_index(run, links), encoding="utf-8")
    (out / "gradebook.csv").write_text(gradebook_csv(run), encoding="utf-8")
    save_run(run, out / "results.json")


def _grade_student(
    runner: Runner,
    student: Student,
    assignments: list[Assignment],
    cache: ResultCache,
    *,
    reuse: bool,
) -> tuple[SubmissionResult, int]:
    """Grade one student's assignments, storing each result in `cache` (and, with `reuse`, taking
    from it those whose key is known); returns how many came from the cache."""
    result = SubmissionResult(student=student.name)  # cleaned and unique (grader.submission.survey)
    cached = 0
    archive_digest = archive_key(student.path) if student.is_archive else None
    keys = {  # the name counts too: identical files of two students are still two gradings
        a.id: cache.key(student.name + "\0" + (archive_digest or submission_digest(student.path, a)), a)
        for a in assignments
    }
    hits = {a.id: hit for a in assignments if reuse and (hit := cache.get(keys[a.id])) is not None}
    if len(hits) == len(assignments):
        result.assignments = [hits[a.id] for a in assignments]
        return result, len(hits)
    tmp = tempfile.mkdtemp(prefix="grader-s-")
    try:
        folder = student.path
        if student.is_archive:
            try:
                folder = unpack(student.path, Path(tmp))
            except SubmissionError as exc:
                result.assignments = [ungradable(a, "all", exc.reason) for a in assignments]
                return result, 0
        for assignment in assignments:
            if assignment.id in hits:
                result.assignments.append(hits[assignment.id])
                cached += 1
                continue
            graded = _run_one(runner, assignment, folder, scope="all")
            cache.put(keys[assignment.id], graded)
            result.assignments.append(graded)
    finally:
        remove_tree(Path(tmp))  # whatever an archive held, however deep
    return result, cached


def _run_one(
    runner: Runner,
    assignment: Assignment,
    folder: Path,
    *,
    scope: str,
    notebooks: Mapping[str, Path] | None = None,
) -> AssignmentResult:
    """One assignment; anything unexpected becomes an `error` result, never a lost student."""
    try:
        return runner.run(assignment, folder, scope=scope, notebooks=notebooks)  # type: ignore[arg-type]
    except CourseError:
        raise
    except SubmissionError as exc:
        return ungradable(assignment, scope, exc.reason)  # type: ignore[arg-type]
    except GraderError as exc:
        return grader_error(assignment, scope, str(exc))  # type: ignore[arg-type]
    except Exception as exc:  # a bug of ours must not cost the rest of the class their grades
        return grader_error(assignment, scope, f"the grader failed: {type(exc).__name__}: {exc}")  # type: ignore[arg-type]


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
