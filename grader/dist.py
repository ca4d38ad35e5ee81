"""The student bundle: what a student may see of the course, in one zip.

`grader dist OUT` writes `OUT/grader-course-VERSION.zip` holding

    course/assignments/NN_slug/   assignment.toml, the statements, checks/public/
    work/                         the student template (skeletons, README, the CI workflow)
    README.md                     how to start

The public parts are chosen by one whitelist, `public_course_files`, which the wheel's build
hook uses too: an assignment's `assignment.toml`, its `README*.md` and the files under
`checks/public/`. Nothing else of `assignments/` is read, and `reference/` never is, so
reference solutions and hidden checks cannot end up in a bundle.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from grader.errors import CourseError
from grader.version import __version__

__all__ = ["build_bundle", "public_course_files", "template_files"]

_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".hypothesis", "grader-report", ".ipynb_checkpoints"}


def public_course_files(root: Path, prefix: str = "") -> dict[str, str]:
    """Map of source path -> `prefix/assignments/NN_slug/...`, for the public parts of every assignment."""
    mapping: dict[str, str] = {}
    assignments = root / "assignments"
    if not assignments.is_dir():
        return mapping
    for folder in sorted(p for p in assignments.iterdir() if p.is_dir()):
        target = f"{prefix}assignments/{folder.name}"
        wanted = [folder / "assignment.toml", *sorted(folder.glob("README*.md"))]
        public = folder / "checks" / "public"
        if public.is_dir():
            wanted += sorted(p for p in public.rglob("*") if p.is_file() and not _skipped(p.relative_to(public)))
        for path in wanted:
            if path.is_file() and not path.is_symlink():
                mapping[str(path)] = f"{target}/{path.relative_to(folder).as_posix()}"
    return mapping


def template_files(root: Path, prefix: str = "work/") -> dict[str, str]:
    """Map of source path -> `prefix/...` for every file of `student_template/` (hidden folders included)."""
    template = root / "student_template"
    if not template.is_dir():
        raise CourseError("no student_template/ folder here", path=root)
    mapping = {}
    for path in sorted(template.rglob("*")):
        relative = path.relative_to(template)
        if path.is_file() and not path.is_symlink() and not _skipped(relative):
            mapping[str(path)] = prefix + relative.as_posix()
    return mapping


def _skipped(relative: Path) -> bool:
    return any(part in _SKIPPED_PARTS for part in relative.parts) or relative.suffix == ".pyc"


_README = """# Course bundle (grader {version})

- `work/`: your work folder. Copy it (or create your repository from it), fill in the
  skeletons, and check your work there with `grader check N` or `grader check --all`.
- `course/assignments/NN_slug/README.md`: the statements (English and Korean).
- `course/assignments/NN_slug/checks/public/`: the public checks `grader check` runs. Hidden
  checks run only at grading time.

Install the grader first (your instructor gives you the package), then, in `work/`:

    grader check --all

To check against this bundle's copy of the course rather than the one installed with the
grader: `grader --course ../course check --all`.
"""


def build_bundle(root: Path, out: Path) -> Path:
    """Write the bundle zip under the folder `out` and return its path."""
    files = public_course_files(root, prefix="course/") | template_files(root)
    if not any(name.startswith("course/") for name in files.values()):
        raise CourseError("no assignments to bundle", path=root / "assignments")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"grader-course-{__version__}.zip"
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", _README.format(version=__version__))
        for source, name in sorted(files.items(), key=lambda item: item[1]):
            archive.write(source, name)
    os.replace(partial, target)
    return target
