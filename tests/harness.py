"""Grading many solutions of one assignment at once, for the per-assignment tests."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.course import Course
from grader.launch import ENV_LAUNCHER
from grader.results import AssignmentResult
from grader.runner import JudgeRunner
from tests.conftest import REPO

Solution = dict[str, "str | bytes | Path"]


def variant(source: str, replacements: list[tuple[str, str]]) -> str:
    """`source` with each (old, new) replaced; fails loudly when `old` is no longer there."""
    for old, new in replacements:
        assert old in source, f"the reference no longer contains {old!r}: update this variant"
        source = source.replace(old, new)
    return source


PORTABLE = " [portable]"


def grade_solutions(
    assignment_id: int,
    solutions: dict[str, Solution],
    root: Path,
    jobs: int = 2,
    *,
    portable: list[str] | tuple[str, ...] = (),
) -> dict[str, AssignmentResult]:
    """Grade each solution (file name -> text, bytes or a file to copy) with all checks, `jobs` at a time;
    then the solutions named in `portable` once more with the portable launcher forced
    (`GRADER_LAUNCHER=portable`, what Windows and macOS get), as `NAME [portable]`."""
    results = _grade(assignment_id, solutions, root, jobs)
    if portable:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(ENV_LAUNCHER, "portable")
            again = _grade(assignment_id, {name: solutions[name] for name in portable}, root / "portable", jobs)
        results |= {name + PORTABLE: result for name, result in again.items()}
    return results


def _grade(assignment_id: int, solutions: dict[str, Solution], root: Path, jobs: int) -> dict[str, AssignmentResult]:
    folders: dict[str, Path] = {}
    for index, (name, files) in enumerate(solutions.items()):
        folder = root / f"solution{index}"
        folder.mkdir(parents=True)
        for filename, content in files.items():
            if isinstance(content, Path):
                shutil.copyfile(content, folder / filename)
            elif isinstance(content, bytes):
                (folder / filename).write_bytes(content)
            else:
                (folder / filename).write_text(content, encoding="utf-8")
        folders[name] = folder
    assignment = Course.load(REPO).get(assignment_id)
    runner = JudgeRunner(threads=1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {name: pool.submit(runner.run, assignment, folder, scope="all") for name, folder in folders.items()}
        return {name: future.result() for name, future in futures.items()}


NOTEBOOK = " [notebook]"


def with_notebooks(solutions: dict[str, Solution], module: str, names: list[str], work: str) -> dict[str, Solution]:
    """`solutions` and, for each of `names`, the same solution handed in as a Colab notebook
    (`NAME [notebook]`: magics, plots and the `work` cell that trains, beside the code's cells)."""
    from tests.notebooks import student_notebook

    out = dict(solutions)
    for name in names:
        files = dict(solutions[name])
        code = files.pop(module)
        assert isinstance(code, str), f"{name}: a notebook is made from source text"
        notebook = module.removesuffix(".py") + ".ipynb"
        files[notebook] = json.dumps(student_notebook(code, name=notebook, work=work))
        out[name + NOTEBOOK] = files
    return out


def spread(names: list[str], count: int = 3) -> list[str]:
    """`count` of `names`, first and last included, evenly apart."""
    if len(names) <= count:
        return list(names)
    step = (len(names) - 1) / (count - 1)
    return [names[round(i * step)] for i in range(count)]


def assert_same_verdicts(result: AssignmentResult, other: AssignmentResult, name: str) -> None:
    """`other` (the notebook, the portable launcher's run) got exactly what `result` got: status,
    score and every check's outcome."""
    assert other.status == result.status, f"{name}: {other.status} ({other.message}), not {result.status}"
    verdicts = [(t.id, t.status) for t in result.tests]
    assert [(t.id, t.status) for t in other.tests] == verdicts, name
    assert other.score == result.score, name


def failed_checks(result: AssignmentResult) -> set[str]:
    """Check function names (with parameters) that did not pass."""
    return {t.id.split("::", 1)[1] for t in result.tests if t.status != "passed"}


def assert_loses_points_on(result: AssignmentResult, targets: list[str], name: str) -> None:
    assert result.status == "graded", f"{name}: {result.status}: {result.message}"
    failed = failed_checks(result)
    for target in targets:
        assert any(f == target or f.startswith(target + "[") for f in failed), (
            f"{name}: expected {target} to fail; failed: {sorted(failed)}"
        )
    assert result.score < result.max_score


def assert_full_marks(result: AssignmentResult, name: str) -> None:
    assert result.status == "graded", f"{name}: {result.status}: {result.message}"
    assert result.score == result.max_score, [(t.name, t.feedback) for t in result.tests if t.status != "passed"]
