"""The pytest plugin the judge runs the checks with.

It provides the `submission` and `student_files` fixtures, reads `@pytest.mark.points(n)`,
takes a check's title from its docstring and its feedback from the assertion message, and
records one `TestResult` per check. A check passes only when this plugin saw it pass and the
worker was not charged with a failure during it. Hidden checks' source never reaches the
results: feedback is built from the exception object, never from pytest's traceback text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.course import Assignment
from grader.errors import GraderError, RemoteError, WorkerFailure
from grader.i18n import pick, text
from grader.judge.client import WorkerClient
from grader.judge.submission import StudentFiles, Submission
from grader.messages import JudgeJob
from grader.results import FEEDBACK_CAP, TestResult, cap_text

__all__ = ["GraderPlugin", "Plots"]

_NOTE_CAP = 3000


class Plots:
    """The charts one check attaches to its result (kept even when the check then fails)."""

    MAX_BYTES = 600_000

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []
        self._bytes = 0

    def add(self, svg: str, caption: str = "") -> None:
        if not svg.startswith("<svg"):
            raise ValueError("plots.add expects an SVG made by grader.plots")
        self._bytes += len(svg)
        if self._bytes <= self.MAX_BYTES:
            self.items.append({"svg": svg, "caption": caption})


@dataclass
class _Pending:
    result: TestResult
    started: float
    exc_status: str | None = None
    exc_feedback: str = ""
    exc_detail: str = ""  # what only the instructor reads of a hidden check's failure (the student's words)
    skipped_reason: str | None = None
    phases_ok: set[str] = field(default_factory=set)
    plots: Plots = field(default_factory=Plots)


class GraderPlugin:
    def __init__(self, job: JudgeJob, assignment: Assignment, *, client: WorkerClient | None = None):
        """`client`: the job's worker client if the judge made it already (`WorkerClient.for_job`)."""
        self.assignment = assignment
        self.rebind(job, client=client)
        self.pending: dict[str, _Pending] = {}
        self.order: list[str] = []
        self.problems: list[str] = []

    def rebind(self, job: JudgeJob, *, client: WorkerClient | None = None) -> None:
        """Grade `job`'s submission (a template's judge, forked after collection, is given its own)."""
        self.job = job
        self.client = client or WorkerClient.for_job(job, self.assignment)

    # --- fixtures ----------------------------------------------------------------------------

    @pytest.fixture
    def submission(self) -> Submission:
        """The student's module; attribute reads and calls run in the sandboxed worker."""
        return Submission(self.client, f"{self.assignment.module}.py")  # feedback is rewritten for notebooks

    @pytest.fixture
    def student_files(self) -> StudentFiles:
        """The submitted files as text, for syntax-tree checks in the judge."""
        declared = [*self.job.files, *self.assignment.submitted_files]
        return StudentFiles(self.job.submission_dir, sorted(set(declared)), self.job.sources)

    @pytest.fixture
    def plots(self, request: pytest.FixtureRequest) -> Plots:
        """Charts for the report: ``plots.add(svg, caption)`` with an SVG from `grader.plots`."""
        return self.pending[request.node.nodeid].plots

    @pytest.fixture
    def data_dir(self) -> Path:
        """The folder the course's data sets are looked for in (`--data-dir`, $GRADER_DATA, the cache)."""
        return self.job.data_dir

    @pytest.fixture
    def worker_client(self) -> WorkerClient:
        """The worker itself, for checks that need more than the module proxy."""
        return self.client

    # --- hooks -------------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): how many points the check is worth")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(text("judge.load_failed", file=Path(report.nodeid).name or text("judge.a_check_file")))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.order.append(item.nodeid)
            self.pending[item.nodeid] = _Pending(result=self._blank(item), started=0.0)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        pending = self.pending[nodeid]
        pending.started = time.monotonic()
        self.client.begin_check(reveal_args=pending.result.visibility == "public")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report = outcome.get_result()
        pending = self.pending[item.nodeid]
        if report.skipped:
            pending.skipped_reason = _skip_reason(report)
        elif call.excinfo is not None and pending.exc_status is None:
            pending.exc_status, pending.exc_feedback = self._classify(call.excinfo.value, call.when, pending.result)
            if isinstance(call.excinfo.value, RemoteError) and pending.result.visibility == "hidden":
                pending.exc_detail = _remote_detail(call.excinfo.value)
        elif report.passed:
            pending.phases_ok.add(call.when)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        pending = self.pending[nodeid]
        output, failure = self.client.end_check()
        result = pending.result
        result.duration_s = round(time.monotonic() - pending.started, 4)
        result.output = output if result.visibility == "public" else _hidden_output(output)
        for source_map in self.job.sources.values():  # a notebook's student reads cells, not a module
            result.output = source_map.rewrite(result.output)
            pending.exc_feedback = source_map.rewrite(pending.exc_feedback)
            pending.exc_detail = source_map.rewrite(pending.exc_detail)
            if failure is not None:
                failure.message = source_map.rewrite(failure.message)
        if failure is not None:
            result.status, result.feedback = failure.status, failure.message  # type: ignore[assignment]
        elif pending.exc_status is not None:
            result.status, result.feedback = pending.exc_status, pending.exc_feedback  # type: ignore[assignment]
        elif pending.skipped_reason is not None:
            result.status, result.feedback = "skipped", pending.skipped_reason
        elif {"setup", "call", "teardown"} <= pending.phases_ok:
            result.status, result.feedback = "passed", ""
        else:
            result.status, result.feedback = "error", text("judge.incomplete")
        if result.visibility == "hidden":  # the student reads the judge's words only; the instructor, all
            full = pending.exc_detail if failure is None and pending.exc_detail else result.feedback
            result.feedback = redact(result.feedback, self.client.student_texts())
            result.detail = cap_text(full, FEEDBACK_CAP) if result.feedback != full else ""
        result.feedback = cap_text(result.feedback, FEEDBACK_CAP)
        result.score = result.max_score if result.status == "passed" else 0.0
        result.plots = pending.plots.items

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.client.close()

    # --- helpers -----------------------------------------------------------------------------

    def results(self) -> list[TestResult]:
        return [self.pending[nodeid].result for nodeid in self.order]

    def _blank(self, item: pytest.Item) -> TestResult:
        path = Path(str(getattr(item, "path", item.nodeid.split("::")[0])))
        visibility = "hidden" if path.parent.name == "hidden" else "public"
        return TestResult(
            id=f"{visibility}/{item.nodeid.split('/')[-1]}",
            name=_title(item),
            status="error",
            score=0.0,
            max_score=_points(item),
            visibility=visibility,  # type: ignore[arg-type]
            feedback=text("judge.not_run"),
        )

    def _classify(self, exc: BaseException, phase: str, result: TestResult) -> tuple[str, str]:
        """(status, feedback) for an exception raised in one phase of a check."""
        exc = _first_of_group(exc)
        public = result.visibility == "public"
        if isinstance(exc, WorkerFailure):
            return exc.status, exc.message
        if isinstance(exc, AssertionError):
            message = str(exc).strip() or text("judge.failed")
            return "failed", _with_notes(message, exc, public)
        if isinstance(exc, RemoteError):
            message = str(exc)  # a hidden check's: the call and the built-in kind of error only
            if exc.student_traceback and public:
                message += "\n" + exc.student_traceback.rstrip()
            return "failed", _with_notes(message, exc, public)
        if isinstance(exc, GraderError):  # the sandbox or the codec failed: not the student's doing
            return "error", text("judge.grader_failed", type=type(exc).__name__, error=_first_line(exc))
        hypothesis_kind = _hypothesis_error(exc)
        if hypothesis_kind == "flaky":
            return "failed", text("judge.flaky")
        if hypothesis_kind is not None or phase != "call":
            return "error", text("judge.check_broke", type=type(exc).__name__)
        return "failed", _with_notes(
            text("judge.unusable_result", type=type(exc).__name__, error=_first_line(exc)),
            exc,
            public,
        )


