"""`grader new ID SLUG`: the files of a new assignment, as a small example that already works.

It writes the assignment's definition and statement, one public and one hidden check, the
reference solution and the student's skeleton, for an example function `add(a, b)`, so that
`grader validate ID` accepts the new assignment as written: the reference passes every check,
the skeleton imports and scores nothing, the checks' points add up to the toml's. The
instructor then replaces the example, file by file, keeping validate green (CONTRIBUTING.md).
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.course import Course, Limits
from grader.data import DATA_SETS
from grader.errors import CourseError

__all__ = ["NewAssignment", "new_assignment"]

_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class NewAssignment:
    """Where the files of a new assignment go, relative to the course root's layout."""

    course: Course
    id: int
    slug: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.id:02d}_{self.slug}"

    @property
    def module_file(self) -> str:
        return f"{self.slug}.py"

    def files(self) -> dict[Path, str]:
        """Every file to write, with its text."""
        folder = self.course.root / "assignments" / self.label
        return {
            folder / "assignment.toml": _toml(self),
            folder / "README.md": _statement(self),
            folder / "checks" / "public" / f"test_{self.slug}.py": _public_checks(self),
            folder / "checks" / "hidden" / f"test_{self.slug}_hidden.py": _hidden_checks(self),
            self.course.reference_root / self.label / self.module_file: _reference(self),
            self.course.template_root / self.module_file: _skeleton(self),
        }


def new_assignment(*, course: Course, assignment_id: int, slug: str, title: str | None = None) -> list[Path]:
    """Write a new assignment's files into `course`; the paths written. Nothing is written, and a
    `CourseError` says why, when the id or slug is taken or malformed or a file is already there."""
    _check_id(course, assignment_id)
    _check_slug(course, slug)
    new = NewAssignment(course, assignment_id, slug, title or slug.replace("_", " ").capitalize())
    if '"' in new.title or "\\" in new.title or "\n" in new.title:
        raise CourseError("--title may not hold quotes, backslashes or line breaks (it goes into a TOML string)")
    files = new.files()
    taken = [path for path in files if path.exists()]
    if taken:
        raise CourseError("already exists; nothing was written", path=taken[0])
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def _check_id(course: Course, assignment_id: int) -> None:
    if not 1 <= assignment_id <= 99:
        raise CourseError(f"the assignment id must be between 1 and 99 (the folder is NN_slug), not {assignment_id}")
    if assignment_id in course.assignments:
        taken = course.assignments[assignment_id]
        raise CourseError(f"assignment {assignment_id} already exists ({taken.label})", path=taken.dir)


def _check_slug(course: Course, slug: str) -> None:
    if not _SLUG_RE.match(slug) or keyword.iskeyword(slug):
        raise CourseError(
            f"bad slug {slug!r}: lower-case letters, digits and underscores, starting with a letter "
            "(it names the folder, the student's file SLUG.py and its module)"
        )
    for assignment in course:
        if assignment.slug == slug or f"{slug}.py" in assignment.files:
            raise CourseError(f"the slug {slug!r} is already used by {assignment.label}", path=assignment.dir)
    if slug in sys.stdlib_module_names or importlib.util.find_spec(slug) is not None:
        raise CourseError(
            f"bad slug {slug!r}: a module of that name already exists, and the student's {slug}.py would hide it"
        )


# --- the files ---------------------------------------------------------------------------------


