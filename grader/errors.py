"""The grader's exception tree and its exit codes: every exception class of the package is here.

Three roots, each caught in its own place:

- `GraderError`: what the grader raises on purpose. Library code raises it; only the command
  line turns it into one line of text and an exit code. Each error carries what it is about (a
  course file and key, a student, a file, a check) so the line can name it.
- `WorkerFailure` (a `BaseException`): the process running the student's code could not answer.
  Its kinds are subclasses, each with the check status it gives.
- `RemoteError`: the student's code raised an exception, described as data by the worker.

The rest are control flow inside one process (`Forked`, `ServerStop`, `MemoryExceeded`) and
`MissingName`, what a check sees when the student's module lacks a name.
"""

from __future__ import annotations

import builtins
from enum import IntEnum
from pathlib import Path
from typing import Any

from grader.i18n import text as _say  # a leaf: it imports nothing of the grader either

__all__ = [
    "BatchInterrupted",
    "CodecError",
    "CourseError",
    "DataError",
    "ExitCode",
    "Forked",
    "GraderError",
    "InputFileError",
    "InsecureGrading",
    "IntakeError",
    "MemoryExceeded",
    "MessageError",
    "MissingName",
    "OverridesError",
    "PolicyError",
    "RemoteError",
    "RosterError",
    "SandboxError",
    "ServerStop",
    "StaleHandle",
    "StaleNotebook",
    "SubmissionError",
    "WorkerCrashed",
    "WorkerFailure",
    "WorkerFatal",
    "WorkerImportFailed",
    "WorkerOutOfMemory",
    "WorkerProtocolError",
    "WorkerTimeout",
    "ZygoteError",
    "remote_error",
]


class ExitCode(IntEnum):
    """Exit statuses of the grader's commands and of the processes it starts."""

    OK = 0
    FAILED = 1  # `grader check`: a check failed; `grader validate`: the course is not right
    ERROR = 2  # a GraderError: bad input, a broken course, a machine that cannot grade
    TEMPLATE_UNUSABLE = 3  # a judge template could not serve (grader.judge.template)
    NO_CHECKS = 5  # pytest's own status when nothing was collected
    ORPHANED = 70  # a child whose parent went away before it started, or that could not become what it was asked
    WORKER_FATAL = 71  # the student's code raised SystemExit or the like: the worker ends after replying
    INTERRUPTED = 130  # Ctrl-C, as a shell reports it


# --- what the grader raises on purpose -------------------------------------------------------


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


class InputFileError(GraderError):
    """A file the instructor gives the grader (roster, late policy, extensions, times, overrides)
    is unreadable or wrong. Names the file and, where there is one, the line or key at fault, so
    the command line's one line says where to look."""

    def __init__(self, message: str, *, path: Path | str, line: int | None = None, key: str | None = None):
        self.path = Path(path)
        self.line = line
        self.key = key
        self.reason = message
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if key:
            where += f", key '{key}'"
        super().__init__(f"{where}: {message}")


class RosterError(InputFileError):
    """The roster CSV (`grader.roster`) cannot be used."""


class PolicyError(InputFileError):
    """The late policy TOML, the extensions CSV or the submission times CSV (`grader.policy`)."""


class OverridesError(InputFileError):
    """The overrides CSV (`grader.overrides`) cannot be used."""


class IntakeError(GraderError):
    """A submissions folder cannot be read as the layout asked for (`grader.intake`): not a
    folder, an unknown layout. What one student's entry does wrong is listed, never raised."""

    def __init__(self, message: str, *, path: Path | str | None = None):
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class StaleNotebook(GraderError):
    """The notebook on disk is older than the cells the kernel ran: the file is not what was run."""


class DataError(GraderError):
    """A data set's folder is unusable: names the file at fault and what is wrong with it."""

    def __init__(self, message: str, *, path: Path | str | None = None):
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class CodecError(GraderError):
    """A message between processes is malformed, too large or not plain data."""


class MessageError(CodecError):
    """A message between the grader's processes (`grader.messages`) has a key its reader does not
    know, lacks one, or holds a value of the wrong type: the two sides disagree."""


class SandboxError(GraderError):
    """The sandbox could not be set up or a worker could not be started."""


class ZygoteError(SandboxError):
    """The zygote cannot serve this request (not running, refused, gone): start a fresh process."""


class InsecureGrading(SandboxError):
    """`grader grade` without network and filesystem isolation, and without ``--insecure``."""

    def __init__(self, described: str):
        """`described`: what student code gets here, as `grader.isolation.Isolation.describe` says it."""
        super().__init__(_say("cli.insecure", isolation=described))


