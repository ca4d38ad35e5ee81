"""Small inline-SVG charts drawn by the grader from plain numbers.

No plotting library in the judge's hot path: a line chart (curves, learning curves, costs on
a log scale), a heat map with a colour bar (error maps, confusion matrices). Every text is
escaped; only presentation attributes are used (the reports' Content-Security-Policy forbids
style attributes), and no element ids, so several charts can share a page.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTE", "Series", "confusion_matrix", "heatmap", "line_chart", "nice_ticks"]

PALETTE = ("#2f5bd3", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285")
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif"'
_INK, _MUTED, _GRID = "#1d2330", "#5d6677", "#e3e7ee"
_MAX_POINTS = 600


@dataclass(frozen=True)
class Series:
    """One curve: points (x, y), a legend label, and how to draw it."""

    xs: Sequence[float]
    ys: Sequence[float]
    label: str
    color: str | None = None
    dashed: bool = False
    width: float = 2.0


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round values (1, 2, 2.5 or 5 times a power of ten), the first at or below
    `low` and the last at or above `high`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [0.0 if k == 0 else k * step for k in range(first, last + 1)]


def _fmt(value: float) -> str:
    """Tick labels: 0, 0.25, 7.997, 10000, 1e6, 1e10, 1e-4."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.4f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:.6g}"


