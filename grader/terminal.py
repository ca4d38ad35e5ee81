"""Plain-text summaries for the terminal (colour only on a terminal, and never with NO_COLOR)."""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Callable
from typing import Any, TextIO

from grader.i18n import text
from grader.results import AssignmentResult, points

__all__ = ["Style", "can_write", "check_summary", "clip", "clip_title", "pad", "width"]

_MARKS = {"passed": "✓", "failed": "✗", "timeout": "◔", "error": "!", "skipped": "-"}
# Where the output cannot hold those: Windows writes a pipe or a file (Git Bash, `> out.txt`) in
# the system's code page, and neither cp1252 nor cp949 has ✓ or ✗.
_PLAIN_MARKS = {"passed": "+", "failed": "x", "timeout": "T", "error": "!", "skipped": "-"}
_COLOURS = {"passed": "32", "failed": "31", "timeout": "33", "error": "35", "skipped": "90", "dim": "90", "bold": "1"}
_FEEDBACK_LINES = 8
_ROW_EXTRA = len("  ✓ ") + len("  ") + len("12.5/25")  # a row's columns besides the title
_NOTE_LINES = 8


class Style:
    def __init__(self, stream: TextIO | None = None):
        stream = sys.stdout if stream is None else stream  # the one in use now, not the one at import
        tty = stream.isatty()
        self.enabled = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        if self.enabled and os.name == "nt":
            self.enabled = windows_colours(stream.fileno())
        # A terminal's width (80 columns is common on macOS): rows that wrap no longer line up.
        self.columns = shutil.get_terminal_size((100, 24)).columns if tty else None
        self.marks = _MARKS if can_write(stream, "".join(_MARKS.values())) else _PLAIN_MARKS

    def __call__(self, text: str, kind: str) -> str:
        if not self.enabled or kind not in _COLOURS:
            return text
        return f"\033[{_COLOURS[kind]}m{text}\033[0m"


_VT_PROCESSING = 0x0004  # ENABLE_VIRTUAL_TERMINAL_PROCESSING


def windows_colours(fileno: int, kernel32: Any = None, handle_of: Callable[[int], int] | None = None) -> bool:
    """Whether the Windows console on `fileno` shows ANSI colours, switched on where it can be. The
    console of Windows 10 (conhost) shows the escape codes as text until a program asks for them;
    one that cannot be asked gets no colours rather than "←[32m"."""
    import ctypes

    try:
        if kernel32 is None or handle_of is None:
            import msvcrt

            kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (Windows only)
            handle_of = getattr(msvcrt, "get_osfhandle")  # noqa: B009
        handle = handle_of(fileno)
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(mode.value & _VT_PROCESSING or kernel32.SetConsoleMode(handle, mode.value | _VT_PROCESSING))
    except (ImportError, AttributeError, OSError, ValueError):
        return False


def can_write(stream: TextIO, chars: str) -> bool:
    """Whether `stream`'s encoding has every one of `chars`."""
    try:
        chars.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def width(text: str) -> int:
    """Columns `text` takes on a terminal: wide (East Asian) characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text
    )


def clip(text: str, columns: int, mark: str = "…") -> str:
    """`text` cut to at most `columns` columns, ending in `mark` when cut."""
    if width(text) <= columns:
        return text
    kept, used = [], width(mark)
    for c in text:
        used += width(c)
        if used > columns:
            break
        kept.append(c)
    return "".join(kept) + mark


def clip_title(title: str, columns: int) -> str:
    """A check's title cut to `columns`, its case kept: "the model has the prescribed layers… [sin]".
    Cut at the end, two cases of one check would read the same."""
    head, bracket, case = title.rpartition(" [")
    if not bracket or not case.endswith("]") or width(title) <= columns:
        return clip(title, columns)
    suffix = f" [{case}"
    if width(suffix) > columns // 2:
        return clip(title, columns)
    return clip(head, columns - width(suffix)) + suffix


def pad(text: str, columns: int) -> str:
    """`text` padded with spaces to `columns` columns (`str.ljust` counts characters, not columns)."""
    return text + " " * max(0, columns - width(text))


def check_summary(result: AssignmentResult, *, report: str | None, style: Style) -> str:
    """What `grader check` prints for one assignment."""
    lines = [
        style(text("terminal.heading", id=result.id, title=result.title), "bold")
        + style(text("terminal.public_scope"), "dim")
    ]
    if result.status == "ungradable":
        lines.append(style(text("terminal.ungradable", message=result.message), "failed"))
    elif result.status == "error":
        lines.append(style(text("terminal.grader_error", message=result.message), "error"))
    for note in result.notes[:_NOTE_LINES]:
        lines.append(style(f"  · {note}", "dim"))
    if len(result.notes) > _NOTE_LINES:
        lines.append(style(text("terminal.more_notes", count=len(result.notes) - _NOTE_LINES), "dim"))
    columns = max((width(t.name) for t in result.tests), default=20)
    columns = min(columns, 72, max(30, style.columns - _ROW_EXTRA - 1) if style.columns else 72)
    for test in result.tests:
        mark = style(style.marks.get(test.status, "?"), test.status)
        score = f"{points(test.score)}/{points(test.max_score)}" if test.applicable else text("terminal.not_counted")
        name = clip_title(test.name, columns)
        suffix = "" if test.status in ("passed", "failed") else style(f" [{_status(test.status)}]", test.status)
        lines.append(f"  {mark} {pad(name, columns)}  {' ' * max(0, 7 - width(score))}{score}{suffix}")
        if test.status != "passed" and test.feedback and result.status == "graded":
            feedback = test.feedback.splitlines()
            shown = feedback[:_FEEDBACK_LINES] + (["…"] if len(feedback) > _FEEDBACK_LINES else [])
            lines.extend(style(f"      {line}", "dim") for line in shown)
    passed = sum(t.passed for t in result.tests)
    lines.append(
        text(
            "terminal.score",
            score=points(result.score),
            max_score=points(result.max_score),
            passed=passed,
            total=len(result.tests),
        )
    )
    if report:
        lines.append(text("terminal.report", path=report))
    lines.append(style(text("terminal.hidden_note"), "dim"))
    return "\n".join(lines)


def _status(status: str) -> str:
    """A check's status as the student reads it ("timeout", "error", "skipped")."""
    return text(f"status.{status}") if status in _MARKS else status
