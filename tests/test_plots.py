"""Inline SVG charts: well-formed, escaped, robust to odd data."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from grader.plots import Series, confusion_matrix, heatmap, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not [e for e in root.iter() if "style" in e.attrib or e.tag.endswith("script")]
    return root


@given(st.floats(-1e6, 1e6), st.floats(0.001, 1e6))
def test_ticks_cover_the_range_with_round_steps(low, span):
    high = low + span
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low + 1e-8 * span and ticks[-1] >= high - 1e-8 * span
    assert 2 <= len(ticks) <= 13
    mantissa = ticks[1] - ticks[0]
    mantissa /= 10 ** math.floor(math.log10(mantissa))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10)), ticks


def test_line_chart_draws_each_series_and_escapes_labels():
    xs = [i / 10 for i in range(-100, 101)]
    svg = line_chart(
        [
            Series(xs, [math.sin(x) for x in xs], "sin(x)", dashed=True),
            Series(xs, [x / 10 for x in xs], "<b>model</b>"),
        ],
        title="a & b",
        x_label="x",
        y_label="y",
    )
    root = parse(svg)
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert "&lt;b&gt;model&lt;/b&gt;" in svg and "a &amp; b" in svg


def test_line_chart_skips_non_finite_points_and_handles_log_scale():
    svg = line_chart(
        [Series([1, 2, 3, 4, 5], [10.0, math.nan, 1.0, math.inf, 0.1], "cost")],
        title="t",
        x_label="step",
        y_label="cost",
        log_y=True,
    )
    parse(svg)
    empty = line_chart([Series([1, 2], [math.nan, math.nan], "none")], title="t", x_label="x", y_label="y")
    assert "nothing to draw" in empty
    parse(empty)


def test_heatmap_has_a_cell_per_value_and_a_colour_bar():
    values = [[i * j for j in range(5)] for i in range(4)]
    values[1][1] = math.nan
    root = parse(
        heatmap(values, title="err", x_range=(0, 100), y_range=(0, 100), x_label="x1", y_label="x2", value_label="|e|")
    )
    rects = root.findall(f"{SVG}rect")
    assert len(rects) >= 20 + 24


def test_confusion_matrix_shows_counts_and_labels_and_escapes():
    counts = [[50 if i == j else i + j for j in range(10)] for i in range(10)]
    counts[3] = [0] * 10  # a class with no examples
    svg = confusion_matrix(
        counts, title="<model> & data", labels=[str(d) for d in range(10)], x_label="predicted digit"
    )
    root = parse(svg)
    assert len(root.findall(f"{SVG}rect")) == 1 + 100 + 1  # background, cells, frame
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert "predicted digit" in texts and "true" in texts and texts.count("50") == 9
    assert "&lt;model&gt; &amp; data" in svg
    assert f"450 of {sum(map(sum, counts))} on the diagonal" in texts
    assert "nothing to draw" in confusion_matrix([[1, 2]], title="t", labels=["a"])
