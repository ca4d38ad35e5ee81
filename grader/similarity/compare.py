"""Every pair of a class compared, per assignment: the scores, the pairs kept, the pages written.

See `grader.similarity` for what is compared and how it is scored.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

from grader.course import Assignment, Course
from grader.folders import remove_tree
from grader.i18n import current
from grader.results import Skipped, now_iso
from grader.similarity.collect import Submitted, collect, received
from grader.similarity.fingerprint import WINDOW, K, line_ranges, overlap
from grader.similarity.model import (
    DEFAULT_LIMIT,
    DEFAULT_THRESHOLD,
    AssignmentSimilarity,
    FileView,
    Match,
    Pair,
    SimilarityRun,
)
from grader.similarity.report import PAGES, write_pair_page, write_reports
from grader.submission import Student

__all__ = ["compare_assignment", "compare_class"]

COMMON_MIN = 10
COMMON_FRACTION = 0.5
_POOL_MIN = 16  # students: below this, forking a pool costs more than it saves


def compare_class(
    *,
    course: Course,
    students: list[Student],
    out: Path,
    assignment_ids: list[int] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
    workers: int = 1,
    names: Mapping[str, str] | None = None,
    not_compared: Mapping[str, str] | None = None,
    skipped: list[Skipped] | None = None,
    layout: str = "",
    on_progress: Callable[[int, int], None] | None = None,
) -> SimilarityRun:
    """Compare every pair of `students` on each assignment and write the reports under `out`.

    `students` are what `grader.grading.discover` finds (folders or archives); `names` their
    display names where the layout knows them; `not_compared` students whose submission could not
    be laid out, with why; `skipped` and `layout` what the intake says, shown on the page.
    `workers` processes read and fingerprint the students (on Linux, forked from this one).
    `on_progress(done, total)` is called as each student is read.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("the threshold is a similarity between 0 and 1")
    assignments = [course.get(i) for i in assignment_ids] if assignment_ids else list(course)
    templates = {a.id: received(course.root, a) for a in assignments}
    results = {a.id: AssignmentSimilarity(a.id, a.title) for a in assignments}
    collected: dict[int, list[Submitted]] = {a.id: [] for a in assignments}
    for done, (student, found) in enumerate(_collect_all(students, assignments, templates, workers), start=1):
        for assignment_id, got in found.items():
            if isinstance(got, str):
                results[assignment_id].not_compared.append(Skipped(student.name, got))
            else:
                collected[assignment_id].append(got)
        if on_progress is not None:
            on_progress(done, len(students))
    for name, why in (not_compared or {}).items():
        for result in results.values():
            result.not_compared.append(Skipped(name, why))
    out.mkdir(parents=True, exist_ok=True)
    remove_tree(out / PAGES)
    (out / PAGES).mkdir()
    run = SimilarityRun(
        created=now_iso(),
        threshold=threshold,
        method=_method(),
        skipped=list(skipped or []),
        layout=layout,
        names=dict(names or {}),
        lang=current(),
    )
    for assignment in assignments:
        result = results[assignment.id]
        kept = compare_assignment(result, collected.pop(assignment.id), threshold=threshold, limit=limit)
        result.kept = []
        for rank, (pair, views) in enumerate(kept, start=1):
            page = f"{PAGES}/{assignment.id}-{rank:03d}.html"
            pair = replace(pair, page=page)
            write_pair_page(pair, views, run, out / page, assignment.title)
            result.kept.append(pair)
        run.assignments.append(result)
    write_reports(run, out)
    return run


