"""Blackboard Learn's "Download Assignment": files and a receipt per attempt, flat.

Blackboard names each file ``ASSIGNMENT_USERNAME_attempt_YYYY-MM-DD-HH-MM-SS_ORIGINAL`` and
writes a receipt ``ASSIGNMENT_USERNAME_attempt_YYYY-MM-DD-HH-MM-SS.txt``::

    Name: Minsu Kim (kimminsu)
    Assignment: Assignment 1
    Date Submitted: Friday, 20 March 2026 23:58:03 o'clock KST
    Current Mark: Needs Marking

    Submission Field:
    There is no student submission text data for this assignment.

    Comments:
    There are no student comments for this assignment.

    Files:
    \tOriginal filename: gates.py
    \tFilename: Assignment 1_kimminsu_attempt_2026-03-20-23-58-03_gates.py

The receipt gives the student's name, the username exactly (ASSIGNMENT and USERNAME may both
hold underscores; without a receipt the username is the last ``_`` part before ``_attempt_``)
and each file's original name. The attempt time is the submission time; the name carries no
zone, so it is read in `tz` (see `read_blackboard`). A student's latest attempt with files is
graded; earlier attempts and receipts without files are listed as unused.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from grader import i18n
from grader.intake.model import Entry, EntryFile, nfc, plain_name
from grader.results import Skipped, clean_name

__all__ = ["Receipt", "matches", "parse_receipt", "read_blackboard"]

_NAME = re.compile(r"^(?P<head>.+)_attempt_(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<original>.+)|\.txt)$")
MAX_RECEIPT_BYTES = 256 * 1024


@dataclass(frozen=True)
class Receipt:
    """What a Blackboard receipt says: the student's name and username, and each stored file's
    original name (by the name Blackboard stored it under)."""

    name: str | None = None
    username: str | None = None
    originals: dict[str, str] = field(default_factory=dict)


@dataclass
class _Attempt:
    head: str
    time: datetime
    files: list[tuple[str, Path]] = field(default_factory=list)  # (name after the time, path)
    receipt: Path | None = None


def matches(name: str) -> bool:
    """Whether a top-level name is one Blackboard makes (used by `grader.intake.detect`)."""
    return _NAME.match(nfc(name)) is not None


def parse_receipt(text: str) -> Receipt:
    """The name, username and original file names a receipt's text gives (None/empty when absent).

    Read line by line, never with a pattern over the whole text: the student writes the receipt's
    comments. The first ``Name:`` line is Blackboard's own (it comes before the comments); file
    names are read after the last ``Files:`` line only."""
    lines = [line.strip() for line in text.splitlines()]
    name, username = None, None
    who = next((line.removeprefix("Name:").strip() for line in lines if line.startswith("Name:")), "")
    if who.endswith(")") and "(" in who:  # "Minsu Kim (kimminsu)"
        full, _, user = who[:-1].rpartition("(")
        name, username = nfc(full.strip()) or None, nfc(user.strip()) or None
    files_at = max((i for i, line in enumerate(lines) if line == "Files:"), default=len(lines))
    originals: dict[str, str] = {}
    below = lines[files_at:]
    for line, following in itertools.pairwise(below):
        if line.startswith("Original filename:") and following.startswith("Filename:"):
            stored = following.removeprefix("Filename:").strip()
            originals[nfc(stored)] = nfc(line.removeprefix("Original filename:").strip())
    return Receipt(name, username, originals)


def read_blackboard(paths: list[Path], tz: tzinfo | None) -> tuple[list[Entry], list[Skipped]]:
    """Entries from the files and receipts of a Blackboard download, attempt times read in `tz`
    (None: the grading machine's local zone, summer time included)."""
    unused: list[Skipped] = []
    attempts: dict[tuple[str, str], _Attempt] = {}
    for path in paths:
        name = nfc(path.name)
        match = _NAME.match(name)
        if path.is_dir() or match is None:
            why = "intake.blackboard_folder" if path.is_dir() else "intake.blackboard_name"
            unused.append(Skipped(clean_name(name), i18n.text(why)))
            continue
        try:
            naive = datetime.strptime(match["time"], "%Y-%m-%d-%H-%M-%S")
            when = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
        except ValueError:
            unused.append(Skipped(clean_name(name), i18n.text("intake.blackboard_date")))
            continue
        attempt = attempts.setdefault((match["head"], match["time"]), _Attempt(match["head"], when))
        if match["original"] is None:
            attempt.receipt = path
        else:
            attempt.files.append((match["original"], path))
    by_user: dict[str, list[tuple[_Attempt, Receipt]]] = {}
    for attempt in attempts.values():
        receipt = _read_receipt(attempt.receipt)
        if not attempt.files:
            assert attempt.receipt is not None
            unused.append(Skipped(clean_name(nfc(attempt.receipt.name)), i18n.text("intake.blackboard_receipt")))
            continue
        by_user.setdefault(_username(attempt.head, receipt), []).append((attempt, receipt))
    entries = []
    for user, found in by_user.items():
        found.sort(key=lambda ar: ar[0].time)
        (latest, receipt), earlier = found[-1], found[:-1]
        stamp = latest.time.strftime("%Y-%m-%d %H:%M:%S")
        for attempt, _ in earlier:
            for p in _paths(attempt):
                unused.append(Skipped(clean_name(nfc(p.name)), i18n.text("intake.blackboard_earlier", when=stamp)))
        files = tuple(EntryFile(_original(receipt, p, original), p) for original, p in latest.files)
        entries.append(
            Entry(
                clean_name(user),
                files,
                tuple(clean_name(nfc(p.name)) for p in _paths(latest)),
                name=clean_name(receipt.name) if receipt.name else None,
                submitted=latest.time,
            )
        )
    return entries, unused


def _original(receipt: Receipt, path: Path, fallback: str) -> str:
    """The file's original name from the receipt, when it gives one that is a plain file name."""
    named = receipt.originals.get(nfc(path.name))
    return named if named is not None and plain_name(named) else fallback


def _paths(attempt: _Attempt) -> list[Path]:
    return [p for _, p in attempt.files] + ([attempt.receipt] if attempt.receipt else [])


def _read_receipt(path: Path | None) -> Receipt:
    if path is None or path.stat().st_size > MAX_RECEIPT_BYTES:
        return Receipt()
    return parse_receipt(path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n"))


def _username(head: str, receipt: Receipt) -> str:
    """The username in ``ASSIGNMENT_USERNAME``: the receipt's when it ends the head, else the last part."""
    if receipt.username and head.endswith("_" + receipt.username):
        return receipt.username
    return head.rsplit("_", 1)[-1]
