"""What a comparison of a class finds, as plain data: the pairs kept, and counts of all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.results import Skipped
from grader.sources import SourceMap

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_THRESHOLD",
    "HISTOGRAM_BINS",
    "AssignmentSimilarity",
    "FileView",
    "Match",
    "Pair",
    "SimilarityRun",
]

DEFAULT_THRESHOLD = 0.5  # pairs at or above it are listed: copies of the course's solutions score 0.73 and more
DEFAULT_LIMIT = 100  # pairs kept per assignment, highest first
HISTOGRAM_BINS = 20  # pair scores counted in bins of 0.05; the last bin holds 1.0


@dataclass(frozen=True)
class Match:
    """The regions of one file that two students share: 1-based, inclusive line ranges of each
    student's file (as compared: a notebook's converted module), and the share of each file's
    fingerprints the other has too."""

    file: str
    lines_a: tuple[tuple[int, int], ...]
    lines_b: tuple[tuple[int, int], ...]
    shared_a: float
    shared_b: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "lines": [[list(r) for r in self.lines_a], [list(r) for r in self.lines_b]],
            "shared": [self.shared_a, self.shared_b],
        }


@dataclass(frozen=True)
class Pair:
    """Two students' code for one assignment, and how alike it is (0: nothing shared beyond what
    every student receives, 1: the same fingerprints). `page`: the side-by-side view, relative to
    the output folder."""

    assignment: int
    students: tuple[str, str]
    similarity: float
    matches: tuple[Match, ...] = ()
    page: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "students": list(self.students),
            "similarity": self.similarity,
            "matches": [m.to_dict() for m in self.matches],
            "page": self.page,
        }


@dataclass(frozen=True)
class FileView:
    """What the side-by-side page of a pair shows of one file: both texts as compared, the
    character ranges [start, end) they share, and for a file made from a notebook, where each of
    its lines came from. Not kept beyond writing the page."""

    file: str
    texts: tuple[str, str]
    spans: tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]
    sources: tuple[SourceMap | None, SourceMap | None]


@dataclass
class AssignmentSimilarity:
    """One assignment: how many students and pairs were compared, the score of every pair counted
    in `histogram` (HISTOGRAM_BINS bins over [0, 1]), the highest pairs kept with their regions,
    and the students not compared, with why."""

    id: int
    title: str
    students: int = 0
    pairs: int = 0
    histogram: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_BINS)
    kept: list[Pair] = field(default_factory=list)
    not_compared: list[Skipped] = field(default_factory=list)
    common: int = 0  # fingerprints so common in the class that they were not counted
    above: int = 0  # pairs at or above the threshold, kept or not

    def count(self, score: float) -> None:
        self.pairs += 1
        self.histogram[min(int(score * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "students": self.students,
            "pairs": self.pairs,
            "histogram": list(self.histogram),
            "common_fingerprints": self.common,
            "above_threshold": self.above,
            "not_compared": [{"student": s.name, "reason": s.reason} for s in self.not_compared],
        }


@dataclass
class SimilarityRun:
    """A comparison of a class: every assignment's counts, the pairs kept, what was not read."""

    created: str
    threshold: float
    method: dict[str, Any]
    assignments: list[AssignmentSimilarity] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    layout: str = ""
    names: dict[str, str] = field(default_factory=dict)  # student id -> display name, where the layout knows it
    lang: str = "en"  # of the report pages (`grader.i18n`)

    @property
    def pairs(self) -> list[Pair]:
        """The pairs kept, highest first (then by assignment and names, for a stable order)."""
        pairs = [p for a in self.assignments for p in a.kept]
        return sorted(pairs, key=lambda p: (-p.similarity, p.assignment, p.students))

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "lang": self.lang,
            "threshold": self.threshold,
            "method": dict(self.method),
            "layout": self.layout,
            "assignments": [a.to_dict() for a in self.assignments],
            "skipped": [{"name": s.name, "reason": s.reason} for s in self.skipped],
            "names": dict(self.names),
            "pairs": [p.to_dict() for p in self.pairs],
        }
