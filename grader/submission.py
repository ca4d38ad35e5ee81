"""Finding and vetting a student's files before anything runs.

`preflight` decides whether an assignment is gradable for a folder: each required Python file
must exist, be a regular UTF-8 file and parse. Any of these failing is the student's problem
and makes the assignment `ungradable` with a message naming the file and the fix. Parsing
happens here only to report syntax errors; nothing is executed. `unpack_zip` extracts a zipped
submission with limits on size and count, and refuses paths that leave its folder.
"""

from __future__ import annotations

import ast
import difflib
import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.course import Assignment
from grader.errors import SubmissionError

__all__ = ["Student", "discover_students", "preflight", "unpack_zip"]

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
    """The file names the worker gets for `assignment`, or `SubmissionError` saying why not.

    Required: every file of `assignment.files`. Passed along when present: the assignment's
    checkpoints and up to MAX_HELPERS other top-level .py files (helper modules).
    """
    for name in assignment.files:
        _check_source(folder, name)
    names = list(assignment.files)
    for name in assignment.checkpoints:
        path = folder / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_CHECKPOINT_BYTES:
            names.append(name)
    helpers = sorted(
        p.name
        for p in folder.glob("*.py")
        if p.name not in names and p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_SOURCE_BYTES
    )
    return names + helpers[:MAX_HELPERS]


def _check_source(folder: Path, name: str) -> None:
    path = folder / name
    if not path.exists():
        raise SubmissionError(_missing_message(folder, name), file=name)
    if path.is_symlink() or not path.is_file():
        raise SubmissionError(f"{name} must be a regular file", file=name)
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise SubmissionError(f"{name} is larger than {MAX_SOURCE_BYTES // 1024} KiB", file=name)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SubmissionError(
            f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it with UTF-8 encoding",
            file=name,
        ) from None
    if "\x00" in text:
        raise SubmissionError(f"{name} contains NUL bytes; it is not a Python source file", file=name)
    try:
        ast.parse(text, filename=name)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        code = (exc.text or "").strip()
        detail = f": {code}" if code else ""
        raise SubmissionError(f"{name} has a syntax error on {where} ({exc.msg}){detail}", file=name) from None
    except (RecursionError, MemoryError, ValueError):
        raise SubmissionError(f"{name} is too deeply nested to parse", file=name) from None


def _missing_message(folder: Path, name: str) -> str:
    """Say what is missing and, when a file looks like the intended one, where it is."""
    if folder.is_dir():
        nested = [p for p in sorted(folder.rglob(name)) if p.is_file()][:1]
        top = [p.name for p in folder.iterdir() if p.is_file()]
        close = difflib.get_close_matches(name.lower(), [t.lower() for t in top], n=1, cutoff=0.75)
        if nested:
            where = nested[0].relative_to(folder).as_posix()
            return f"{name} is missing at the top level of the submission; found {where}: move it up"
        if close:
            found = next(t for t in top if t.lower() == close[0])
            return f"{name} is missing; found {found} instead: rename it to exactly {name}"
    return f"{name} is missing: submit a file named exactly {name}"


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
