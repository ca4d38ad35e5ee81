"""The results model: plain dataclasses, serialised to and from JSON in this one place.

Every renderer and exporter reads these objects; none of them builds its own idea of a
result. `from_dict` is strict (unknown keys, wrong types and unknown statuses are refused),
so it doubles as the schema check for `results.json` and `grader check --json`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from grader import i18n
from grader.i18n import DEFAULT as DEFAULT_LANG
from grader.i18n import LANGUAGES
from grader.version import __version__

__all__ = [
    "ASSIGNMENT_STATUSES",
    "TEST_STATUSES",
    "Adjustment",
    "AssignmentResult",
    "GradingRun",
    "Skipped",
    "SubmissionResult",
    "TestResult",
    "counted_max_score",
    "load_run",
    "points",
    "save_run",
]

AssignmentStatus = Literal["graded", "ungradable", "missing", "error"]
TestStatus = Literal["passed", "failed", "error", "timeout", "skipped"]
Visibility = Literal["public", "hidden"]
Scope = Literal["public", "all"]

ASSIGNMENT_STATUSES: tuple[str, ...] = ("graded", "ungradable", "missing", "error")
TEST_STATUSES: tuple[str, ...] = ("passed", "failed", "error", "timeout", "skipped")
VISIBILITIES: tuple[str, ...] = ("public", "hidden")
SCOPES: tuple[str, ...] = ("public", "all")
NOT_ON_ROSTER = "not on the roster"  # the note on a submission whose student the roster does not list


@dataclass
class TestResult:
    """One check's outcome. `feedback` is what the student reads; `output` is what their code printed."""

    __test__ = False  # not a pytest test class

    id: str
    name: str
    status: TestStatus
    score: float
    max_score: float
    visibility: Visibility
    feedback: str = ""
    output: str = ""
    duration_s: float = 0.0
    plots: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""  # a hidden check's feedback before what the student's code said was taken out: instructors only

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def applicable(self) -> bool:
        """Whether the check's points count: a skipped check (not applicable here) does not."""
        return self.status != "skipped"


def points(value: float) -> str:
    """A score as people write it: 2.0 -> '2', 0.5 -> '0.5', 12.25 -> '12.25'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def counted_max_score(tests: list[TestResult]) -> float:
    """The points at stake: every check's points except those of skipped checks.

    A check is skipped when it cannot apply on the grading machine (a GPU-only check on a
    machine without CUDA): it is reported with its reason, and neither earns nor costs points.
    """
    return sum(t.max_score for t in tests if t.applicable)


@dataclass(frozen=True)
class Adjustment:
    """Points an instructor added or took away (`grader.overrides`), with the reason the student reads."""

    points: float
    reason: str
    check: str = ""  # the check it is about, when it is about one


@dataclass
class AssignmentResult:
    """One assignment graded for one student.

    `score` is the final score. When a late policy or an override applied (`grader.marking`),
    `raw_score` is what the checks gave, and `days_late`, `penalty` and `adjustments` say how the
    final score came from it; `late_note` says how lateness was judged (or that it could not be).
    `previous_score` is the final score of the run before this one, when there was one.
    """

    id: int
    slug: str
    title: str
    status: AssignmentStatus
    score: float
    max_score: float
    scope: Scope = "all"
    message: str = ""
    duration_s: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the submission was read (a notebook's cells left out)
    raw_score: float | None = None
    submitted: str = ""  # when it was handed in (ISO 8601), when known
    days_late: int = 0
    penalty: float = 0.0
    late_note: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)
    previous_score: float | None = None
    lang: str = "en"  # the language of its titles, feedback and messages (`grader.i18n`)

    @property
    def label(self) -> str:
        return f"{self.id:02d}_{self.slug}"

    @property
    def counted(self) -> bool:
        """Whether the score counts: a grader error leaves it blank, never charged as 0."""
        return self.status != "error"

    @property
    def changed(self) -> bool:
        """Whether the final score differs from the previous run's."""
        return self.previous_score is not None and abs(self.previous_score - self.score) > 1e-9

    @property
    def public_tests(self) -> list[TestResult]:
        return [t for t in self.tests if t.visibility == "public"]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(TEST_STATUSES, 0)
        for test in self.tests:
            counts[test.status] += 1
        return counts


@dataclass
class SubmissionResult:
    """Everything graded for one student."""

    student: str  # the id the submissions were found under (cleaned and unique)
    assignments: list[AssignmentResult] = field(default_factory=list)
    name: str = ""  # the student's name, from the roster or the LMS download
    section: str = ""
    notes: list[str] = field(default_factory=list)  # about the submission as a whole (not on the roster, ...)
    lms_id: str = ""  # the LMS's own user id, where the download gives it (Canvas)

    @property
    def score(self) -> float:
        return sum(a.score for a in self.assignments if a.counted)

    @property
    def max_score(self) -> float:
        return sum(a.max_score for a in self.assignments)

    def assignment(self, assignment_id: int) -> AssignmentResult | None:
        return next((a for a in self.assignments if a.id == assignment_id), None)


@dataclass(frozen=True)
class Skipped:
    """An entry of the submissions folder that was not graded, and why."""

    name: str
    reason: str


