"""`grader validate`: the course checks itself before it grades anyone.

Each reference solution must pass every check, K times in a row (a check that fails now and
then on the reference is flaky and would cost some student points); each skeleton, the `.py`
file and the notebook of `student_template/notebooks/` alike, must import cleanly and score
nothing on graded checks; no check may take longer than its time limit.
"""

from __future__ import annotations

import re
import shutil
import statistics
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import Assignment, Course
from grader.errors import CourseError
from grader.i18n import template, text
from grader.results import AssignmentResult, points
from grader.runner import JudgeRunner, Runner
from grader.zygote import preload_libraries

__all__ = ["Validation", "validate_course"]


@dataclass
class Validation:
    """What `validate_course` found: problems (empty means the course is sound) and timings."""

    problems: list[str] = field(default_factory=list)
    timings: dict[str, list[tuple[str, list[float]]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_course(
    *,
    course: Course,
    assignment_ids: list[int] | None = None,
    repeat: int = 3,
    jobs: int = 1,
    runner: Runner | None = None,
    on_line: Callable[[str], None] = print,
) -> Validation:
    """Run every reference `repeat` times and every skeleton once; report what is wrong."""
    if repeat < 1:
        raise CourseError("--repeat must be at least 1")
    runner = runner or JudgeRunner()
    assignments = [course.get(i) for i in assignment_ids] if assignment_ids else list(course)
    preload_libraries(assignments)
    validation = Validation()
    for assignment in assignments:
        reference = course.reference_root / assignment.label
        if not reference.is_dir():
            raise CourseError("reference solution folder is missing", path=reference)
        with tempfile.TemporaryDirectory(prefix="grader-v-") as tmp:
            skeletons = _skeleton_folders(course, assignment, Path(tmp))
            folders = [reference] * repeat + list(skeletons.values())
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                futures = [pool.submit(runner.run, assignment, folder, scope="all") for folder in folders]
                results = [future.result() for future in futures]
        _judge_references(assignment, results[:repeat], validation)
        for kind, result in zip(skeletons, results[repeat:]):
            _judge_skeleton(assignment, kind, result, validation)
        _judge_timings(assignment, results[:repeat], validation, on_line)
    on_line(text("validate.ok") if validation.ok else text("validate.problems", count=len(validation.problems)))
    for problem in validation.problems:
        on_line(f"  ✗ {problem}")
    return validation


def _skeleton_folders(course: Course, assignment: Assignment, tmp: Path) -> dict[str, Path]:
    """Only this assignment's skeleton files, as a student would start: the .py files, and the
    notebooks of `student_template/notebooks/` where there are some."""
    folders = {"skeleton": tmp / "skeleton"}
    folders["skeleton"].mkdir()
    notebooks = tmp / "notebook"
    for name in assignment.files:
        source = course.template_root / name
        if not source.is_file():
            raise CourseError(f"the skeleton {name} is missing", path=source)
        shutil.copyfile(source, folders["skeleton"] / name)
        notebook = course.template_root / "notebooks" / (source.stem + ".ipynb")
        if notebook.is_file():
            notebooks.mkdir(exist_ok=True)
            shutil.copyfile(notebook, notebooks / notebook.name)
            folders["notebook skeleton"] = notebooks
    return folders


def _judge_references(assignment: Assignment, runs: list[AssignmentResult], validation: Validation) -> None:
    for number, result in enumerate(runs, start=1):
        where = text("validate.reference_run", label=assignment.label, number=number, runs=len(runs))
        if result.status != "graded":
            validation.problems.append(text("validate.was", where=where, status=result.status, message=result.message))
            continue
        for test in result.tests:
            if test.status != "passed" and test.status != "skipped":
                first = test.feedback.splitlines()[0] if test.feedback else ""
                validation.problems.append(f"{where}: {test.name} {test.status}: {first}")
        declared_total = sum(t.max_score for t in result.tests)  # skipped checks' points included
        if declared_total != assignment.points:
            total, declared = points(declared_total), points(assignment.points)
            validation.problems.append(text("validate.points", where=where, total=total, declared=declared))


def _judge_skeleton(assignment: Assignment, kind: str, result: AssignmentResult, validation: Validation) -> None:
    where = f"{assignment.label}: {kind}"
    if result.status != "graded":
        problem = text("validate.skeleton_was", where=where, status=result.status, message=result.message)
        validation.problems.append(problem)
        return
    for test in result.tests:
        if test.max_score > 0 and test.status == "passed":
            problem = text("validate.skeleton_scores", where=where, points=points(test.max_score), check=test.name)
            validation.problems.append(problem)
        if _import_failed(test.feedback, result.lang):
            problem = text("validate.no_import", where=where, feedback=test.feedback.splitlines()[0])
            validation.problems.append(problem)
            break


def _judge_timings(
    assignment: Assignment, runs: list[AssignmentResult], validation: Validation, on_line: Callable[[str], None]
) -> None:
    rows: list[tuple[str, list[float]]] = []
    for index, test in enumerate(runs[0].tests if runs else []):
        durations = [r.tests[index].duration_s for r in runs if len(r.tests) > index]
        rows.append((test.name, durations))
        if max(durations) > assignment.limits.check_timeout_s:
            validation.problems.append(
                text(
                    "validate.slow",
                    label=assignment.label,
                    check=test.name,
                    seconds=max(durations),
                    limit=assignment.limits.check_timeout_s,
                )
            )
    validation.timings[assignment.label] = rows
    total = sum(statistics.fmean(d) for _, d in rows)
    on_line(text("validate.timings", label=assignment.label, count=len(rows), seconds=total))
    for name, durations in rows:
        on_line(f"  {statistics.fmean(durations):7.3f} {max(durations):7.3f}  {name}")


def _import_failed(feedback: str, lang: str) -> bool:
    """Whether `feedback` says that importing the module raised (`worker.import_failed` in `lang`)."""
    if "importing" in feedback and "raised" in feedback:
        return True
    pattern = re.sub(r"\\\{\w+\\\}", ".*", re.escape(template("worker.import_failed", lang)))
    return re.match(pattern, feedback.split("\n", 1)[0]) is not None
