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
import os
import re
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import i18n
from grader.course import Assignment
from grader.errors import SubmissionError
from grader.folders import find_files
from grader.results import Skipped, clean_name
from grader.sources import SourceMap, decode_source

__all__ = [
    "ARCHIVES",
    "Prepared",
    "Skipped",
    "Student",
    "preflight",
    "prepare",
    "survey",
    "unpack",
    "unpack_zip",
]

MAX_SOURCE_BYTES = 1024 * 1024
MAX_CHECKPOINT_BYTES = 512 * 1024 * 1024
MAX_HELPERS = 20
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_BYTES = 600 * 1024 * 1024
MAX_DEPTH = 32  # folders nested in an archive


ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True)
class Student:
    """One entry of a submissions folder: a folder or an archive (.zip, .tar.gz).

    `name` is the entry's name made safe to print and show (`grader.results.clean_name`) and
    unique among the class; `path` is the entry itself.
    """

    name: str
    path: Path

    @property
    def is_archive(self) -> bool:
        return self.path.name.lower().endswith(ARCHIVES) and self.path.is_file() and not self.path.is_symlink()


def survey(folder: Path) -> tuple[list[Student], list[Skipped]]:
    """Every student folder and archive under `folder`, sorted by name, names cleaned and unique;
    and every other entry with the reason it is not graded (nothing is skipped without a word)."""
    if not folder.is_dir():
        raise SubmissionError(i18n.text("submission.not_a_folder", folder=folder))
    students: list[Student] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for entry in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        shown = clean_name(entry.name)
        if entry.name.startswith("."):
            skipped.append(Skipped(shown, i18n.text("submission.dot_entry")))
            continue
        if entry.is_symlink():
            skipped.append(Skipped(shown, i18n.text("submission.symlink_entry")))
            continue
        lower = entry.name.lower()
        if entry.is_dir():
            name = shown
        elif entry.is_file() and lower.endswith(ARCHIVES):
            name = clean_name(entry.name[: -len(next(x for x in ARCHIVES if lower.endswith(x)))])
        else:
            why = "submission.file_entry" if entry.is_file() else "submission.odd_entry"
            skipped.append(Skipped(shown, i18n.text(why)))
            continue
        unique, n = name or "student", 2
        while unique.lower() in seen:
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique.lower())
        students.append(Student(unique, entry))
    return students, skipped


@dataclass(frozen=True)
class Prepared:
    """A submission ready for the judge: the folder it reads, the files the worker gets, where the
    lines of converted notebooks came from, and what the student should be told about it."""

    folder: Path
    files: list[str]
    sources: dict[str, SourceMap] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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
        if name in notebooks or (notebook is not None and not _present(folder, name)):
            chosen[name] = notebook  # type: ignore[assignment]
            continue
        # A notebook renamed to .py (as some tools and old advice do):
        if _present(folder, name) and _holds_notebook(folder / name):
            chosen[name] = folder / name
            notes.append(i18n.text("submission.renamed_notebook", name=name))
            continue
        _check_source(folder, name)
        if notebook is None:
            continue
        if _untouched_skeleton(assignment, folder / name):
            chosen[name] = notebook
            notes.append(i18n.text("submission.skeleton_left", name=name, notebook=notebook.name))
        else:
            notes.append(i18n.text("submission.notebook_ignored", name=name, notebook=notebook.name))
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
        regular = _present(folder, name) and path.is_file() and not path.is_symlink()
        if regular and path.stat().st_size <= MAX_CHECKPOINT_BYTES:
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