@dataclass
class GradingRun:
    """A batch: the top-level object of results.json."""

    submissions: list[SubmissionResult] = field(default_factory=list)
    grader_version: str = __version__
    created: str = field(default_factory=lambda: now_iso())
    isolation: dict[str, Any] = field(default_factory=dict)  # `grader.isolation.Isolation.to_dict()` of the workers
    skipped: list[Skipped] = field(default_factory=list)  # what the submissions folder held that was not graded
    layout: str = ""  # how the submissions folder was read (`grader.intake`): "canvas (detected)"
    lang: str = "en"  # the language of the feedback and the reports (`grader.i18n`)


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` safe to store, print and put in a report: lone surrogates (which cannot be written as
    UTF-8), NUL and other control characters (terminal escapes among them) become U+FFFD; line
    breaks and tabs stay. Every text that reaches a result passes through here."""
    text = text.replace("\r\n", "\n")
    return _UNPRINTABLE.sub("\ufffd", text) if _UNPRINTABLE.search(text) else text


FEEDBACK_CAP = 8000  # characters of one check's feedback (and of its detail) kept in the results


def cap_text(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + i18n.text("runner.more_characters", count=len(text) - limit)


_LINE_BREAKS = re.compile("[\t\n\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NAME_CAP = 120  # characters of a student's or a file's name kept for display


def clean_name(name: str) -> str:
    """A name (a student's folder, a file) safe to print on one line and show: `clean_text`, and
    no line breaks, tabs or bidirectional overrides either; at most NAME_CAP characters."""
    cleaned = _LINE_BREAKS.sub("\ufffd", clean_text(name)).strip()
    return cleaned if len(cleaned) <= NAME_CAP else cleaned[: NAME_CAP - 1] + "…"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- serialisation -------------------------------------------------------------------------


def to_dict(obj: TestResult | AssignmentResult | SubmissionResult | GradingRun) -> dict[str, Any]:
    """The JSON-ready dict of any results object (field order kept)."""
    if isinstance(obj, TestResult):
        return {
            "id": obj.id,
            "name": obj.name,
            "status": obj.status,
            "score": obj.score,
            "max_score": obj.max_score,
            "visibility": obj.visibility,
            "feedback": obj.feedback,
            "output": obj.output,
            "duration_s": obj.duration_s,
            "plots": [dict(p) for p in obj.plots],
            "detail": obj.detail,
        }
    if isinstance(obj, AssignmentResult):
        return {
            "id": obj.id,
            "slug": obj.slug,
            "title": obj.title,
            "status": obj.status,
            "score": obj.score,
            "max_score": obj.max_score,
            "scope": obj.scope,
            "message": obj.message,
            "duration_s": obj.duration_s,
            "tests": [to_dict(t) for t in obj.tests],
            "notes": list(obj.notes),
            **_marking_dict(obj),
            **({"lang": obj.lang} if obj.lang != DEFAULT_LANG else {}),
        }
    if isinstance(obj, SubmissionResult):
        extra = {key: value for key in ("name", "section", "notes", "lms_id") if (value := getattr(obj, key))}
        return {"student": obj.student, **extra, "assignments": [to_dict(a) for a in obj.assignments]}
    return {
        "grader_version": obj.grader_version,
        "created": obj.created,
        "isolation": dict(obj.isolation),
        "skipped": [{"name": k.name, "reason": k.reason} for k in obj.skipped],
        **({"layout": obj.layout} if obj.layout else {}),
        "lang": obj.lang,
        "submissions": [to_dict(s) for s in obj.submissions],
    }


def _marking_dict(result: AssignmentResult) -> dict[str, Any]:
    """The marking fields of an assignment's dict, only those that say something."""
    out: dict[str, Any] = {}
    if result.raw_score is not None:
        out["raw_score"] = result.raw_score
    if result.submitted:
        out["submitted"] = result.submitted
    if result.days_late:
        out["days_late"] = result.days_late
    if result.penalty:
        out["penalty"] = result.penalty
    if result.late_note:
        out["late_note"] = result.late_note
    if result.adjustments:
        out["adjustments"] = [{"points": a.points, "reason": a.reason, "check": a.check} for a in result.adjustments]
    if result.previous_score is not None:
        out["previous_score"] = result.previous_score
    return out


class _Reader:
    """Strict reading of one JSON object: every key known, every type right."""

    def __init__(self, data: Any, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            raise ValueError(f"{what}: expected an object, got {type(data).__name__}")
        unknown = set(data) - set(required) - set(optional)
        if unknown:
            raise ValueError(f"{what}: unknown keys {sorted(unknown)}")
        missing = [k for k in required if k not in data]
        if missing:
            raise ValueError(f"{what}: missing keys {missing}")
        self.data = data
        self.what = what

    def text(self, key: str, default: str = "", choices: tuple[str, ...] | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise ValueError(f"{self.what}.{key}: expected a string")
        value = clean_text(value)
        if choices is not None and value not in choices:
            raise ValueError(f"{self.what}.{key}: {value!r} is not one of {list(choices)}")
        return value

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if type(value) is not int:
            raise ValueError(f"{self.what}.{key}: expected an integer")
        return value

    def number(self, key: str, default: float = 0.0) -> float:
        value = self.data.get(key, default)
        if type(value) not in (int, float) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{self.what}.{key}: expected a finite number >= 0")
        return float(value)

    def optional_number(self, key: str) -> float | None:
        return self.number(key) if key in self.data else None

    def signed(self, key: str) -> float:
        value = self.data.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{self.what}.{key}: expected a finite number")
        return float(value)

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise ValueError(f"{self.what}.{key}: expected a list")
        return value


def test_from_dict(data: Any) -> TestResult:
    r = _Reader(
        data,
        "test",
        ("id", "name", "status", "score", "max_score", "visibility"),
        ("feedback", "output", "duration_s", "plots", "detail"),
    )
    plots = r.items("plots")
    if not all(isinstance(p, dict) for p in plots):
        raise ValueError("test.plots: expected a list of objects")
    return TestResult(
        id=r.text("id"),
        name=r.text("name"),
        status=cast(TestStatus, r.text("status", choices=TEST_STATUSES)),
        score=r.number("score"),
        max_score=r.number("max_score"),
        visibility=cast(Visibility, r.text("visibility", choices=VISIBILITIES)),
        feedback=r.text("feedback"),
        output=r.text("output"),
        duration_s=r.number("duration_s"),
        plots=plots,
        detail=r.text("detail"),
    )


test_from_dict.__test__ = False  # type: ignore[attr-defined]


def assignment_from_dict(data: Any) -> AssignmentResult:
    r = _Reader(
        data,
        "assignment",
        ("id", "slug", "title", "status", "score", "max_score", "tests"),
        ("scope", "message", "duration_s", "notes", "lang", *_MARKING_KEYS),
    )
    notes = r.items("notes")
    if not all(isinstance(n, str) for n in notes):
        raise ValueError("assignment.notes: expected a list of strings")
    adjustments = []
    for item in r.items("adjustments"):
        a = _Reader(item, "assignment.adjustments", ("points", "reason"), ("check",))
        adjustments.append(Adjustment(points=a.signed("points"), reason=a.text("reason"), check=a.text("check")))
    return AssignmentResult(
        id=r.integer("id"),
        slug=r.text("slug"),
        title=r.text("title"),
        status=cast(AssignmentStatus, r.text("status", choices=ASSIGNMENT_STATUSES)),
        score=r.number("score"),
        max_score=r.number("max_score"),
        scope=cast(Scope, r.text("scope", "all", choices=SCOPES)),
        message=r.text("message"),
        duration_s=r.number("duration_s"),
        tests=[test_from_dict(t) for t in r.items("tests")],
        notes=[clean_text(n) for n in notes],
        raw_score=r.optional_number("raw_score"),
        submitted=r.text("submitted"),
        days_late=int(r.number("days_late")),
        penalty=r.number("penalty"),
        late_note=r.text("late_note"),
        adjustments=adjustments,
        previous_score=r.optional_number("previous_score"),
        lang=r.text("lang", DEFAULT_LANG, choices=LANGUAGES),
    )


_MARKING_KEYS = ("raw_score", "submitted", "days_late", "penalty", "late_note", "adjustments", "previous_score")


def submission_from_dict(data: Any) -> SubmissionResult:
    r = _Reader(data, "submission", ("student", "assignments"), ("name", "section", "notes", "lms_id"))
    notes = r.items("notes")
    if not all(isinstance(n, str) for n in notes):
        raise ValueError("submission.notes: expected a list of strings")
    return SubmissionResult(
        student=r.text("student"),
        assignments=[assignment_from_dict(a) for a in r.items("assignments")],
        name=r.text("name"),
        section=r.text("section"),
        notes=[clean_text(n) for n in notes],
        lms_id=r.text("lms_id"),
    )


def run_from_dict(data: Any) -> GradingRun:
    r = _Reader(
        data, "results", ("grader_version", "created", "submissions"), ("isolation", "skipped", "layout", "lang")
    )
    isolation = r.data.get("isolation", {})
    if not isinstance(isolation, dict):
        raise ValueError("results.isolation: expected an object")
    skipped = []
    for item in r.items("skipped"):
        entry = _Reader(item, "results.skipped", ("name", "reason"))
        skipped.append(Skipped(entry.text("name"), entry.text("reason")))
    return GradingRun(
        grader_version=r.text("grader_version"),
        created=r.text("created"),
        isolation=isolation,
        skipped=skipped,
        layout=r.text("layout"),
        lang=r.text("lang", DEFAULT_LANG, choices=LANGUAGES),
        submissions=[submission_from_dict(s) for s in r.items("submissions")],
    )


def dumps(obj: TestResult | AssignmentResult | SubmissionResult | GradingRun) -> str:
    return json.dumps(to_dict(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_run(run: GradingRun, path: Path) -> None:
    """Write results.json atomically: a crash never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(run), encoding="utf-8")
    tmp.replace(path)


def load_run(path: Path) -> GradingRun:
    return run_from_dict(json.loads(path.read_text(encoding="utf-8")))
