"""The layout step: what an instructor downloads from an LMS, turned into students to grade.

`read(folder, layout="auto")` returns an `Intake`: the layout used (and whether ``auto`` chose
it), one `Entry` per student (id, display name, files under their original names, submission
time, where it came from) and `unused`, every top-level entry not used, with the reason
(`grader.results.Skipped`, as `grader.submission.survey` gives them today).

Layouts (each module's docstring has the exact names the LMS writes):

- ``folders``: a folder or archive per student, today's layout (`grader.submission.survey`);
- ``canvas``: flat ``login[_LATE]_userid_fileid_original`` files (`grader.intake.canvas`);
- ``moodle``: ``Full Name_id_assignsubmission_file_`` folders or flat files (`grader.intake.moodle`);
- ``blackboard``: ``Assignment_user_attempt_DATE_file`` files and receipts (`grader.intake.blackboard`);
- ``classroom``: one cloned repository per student (`grader.intake.classroom`).

``auto`` (`detect`) picks, among the top-level entries that are not hidden, links or special
files: ``classroom`` when at least half are folders holding a ``.git`` folder; else the LMS layout
whose names fit the most entries, when they fit at least half (on a tie, the more specific
pattern wins: moodle, then blackboard, then canvas); else ``folders``.

How `grader grade` uses it (`grader.grading.discover`): for each `Entry`, ``materialise(entry,
staging)`` gives the `grader.submission.Student` the executors grade (a folder, or an archive),
under a staging folder per entry that is removed after the batch (`grader.folders.remove_tree`);
`materialise` raises `SubmissionError` for what the student got wrong (an archive among several
files that cannot be unpacked): the submission is then `ungradable` with ``exc.reason``, as a bad
archive is. `Entry.submitted` feeds `grader.policy.late`, `Entry.student` the roster
(`grader.roster.Roster.reconcile`), and `Intake.unused` the run's skipped list
(`grader.marking` applies the rest).
"""

from __future__ import annotations

import shutil
import tempfile
import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from grader import i18n
from grader.errors import IntakeError, SubmissionError
from grader.folders import remove_tree
from grader.intake import blackboard, canvas, classroom, moodle
from grader.intake.model import Entry, EntryFile, Intake, nfc, plain_name, scan, top_files, unique_ids
from grader.results import clean_name
from grader.submission import ARCHIVES, MAX_ZIP_BYTES, Student, survey, unpack

__all__ = ["LAYOUTS", "Entry", "EntryFile", "Intake", "detect", "materialise", "read"]

LAYOUTS = ("auto", "folders", "canvas", "moodle", "blackboard", "classroom")
_BY_NAME: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("moodle", moodle.matches),
    ("blackboard", blackboard.matches),
    ("canvas", canvas.matches),
)


def read(folder: Path, layout: str = "auto", *, tz: str | tzinfo | None = None, prefix: str | None = None) -> Intake:
    """The download in `folder` read as `layout` (one of `LAYOUTS`).

    `tz`: the zone of Blackboard's attempt times (a ``zoneinfo`` key such as ``"Asia/Seoul"``, or
    a tzinfo); by default the grading machine's local zone, which is right when it runs where the
    Blackboard server does. `prefix`: for ``classroom``, the prefix to take off every repository
    name in place of the common one. Raises `IntakeError` for a `folder` that is not a folder, an
    unknown layout or an unknown zone.
    """
    if layout not in LAYOUTS:
        raise IntakeError(i18n.text("intake.unknown_layout", layout=repr(layout), layouts=", ".join(LAYOUTS)))
    if not folder.is_dir():
        if folder.is_file() and folder.name.lower().endswith(ARCHIVES):
            raise IntakeError(i18n.text("intake.archive"), path=folder)
        raise IntakeError(i18n.text("intake.not_a_folder"), path=folder)
    detected = layout == "auto"
    if detected:
        layout = detect(folder)
    if layout == "folders":
        students, skipped = survey(folder)
        entries = [_folder_entry(s) for s in students]
        return Intake(layout, detected, tuple(entries), tuple(skipped))
    paths, unused = scan(folder)
    if layout == "canvas":
        entries, more = canvas.read_canvas(paths)
    elif layout == "moodle":
        entries, more = moodle.read_moodle(paths)
    elif layout == "blackboard":
        entries, more = blackboard.read_blackboard(paths, _zone(tz))
    else:
        entries, more = classroom.read_classroom(paths, prefix)
    entries.sort(key=lambda e: e.student.lower())
    ids = unique_ids([e.student for e in entries])
    entries = [e if e.student == i else _renamed(e, i) for e, i in zip(entries, ids)]
    return Intake(layout, detected, tuple(entries), tuple(sorted(unused + more, key=lambda s: s.name.lower())))


