"""Where a class's students are graded: here (one or several at once) or on a Dask cluster.

An executor takes the students and hands each finished `SubmissionResult` to a `finish` callback
in the calling thread, as results come; `cancel` stops what runs. Both grade a student the same
way (`grade_student`): the cache first, then the runner, one result per assignment whatever
happens. A bad submission, or a fault of ours on one, never stops the batch.
"""

from __future__ import annotations

import os
import socket
import tempfile
import urllib.parse
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Protocol

from grader.cache import ResultCache, archive_key, machine_context, submission_digest
from grader.course import Assignment, Course
from grader.errors import CourseError, GraderError, SubmissionError
from grader.folders import remove_tree
from grader.i18n import use
from grader.messages import RunnerOptions
from grader.results import AssignmentResult, Scope, SubmissionResult, clean_text, submission_from_dict, to_dict
from grader.runner import JudgeRunner, Runner, grader_error, ungradable
from grader.submission import Student, unpack
from grader.zygote import preload_libraries

__all__ = ["DaskExecutor", "Executor", "Finish", "LocalExecutor", "grade_student", "grade_student_task", "run_one"]

Finish = Callable[[SubmissionResult, int], None]  # a student's result, and how many of its assignments were cached


class Executor(Protocol):
    def grade(self, students: list[Student], finish: Finish) -> None:
        """Grade every student, calling `finish` in this thread as each one is done."""
        ...

    def cancel(self) -> None:
        """Stop the grading in progress; safe from any thread."""
        ...


class LocalExecutor:
    """`workers` students at once on this machine, each in its own judge and worker processes."""

    def __init__(
        self,
        runner: Runner,
        assignments: list[Assignment],
        cache: ResultCache,
        *,
        workers: int = 1,
        reuse: bool = True,
        on_start: Callable[[str, int], None] | None = None,
    ):
        """`reuse`: take results from `cache`; `on_start(name, total)` as each student starts (from
        worker threads when `workers` > 1)."""
        self.runner = runner
        self.assignments = assignments
        self.cache = cache
        self.workers = max(1, workers)
        self.reuse = reuse
        self.on_start = on_start

    def grade(self, students: list[Student], finish: Finish) -> None:
        if self.workers == 1:
            for student in students:
                finish(*self._grade(student, len(students)))
            return
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="grade") as pool:
            futures = [pool.submit(self._grade, student, len(students)) for student in students]
            try:
                for future in as_completed(futures):
                    finish(*future.result())
            except BaseException:
                _cancel_all(futures)
                self.cancel()
                raise

    def cancel(self) -> None:
        self.runner.cancel()

    def _grade(self, student: Student, total: int) -> tuple[SubmissionResult, int]:
        if self.on_start is not None:
            self.on_start(student.name, total)
        return grade_student(self.runner, student, self.assignments, self.cache, reuse=self.reuse)


class DaskExecutor:
    """Each student a task on the Dask cluster at `scheduler`, graded there by `grade_student_task`.

    The course, the submissions and the cache folder must be at the same paths on every Dask
    worker (one machine, or a shared filesystem): they are shipped as absolute paths, and a task
    whose worker cannot see one of them gives its student `error` results naming the path (a
    grader's problem, never the student's missing file). A judge already running on a Dask
    worker when the batch is cancelled finishes; the tasks not yet done are cancelled.
    """

    def __init__(
        self,
        scheduler: str,
        course: Course,
        assignments: list[Assignment],
        cache: ResultCache,
        options: RunnerOptions,
        *,
        reuse: bool = True,
    ):
        self.scheduler = scheduler
        self.course = course
        self.assignments = assignments
        self.cache = cache
        self.options = options
        self.reuse = reuse
        self._running: tuple[Any, list[Any]] | None = None  # the client and its futures, while grading

    def grade(self, students: list[Student], finish: Finish) -> None:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise GraderError("the Dask executor needs the distributed package: pip install 'grader[dask]'") from None
        _reachable(self.scheduler)
        try:
            client = Client(self.scheduler, timeout=30, set_as_default=False)
        except OSError as exc:
            raise GraderError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        ids = [a.id for a in self.assignments]
        with client:
            futures = {
                client.submit(
                    grade_student_task,
                    str(self.course.root.resolve()),
                    ids,
                    student.name,
                    str(student.path.absolute()),  # the entry itself, even a link (the grader refuses those)
                    str(self.cache.folder.resolve()),
                    not self.reuse,
                    self.options.to_dict(),
                    key=f"grade-{i}-{student.name}",
                    pure=False,
                    retries=0,
                ): student.name
                for i, student in enumerate(students)
            }
            self._running = (client, list(futures))
            try:
                for future in dask_completed(list(futures), loop=client.loop):
                    try:
                        data, cached = future.result()
                    except Exception as exc:  # the task could not grade (a path it cannot see, a lost worker): say why
                        why = clean_text(f"the Dask worker could not grade this submission: {exc}"[:500])
                        errors = [grader_error(a, "all", why) for a in self.assignments]
                        finish(SubmissionResult(student=futures[future], assignments=errors), 0)
                        continue
                    finish(submission_from_dict(data), cached)
            except KeyboardInterrupt:
                self.cancel()
                raise
            finally:
                self._running = None

    def cancel(self) -> None:
        running = self._running
        if running is not None:
            client, futures = running
            client.cancel(futures)


