"""Deadlines, extensions, submission times and the late penalty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.errors import PolicyError
from grader.policy import Rule, late, load_extensions, load_policy, load_times

SEOUL = timezone(timedelta(hours=9))
DUE = datetime(2026, 3, 20, 23, 59, tzinfo=SEOUL)
RULE = Rule(1, DUE, late_penalty_per_day=0.1, max_days_late=3)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_the_issue_example(tmp_path):
    policy = load_policy(
        write(
            tmp_path,
            "course.toml",
            "[assignments.1]\ndue = 2026-03-20T23:59:00+09:00\nlate_penalty_per_day = 0.10\n"
            "max_days_late = 3\ngrace_minutes = 0\n\n[assignments.2]\ndue = 2026-04-01T12:00:00Z\n",
        )
    )
    assert policy.get(1) == RULE
    assert policy.get(2) == Rule(2, datetime(2026, 4, 1, 12, tzinfo=UTC))
    assert policy.get(3) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[assignments.1]\ndue = 2026-03-20T23:59:00\n", "key 'assignments.1.due': has no time zone"),
        ("[assignments.1]\ndue = 2026-03-20\n", "is a date without a time"),
        ('[assignments.1]\ndue = "2026-03-20T23:59:00+09:00"\n', "is not a date-time: write it as"),
        ("[assignments.1]\nlate_penalty_per_day = 0.1\n", "key 'assignments.1.due': is required"),
        ("[assignments.1]\ndue = 2026-03-20T23:59:00Z\npenalty = 1\n", "key 'assignments.1.penalty': unknown key"),
        ("[assignments.1]\ndue = 2026-03-20T23:59:00Z\nlate_penalty_per_day = 10\n", "between 0 and 1"),
        ("[assignments.1]\ndue = 2026-03-20T23:59:00Z\nmax_days_late = -1\n", "whole number of days"),
        ("[assignments.1]\ndue = 2026-03-20T23:59:00Z\nmax_days_late = 1.5\n", "whole number of days"),
        ("[assignments.1]\ndue = 2026-03-20T23:59:00Z\ngrace_minutes = -5\n", "must be 0 or more"),
        ("[assignments.1]\ndue = 2026-03-20T23:59:00Z\ngrace_minutes = true\n", "must be a number"),
        ("[assignments.one]\ndue = 2026-03-20T23:59:00Z\n", "named by its number"),
        ("[deadlines.1]\n", "key 'deadlines': unknown key"),
        ("[assignments.1\n", "is not valid TOML"),
    ],
)
def test_policy_refuses_clearly(tmp_path, text, message):
    path = write(tmp_path, "course.toml", text)
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(path)
    assert str(caught.value).startswith(str(path))


def test_late_arithmetic():
    assert late(10, 10, DUE, DUE, RULE) == late(10, 10, DUE - timedelta(days=5), DUE, RULE)
    assert late(10, 10, DUE, DUE, RULE).final == 10
    one_minute = late(10, 10, DUE + timedelta(minutes=1), DUE, RULE)
    assert (one_minute.days_late, one_minute.penalty, one_minute.final) == (1, 1, 9)
    assert one_minute.note == "submitted 1 day late: 10% of the points taken off"
    exactly_a_day = late(8, 10, DUE + timedelta(days=1), DUE, RULE)
    assert (exactly_a_day.days_late, exactly_a_day.final) == (1, 7)
    three = late(10, 10, DUE + timedelta(days=2, seconds=1), DUE, RULE)
    assert (three.days_late, three.penalty, three.final) == (3, 3, 7)
    too_late = late(10, 10, DUE + timedelta(days=3, seconds=1), DUE, RULE)
    assert (too_late.days_late, too_late.final, too_late.penalty) == (4, 0, 10)
    assert "more than 3 days late scores 0" in too_late.note
    capped = late(1, 10, DUE + timedelta(days=2), DUE, RULE)
    assert (capped.penalty, capped.final) == (1, 0), "never below 0"
    unknown = late(7, 10, None, DUE, RULE)
    assert (unknown.final, unknown.penalty) == (7, 0) and "time is not known" in unknown.note


def test_grace_and_zones():
    graced = Rule(1, DUE, 0.5, None, grace_minutes=10)
    assert late(10, 10, DUE + timedelta(minutes=10), DUE, graced).final == 10
    assert late(10, 10, DUE + timedelta(minutes=11), DUE, graced).final == 5
    same_instant = datetime(2026, 3, 20, 14, 59, tzinfo=UTC)
    assert late(10, 10, same_instant, DUE, RULE).days_late == 0
    assert late(10, 10, same_instant + timedelta(seconds=1), DUE, RULE).days_late == 1
    no_limit = Rule(1, DUE, 0.1)
    assert late(10, 10, DUE + timedelta(days=30), DUE, no_limit).final == 0


scores = st.floats(min_value=0, max_value=100, allow_nan=False)
offsets = st.timedeltas(min_value=timedelta(days=-10), max_value=timedelta(days=10))
rules = st.builds(
    Rule,
    st.just(1),
    st.just(DUE),
    st.floats(min_value=0, max_value=1),
    st.none() | st.integers(min_value=0, max_value=10),
    st.floats(min_value=0, max_value=120),
)


@given(scores, scores, offsets, offsets, rules)
def test_late_is_monotone_never_negative_and_zero_before_due(a, b, d1, d2, rule):
    score, max_score = min(a, b), max(a, b)
    early, later = sorted((d1, d2))
    first = late(score, max_score, DUE + early, DUE, rule)
    second = late(score, max_score, DUE + later, DUE, rule)
    assert 0 <= second.final <= first.final <= score
    assert first.final == pytest.approx(score - first.penalty)
    if early <= timedelta(0):
        assert (first.days_late, first.penalty, first.final) == (0, 0, score)


def test_extensions(tmp_path):
    path = write(
        tmp_path, "ext.csv", "Student,Assignment,Due\nkimminsu,1,2026-03-22T23:59:00+09:00\nlee,2,2026-04-02T00:00Z\n"
    )
    extensions = load_extensions(path)
    assert extensions.due("kimminsu", 1) == datetime(2026, 3, 22, 23, 59, tzinfo=SEOUL)
    assert extensions.due("KimMinsu", 1) is not None and extensions.due("kimminsu", 2) is None
    assert extensions.due("lee", 2) == datetime(2026, 4, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("student,assignment,due\nkim,1,2026-03-22T23:59:00\n", "line 2: due '2026-03-22T23:59:00' has no time zone"),
        ("student,assignment,due\nkim,1,next friday\n", "is not an ISO 8601 time"),
        ("student,assignment,due\nkim,A1,2026-03-22T23:59Z\n", "the assignment must be its number"),
        ("student,assignment,due\nkim,1,2026-03-22T23:59Z\nKIM,1,2026-03-23T23:59Z\n", "line 3: this student and"),
        ("student,assignment,due,why\n", "unknown column 'why'"),
        ("student,due\n", "the column 'assignment' is missing"),
    ],
)
def test_extensions_refused_clearly(tmp_path, text, message):
    with pytest.raises(PolicyError, match=message):
        load_extensions(write(tmp_path, "ext.csv", text))


def test_times(tmp_path):
    path = write(
        tmp_path,
        "times.csv",
        "student,assignment,submitted\nkim,,2026-03-20T10:00:00+09:00\nkim,2,2026-03-25T10:00:00+09:00\n",
    )
    times = load_times(path)
    assert times.get("kim", 1) == datetime(2026, 3, 20, 10, tzinfo=SEOUL)
    assert times.get("kim", 2) == datetime(2026, 3, 25, 10, tzinfo=SEOUL)
    assert times.get("lee", 1) is None
    assert load_times(write(tmp_path, "t2.csv", "student,submitted\nlee,2026-03-20T10:00Z\n")).get("LEE", 4) is not None
    with pytest.raises(PolicyError, match="has no time zone"):
        load_times(write(tmp_path, "t3.csv", "student,submitted\nlee,2026-03-20 10:00\n"))
