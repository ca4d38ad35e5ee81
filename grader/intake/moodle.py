"""Moodle's "Download all submissions": a folder (or flat files) per participant and submission plugin.

Moodle (``mod/assign``) names what it downloads ``FULL NAME_PARTICIPANTID_assignsubmission_PLUGIN_``:
with "Download submissions in folders" (the default since Moodle 3.x) that is a folder holding
the files under their own names; without it, each file is ``FULL NAME_PARTICIPANTID_
assignsubmission_file_ORIGINAL``. PLUGIN is ``file`` for uploaded files and ``onlinetext`` for
an online text (HTML, not graded here). FULL NAME may hold spaces, underscores and any script
(``김민수``); on macOS it arrives decomposed (NFD) and is normalised to NFC. The participant id is
the student id; the full name is the display name. Moodle gives no submission time.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader import i18n
from grader.intake.model import Entry, EntryFile, nfc, top_files
from grader.results import Skipped, clean_name

__all__ = ["matches", "read_moodle"]

_NAME = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<rest>.*)$", re.DOTALL)


def matches(name: str) -> bool:
    """Whether a top-level name is one Moodle makes (used by `grader.intake.detect`)."""
    return _NAME.match(nfc(name)) is not None


def read_moodle(paths: list[Path]) -> tuple[list[Entry], list[Skipped]]:
    """Entries from the top-level folders and files of a Moodle download; the rest unused, with why."""
    unused: list[Skipped] = []
    folders: dict[str, tuple[str, Path]] = {}
    flat: dict[str, tuple[str, list[tuple[str, Path]]]] = {}
    for path in paths:
        name = nfc(path.name)
        shown = clean_name(name)
        match = _NAME.match(name)
        if match is None:
            unused.append(Skipped(shown, i18n.text("intake.moodle_name")))
            continue
        full, pid, plugin, rest = match["name"], match["id"], match["plugin"], match["rest"]
        if plugin == "onlinetext":
            unused.append(Skipped(shown, i18n.text("intake.moodle_online_text")))
        elif plugin != "file":
            unused.append(Skipped(shown, i18n.text("intake.moodle_plugin", plugin=clean_name(plugin))))
        elif path.is_dir() and not rest:
            folders[pid] = (full, path)
        elif path.is_file() and rest:
            flat.setdefault(pid, (full, []))[1].append((rest, path))
        else:
            why = "intake.moodle_folder" if path.is_dir() else "intake.moodle_file"
            unused.append(Skipped(shown, i18n.text(why)))
    entries = []
    for pid, (full, folder) in folders.items():
        if pid in flat:  # one participant both ways: the folder is the submission
            why = i18n.text("intake.moodle_both")
            unused += [Skipped(clean_name(nfc(p.name)), why) for _, p in flat[pid][1]]
        sources = (clean_name(nfc(folder.name)),)
        entries.append(Entry(pid, top_files(folder), sources, name=clean_name(full), folder=folder))
    for pid, (full, files) in flat.items():
        if pid in folders:
            continue
        entries.append(
            Entry(
                pid,
                tuple(EntryFile(original, path) for original, path in files),
                tuple(clean_name(nfc(p.name)) for _, p in files),
                name=clean_name(full),
            )
        )
    return entries, unused
