"""The roster: read as Excel and LMSs save it, matched to the ids a layout yields."""

from __future__ import annotations

import pytest

from grader.errors import RosterError
from grader.roster import RosterStudent, load_roster


def roster_file(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_excel_utf8_with_bom_any_header_case_and_blank_lines(tmp_path):
    path = roster_file(
        tmp_path,
        "\ufeffID, Name ,EMAIL,Section,Extra\r\n"
        "kimminsu,김민수,kim@u.ac.kr,A,x\r\n\r\n,,,,\r\nLeeJiwoo,Lee Jiwoo,,B,\r\n",
    )
    roster = load_roster(path)
    assert roster.students == (
        RosterStudent("kimminsu", "김민수", "kim@u.ac.kr", "A", 2),
        RosterStudent("LeeJiwoo", "Lee Jiwoo", "", "B", 5),
    )


def test_only_id_is_required(tmp_path):
    assert load_roster(roster_file(tmp_path, "id\n1001\n")).students == (RosterStudent("1001", line=2),)


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("name\nkim\n", "utf-8", "the column 'id' is missing"),
        ("id,name\nkim,a\nKIM,b\n", "utf-8", r"line 3: the id 'KIM' is already on line 2"),
        ("id,name\n,a\n", "utf-8", "line 2: the id is empty"),
        ("id,name\nkim,김민수\n", "cp949", "line 2: is not UTF-8 text: save it as 'CSV UTF-8'"),
        ("id,id\nkim,kim\n", "utf-8", "the column 'id' appears twice"),
        ("", "utf-8", "is empty"),
        ("id\nkim,extra\n", "utf-8", "line 2: has 2 cells but the header names 1 columns"),
    ],
)
def test_refuses_clearly(tmp_path, text, encoding, message):
    with pytest.raises(RosterError, match=message) as caught:
        load_roster(roster_file(tmp_path, text, encoding))
    assert str(caught.value).startswith(str(tmp_path / "roster.csv"))


def test_reconcile_matches_exactly_then_ignoring_case(tmp_path):
    roster = load_roster(roster_file(tmp_path, "id,name\nkimminsu,Kim\nLeeJiwoo,Lee\nparkseo,Park\n"))
    done = roster.reconcile(["leejiwoo", "kimminsu", "stranger", "KimMinsu"])
    assert {k: v.id for k, v in done.matched.items()} == {"leejiwoo": "LeeJiwoo", "kimminsu": "kimminsu"}
    assert [s.id for s in done.missing] == ["parkseo"]
    assert done.unknown == ("stranger", "KimMinsu"), "a second submission of one student is flagged"
    assert roster.find("KIMMINSU") is not None and roster.find("nobody") is None


def test_hostile_names_are_cleaned(tmp_path):
    roster = load_roster(roster_file(tmp_path, "id,name\nx,\"=cmd|' /C calc'!A0\x1b[2J\"\n"))
    assert roster.students[0].name == "=cmd|' /C calc'!A0\ufffd[2J"


def test_an_exact_match_wins_over_an_earlier_one_ignoring_case(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id\nkimminsu\n", encoding="utf-8")
    reconciled = load_roster(path).reconcile(["KimMinsu", "kimminsu"])
    assert [(sid, s.id) for sid, s in reconciled.matched.items()] == [("kimminsu", "kimminsu")]
    assert reconciled.unknown == ("KimMinsu",) and reconciled.missing == ()
