"""The similarity reports: ``similarity.json``, ``similarity.html`` and a side-by-side page per pair.

Rendered by the reports' templates (`grader.reports.render_page`: autoescape, the one stylesheet,
the Content-Security-Policy that forbids scripts); every name and line of student code is text
escaped by Jinja2, never markup.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from grader.i18n import text
from grader.reports import render_page
from grader.results import clean_name, clean_text
from grader.similarity.model import HISTOGRAM_BINS, FileView, Pair, SimilarityRun
from grader.version import __version__

__all__ = ["PAGES", "write_pair_page", "write_reports"]

PAGES = "similarity"  # the folder of the side-by-side pages, beside similarity.html
MAX_LINES = 3000  # lines of a file shown on a side-by-side page


def write_reports(run: SimilarityRun, out: Path) -> None:
    """``out/similarity.json`` and ``out/similarity.html``."""
    payload = {"grader_version": __version__, **run.to_dict()}
    (out / "similarity.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sections = [
        {
            "a": a,
            "histogram": _histogram(a.histogram, run.threshold),
            "pairs": sorted(a.kept, key=lambda p: -p.similarity),
        }
        for a in run.assignments
    ]
    html = render_page(
        "similarity.html.j2",
        title=text("similarity.title", lang=run.lang),
        generated=run.created,
        version=__version__,
        lang=run.lang,
        run=run,
        sections=sections,
        shown=lambda student: _shown(student, run),
        percent=_percent,
        index_href="index.html" if (out / "index.html").is_file() else None,
    )
    (out / "similarity.html").write_text(html, encoding="utf-8")


def write_pair_page(pair: Pair, views: list[FileView], run: SimilarityRun, path: Path, title: str) -> None:
    """The side-by-side page of `pair`: each file both students share code in, the shared regions marked."""
    files = []
    for view, match in zip(views, pair.matches):
        sides = []
        for side in (0, 1):
            source = view.sources[side]
            rows, cut = _rows(view.texts[side], view.spans[side])
            if source is not None:
                for row in rows:
                    row["where"] = f"{source.origin}, {source.where(row['number'])}"  # in the run's language
            shared = match.shared_a if side == 0 else match.shared_b
            sides.append(
                {
                    "student": pair.students[side],
                    "origin": clean_name(source.origin if source is not None else view.file),
                    "rows": rows,
                    "cut": cut,
                    "shared": _percent(shared),
                }
            )
        files.append({"name": view.file, "sides": sides})
    html = render_page(
        "similarity_pair.html.j2",
        title=text("similarity.pair_title", lang=run.lang, first=pair.students[0], second=pair.students[1]),
        generated=run.created,
        version=__version__,
        lang=run.lang,
        pair=pair,
        assignment_title=title,
        files=files,
        shown=lambda student: _shown(student, run),
        percent=_percent,
    )
    path.write_text(html, encoding="utf-8")


def _shown(student: str, run: SimilarityRun) -> str:
    name = run.names.get(student)
    return f"{student} ({name})" if name and name != student else student


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _rows(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[list[dict[str, Any]], int]:
    """The lines of `text` (at most MAX_LINES) as rows of pieces, each marked when it lies in `spans`
    (character ranges of `text` itself); and how many lines were left out. Control characters (NUL,
    terminal escapes) are shown as U+FFFD."""
    lines = text.split("\n")
    ordered = sorted(spans)
    rows = []
    position = 0
    for number, line in enumerate(lines[:MAX_LINES], start=1):
        end = position + len(line.removesuffix("\r"))
        pieces = []
        cursor = position
        for start, stop in ordered:
            if stop <= cursor or start >= end:
                continue
            if start > cursor:
                pieces.append({"text": clean_text(text[cursor:start]), "marked": False})
            cut = min(stop, end)
            pieces.append({"text": clean_text(text[max(start, cursor) : cut]), "marked": True})
            cursor = cut
        if cursor < end:
            pieces.append({"text": clean_text(text[cursor:end]), "marked": False})
        rows.append({"number": number, "pieces": pieces, "marked": any(p["marked"] for p in pieces), "where": ""})
        position += len(line) + 1
    return rows, max(0, len(lines) - MAX_LINES)


def _histogram(counts: list[int], threshold: float) -> list[dict[str, Any]]:
    """Bars for the histogram of every pair's score: heights on a log scale, so one pair in a bin
    shows beside thousands in another; bins at or above `threshold` flagged."""
    tallest = math.log1p(max(counts, default=0))
    width = 1 / HISTOGRAM_BINS
    return [
        {
            "low": i * width,
            "high": (i + 1) * width,
            "count": count,
            "height": 0.0 if tallest == 0 or count == 0 else round(max(4.0, 100 * math.log1p(count) / tallest), 1),
            "above": (i + 1) * width > threshold,
        }
        for i, count in enumerate(counts)
    ]
