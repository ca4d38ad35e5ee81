"""`grader new`: a new assignment's files, which `grader validate` accepts without any change to the engine."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.course import Course
from grader.errors import CourseError
from grader.scaffold import new_assignment
from tests.conftest import REPO
from tests.test_checks_quality import CHECK_AUTHOR_API, check_functions, grader_imports, has_points

COURSE_PARTS = ("assignments", "reference", "student_template")  # what a course checkout holds


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    for part in COURSE_PARTS:
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__", "*.pt"))
    return root


def next_id(root: Path) -> int:
    return max(Course.load(root).assignments) + 1


def test_a_new_assignment_validates_as_written(course_copy, capsys):
    new = next_id(course_copy)
    assert main(["new", str(new), "adder", "--title", "Adding numbers", "--course", str(course_copy)]) == 0
    written = [
        Path(line.removeprefix("wrote ")) for line in capsys.readouterr().out.splitlines() if line.startswith("wrote ")
    ]
    label = f"{new:02d}_adder"
    assert sorted(p.relative_to(course_copy).as_posix() for p in written) == sorted(
        [
            f"assignments/{label}/assignment.toml",
            f"assignments/{label}/README.md",
            f"assignments/{label}/checks/public/test_adder.py",
            f"assignments/{label}/checks/hidden/test_adder_hidden.py",
            f"reference/{label}/adder.py",
            "student_template/adder.py",
        ]
    )
    assignment = Course.load(course_copy).get(new)
    assert (assignment.slug, assignment.title, assignment.files) == ("adder", "Adding numbers", ("adder.py",))
    for path in assignment.check_files("public") + assignment.check_files("hidden"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert grader_imports(tree) <= CHECK_AUTHOR_API
        assert all(ast.get_docstring(f) and has_points(f) for f in check_functions(path))
    assert main(["--course", str(course_copy), "validate", str(new), "--repeat", "2"]) == 0
    assert "validate: OK" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "adder"], "assignment 1 already exists (01_gates)"),
        (["NEXT", "gates"], "the slug 'gates' is already used by 01_gates"),
        (["NEXT", "gradient_descent"], "already used by 02_gradient_descent"),
        (["NEXT", "Bad-Slug"], "bad slug 'Bad-Slug'"),
        (["NEXT", "class"], "bad slug 'class'"),
        (["NEXT", "random"], "would hide it"),
        (["0", "adder"], "between 1 and 99"),
        (["NEXT", "adder", "--title", 'say "hi"'], "quotes"),
    ],
)
def test_new_refuses_with_one_line_and_writes_nothing(course_copy, capsys, args, message):
    before = sorted(p for p in course_copy.rglob("*"))
    args = [str(next_id(course_copy)) if a == "NEXT" else a for a in args]
    assert main(["--course", str(course_copy), "new", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert sorted(p for p in course_copy.rglob("*")) == before


def test_new_refuses_a_file_already_there(course_copy):
    new = next_id(course_copy)
    (course_copy / "student_template" / "adder.py").write_text("# someone's\n", encoding="utf-8")
    with pytest.raises(CourseError, match="already exists; nothing was written"):
        new_assignment(course=Course.load(course_copy), assignment_id=new, slug="adder")
    assert not (course_copy / "assignments" / f"{new:02d}_adder").exists()