def _remote_detail(exc: RemoteError) -> str:
    """Everything of the student's exception, for the instructor."""
    raised = f"{exc.type_name}: {exc.message}" if exc.message else exc.type_name
    detail = text("worker.raised", call=exc.call, error=raised)
    return detail + ("\n" + exc.student_traceback.rstrip() if exc.student_traceback else "")


def _title(item: pytest.Item) -> str:
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip()
    title = doc.splitlines()[0].strip() if doc else item.name.split("[")[0].removeprefix("test_").replace("_", " ")
    korean = getattr(function, "__grader_title_ko__", None)
    if isinstance(korean, str) and korean.strip():
        title = pick(title, korean.strip())
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        title += f" [{callspec.id}]"
    return title


def _points(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    if marker is None:
        return 0.0
    value = marker.args[0] if marker.args else marker.kwargs.get("n", 0)
    if type(value) not in (int, float) or value < 0:
        raise pytest.UsageError(f"{item.nodeid}: points must be a non-negative number")
    return float(value)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


def _first_of_group(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        failures = [e for e in exc.exceptions if isinstance(e, WorkerFailure)]
        exc = failures[0] if failures else exc.exceptions[0]
    return exc


def _with_notes(text: str, exc: BaseException, public: bool) -> str:
    """Add hypothesis's shrunk counterexample for public checks only."""
    notes = [n for n in getattr(exc, "__notes__", []) if isinstance(n, str)]
    if not public or not notes:
        return text
    kept = []
    for note in notes:
        lines = [
            ln
            for ln in note.splitlines()
            if not ln.strip().startswith(("submission=", "student_files=", "worker_client="))
        ]
        kept.append("\n".join(lines))
    return (text + "\n" + "\n".join(kept))[: len(text) + _NOTE_CAP]


def _hypothesis_error(exc: BaseException) -> str | None:
    try:
        from hypothesis import errors
    except ImportError:  # pragma: no cover
        return None
    flaky = tuple(getattr(errors, name) for name in ("Flaky", "FlakyFailure") if hasattr(errors, name))
    if flaky and isinstance(exc, flaky):
        return "flaky"
    if isinstance(exc, errors.HypothesisException):
        return "other"
    return None


ELIDED = "[…]"


def redact(text: str, student_texts: list[str]) -> str:
    """`text` without any of `student_texts` (what the student's code said during a hidden check:
    its exception messages, class names, returned strings): each is replaced by "[…]", and lines
    left holding nothing else go. Texts shorter than three characters are left: they cannot carry
    a hidden input, and would mangle the judge's own words."""
    for piece in sorted({t for t in student_texts if len(t.strip()) >= 3}, key=len, reverse=True):
        if piece in text:
            text = text.replace(piece, ELIDED)
    lines = [line for line in text.splitlines() if line.strip() not in (ELIDED, "")]
    return "\n".join(lines)


def _hidden_output(output: str) -> str:
    return text("judge.hidden_output") if output.strip() else ""


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else ""
