"""Finding and vetting a student's files before anything runs, and turning them into what the worker imports.

`prepare` decides whether an assignment is gradable for a folder. Each required ``NAME.py``
comes from ``NAME.py``, read as Python reads it (`grader.sources`), or, when there is no such
file, from ``NAME.ipynb``, converted by `grader.notebook` into the module (written to a staging
folder with the rest of the submission; its `SourceMap` goes to the judge). A missing,
unreadable or unparsable file is the student's problem and makes the assignment `ungradable`
with a message naming the file and the fix. Parsing happens here only to vet and convert;
nothing is executed. `unpack_zip` extracts a zipped submission with limits on size and count,
and refuses paths that leave its folder.
"""

from __future__ import annotations

import ast
import difflib
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.course import Assignment
from grader.errors import SubmissionError
from grader.sources import SourceMap, decode_source

__all__ = ["Prepared", "Student", "discover_students", "preflight", "prepare", "unpack_zip"]

MAX_SOURCE_BYTES = 1024 * 1024
MAX_CHECKPOINT_BYTES = 512 * 1024 * 1024
MAX_HELPERS = 20
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_BYTES = 600 * 1024 * 1024


@dataclass(frozen=True)
class Student:
    """One entry of a submissions folder: a folder or a .zip file."""

    name: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip" and self.path.is_file()


@dataclass(frozen=True)
class Prepared:
    """A submission ready for the judge: the folder it reads, the files the worker gets, where the
    lines of converted notebooks came from, and what the student should be told about it."""

    folder: Path
    files: list[str]
    sources: dict[str, SourceMap] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def discover_students(folder: Path) -> list[Student]:
    """Every student folder and .zip under `folder`, sorted by name; names made unique."""
    if not folder.is_dir():
        raise SubmissionError(f"{folder} is not a folder of submissions")
    students: list[Student] = []
    seen: set[str] = set()
    for entry in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            name = entry.name
        elif entry.is_file() and entry.suffix.lower() == ".zip":
            name = entry.stem
        else:
            continue
        unique, n = name, 2
        while unique in seen:
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique)
        students.append(Student(unique, entry))
    return students


def preflight(assignment: Assignment, folder: Path) -> list[str]:
    """The file names the worker gets for `assignment` from `folder` as it is (no notebook converted),
    or `SubmissionError` saying why not.

    Required: every file of `assignment.files`. Passed along when present: the assignment's
    checkpoints and up to MAX_HELPERS other top-level .py files (helper modules).
    """
    for name in assignment.files:
        _check_source(folder, name)
    return _passed_along(assignment, folder, list(assignment.files))


def prepare(
    assignment: Assignment, folder: Path, staging: Path, *, notebooks: Mapping[str, Path] | None = None
) -> Prepared:
    """`folder` made ready for grading `assignment`, or `SubmissionError` saying why it cannot be.

    A required ``NAME.py`` comes from ``NAME.py`` when it is there, else from ``NAME.ipynb``;
    `notebooks` names a notebook that stands for a file whatever it is called (``grader.check(2,
    "hw2.ipynb")``). When a notebook is used, its module and the rest of the submission are
    written to `staging` (created), which becomes the folder the judge reads.
    """
    notebooks = dict(notebooks or {})
    chosen: dict[str, Path] = {}
    notes: list[str] = []
    for name in assignment.files:
        notebook = notebooks.get(name) or _notebook_for(folder, name)
        if name in notebooks or (notebook is not None and not (folder / name).exists()):
            chosen[name] = notebook  # type: ignore[assignment]
            continue
        _check_source(folder, name)
        if notebook is None:
            continue
        if _untouched_skeleton(assignment, folder / name):
            chosen[name] = notebook
            notes.append(f"{name} is the untouched skeleton of the student template, so {notebook.name} was graded.")
        else:
            notes.append(f"{notebook.name} was not graded: {name} is there too, and it is the file graded.")
    if not chosen:
        return Prepared(folder, preflight(assignment, folder), notes=notes)
    from grader.notebook import convert, read_notebook  # nbformat: only when a notebook is handed in

    staging.mkdir(parents=True, exist_ok=True)
    sources: dict[str, SourceMap] = {}
    for name, notebook in chosen.items():
        _check_file(notebook, notebook.name, limit=None)
        conversion = convert(read_notebook(notebook), origin=notebook.name, module_file=name)
        (staging / name).write_text(conversion.source, encoding="utf-8")
        sources[name] = conversion.source_map
        notes += conversion.notes()
    names = _passed_along(assignment, folder, list(assignment.files), exclude=frozenset(chosen))
    for name in names:
        if name not in chosen:
            shutil.copyfile(folder / name, staging / name)
    return Prepared(staging, names, sources, notes)


def _passed_along(
    assignment: Assignment, folder: Path, names: list[str], exclude: frozenset[str] = frozenset()
) -> list[str]:
    """`names` plus the checkpoints and helper modules present in `folder`."""
    for name in assignment.checkpoints:
        path = folder / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_CHECKPOINT_BYTES:
            names.append(name)
    helpers = sorted(
        p.name
        for p in folder.glob("*.py")
        if p.name not in names
        and p.name not in exclude
        and p.is_file()
        and not p.is_symlink()
        and p.stat().st_size <= MAX_SOURCE_BYTES
    )
    return names + helpers[:MAX_HELPERS]


