"""Instructor overrides: read with their reasons, applied after the late penalty, clamped."""

from __future__ import annotations

import pytest

from grader.errors import OverridesError
from grader.overrides import Override, apply, load_overrides


def write(tmp_path, text: str):
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_and_apply(tmp_path):
    overrides = load_overrides(
        write(
            tmp_path,
            "student,assignment,points,reason,check\n"
            "kim,1,2,regrade: XOR test was flaky,hidden/test_gates.py::test_xor\n"
            "kim,1,-0.5,late file fixed by hand,\n"
            "lee,1,-3,copied code,\n",
        )
    )
    kim = overrides.get("KIM", 1)
    assert [o.points for o in kim] == [2, -0.5] and kim[0].check == "hidden/test_gates.py::test_xor"
    assert kim[0].line == 2 and overrides.get("kim", 2) == ()
    assert apply(5, 10, kim) == (6.5, kim)
    assert apply(9, 10, kim)[0] == 10, "clamped to the maximum"
    lee = overrides.get("lee", 1)
    assert apply(2, 10, lee) == (0, lee), "never below 0"
    assert apply(4, 10, ()) == (4, ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("student,assignment,points,reason\nkim,1,2,\n", "line 2: the reason is empty"),
        ("student,assignment,points,reason\nkim,1,two,x\n", "points must be a number such as 2 or -1.5, not 'two'"),
        ("student,assignment,points,reason\nkim,1,nan,x\n", "points must be a number"),
        ("student,assignment,points,reason\nkim,A1,2,x\n", "the assignment must be its number"),
        ("student,assignment,points,reason\n,1,2,x\n", "the student is empty"),
        ("student,assignment,points\n", "the column 'reason' is missing"),
        ("student,assignment,points,reasons\n", "unknown column 'reasons'"),
    ],
)
def test_refused_clearly(tmp_path, text, message):
    with pytest.raises(OverridesError, match=message):
        load_overrides(write(tmp_path, text))


def test_override_is_plain_data():
    assert Override("kim", 1, 2.0, "why") == Override("kim", 1, 2.0, "why", "", 0)
