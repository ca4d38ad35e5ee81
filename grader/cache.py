"""Finished results kept on disk, so a rerun regrades only what changed.

A result is stored under a key made of the student's name and files for that assignment, the
assignment's definition and checks (everything under `assignments/NN_slug/` except caches), the
grader's version and the machine's context: which data set each assignment that reads one gets
(full MNIST or the offline subset, say) and, for an assignment whose checks are device-dependent
(`gpu = "optional"`), whether CUDA is there (GPU-only checks are skipped without it).
Rerunning a batch after a crash, a kill or a late submission reuses every result whose key is
unchanged; changing a check regrades that assignment for everyone; a new grader version
regrades everything.

Each result is written to its own file as soon as it is known (write to a temporary name,
then rename), so killing the batch at any moment loses at most the results being computed.
Results of the grader's own failures (`error`) are never stored: they are retried.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from grader.course import Assignment
from grader.errors import GraderError
from grader.messages import RunnerOptions
from grader.results import AssignmentResult, assignment_from_dict, to_dict
from grader.version import __version__

__all__ = ["ResultCache", "archive_key", "assignment_digest", "file_digest", "machine_context", "submission_digest"]

_SKIPPED = {"__pycache__", ".pytest_cache", ".hypothesis", "grader-report"}
_CHUNK = 1 << 20


def _update_with_file(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (a zipped submission is keyed by its zip)."""
    digest = hashlib.sha256()
    _update_with_file(digest, path)
    return digest.hexdigest()


def assignment_digest(assignment: Assignment) -> str:
    """Hash of everything that defines an assignment's grading: its toml and its check files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in assignment.dir.rglob("*") if p.is_file()):
        relative = path.relative_to(assignment.dir)
        if any(part in _SKIPPED for part in relative.parts) or path.suffix == ".pyc":
            continue
        digest.update(relative.as_posix().encode("utf-8") + b"\0")
        _update_with_file(digest, path)
        digest.update(b"\0")
    return digest.hexdigest()


def archive_key(path: Path) -> str:
    """What a zipped or tarred submission is keyed by: its bytes, when it is small enough to be
    unpacked at all; a larger one only by its size and time (it is refused unread anyway)."""
    from grader.submission import MAX_ZIP_BYTES

    info = path.stat()
    if info.st_size > MAX_ZIP_BYTES:
        return f"<too large: {info.st_size} bytes, {info.st_mtime_ns}>"
    return file_digest(path)


def submission_digest(folder: Path, assignment: Assignment) -> str:
    """Hash of what a submission gives one assignment: the folder's file names, and every file the
    assignment's module can see.

    The names of all top-level entries count (a near-miss file name changes the verdict's
    message); the contents count for the files the assignment grades, the notebook that stands
    for a missing ``NAME.py``, and every top-level ``.py`` file (a helper module the student's code
    imports), so a changed helper regrades the assignment and a changed fitting.py regrades
    assignment 3 and not assignment 1. A file larger than the grader would read counts by its
    size and time alone: it is refused before anything hashes it.
    """
    from grader.notebook import MAX_NOTEBOOK_BYTES
    from grader.submission import MAX_CHECKPOINT_BYTES, MAX_SOURCE_BYTES

    digest = hashlib.sha256()
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        names = []
    digest.update("\0".join(names).encode("utf-8", "surrogateescape") + b"\1")
    notebooks = tuple(name.removesuffix(".py") + ".ipynb" for name in assignment.files)
    helpers = tuple(n for n in names if n.endswith(".py") and n not in assignment.files)
    for name in (*assignment.submitted_files, *notebooks, *helpers):
        path = folder / name
        limit = {".pt": MAX_CHECKPOINT_BYTES, ".ipynb": MAX_NOTEBOOK_BYTES}.get(Path(name).suffix, MAX_SOURCE_BYTES)
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if path.is_symlink():
            digest.update(b"<link>" + os.readlink(path).encode("utf-8", "surrogateescape"))
        elif path.is_file() and (info := path.stat()).st_size > limit:
            digest.update(f"<too large: {info.st_size} bytes, {info.st_mtime_ns}>".encode())
        elif path.is_file():
            _update_with_file(digest, path)
        else:
            digest.update(b"<missing>")
        digest.update(b"\1")
    return digest.hexdigest()


def machine_context(runner_options: RunnerOptions) -> Callable[[Assignment], str]:
    """What of the grading machine an assignment's verdicts depend on: the data sets it reads
    (which one each is), when its checks are device-dependent whether CUDA is there, and the
    language its feedback is written in."""

    def context(assignment: Assignment) -> str:
        from grader.data import DATA_SETS, data_root

        parts = [DATA_SETS[name](data_root(runner_options.data_dir)).label for name in assignment.data]
        if assignment.device_dependent:
            from grader.devices import cuda_available

            parts.append(f"cuda={cuda_available()}")
        if runner_options.lang != "en":  # titles and feedback are written in it (English keys stay as they were)
            parts.append(f"lang={runner_options.lang}")
        return "|".join(parts)

    return context


class ResultCache:
    """One JSON file per finished (submission, assignment) under `folder`."""

    def __init__(self, folder: Path, context: Callable[[Assignment], str] | None = None):
        self.folder = folder
        self.context = context
        self._assignment_digests: dict[int, str] = {}

    def key(self, student_key: str, assignment: Assignment) -> str:
        if assignment.id not in self._assignment_digests:
            context = self.context(assignment) if self.context is not None else ""
            self._assignment_digests[assignment.id] = assignment_digest(assignment) + "\0" + context
        parts = f"{__version__}\0{self._assignment_digests[assignment.id]}\0{student_key}"
        return hashlib.sha256(parts.encode("utf-8")).hexdigest()

    def get(self, key: str) -> AssignmentResult | None:
        path = self.folder / f"{key}.json"
        try:
            return assignment_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, GraderError):
            return None  # absent, or damaged by a crash mid-write on another system: regrade

    def put(self, key: str, result: AssignmentResult) -> None:
        if result.status == "error":
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(to_dict(result), f)
            os.replace(tmp, self.folder / f"{key}.json")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