def compare_assignment(
    result: AssignmentSimilarity, submitted: list[Submitted], *, threshold: float, limit: int
) -> list[tuple[Pair, list[FileView]]]:
    """Score every pair of `submitted` into `result` (students, pairs, histogram); the pairs at or
    above `threshold`, at most `limit` of them, highest first, each with what its page shows."""
    result.students = len(submitted)
    files = sorted({f for s in submitted for f in s.files})
    common = _common(submitted, files)
    result.common = sum(len(c) for c in common.values())
    sets = [[s.files[f].hashes - common[f] if f in s.files else frozenset() for f in files] for s in submitted]
    sizes = [sum(len(h) for h in row) for row in sets]
    heap: list[tuple[float, int, int]] = []  # the `limit` highest so far: (score, -i, -j), lowest on top
    for i, mine in enumerate(sets):
        for j in range(i + 1, len(sets)):
            total = sizes[i] + sizes[j]
            shared = sum(len(a & b) for a, b in zip(mine, sets[j])) if total else 0
            score = 2 * shared / total if total else 0.0
            result.count(score)
            if score >= threshold and score > 0:
                result.above += 1
                heapq.heappush(heap, (score, -i, -j))
                if len(heap) > limit:
                    heapq.heappop(heap)
    kept = sorted(heap, key=lambda t: (-t[0], -t[1], -t[2]))
    return [_pair(result.id, submitted[-i], submitted[-j], score, common) for score, i, j in kept]


def _pair(
    assignment_id: int, a: Submitted, b: Submitted, score: float, common: dict[str, frozenset[int]]
) -> tuple[Pair, list[FileView]]:
    matches, views = [], []
    for name in sorted(set(a.files) & set(b.files)):
        left, right = a.files[name], b.files[name]
        found = overlap(left, right, (left.hashes & right.hashes) - common[name])
        if not (found.spans_a or found.spans_b):
            continue
        lines = (tuple(line_ranges(left.text, found.spans_a)), tuple(line_ranges(right.text, found.spans_b)))
        matches.append(Match(name, lines[0], lines[1], found.coverage_a, found.coverage_b))
        sources = (a.sources.get(name), b.sources.get(name))
        views.append(FileView(name, (left.text, right.text), (found.spans_a, found.spans_b), sources))
    return Pair(assignment_id, (a.student, b.student), round(score, 4), tuple(matches)), views


def _common(submitted: list[Submitted], files: list[str]) -> dict[str, frozenset[int]]:
    """Per file, the fingerprints in more than max(COMMON_MIN, COMMON_FRACTION × n) submissions."""
    limit = max(COMMON_MIN, COMMON_FRACTION * len(submitted))
    counts: dict[str, Counter[int]] = {f: Counter() for f in files}
    for s in submitted:
        for name, fp in s.files.items():
            counts[name].update(fp.hashes)
    return {name: frozenset(h for h, n in c.items() if n > limit) for name, c in counts.items()}


def _method() -> dict[str, object]:
    return {
        "library": f"copydetect {version('copydetect')}",
        "k": K,
        "window": WINDOW,
        "score": "2·|A ∩ B| / (|A| + |B|) over winnowed fingerprints, less the template's and the class's common ones",
        "common": f"fingerprints in more than max({COMMON_MIN}, {COMMON_FRACTION:g} × students) submissions",
        "common_min": COMMON_MIN,
    }


Templates = dict[int, dict[str, frozenset[int]]]  # per assignment, per file: what every student receives


def _collect_all(
    students: list[Student], assignments: list[Assignment], templates: Templates, workers: int
) -> Iterator[tuple[Student, dict[int, Submitted | str]]]:
    """Each student with what `collect` found, in the order of `students`."""
    if workers <= 1 or len(students) < _POOL_MIN or not sys.platform.startswith("linux"):
        for student in students:
            yield student, collect(student, assignments, templates)
        return
    context = multiprocessing.get_context("fork")  # copydetect and the course are loaded already
    with context.Pool(min(workers, os.cpu_count() or 1), _set_job, (assignments, templates)) as pool:
        yield from zip(students, pool.imap(_collect_one, students, chunksize=4))


_JOB: tuple[list[Assignment], Templates] | None = None


def _set_job(assignments: list[Assignment], templates: Templates) -> None:
    global _JOB
    _JOB = (assignments, templates)


def _collect_one(student: Student) -> dict[int, Submitted | str]:
    assert _JOB is not None
    return collect(student, *_JOB)