def detect(folder: Path) -> str:
    """The layout ``auto`` chooses for `folder` (the rule is in the module's docstring)."""
    paths, _ = scan(folder)
    if not paths:
        return "folders"
    half = len(paths) / 2
    if sum(classroom.is_clone(p) for p in paths) >= half:
        return "classroom"
    counts = [(sum(fits(nfc(p.name)) for p in paths), -order, name) for order, (name, fits) in enumerate(_BY_NAME)]
    best, _, name = max(counts)
    return name if best and best >= half else "folders"


def materialise(entry: Entry, staging: Path) -> Student:
    """The `Student` today's grading takes for `entry`: the entry's archive when it is the whole
    submission, its folder when it has one, else `staging` (created) holding its files under their
    original names, with any archive among them unpacked there (`grader.submission.unpack`: same
    limits and errors). Raises `SubmissionError` when that cannot be done (student's problem)."""
    archives = [f for f in entry.files if f.name.lower().endswith(ARCHIVES)]
    if len(entry.files) == 1 and len(archives) == 1 and (entry.folder is None or _only_entry(entry)):
        return Student(entry.student, entry.files[0].path)
    if entry.folder is not None:
        return Student(entry.student, entry.folder)
    staging.mkdir(parents=True, exist_ok=True)
    placed: dict[str, str] = {}  # name in staging -> where it came from
    for f in entry.files:
        if not plain_name(f.name):  # layouts only make plain names; never write outside staging
            name = clean_name(f.name)
            raise SubmissionError(i18n.text("intake.not_a_file_name", name=repr(name)), file=name)
        if f in archives:
            continue
        if f.path.stat().st_size > MAX_ZIP_BYTES:
            limit = MAX_ZIP_BYTES // 2**20
            raise SubmissionError(i18n.text("intake.too_large", name=clean_name(f.name), limit_mib=limit), file=f.name)
        _place(staging, f.name, f.name, placed)
        shutil.copyfile(f.path, staging / f.name)
    for f in archives:
        _unpack_into(f, staging, placed)
    return Student(entry.student, staging)


def _unpack_into(archive: EntryFile, staging: Path, placed: dict[str, str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="grader-unpack-", dir=staging.parent))
    try:
        renamed = tmp / "in" / archive.name  # unpack's messages name the file the student uploaded
        renamed.parent.mkdir()
        renamed.symlink_to(archive.path.resolve())
        root = unpack(renamed, tmp / "out")
        for item in sorted(root.iterdir()):
            _place(staging, item.name, archive.name, placed)
            item.rename(staging / item.name)
    finally:
        remove_tree(tmp)  # what was left behind (__MACOSX...), however deep


def _place(staging: Path, name: str, origin: str, placed: dict[str, str]) -> None:
    if name in placed or (staging / name).exists():
        other = clean_name(placed.get(name, name))
        raise SubmissionError(
            i18n.text("intake.twice", first=clean_name(origin), second=other, name=clean_name(name)), file=name
        )
    placed[name] = origin


def _only_entry(entry: Entry) -> bool:
    """Whether the entry's folder holds nothing visible but its one file."""
    assert entry.folder is not None
    return [p for p in entry.folder.iterdir() if not p.name.startswith(".")] == [entry.files[0].path]


def _folder_entry(student: Student) -> Entry:
    if student.is_archive:
        return Entry(student.name, (EntryFile(nfc(student.path.name), student.path),), (student.name,))
    return Entry(student.name, top_files(student.path), (student.name,), folder=student.path)


def _renamed(entry: Entry, student: str) -> Entry:
    return replace(entry, student=student)


def _zone(tz: str | tzinfo | None) -> tzinfo | None:
    if tz is None or isinstance(tz, tzinfo):
        return tz
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise IntakeError(i18n.text("intake.unknown_zone", zone=repr(tz))) from None
