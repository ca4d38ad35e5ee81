"""HTML reports rendered from the results model with Jinja2 (autoescape on).

One stylesheet, inlined and allowed by its hash in a Content-Security-Policy meta tag that
forbids scripts and every other resource. Reports read fine without JavaScript and can be
mailed as single files.
"""

from __future__ import annotations

import base64
import hashlib
import statistics
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from grader.i18n import current, template, text
from grader.isolation import describe as describe_isolation
from grader.results import NOT_ON_ROSTER, AssignmentResult, GradingRun, SubmissionResult, points

__all__ = ["compile_student", "render_index", "render_inline", "render_page", "render_student"]

_STATUS_MARK = {
    "passed": "✓",
    "failed": "✗",
    "timeout": "◔",
    "error": "!",
    "skipped": "–",
    "graded": "",
    "ungradable": "✗",
    "missing": "∅",
}


def when(iso: str) -> str:
    """'2026-03-21T10:00:00+09:00' -> '2026-03-21 10:00 (UTC+09:00)': a time a person reads."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def percent(score: float, max_score: float) -> float:
    return 0.0 if max_score <= 0 else max(0.0, min(100.0, 100.0 * score / max_score))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("grader.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["points"] = points
    env.filters["percent"] = lambda pair: percent(*pair)
    env.filters["when"] = when
    env.globals["mark"] = lambda status: _STATUS_MARK.get(status, "")
    env.globals["tr"] = _translate
    env.globals["not_on_roster"] = NOT_ON_ROSTER  # a marker among a submission's notes, shown in the report's language
    return env


@pass_context
def _translate(context: Context, key: str, **params: Any) -> Markup:
    """``{{ tr("report.total") }}``: the catalogue's text in the report's language (`lang`). The
    catalogue's own words are the template's (trusted, as if written in it); the parameters are escaped."""
    return Markup(template(key, context["lang"])).format(**params)


@cache
def _stylesheet() -> tuple[str, str]:
    css = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def _base_context(title: str, generated: str, version: str, isolation: str, lang: str) -> dict[str, Any]:
    css, css_hash = _stylesheet()
    csp = f"default-src 'none'; style-src {css_hash}; img-src data:; base-uri 'none'; form-action 'none'"
    return {
        "title": title,
        "css": css,
        "csp": csp,
        "generated": generated if lang == "en" else when(generated),  # English keeps the ISO 8601 it always showed
        "version": version,
        "isolation": isolation,
        "lang": lang,
    }


def compile_student() -> None:
    """Compile the student report's templates now rather than at its first rendering: a command that
    waits on a judge calls this in a thread, so that the report is written as soon as results come."""
    _environment().get_template("student.html.j2")
    _stylesheet()


def render_student(
    submission: SubmissionResult,
    *,
    generated: str,
    version: str,
    scope_note: str = "",
    index_href: str | None = None,
    isolation: str = "",
    lang: str | None = None,
) -> str:
    """One student's report: total, a summary row per assignment, then every check.

    `isolation`: the line saying how the student's code was isolated (`grader.isolation.describe`).
    `lang`: the language of the report (default: the one this process speaks).
    """
    lang = lang or current()
    title = text("report.student_title", lang=lang, student=submission.student)
    context = _base_context(title, generated, version, isolation, lang)
    context.update(
        submission=submission,
        scope_note=scope_note,
        index_href=index_href,
        sections=[_section(a) for a in submission.assignments],
    )
    return _environment().get_template("student.html.j2").render(context)


def _section(assignment: AssignmentResult) -> dict[str, Any]:
    counts = assignment.counts
    return {
        "a": assignment,
        "anchor": f"a{assignment.id:02d}",
        "passed": counts["passed"],
        "total": len(assignment.tests),
        "public": [t for t in assignment.tests if t.visibility == "public"],
        "hidden": [t for t in assignment.tests if t.visibility == "hidden"],
    }


def render_inline(assignment: AssignmentResult, *, report: str, version: str, lang: str | None = None) -> str:
    """One assignment's result as an HTML fragment for a notebook's output (`grader.check`).

    No document, no stylesheet of the page's: its styles are scoped to the fragment, and it reads
    the same in Jupyter, VS Code and Colab.
    """
    template = _environment().get_template("inline.html.j2")
    return template.render(
        a=assignment, report=report, version=version, passed=assignment.counts["passed"], lang=lang or current()
    )


def render_index(run: GradingRun, links: dict[str, str], *, similarity: str | None = None) -> str:
    """The class summary: problems first, then every student with links to their report (in the
    run's language); `similarity`: the similarity report to link to, when there is one."""
    context = _base_context(
        text("report.index_title", lang=run.lang),
        run.created,
        run.grader_version,
        describe_isolation(run.isolation, lang=run.lang),
        run.lang,
    )
    assignment_ids = sorted({a.id for s in run.submissions for a in s.assignments})
    titles = {a.id: a for s in run.submissions for a in s.assignments}
    problems = [(s, a) for s in run.submissions for a in s.assignments if a.status in ("ungradable", "error")]
    missing = [s for s in run.submissions if s.assignments and all(a.status == "missing" for a in s.assignments)]
    context.update(
        run=run,
        links=links,
        columns=[titles[i] for i in assignment_ids],
        stats=[_assignment_stats(run, i) for i in assignment_ids],
        problems=problems,
        missing=missing,
        unlisted=[s for s in run.submissions if NOT_ON_ROSTER in s.notes],
        changed=[(s, a) for s in run.submissions for a in s.assignments if a.changed],
        students=run.submissions,  # in the class's order: the roster's, else as found
        named=any(s.name or s.section for s in run.submissions),
        similarity=similarity,
    )
    return _environment().get_template("index.html.j2").render(context)


HISTOGRAM_BINS = 10


def _assignment_stats(run: GradingRun, assignment_id: int) -> dict[str, Any]:
    graded = [a for s in run.submissions if (a := s.assignment(assignment_id)) is not None and a.status == "graded"]
    scores = [a.score for a in graded]
    max_score = max((a.max_score for a in graded), default=None)
    return {
        "graded": len(graded),
        "mean": statistics.fmean(scores) if scores else None,
        "median": statistics.median(scores) if scores else None,
        "max_score": max_score,
        "histogram": _histogram(scores, max_score or 0.0),
        "checks": _check_pass_rates(graded),
    }


def _histogram(scores: list[float], max_score: float) -> list[dict[str, Any]]:
    """Counts of scores in HISTOGRAM_BINS equal bins over [0, max_score]; the last bin holds full marks."""
    if not scores or max_score <= 0:
        return []
    counts = [0] * HISTOGRAM_BINS
    for score in scores:
        index = int(HISTOGRAM_BINS * max(0.0, min(score, max_score)) / max_score)
        counts[min(index, HISTOGRAM_BINS - 1)] += 1
    tallest = max(counts)
    width = max_score / HISTOGRAM_BINS
    return [
        {
            "low": i * width,
            "high": (i + 1) * width,
            "count": count,
            "height": 0.0 if tallest == 0 else round(100.0 * count / tallest, 1),
        }
        for i, count in enumerate(counts)
    ]


def _check_pass_rates(graded: list[AssignmentResult]) -> list[dict[str, Any]]:
    """Every check's pass rate across the class, hardest first (skipped runs are not counted)."""
    rows: dict[str, dict[str, Any]] = {}
    for assignment in graded:
        for test in assignment.tests:
            if test.status == "skipped":  # not applicable on the grading machine
                continue
            row = rows.setdefault(
                test.id,
                {"name": test.name, "visibility": test.visibility, "points": test.max_score, "passed": 0, "runs": 0},
            )
            row["runs"] += 1
            row["passed"] += test.passed
    for row in rows.values():
        row["rate"] = 100.0 * row["passed"] / row["runs"]
    return sorted(rows.values(), key=lambda r: (r["rate"], r["name"]))


def render_page(template: str, *, title: str, generated: str, version: str, lang: str, **context: Any) -> str:
    """A page of another part of the grader (`grader.similarity`) in `lang`, with the reports'
    stylesheet, Content-Security-Policy and base template: `template` under templates/, given `context`."""
    page = _base_context(title, generated, version, "", lang)
    page.update(context)
    return _environment().get_template(template).render(page)
