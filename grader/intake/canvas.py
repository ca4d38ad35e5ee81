"""Canvas's "Download Submissions": flat files, every name made by Canvas from the student and the upload.

Canvas (``lib/content_zipper.rb``) names each uploaded file
``NAME[_LATE]_USERID_ATTACHMENTID_ORIGINAL``: NAME is the student's sortable name ("Kim, Minsu")
lower-cased with everything but letters, digits and underscores removed (``kimminsu``; Korean
letters stay), and with any ``_DIGITS_`` inside it joined up so that the first ``_DIGITS_`` of
the file name is the user id; ``LATE`` marks a late submission (older Canvas wrote ``late``);
USERID and ATTACHMENTID are numbers; ORIGINAL is the name the student uploaded, with
``\\ / : * ? " < > |`` replaced by ``_``. Anonymous grading puts ``anon_ID`` in place of
NAME_USERID. A text entry is ``NAME[_LATE]_USERID_text.html`` and a website URL
``..._link.html``: not files to grade. Some downloads (older Canvas, other tools) leave out the
attachment id: ``NAME[_LATE]_USERID_ORIGINAL``.

When a student uploads a file a second time, Canvas keeps both and renames the new one
``gates-1.py`` (``-2``...): that suffix (a dash and one to three digits, no leading zero, just
before the extension) is taken off, and when two files of a student then share a name, the
upload with the larger attachment id (or the larger suffix) is the one graded.

The student id is NAME (the Canvas "login" of a download); two Canvas users with one NAME (two
"Kim, Minsu") get ``NAME_USERID`` each. The user id is kept as `Entry.lms_user_id` for the grade
upload. As in Canvas's own reading of these names, the first ``_DIGITS_`` after NAME is the user
id: a sortable name that ends in ``_DIGITS`` (rare) is read wrongly by Canvas and here alike.
The variant without attachment id is not what current Canvas writes; it is read because
hand-made and third-party downloads use it, and only when the name has no attachment id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader import i18n
from grader.intake.model import Entry, EntryFile, nfc
from grader.results import Skipped, clean_name

__all__ = ["matches", "read_canvas"]

_LATE = r"(?:_(?P<late>LATE|late))?"
_WITH_ATTACHMENT = re.compile(rf"^(?P<login>\w+?){_LATE}_(?P<user>\d+)_(?P<attachment>\d+)_(?P<original>.+)$")
_ANONYMOUS = re.compile(r"^(?:(?P<late>LATE)_)?(?P<login>anon_[A-Za-z0-9]+)_(?P<attachment>\d+)_(?P<original>.+)$")
_TEXT_ENTRY = re.compile(rf"^(?P<login>\w+?){_LATE}_(?P<user>\d+)_(?P<kind>text|link)\.html$")
_WITHOUT_ATTACHMENT = re.compile(rf"^(?P<login>\w+?){_LATE}_(?P<user>\d+)_(?P<original>.+)$")
_RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<n>[1-9]\d{0,2})(?P<ext>(?:\.tar)?\.[A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class _File:
    path: Path
    login: str
    user: str | None  # None when anonymous
    late: bool
    attachment: int  # -1 when the name has none
    original: str  # as Canvas wrote it
    restored: str  # the resubmission suffix taken off
    copy: int  # the suffix's number, 0 without one


def matches(name: str) -> bool:
    """Whether a top-level name is one Canvas makes (used by `grader.intake.detect`)."""
    name = nfc(name)
    return _text_entry(name) is not None or _parse_name(name) is not None


def read_canvas(paths: list[Path]) -> tuple[list[Entry], list[Skipped]]:
    """Entries from the top-level files of a Canvas download; everything else unused, with why."""
    unused: list[Skipped] = []
    by_student: dict[tuple[str, str | None], list[_File]] = {}
    for path in paths:
        name = nfc(path.name)
        shown = clean_name(name)
        if path.is_dir():
            unused.append(Skipped(shown, i18n.text("intake.canvas_folder")))
            continue
        kind = _text_entry(name)
        if kind:
            key = "intake.canvas_text" if kind == "text entry" else "intake.canvas_link"
            unused.append(Skipped(shown, i18n.text(key)))
            continue
        parsed = _parse(path, name)
        if parsed is None:
            unused.append(Skipped(shown, i18n.text("intake.canvas_name")))
            continue
        by_student.setdefault((parsed.login, parsed.user), []).append(parsed)
    logins = [login for login, _ in by_student]
    entries = []
    for (login, user), files in by_student.items():
        student = login if logins.count(login) == 1 or user is None else f"{login}_{user}"
        kept, superseded = _latest_uploads(files)
        unused += superseded
        notes = (i18n.text("intake.canvas_late"),) if any(f.late for f in files) else ()
        renamed = [
            i18n.text("intake.renamed", original=f.original, graded=f.restored)
            for f in kept
            if f.original != f.restored
        ]
        entries.append(
            Entry(
                student=clean_name(student),
                files=tuple(EntryFile(f.restored, f.path) for f in kept),
                sources=tuple(clean_name(nfc(f.path.name)) for f in files),
                lms_user_id=user,
                late=any(f.late for f in files),
                notes=(*notes, *renamed),
            )
        )
    return entries, unused


def _text_entry(name: str) -> str | None:
    """ "text entry" or "website URL entry" for Canvas's HTML stand-ins; None for anything else,
    an uploaded file named text.html included (it has an attachment id before its name)."""
    upload = _WITH_ATTACHMENT.match(name)
    if upload and upload["login"] == upload["login"].lower():
        return None
    match = _TEXT_ENTRY.match(name)
    if match is None or match["login"] != match["login"].lower():
        return None
    return "text entry" if match["kind"] == "text" else "website URL entry"


def _parse_name(name: str) -> re.Match[str] | None:
    for pattern in (_ANONYMOUS, _WITH_ATTACHMENT, _WITHOUT_ATTACHMENT):
        match = pattern.match(name)
        # Canvas lower-cases NAME, so a capital letter there means another layout's name
        if match and (pattern is _ANONYMOUS or match["login"] == match["login"].lower()):
            return match
    return None


def _parse(path: Path, name: str) -> _File | None:
    match = _parse_name(name)
    if match is None:
        return None
    groups = match.groupdict()
    original = groups["original"]
    resubmitted = _RESUBMITTED.match(original)
    restored, copy = original, 0
    if resubmitted:
        restored, copy = resubmitted["stem"] + (resubmitted["ext"] or ""), int(resubmitted["n"])
    return _File(
        path,
        groups["login"],
        groups.get("user"),
        bool(groups["late"]),
        int(groups.get("attachment") or -1),
        original,
        restored,
        copy,
    )


def _latest_uploads(files: list[_File]) -> tuple[list[_File], list[Skipped]]:
    """One file per restored name: the latest upload (largest attachment id, then suffix)."""
    best: dict[str, _File] = {}
    for f in sorted(files, key=lambda f: (f.attachment, f.copy)):
        best[f.restored] = f
    kept = sorted(best.values(), key=lambda f: f.restored)
    superseded = [
        Skipped(clean_name(nfc(f.path.name)), i18n.text("intake.canvas_earlier", name=clean_name(f.restored)))
        for f in files
        if best[f.restored] is not f
    ]
    return kept, superseded
