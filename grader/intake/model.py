"""What a layout makes of a download: entries (one per student) and what it did not use."""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader import i18n
from grader.results import Skipped, clean_name

__all__ = ["Entry", "EntryFile", "Intake", "nfc", "plain_name", "scan", "top_files", "unique_ids"]


@dataclass(frozen=True)
class EntryFile:
    """One file of a submission: `name` is its original name (the LMS's additions taken off, NFC),
    the name the grader sees; `path` is where it lies in the download."""

    name: str
    path: Path


@dataclass(frozen=True)
class Entry:
    """One student's submission as the layout found it.

    `student`: the id the layout yields (Canvas login, Moodle participant id, Blackboard username,
    Classroom user name, folder name), cleaned (`grader.results.clean_name`) and unique in the
    intake; this is what a roster's ``id`` and the policy files' ``student`` name.
    `name`: the display name when the layout knows it (Moodle's full name, Blackboard's receipt).
    `files`: the submission's files under their original names (a folder entry: its top-level
    files). `submitted`: the submission time, aware, when the layout knows it (Blackboard's
    attempt, Classroom's last commit). `sources`: the top-level names of the download it was made
    from. `folder`: the folder that is the submission as it stands (folders, Moodle folders,
    Classroom clones), else None (its files are staged by `grader.intake.materialise`).
    `lms_user_id`: the LMS's numeric user id where the download names it (Canvas), for grade upload.
    `late`: the LMS marked it late (Canvas ``LATE``). `notes`: what the report should say about
    how the entry was read.
    """

    student: str
    files: tuple[EntryFile, ...]
    sources: tuple[str, ...]
    name: str | None = None
    submitted: datetime | None = None
    folder: Path | None = None
    lms_user_id: str | None = None
    late: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intake:
    """A download read by one layout. `detected`: the layout was chosen by ``auto``; `unused`:
    every top-level entry not part of a submission, with the reason (nothing is dropped silently)."""

    layout: str
    detected: bool
    entries: tuple[Entry, ...]
    unused: tuple[Skipped, ...] = field(default=())

    def describe(self) -> str:
        """For the terminal and the reports: ``canvas (detected)`` or ``moodle``, in the language spoken."""
        return i18n.text("intake.detected", layout=self.layout) if self.detected else self.layout


def nfc(name: str) -> str:
    """`name` in Unicode NFC: zips made on macOS store decomposed (NFD) Korean and accented names."""
    return unicodedata.normalize("NFC", name)


def plain_name(name: str) -> bool:
    """Whether `name` can only name a file inside a folder: one path component, not ``.`` or
    ``..``, no NUL, at most 255 bytes. Names read from inside a file (a Blackboard receipt) must
    pass before they become a file's name anywhere."""
    return (
        name not in ("", ".", "..")
        and not any(c in name for c in "/\\\0")
        and len(name.encode("utf-8", "surrogateescape")) <= 255
    )


def scan(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """The top-level regular files and folders of `folder` (sorted by name), and the rest with the
    reason: hidden names, symbolic links, anything else that is not a plain file or folder."""
    kept: list[Path] = []
    unused: list[Skipped] = []
    for entry in sorted(folder.iterdir(), key=lambda p: nfc(p.name).lower()):
        shown = clean_name(nfc(entry.name))
        mode = os.lstat(entry).st_mode
        if entry.name.startswith("."):
            unused.append(Skipped(shown, i18n.text("submission.dot_entry")))
        elif stat.S_ISLNK(mode):
            unused.append(Skipped(shown, i18n.text("intake.symlink")))
        elif stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            kept.append(entry)
        else:
            unused.append(Skipped(shown, i18n.text("intake.odd_entry")))
    return kept, unused


def top_files(folder: Path) -> tuple[EntryFile, ...]:
    """The regular, visible top-level files of a submission folder, as `EntryFile`s."""
    files = []
    try:
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if not path.name.startswith(".") and stat.S_ISREG(os.lstat(path).st_mode):
                files.append(EntryFile(nfc(path.name), path))
    except OSError:  # unreadable: grading the folder says what is wrong with it
        return ()
    return tuple(files)


def unique_ids(ids: list[str]) -> list[str]:
    """`ids` made unique ignoring case, as `grader.submission.survey` does: ``x``, ``x (2)``..."""
    seen: set[str] = set()
    out = []
    for sid in ids:
        unique, n = sid or "student", 2
        while unique.lower() in seen:
            unique, n = f"{sid} ({n})", n + 1
        seen.add(unique.lower())
        out.append(unique)
    return out
