"""The library behind the commands: check one folder, grade a class.

Keyword-only functions with their defaults here; `grader.cli` only parses arguments and
forwards. A bad submission never stops a batch; a bad course stops it before anything runs.
"""

from __future__ import annotations

import re
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.course import Assignment, Course
from grader.errors import CourseError, GraderError, SubmissionError
from grader.exporters.gradebook import gradebook_csv
from grader.reports import render_index, render_student
from grader.results import AssignmentResult, GradingRun, SubmissionResult, now_iso, save_run
from grader.runner import JudgeRunner, Runner, grader_error, ungradable
from grader.submission import Student, discover_students, unpack_zip

__all__ = ["BatchProgress", "check_folder", "grade_class"]

CHECK_SCOPE_NOTE = "Checked on your own machine with grader check."


def check_folder(
    *,
    course: Course,
    assignment_ids: list[int],
    folder: Path,
    runner: Runner | None = None,
    report_dir: Path | None = None,
) -> list[AssignmentResult]:
    """Run the public checks of each assignment on a student's work folder.

    Writes `report_dir/N.html` for each (default: `folder/grader-report`).
    """
    runner = runner or JudgeRunner()  # one torch thread: the course's models are too small to gain from more
    assignments = [course.get(i) for i in assignment_ids]
    report_dir = report_dir or folder / "grader-report"
    results = []
    for assignment in assignments:
        result = _run_one(runner, assignment, folder, scope="public")
        results.append(result)
        report_dir.mkdir(parents=True, exist_ok=True)
        html = render_student(
            SubmissionResult(student=folder.resolve().name or "your work", assignments=[result]),
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


def grade_class(
    *,
    course: Course,
    submissions: Path,
    out: Path,
    assignment_ids: list[int] | None = None,
    runner: Runner | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> GradingRun:
    """Grade every student folder or .zip under `submissions` with public and hidden checks.

    Writes one report per student under `out/students/`, then `out/index.html`,
    `out/results.json` (rewritten after every student, so a crash loses nothing finished) and
    `out/gradebook.csv`.
    """
    assignments = [course.get(i) for i in assignment_ids] if assignment_ids else list(course)
    for assignment in assignments:
        if not assignment.has_hidden_checks:
            raise CourseError(
                "no hidden checks: grading needs the instructor's course (pass --course or run from its checkout)",
                path=assignment.dir / "checks" / "hidden",
            )
    students = discover_students(submissions)
    runner = runner or JudgeRunner()
    (out / "students").mkdir(parents=True, exist_ok=True)
    run = GradingRun(created=now_iso())
    links: dict[str, str] = {}
    used_names: set[str] = set()
    for number, student in enumerate(students, start=1):
        result = _grade_student(runner, student, assignments)
        run.submissions.append(result)
        filename = _report_name(student.name, used_names)
        links[student.name] = "students/" + urllib.parse.quote(filename)
        html = render_student(result, generated=run.created, version=__version__, index_href="../index.html")
        (out / "students" / filename).write_text(html, encoding="utf-8")
        save_run(run, out / "results.json")
        if on_progress is not None:
            on_progress(BatchProgress(done=number, total=len(students), student=result))
    (out / "index.html").write_text(render_index(run, links), encoding="utf-8")
    (out / "gradebook.csv").write_text(gradebook_csv(run), encoding="utf-8")
    save_run(run, out / "results.json")
    return run


def _grade_student(runner: Runner, student: Student, assignments: list[Assignment]) -> SubmissionResult:
    result = SubmissionResult(student=student.name)
    with tempfile.TemporaryDirectory(prefix="grader-s-") as tmp:
        folder = student.path
        if student.is_zip:
            try:
                folder = unpack_zip(student.path, Path(tmp))
            except SubmissionError as exc:
                result.assignments = [ungradable(a, "all", exc.reason) for a in assignments]
                return result
        for assignment in assignments:
            result.assignments.append(_run_one(runner, assignment, folder, scope="all"))
    return result


def _run_one(runner: Runner, assignment: Assignment, folder: Path, *, scope: str) -> AssignmentResult:
    """One assignment; anything unexpected becomes an `error` result, never a lost student."""
    try:
        return runner.run(assignment, folder, scope=scope)  # type: ignore[arg-type]
    except CourseError:
        raise
    except SubmissionError as exc:
        return ungradable(assignment, scope, exc.reason)  # type: ignore[arg-type]
    except GraderError as exc:
        return grader_error(assignment, scope, str(exc))  # type: ignore[arg-type]
    except Exception as exc:  # a bug of ours must not cost the rest of the class their grades
        return grader_error(assignment, scope, f"the grader failed: {type(exc).__name__}: {exc}")  # type: ignore[arg-type]


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def _report_name(student: str, used: set[str]) -> str:
    base = _UNSAFE.sub("_", student).strip("._") or "student"
    name, n = f"{base}.html", 2
    while name.lower() in used:
        name, n = f"{base}-{n}.html", n + 1
    used.add(name.lower())
    return name