def _thin(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float]]:
    points = [(float(x), float(y)) for x, y in zip(xs, ys)]
    if len(points) <= _MAX_POINTS:
        return points
    stride = len(points) / _MAX_POINTS
    kept = [points[int(i * stride)] for i in range(_MAX_POINTS)]
    return [*kept, points[-1]]


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 600,
    height: int = 320,
    log_y: bool = False,
    y_range: tuple[float, float] | None = None,
) -> str:
    """Curves on shared axes, with ticks, axis labels and a legend. Non-finite points are skipped."""
    left, right, top, bottom = 64, 16, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    data = [(s, _thin(s.xs, s.ys)) for s in series]
    xs = [x for _, pts in data for x, y in pts if math.isfinite(x) and math.isfinite(y)]
    ys = [y for _, pts in data for x, y in pts if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y)]
    if not xs or not ys:
        return _empty(title, width, height)
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = y_range if y_range is not None else (min(ys), max(ys))
    if log_y:
        y_lo, y_hi = math.log10(y_lo), math.log10(y_hi)
        y_lo, y_hi = math.floor(y_lo), max(math.ceil(y_hi), math.floor(y_lo) + 1)
        y_ticks = [float(v) for v in range(int(y_lo), int(y_hi) + 1)]
    else:
        y_ticks = nice_ticks(y_lo, y_hi)
        y_lo, y_hi = y_ticks[0], y_ticks[-1]
    x_ticks = [t for t in nice_ticks(x_lo, x_hi) if x_lo - 1e-9 <= t <= x_hi + 1e-9]
    if x_hi == x_lo:
        x_hi = x_lo + 1.0

    def sx(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * plot_w

    def sy(y: float) -> float:
        value = math.log10(y) if log_y else y
        value = min(max(value, y_lo), y_hi)
        return top + (1 - (value - y_lo) / (y_hi - y_lo)) * plot_h

    parts = [_open(width, height, title)]
    for t in y_ticks:
        y = top + (1 - (t - y_lo) / (y_hi - y_lo)) * plot_h
        label = _fmt(10**t) if log_y else _fmt(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{_GRID}"/>')
        parts.append(_text(left - 6, y + 4, label, anchor="end", size=11, fill=_MUTED))
    for t in x_ticks:
        x = sx(t)
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="{_MUTED}"/>')
        parts.append(_text(x, top + plot_h + 17, _fmt(t), anchor="middle", size=11, fill=_MUTED))
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{_MUTED}"/>')
    for index, (s, pts) in enumerate(data):
        color = s.color or PALETTE[index % len(PALETTE)]
        for run in _runs(pts, log_y):
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in run)
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="{s.width}"'
                f' stroke-linejoin="round"{dash}/>'
            )
    entries = [(s.label, s.color or PALETTE[i % len(PALETTE)], s.dashed) for i, s in enumerate(series)]
    parts.append(_legend(entries, right_edge=width - right, y=12))
    parts.append(_text(left + plot_w / 2, height - 8, x_label, anchor="middle", size=12, fill=_INK))
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" transform="rotate(-90 14 {top + plot_h / 2:.1f})" '
        f'text-anchor="middle" font-size="12" fill="{_INK}" {_FONT}>{escape(y_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _runs(points: list[tuple[float, float]], log_y: bool) -> list[list[tuple[float, float]]]:
    """Split at non-finite points (and non-positive ones on a log scale)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y):
            runs[-1].append((x, y))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) >= 2]


def heatmap(
    values: Sequence[Sequence[float]],
    *,
    title: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_label: str,
    y_label: str,
    value_label: str,
    size: int = 300,
    vmax: float | None = None,
) -> str:
    """A grid of cells (rows from y_range's low end up), coloured from white to dark blue.

    `values[i][j]` is the cell at row i (y) and column j (x). A colour bar on the right shows
    the scale from 0 to `vmax` (default: the largest finite value).
    """
    rows, cols = len(values), len(values[0]) if values else 0
    finite = [v for row in values for v in row if math.isfinite(v)]
    if not rows or not cols or not finite:
        return _empty(title, size + 150, size + 70)
    top_value = vmax if vmax is not None else max(finite)
    top_value = top_value if top_value > 0 else 1.0
    left, top = 56, 34
    width, height = left + size + 110, top + size + 46
    cell_w, cell_h = size / cols, size / rows
    parts = [_open(width, height, title)]
    for i, row in enumerate(values):
        y = top + size - (i + 1) * cell_h
        for j, value in enumerate(row):
            colour = _blue(value / top_value) if math.isfinite(value) else "#f03e3e"
            parts.append(
                f'<rect x="{left + j * cell_w:.2f}" y="{y:.2f}" width="{cell_w + 0.3:.2f}" '
                f'height="{cell_h + 0.3:.2f}" fill="{colour}"/>'
            )
    parts.append(f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="{_MUTED}"/>')
    for t in nice_ticks(*x_range, count=4):
        if x_range[0] - 1e-9 <= t <= x_range[1] + 1e-9:
            x = left + (t - x_range[0]) / (x_range[1] - x_range[0]) * size
            parts.append(_text(x, top + size + 16, _fmt(t), anchor="middle", size=11, fill=_MUTED))
    for t in nice_ticks(*y_range, count=4):
        if y_range[0] - 1e-9 <= t <= y_range[1] + 1e-9:
            y = top + size - (t - y_range[0]) / (y_range[1] - y_range[0]) * size
            parts.append(_text(left - 6, y + 4, _fmt(t), anchor="end", size=11, fill=_MUTED))
    parts.append(_text(left + size / 2, height - 6, x_label, anchor="middle", size=12, fill=_INK))
    parts.append(
        f'<text x="14" y="{top + size / 2:.1f}" transform="rotate(-90 14 {top + size / 2:.1f})" '
        f'text-anchor="middle" font-size="12" fill="{_INK}" {_FONT}>{escape(y_label)}</text>'
    )
    bar_x, steps = left + size + 24, 24
    for k in range(steps):
        y = top + size - (k + 1) * size / steps
        colour = _blue((k + 0.5) / steps)
        parts.append(f'<rect x="{bar_x}" y="{y:.2f}" width="14" height="{size / steps + 0.3:.2f}" fill="{colour}"/>')
    parts.append(f'<rect x="{bar_x}" y="{top}" width="14" height="{size}" fill="none" stroke="{_MUTED}"/>')
    parts.append(_text(bar_x + 20, top + size + 4, "0", size=11, fill=_MUTED))
    parts.append(_text(bar_x + 20, top + 8, _fmt(top_value), size=11, fill=_MUTED))
    parts.append(
        f'<text x="{bar_x + 36}" y="{top + size / 2:.1f}" transform="rotate(-90 {bar_x + 36} {top + size / 2:.1f})" '
        f'text-anchor="middle" font-size="11" fill="{_MUTED}" {_FONT}>{escape(value_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def confusion_matrix(
    counts: Sequence[Sequence[int]],
    *,
    title: str,
    labels: Sequence[str],
    x_label: str = "predicted",
    y_label: str = "true",
    cell: int = 30,
) -> str:
    """A square table of counts: row i is the true class `labels[i]`, column j the predicted one.

    Each cell shows its count and is shaded by its share of the row (how often class i is
    predicted as j), so a good classifier draws a dark diagonal on white.
    """
    n = len(counts)
    if n == 0 or len(labels) != n or any(len(row) != n for row in counts):
        return _empty(title, 300, 120)
    left, top = 58, 66
    width, height = max(left + n * cell + 20, 24 + 7 * len(title)), top + n * cell + 34  # room for the title
    parts = [_open(width, height, title)]
    for i, row in enumerate(counts):
        total = sum(row)
        for j, value in enumerate(row):
            share = value / total if total > 0 else 0.0
            x, y = left + j * cell, top + i * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{_blue(share)}" stroke="{_GRID}"/>'
            )
            if value:
                ink = "#ffffff" if share > 0.45 else (_INK if i == j else "#c92a2a")
                size = 11 if value < 1000 else 9
                parts.append(
                    _text(x + cell / 2, y + cell / 2 + 4, str(int(value)), anchor="middle", size=size, fill=ink)
                )
    parts.append(f'<rect x="{left}" y="{top}" width="{n * cell}" height="{n * cell}" fill="none" stroke="{_MUTED}"/>')
    for k, label in enumerate(labels):
        parts.append(_text(left + k * cell + cell / 2, top - 6, str(label), anchor="middle", size=11, fill=_MUTED))
        parts.append(_text(left - 6, top + k * cell + cell / 2 + 4, str(label), anchor="end", size=11, fill=_MUTED))
    parts.append(_text(left + n * cell / 2, top - 24, x_label, anchor="middle", size=12, fill=_INK))
    mid = top + n * cell / 2
    parts.append(
        f'<text x="16" y="{mid:.1f}" transform="rotate(-90 16 {mid:.1f})" '
        f'text-anchor="middle" font-size="12" fill="{_INK}" {_FONT}>{escape(y_label)}</text>'
    )
    diagonal = sum(counts[k][k] for k in range(n))
    total = sum(sum(row) for row in counts)
    summary = f"{diagonal} of {total} on the diagonal" if total else "no examples"
    parts.append(_text(left, height - 12, summary, size=11, fill=_MUTED))
    parts.append("</svg>")
    return "".join(parts)


def _blue(fraction: float) -> str:
    """White (0) through light blue to dark navy (1)."""
    stops = [(0.0, (255, 255, 255)), (0.35, (165, 196, 240)), (0.7, (47, 91, 211)), (1.0, (16, 28, 77))]
    f = min(max(fraction, 0.0), 1.0)
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if f <= b:
            t = (f - a) / (b - a)
            r, g, bl = (round(ca[k] + (cb[k] - ca[k]) * t) for k in range(3))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return "#101c4d"


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><rect width="{width}" height="{height}" fill="#ffffff"/>'
        + _text(12, 20, title, size=13, fill=_INK, weight="600")
    )


def _legend(entries: list[tuple[str, str, bool]], *, right_edge: float, y: float) -> str:
    """One row of legend entries, right-aligned above the plot area."""
    parts = []
    x = right_edge
    for label, color, dashed in reversed(entries):
        x -= 26 + 6.2 * len(label)
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="{y + 4}" x2="{x + 20:.1f}" y2="{y + 4}" stroke="{color}" '
            f'stroke-width="2.5"{dash}/>'
        )
        parts.append(_text(x + 24, y + 8, label, size=11, fill=_INK))
        x -= 14
    return "".join(parts)


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = _INK, weight: str = "400"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}" {_FONT}>{escape(text)}</text>'
    )


def _empty(title: str, width: int, height: int) -> str:
    return (
        _open(width, height, title)
        + _text(width / 2, height / 2, "nothing to draw (no finite values)", anchor="middle", fill=_MUTED)
        + "</svg>"
    )