class BatchInterrupted(GraderError):
    """The batch was stopped (Ctrl-C); what finished is saved and a rerun grades the rest."""

    def __init__(self, run: Any, total: int):
        """`run`: the `grader.results.GradingRun` of what finished (this module imports nothing of
        the grader but `grader.i18n`, so it can be the bottom of every import)."""
        super().__init__(f"interrupted: {len(run.submissions)} of {total} submissions graded and saved")
        self.run = run
        self.total = total


# --- the worker could not answer --------------------------------------------------------------


class WorkerFailure(BaseException):
    """The worker could not answer: it hung, died, ran out of memory or ended itself.

    A `BaseException` on purpose: a check's ``except Exception`` cannot swallow it, and the
    judge records it against the check even if something did. Raise one of the kinds below;
    `kind` names it in tests and logs, `status` is what the check becomes.
    """

    kind = "failure"
    status = "failed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WorkerTimeout(WorkerFailure):
    """A call, a check's calls together or the import took longer than allowed."""

    kind = "timeout"
    status = "timeout"


class WorkerCrashed(WorkerFailure):
    """The process running the student's code died or closed its connection."""

    kind = "crashed"


class WorkerOutOfMemory(WorkerFailure):
    """The worker used more memory than the assignment allows."""

    kind = "memory"


class WorkerProtocolError(WorkerFailure):
    """The worker's reply was malformed, refused or not something a check can use."""

    kind = "protocol"


class WorkerFatal(WorkerFailure):
    """The student's code raised SystemExit, KeyboardInterrupt or the like: the worker ended."""

    kind = "fatal"


class WorkerImportFailed(WorkerFailure):
    """Importing the student's module raised: no check of the module can run."""

    kind = "import"


class StaleHandle(WorkerFailure):
    """An object from before the worker restarted was used again."""

    kind = "stale"


# --- the student's code raised ----------------------------------------------------------------

_NAME_CAP = 100  # a class's or an attribute's name, as the worker reports it
_MESSAGE_CAP = 2000
_TRACEBACK_CAP = 4000


class RemoteError(Exception):
    """The student's code raised an exception (described as data by the worker).

    Instances made by `remote_error` are also instances of the nearest built-in exception class
    the student's exception derives from, so checks can write ``pytest.raises(ValueError)``.
    """

    def __init__(self, info: dict[str, Any], call: str, *, shown_type: str | None = None):
        """`shown_type`: say only this (a built-in exception's name) in the error's text, never the
        student's class name or message, which a hidden check must not pass on."""
        self.type_name = str(info.get("type", "Exception"))[:_NAME_CAP]
        self.message = str(info.get("message", ""))[:_MESSAGE_CAP]
        self.student_traceback = str(info.get("traceback", ""))[-_TRACEBACK_CAP:]
        self.names: list[str] = [str(n)[:_NAME_CAP] for n in info.get("names", [])][:60]
        self.call = call
        if shown_type is not None:
            text = shown_type
        else:
            text = f"{self.type_name}: {self.message}" if self.message else self.type_name
        if self.type_name == "NotImplementedError" and not self.message:
            text += _say("worker.not_written")
        super().__init__(_say("worker.raised", call=call, error=text) if call else text)


_remote_classes: dict[str, type[RemoteError]] = {}


def remote_error(info: dict[str, Any], call: str, *, reveal: bool = True) -> RemoteError:
    """A `RemoteError` that is also the student's exception's nearest built-in base class;
    without `reveal`, its text names only that class (a hidden check's call)."""
    base: type[Exception] = Exception
    for name in info.get("mro", []):
        candidate = getattr(builtins, str(name), None)
        if isinstance(candidate, type) and issubclass(candidate, Exception):
            base = candidate
            break
    cls = _remote_classes.get(base.__name__)
    if cls is None:
        cls = type(f"Remote{base.__name__}", (RemoteError, base), {})
        _remote_classes[base.__name__] = cls
    error = cls.__new__(cls)
    RemoteError.__init__(error, info, call, shown_type=None if reveal else base.__name__)
    return error


class MissingName(AssertionError, AttributeError):
    """The student's module lacks a name the statement asks for.

    An `AssertionError` so the check fails with this message as feedback, and an
    `AttributeError` so that ``getattr(submission, name, default)`` works.
    """


# --- control flow inside one process ----------------------------------------------------------


class MemoryExceeded(Exception):
    """The judge's watch of a worker's memory found it over the limit (becomes `WorkerOutOfMemory`)."""

    def __init__(self, used: int):
        super().__init__(used)
        self.used = used


class ServerStop(Exception):
    """Ends a zygote's or template's serving loop."""


class Forked(BaseException):
    """Raised in a freshly forked template child to leave the server's loop for pytest's."""

    def __init__(self, request: Any):
        """`request`: the `grader.zygote.child.Request` the child was forked for."""
        super().__init__()
        self.request = request