def _holds_notebook(path: Path) -> bool:
    """Whether the file at `path` is a notebook's JSON whatever its name (it would import as a dict)."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as fh:
        head = fh.read(64 * 1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and (b'"cells"' in head or b'"nbformat"' in head)


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
    notebook = name.removesuffix(".py") + ".ipynb"
    return folder / notebook if _present(folder, notebook) else None


def _present(folder: Path, name: str) -> bool:
    """Whether `folder` holds something called exactly `name`. Windows and macOS find `Gates.py`
    when asked for `gates.py`; grading, on Linux, would not: `grader check` must not either."""
    try:
        return name in os.listdir(folder)
    except OSError:
        return False


def _check_file(path: Path, name: str, *, limit: int | None = MAX_SOURCE_BYTES) -> None:
    if not path.exists() and not path.is_symlink():
        raise SubmissionError(i18n.text("submission.missing", name=name), file=name)
    if path.is_symlink() or not path.is_file():
        raise SubmissionError(i18n.text("submission.not_regular", name=name), file=name)
    if limit is not None and path.stat().st_size > limit:
        raise SubmissionError(i18n.text("submission.too_large", name=name, limit_kib=limit // 1024), file=name)


def _check_source(folder: Path, name: str) -> None:
    path = folder / name
    if not _present(folder, name):
        raise SubmissionError(_missing_message(folder, name), file=name)
    _check_file(path, name)
    text = decode_source(path.read_bytes(), name)
    if "\x00" in text:
        raise SubmissionError(i18n.text("submission.nul", name=name), file=name)
    notebook = name.removesuffix(".py") + ".ipynb"
    try:  # compiled, not run: also finds what only the compiler refuses ('return' outside a function)
        compile(text, name, "exec", dont_inherit=True)
        tree = ast.parse(text)
    except SyntaxError as exc:
        code = (exc.text or "").strip()
        from grader.notebook import ipython_lines  # (no nbformat: the IPython rule alone)

        found = ipython_lines(text)
        if exc.lineno in found:  # `!pip install torch`, `%matplotlib inline`: a notebook downloaded as .py
            message = i18n.text(
                "submission.ipython_line",
                name=name,
                line=exc.lineno,
                code=code,
                lines=_listed(found),
                notebook=notebook,
            )
            raise SubmissionError(message, file=name) from None
        key = "submission.syntax_error_at" if exc.offset else "submission.syntax_error"
        message = i18n.text(key, name=name, line=exc.lineno, column=exc.offset, error=exc.msg)
        raise SubmissionError(message + (f": {code}" if code else ""), file=name) from None
    except (RecursionError, MemoryError, ValueError):
        raise SubmissionError(i18n.text("submission.too_nested", name=name), file=name) from None
    # `get_ipython().system('pip install torch')`: a notebook saved as .py by Jupyter. At the top
    # level it stops the import with a NameError; inside `try` or a function it may be harmless.
    calls = [n for n in tree.body if isinstance(n, ast.Expr | ast.Assign) and _calls_get_ipython(n.value)]
    if calls:
        code = (ast.get_source_segment(text, calls[0]) or "get_ipython()").splitlines()[0]
        lines = _listed([n.lineno for n in calls])
        message = i18n.text(
            "submission.ipython_call", name=name, line=calls[0].lineno, code=code, lines=lines, notebook=notebook
        )
        raise SubmissionError(message, file=name)


def _listed(numbers: list[int], most: int = 10) -> str:
    """``10, 11, 14`` (the first `most`, then ``…``)."""
    return ", ".join(str(n) for n in numbers[:most]) + (", …" if len(numbers) > most else "")


def _calls_get_ipython(value: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "get_ipython" for n in ast.walk(value)
    )


def _missing_message(folder: Path, name: str) -> str:
    """Say what is missing and, when a file looks like the intended one, where it is."""
    notebook = name.removesuffix(".py") + ".ipynb"
    if folder.is_dir():
        nested = [p for pattern in (name, notebook) for p in find_files(folder, pattern)][:1]
        top = [p.name for p in folder.iterdir() if p.is_file()][:10_000]
        notebooks = sorted(t for t in top if t.lower().endswith(".ipynb"))
        sources = [t for t in top if not t.lower().endswith(".ipynb")]
        close = difflib.get_close_matches(name.lower(), [t.lower() for t in sources], n=1, cutoff=0.75)
        if nested:
            where = nested[0].relative_to(folder).as_posix()
            return i18n.text("submission.nested", name=name, where=where)
        if close:
            found = next(t for t in sources if t.lower() == close[0])
            return i18n.text("submission.misnamed", name=name, found=found)
        if notebooks:
            more = i18n.text("submission.more", count=len(notebooks) - 3) if len(notebooks) > 3 else ""
            key = "submission.other_notebook" if len(notebooks) == 1 else "submission.other_notebooks"
            return i18n.text(key, name=name, listed=", ".join(notebooks[:3]) + more, notebook=notebook)
    return i18n.text("submission.missing_file", name=name, notebook=notebook)


def unpack(archive: Path, dest: Path) -> Path:
    """Extract a .zip or .tar.gz `archive` into `dest` and return the folder that holds the submission
    (the single top-level folder, when everything sits in one), or `SubmissionError` saying why not."""
    if archive.name.lower().endswith(".zip"):
        return unpack_zip(archive, dest)
    return unpack_tar(archive, dest)


def unpack_zip(archive: Path, dest: Path) -> Path:
    """Extract the zip `archive` into `dest` safely (see `unpack`).

    Refuses (SubmissionError) archives that are not zips, that hold too many or too large
    entries, folders nested too deep, names too long, links, or paths that are absolute or climb
    out with `..`. Anything else a member does wrong (a file and a folder of one name, a damaged
    member) makes the archive unreadable, never stops the grader.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:  # a name not UTF-8 too
        raise SubmissionError(i18n.text("submission.bad_zip", archive=archive.name, error=_first_line(exc))) from None
    with zf:
        infos = zf.infolist()
        _check_count_and_size(archive.name, len(infos), sum(i.file_size for i in infos))
        for info in infos:
            try:
                _extract_one(zf, info, dest, archive.name)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
                # a damaged member (bad CRC, truncated data), an unsupported method or encryption, a
                # name the file system refuses, a file where a folder must go
                member = clean_name(info.filename)
                raise SubmissionError(
                    i18n.text("submission.bad_member", archive=archive.name, member=member, error=_first_line(exc))
                ) from None
    return _submission_root(dest)