def _reachable(scheduler: str) -> None:
    """Refuse at once a tcp:// scheduler address where nothing listens (Dask itself retries for
    its whole timeout); other addresses are left to Dask."""
    address = urllib.parse.urlsplit(scheduler)
    if address.scheme != "tcp" or address.hostname is None or address.port is None:
        return
    try:
        socket.create_connection((address.hostname, address.port), timeout=10).close()
    except OSError as exc:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {exc.strerror or exc}") from None


def grade_student_task(
    course_root: str,
    assignment_ids: list[int],
    name: str,
    path: str,
    cache_dir: str,
    force: bool,
    runner_options: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """One student graded where a Dask worker runs it; plain data in and out. A path this worker
    cannot see is a `GraderError` naming it (a relative path would be read from the worker's own
    working folder, and a student's files would look missing)."""
    output = Path(cache_dir).parent
    for what, where in (("course", Path(course_root)), ("submission", Path(path)), ("output folder", output)):
        if not where.is_absolute():
            raise GraderError(f"the {what} path {where} is relative: a Dask worker needs absolute paths")
        if not os.path.lexists(where):
            raise GraderError(f"this Dask worker cannot see the {what} at {where} (a shared filesystem is needed)")
    course = Course.load(Path(course_root))
    assignments = [course.get(i) for i in assignment_ids]
    preload_libraries(assignments)
    options = RunnerOptions.from_dict(runner_options)
    use(options.lang)  # the messages this task writes itself (why a submission cannot be read, say)
    cache = ResultCache(Path(cache_dir), machine_context(options))
    runner = JudgeRunner.from_options(options)
    student = Student(name, Path(path))
    result, cached = grade_student(runner, student, assignments, cache, reuse=not force)
    return to_dict(result), cached


def grade_student(
    runner: Runner,
    student: Student,
    assignments: list[Assignment],
    cache: ResultCache,
    *,
    reuse: bool,
) -> tuple[SubmissionResult, int]:
    """Grade one student's assignments, storing each result in `cache` (and, with `reuse`, taking
    from it those whose key is known); returns how many came from the cache. A fault of ours
    on this submission gives it `error` results: it must not cost the class its grades."""
    try:
        return _grade_student(runner, student, assignments, cache, reuse=reuse)
    except Exception as exc:
        why = clean_text(f"the grader failed on this submission: {type(exc).__name__}: {exc}"[:500])
        return SubmissionResult(student=student.name, assignments=[grader_error(a, "all", why) for a in assignments]), 0


def _grade_student(
    runner: Runner,
    student: Student,
    assignments: list[Assignment],
    cache: ResultCache,
    *,
    reuse: bool,
) -> tuple[SubmissionResult, int]:
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
            graded = run_one(runner, assignment, folder, scope="all")
            cache.put(keys[assignment.id], graded)
            result.assignments.append(graded)
    finally:
        remove_tree(Path(tmp))  # whatever an archive held, however deep
    return result, cached


def run_one(
    runner: Runner,
    assignment: Assignment,
    folder: Path,
    *,
    scope: Scope,
    notebooks: Mapping[str, Path] | None = None,
) -> AssignmentResult:
    """One assignment; anything unexpected becomes an `error` result, never a lost student."""
    try:
        return runner.run(assignment, folder, scope=scope, notebooks=notebooks)
    except CourseError:
        raise
    except SubmissionError as exc:
        return ungradable(assignment, scope, exc.reason)
    except GraderError as exc:
        return grader_error(assignment, scope, str(exc))
    except Exception as exc:  # a bug of ours must not cost the rest of the class their grades
        return grader_error(assignment, scope, f"the grader failed: {type(exc).__name__}: {exc}")


def _cancel_all(futures: list[Future[Any]]) -> None:
    for future in futures:
        future.cancel()