def _untouched_skeleton(assignment: Assignment, path: Path) -> bool:
    """Whether `path` is the course's skeleton for its file as handed out (same code, whatever its
    comments and line ends): a student who worked in the notebook beside it handed in both."""
    skeleton = assignment.dir.parent.parent / "student_template" / path.name
    try:
        mine = ast.dump(ast.parse(decode_source(path.read_bytes(), path.name)))
        theirs = ast.dump(ast.parse(skeleton.read_bytes()))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError, SubmissionError):
        return False
    return mine == theirs


def _notebook_for(folder: Path, name: str) -> Path | None:
    path = folder / (name.removesuffix(".py") + ".ipynb")
    return path if path.exists() or path.is_symlink() else None


def _check_file(path: Path, name: str, *, limit: int | None = MAX_SOURCE_BYTES) -> None:
    if not path.exists() and not path.is_symlink():
        raise SubmissionError(f"{name} is missing", file=name)
    if path.is_symlink() or not path.is_file():
        raise SubmissionError(f"{name} must be a regular file", file=name)
    if limit is not None and path.stat().st_size > limit:
        raise SubmissionError(f"{name} is larger than {limit // 1024} KiB", file=name)


def _check_source(folder: Path, name: str) -> None:
    path = folder / name
    if not path.exists() and not path.is_symlink():
        raise SubmissionError(_missing_message(folder, name), file=name)
    _check_file(path, name)
    text = decode_source(path.read_bytes(), name)
    if "\x00" in text:
        raise SubmissionError(f"{name} contains NUL bytes; it is not a Python source file", file=name)
    try:  # compiled, not run: also finds what only the compiler refuses ('return' outside a function)
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        code = (exc.text or "").strip()
        detail = f": {code}" if code else ""
        raise SubmissionError(f"{name} has a syntax error on {where} ({exc.msg}){detail}", file=name) from None
    except (RecursionError, MemoryError, ValueError):
        raise SubmissionError(f"{name} is too deeply nested to parse", file=name) from None


def _missing_message(folder: Path, name: str) -> str:
    """Say what is missing and, when a file looks like the intended one, where it is."""
    notebook = name.removesuffix(".py") + ".ipynb"
    if folder.is_dir():
        nested = [p for pattern in (name, notebook) for p in sorted(folder.rglob(pattern)) if p.is_file()][:1]
        top = [p.name for p in folder.iterdir() if p.is_file()]
        notebooks = sorted(t for t in top if t.lower().endswith(".ipynb"))
        sources = [t for t in top if not t.lower().endswith(".ipynb")]
        close = difflib.get_close_matches(name.lower(), [t.lower() for t in sources], n=1, cutoff=0.75)
        if nested:
            where = nested[0].relative_to(folder).as_posix()
            return f"{name} is missing at the top level of the submission; found {where}: move it up"
        if close:
            found = next(t for t in sources if t.lower() == close[0])
            return f"{name} is missing; found {found} instead: rename it to exactly {name}"
        if notebooks:
            listed = ", ".join(notebooks[:3]) + (f" and {len(notebooks) - 3} more" if len(notebooks) > 3 else "")
            which = "the notebook" if len(notebooks) == 1 else "the notebooks"
            return (
                f"{name} is missing; found {which} {listed}: hand in {name}, or the notebook named exactly "
                f"{notebook} (a notebook with that name is graded as {name})"
            )
    return f"{name} is missing: submit a file named exactly {name} (or the notebook {notebook})"


def unpack_zip(archive: Path, dest: Path) -> Path:
    """Extract `archive` into `dest` safely and return the folder that holds the submission.

    Refuses (SubmissionError) archives that are not zips, that hold too many or too large
    entries, links, or paths that are absolute or climb out with `..`. When everything sits in
    one top-level folder, that folder is returned.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{archive.name} is not a readable zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise SubmissionError(f"{archive.name} holds {len(infos)} entries; the limit is {MAX_ZIP_ENTRIES}")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise SubmissionError(f"{archive.name} unpacks to more than {MAX_ZIP_BYTES // 2**20} MiB")
        for info in infos:
            try:
                _extract_one(zf, info, dest, archive.name)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                # a damaged member (bad CRC, truncated data), an unsupported method or encryption
                raise SubmissionError(f"{archive.name}: {info.filename} cannot be unpacked ({exc})") from None
    entries = [p for p in dest.iterdir() if p.name not in ("__MACOSX",) and not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest


_BAD_PART = re.compile(r"^(\.\.|)$")


def _extract_one(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, archive: str) -> None:
    name = info.filename.replace("\\", "/")
    pure = PurePosixPath(name)
    if pure.is_absolute() or any(_BAD_PART.match(part) for part in pure.parts if part != "/") or ":" in name:
        raise SubmissionError(f"{archive} contains the path {info.filename!r}, which leaves the submission folder")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise SubmissionError(f"{archive} contains a symbolic link ({info.filename}); submit plain files")
    target = dest.joinpath(*pure.parts)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > info.file_size or written > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive}: {info.filename} unpacks to more than it declares")
            out.write(chunk)


def copy_submission(src: Path, dest: Path, names: list[str]) -> None:
    """Copy the named files (only) from `src` into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(src / name, dest / name)
