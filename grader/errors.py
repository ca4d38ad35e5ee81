"""The grader's exception tree.

Library code raises these; only the command line turns them into one line of text and an
exit code. Each error carries what it is about (a course file and key, a student, a file, a
check) so the line can name it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CodecError",
    "CourseError",
    "GraderError",
    "MessageError",
    "SandboxError",
    "SubmissionError",
]


class GraderError(Exception):
    """Root of every error the grader raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        """How IPython shows the error in a notebook: one line, as the command line would say it."""
        return [f"grader: {self}"]


class CourseError(GraderError):
    """A course definition (assignment.toml, check folders) is broken.

    Names the file and, where there is one, the key at fault.
    """

    def __init__(self, message: str, *, path: Path | str | None = None, key: str | None = None):
        self.path = Path(path) if path is not None else None
        self.key = key
        self.reason = message
        where = ""
        if self.path is not None:
            where = str(self.path)
            if key:
                where += f", key '{key}'"
            where += ": "
        super().__init__(where + message)


class SubmissionError(GraderError):
    """A student's submission cannot be graded (missing, unreadable or unparsable file).

    This is the student's problem, not the grader's: it makes an assignment `ungradable`.
    """

    def __init__(self, message: str, *, student: str | None = None, file: str | None = None):
        self.student = student
        self.file = file
        self.reason = message
        super().__init__(message)


class SandboxError(GraderError):
    """The sandbox could not be set up or a worker could not be started."""


class CodecError(GraderError):
    """A message between judge and worker is malformed, too large or not plain data."""


class MessageError(CodecError):
    """A message between the grader's processes (`grader.messages`) has a key its reader does not
    know, lacks one, or holds a value of the wrong type: the two sides disagree."""
