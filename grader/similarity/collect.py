"""Each student's code for each assignment, read exactly as grading reads it, and fingerprinted.

`collect` takes one student (a folder or an archive, as `grader.grading.discover` gives them):
an archive is unpacked with grading's limits, and each assignment's files come from
`grader.submission.prepare`, so a notebook is compared as the module grading makes of it, and a
submission grading refuses (a file missing, not decodable, with NUL bytes, too large, with a
syntax error) is not compared either, with grading's reason. Nothing is imported or run: the
code is only read, parsed and tokenized, in the grader's own process.

`received` is the code every student of an assignment starts from: the skeleton in
``student_template/``, the template notebook converted as grading converts a notebook, and the
Python blocks of the statement.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import Assignment
from grader.errors import GraderError, SubmissionError
from grader.folders import remove_tree
from grader.similarity.fingerprint import Fingerprint, fingerprint, template_hashes
from grader.sources import SourceMap, read_source
from grader.submission import Student, prepare, unpack

__all__ = ["Submitted", "collect", "received"]

_CODE_BLOCK = re.compile(r"^```(?:python|py)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass
class Submitted:
    """One student's files for one assignment, fingerprinted; `sources` says where the lines of a
    file made from a notebook came from (``gates.ipynb``, cell 4, line 3, for ``gates.py``)."""

    student: str
    files: dict[str, Fingerprint]
    sources: dict[str, SourceMap] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files.values())


def received(course_root: Path, assignment: Assignment) -> dict[str, frozenset[int]]:
    """Per file of `assignment`, the fingerprints of the code every student receives for it."""
    statement = _statement_code(assignment.dir / "README.md")
    found = {}
    for name in assignment.files:
        texts = [*statement]
        skeleton = course_root / "student_template" / name
        notebook = course_root / "student_template" / "notebooks" / (name.removesuffix(".py") + ".ipynb")
        with contextlib.suppress(OSError, SubmissionError):  # no skeleton for this file: nothing to subtract
            texts.append(read_source(skeleton))
        texts += _converted(notebook, name)
        found[name] = template_hashes(texts)
    return found


def collect(
    student: Student, assignments: list[Assignment], templates: dict[int, dict[str, frozenset[int]]]
) -> dict[int, Submitted | str]:
    """For each assignment, the student's fingerprinted files, or why they cannot be compared."""
    tmp = Path(tempfile.mkdtemp(prefix="grader-similar-"))
    try:
        folder = student.path
        if student.is_archive:
            try:
                folder = unpack(student.path, tmp / "unpacked")
            except SubmissionError as exc:
                return {a.id: exc.reason for a in assignments}
        return {a.id: _one(student.name, a, folder, tmp / str(a.id), templates[a.id]) for a in assignments}
    finally:
        remove_tree(tmp)


def _one(
    name: str, assignment: Assignment, folder: Path, staging: Path, template: dict[str, frozenset[int]]
) -> Submitted | str:
    try:
        prepared = prepare(assignment, folder, staging)
        files = {f: fingerprint(read_source(prepared.folder / f, f), template[f]) for f in assignment.files}
    except SubmissionError as exc:
        return exc.reason
    except (GraderError, OSError) as exc:
        return f"could not be read ({exc})"
    except (RecursionError, MemoryError, ValueError) as exc:  # a pathological text the tokenizer gave up on
        return f"could not be tokenized ({type(exc).__name__})"
    return Submitted(name, files, dict(prepared.sources))


def _statement_code(readme: Path) -> list[str]:
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [m.group(1) for m in _CODE_BLOCK.finditer(text)]


def _converted(notebook: Path, module_file: str) -> list[str]:
    if not notebook.is_file():
        return []
    from grader.notebook import convert, read_notebook  # nbformat: only when the template has notebooks

    try:
        return [convert(read_notebook(notebook), origin=notebook.name, module_file=module_file).source]
    except SubmissionError:
        return []