def unpack_tar(archive: Path, dest: Path) -> Path:
    """Extract the tar (gz, bz2, xz) `archive` into `dest` with `tarfile`'s ``data`` filter: no
    links out, no devices, no absolute paths, no `..`; the limits of `unpack_zip` otherwise."""
    try:
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            _check_count_and_size(archive.name, len(members), sum(m.size for m in members if m.isfile()))
            for member in members:
                _check_member_name(member.name, archive.name)
                if member.issym() or member.islnk():
                    raise SubmissionError(
                        i18n.text("submission.link", archive=archive.name, member=clean_name(member.name))
                    )
            tf.extractall(dest, filter="data")
    except SubmissionError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:  # FilterError is a TarError
        raise SubmissionError(
            i18n.text("submission.bad_archive", archive=archive.name, error=_first_line(exc))
        ) from None
    return _submission_root(dest)


def _check_count_and_size(archive: str, count: int, size: int) -> None:
    if count > MAX_ZIP_ENTRIES:
        raise SubmissionError(i18n.text("submission.too_many", archive=archive, count=count, limit=MAX_ZIP_ENTRIES))
    if size > MAX_ZIP_BYTES:
        raise SubmissionError(i18n.text("submission.too_big", archive=archive, limit_mib=MAX_ZIP_BYTES // 2**20))


def _submission_root(dest: Path) -> Path:
    entries = [p for p in dest.iterdir() if p.name not in ("__MACOSX",) and not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return dest


_DRIVE = re.compile(r"^[A-Za-z]:/")  # a Windows absolute path (a colon elsewhere is a legal name)


def _check_member_name(raw: str, archive: str) -> PurePosixPath:
    name = raw.replace("\\", "/")
    pure = PurePosixPath(name)
    if pure.is_absolute() or _DRIVE.match(name) or ".." in pure.parts:
        raise SubmissionError(i18n.text("submission.escapes", archive=archive, path=repr(clean_name(raw))))
    if len(pure.parts) > MAX_DEPTH:
        raise SubmissionError(
            i18n.text("submission.too_deep", archive=archive, limit=MAX_DEPTH, path=clean_name(raw)[:80])
        )
    for part in pure.parts:
        if len(os.fsencode(part)) > 255:
            raise SubmissionError(i18n.text("submission.long_name", archive=archive, name=clean_name(part)[:60]))
    return pure


def _extract_one(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, archive: str) -> None:
    pure = _check_member_name(info.filename, archive)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise SubmissionError(i18n.text("submission.symlink", archive=archive, member=clean_name(info.filename)))
    parts = [p for p in pure.parts if p not in (".", "")]
    if not parts:
        return  # the archive's own folder
    target = dest.joinpath(*parts)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > info.file_size or written > MAX_ZIP_BYTES:
                raise SubmissionError(
                    i18n.text("submission.overflow", archive=archive, member=clean_name(info.filename))
                )
            out.write(chunk)


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:  # not its paths: they are the grader's temporary folder
        return clean_name(exc.strerror)
    lines = str(exc).strip().splitlines()
    return clean_name(lines[0][:200]) if lines else type(exc).__name__