def _toml(new: NewAssignment) -> str:
    limits = Limits()
    data_sets = ", ".join(f'"{name}"' for name in DATA_SETS)
    return f"""\
# Assignment {new.id}: {new.title}. Checks: checks/public (1 point), checks/hidden (1 point).
# Written by `grader new` for the example function add(a, b): replace the example with your
# assignment and keep `grader validate {new.id}` passing. CONTRIBUTING.md explains every key.
id = {new.id}  # what students type: grader check {new.id}; the folder's NN
slug = "{new.slug}"  # the folder's name after NN_
title = "{new.title}"
points = 2  # what the @pytest.mark.points(n) of all checks, public and hidden, add up to
files = ["{new.module_file}"]  # what students submit; each has a skeleton in student_template/
# module = "{new.slug}"  # the file the checks' `submission` is (default: the first of files)
# checkpoints = ["model.pt"]  # trained weights handed in beside the code (read with weights_only=True)
# data = [{data_sets}]  # data sets the checks read, made ready before they run (grader/data.py)
# gpu = "optional"  # the checks use CUDA where the machine has it (GPU-only checks skipped without)

[worker]
preload = []  # libraries the student's process imports before its limits, e.g. ["torch", "torch._dynamo"]

[limits]  # enforced from outside the student's process; calibrate on the reference (grader validate)
call_timeout_s = {limits.call_timeout_s:g}  # one call into student code
check_timeout_s = {limits.check_timeout_s:g}  # all student calls of one check together
import_timeout_s = {limits.import_timeout_s:g}  # importing the student's module
memory_mb = {limits.memory_mb}  # the student's process, beyond what torch itself needs
"""


def _statement(new: NewAssignment) -> str:
    return f"""\
# Assignment {new.id} — {new.title}

<!-- Written by `grader new`: replace the example (add) with your assignment. Students read this
file: say what they submit, every name and signature the checks call, and what the checks
establish, without giving away a hidden check's inputs. -->

Write a function that adds two numbers.

## What you submit

One file, `{new.module_file}`, in the top level of your work folder. Start from the skeleton
`{new.module_file}` in the student template and keep every name and signature exactly as given:
the checks call them by name.

## What to write

```python
def add(a, b) -> int    # a + b, for any two ints
```

## Checking your work

Run `grader check {new.id}` in your work folder: it runs the public checks, prints a summary and
writes `grader-report/{new.id}.html`. Hidden checks run only at grading time: passing every public
check does not mean passing them all.
"""


def _public_checks(new: NewAssignment) -> str:
    return f'''\
"""Public checks of assignment {new.id}: students run these with `grader check {new.id}`.

Written by `grader new` for the example function add(a, b): replace it. A check is a pytest
function; `submission` is the student's module, which stays in the student's process (a call
runs there and returns plain data). The docstring is the check's title, the assertion message
its feedback, and @pytest.mark.points(n) its worth. Helpers: grader.checklib.
"""

import pytest

from grader.checklib import expect_int


@pytest.mark.points(1)
def test_add_small_numbers(submission):
    """add returns the sum of two small ints"""
    expect_int(submission.add(2, 3), 5, "add(2, 3)")
'''


def _hidden_checks(new: NewAssignment) -> str:
    return f'''\
"""Hidden checks of assignment {new.id}: run at grading time only; students never see this file.

Written by `grader new` for the example function add(a, b): replace it. Feedback says what is
wrong without giving away the inputs.
"""

import pytest

CASES = [(-4, 10), (10**12, 7), (0, 0)]


@pytest.mark.points(1)
def test_add_negative_and_large_numbers(submission):
    """add also sums negative and large ints"""
    for a, b in CASES:
        got = submission.add(a, b)
        assert type(got) is int and got == a + b, "add must return the int sum for negative and large numbers too"
'''


def _reference(new: NewAssignment) -> str:
    return f'''\
"""Reference solution of assignment {new.id}: passes every check, every time (`grader validate {new.id}`).

Written by `grader new` for the example function add(a, b): replace it with your solution.
"""


def add(a, b):
    """Return a + b."""
    return a + b
'''


def _skeleton(new: NewAssignment) -> str:
    return f'''\
"""Assignment {new.id}: {new.title}.

Fill in every function below; keep the names and signatures exactly as they are. Check your
work with `grader check {new.id}` in this folder. The statement is in the course's
assignments/{new.label}/README.md.
"""


def add(a, b):
    """Return a + b."""
    raise NotImplementedError
'''
