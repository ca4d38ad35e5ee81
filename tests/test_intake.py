"""The layout step: LMS downloads, shaped as each LMS writes them, turned into students to grade."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from grader.errors import IntakeError, SubmissionError
from grader.intake import Entry, EntryFile, detect, materialise, read
from grader.intake.blackboard import parse_receipt
from grader.intake.classroom import common_prefix, last_commit_time
from grader.submission import unpack
from tests.conftest import REPO

GATES = (REPO / "reference" / "01_gates" / "gates.py").read_bytes()
GD = (REPO / "reference" / "02_gradient_descent" / "gradient_descent.py").read_bytes()
SEOUL = timezone(timedelta(hours=9))


def put(folder: Path, name: str, data: bytes = GATES) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def by_id(intake) -> dict[str, Entry]:
    return {e.student: e for e in intake.entries}


def unused(intake) -> dict[str, str]:
    return {s.name: s.reason for s in intake.unused}


def names(entry: Entry) -> list[str]:
    return sorted(f.name for f in entry.files)


# --- canvas ----------------------------------------------------------------------------------


@pytest.fixture
def canvas(tmp_path) -> Path:
    d = tmp_path / "canvas"
    put(d, "kimminsu_1001_5001_gates.py")
    put(d, "kimminsu_1001_5002_gradient_descent.py", GD)  # two files of one student
    put(d, "leejiwoo_LATE_1003_5003_gates-1.py")  # late, resubmitted
    put(d, "parkseo_yeon_1004_5004_my-file.py")  # an underscore in the name, a dash in the file
    put(d, "choi_late_1005_5005_gates.py")  # older Canvas's lower-case marker
    zipped(d / "hanjiho_1006_5006_hw1.zip", {"hw1/gates.py": GATES})
    put(d, "kimminsu_1001_text.html", b"<p>see attached</p>")
    put(d, "notes.txt", b"the TA's notes")  # a stray file
    put(d, ".DS_Store", b"")
    (d / "link.py").symlink_to(d / "notes.txt")
    (d / "a folder").mkdir()
    return d


def test_canvas_download_gives_students_files_and_every_unused_entry(canvas):
    intake = read(canvas)
    assert (intake.layout, intake.detected, intake.describe()) == ("canvas", True, "canvas (detected)")
    entries = by_id(intake)
    assert sorted(entries) == ["choi", "hanjiho", "kimminsu", "leejiwoo", "parkseo_yeon"]
    assert names(entries["kimminsu"]) == ["gates.py", "gradient_descent.py"]
    assert entries["kimminsu"].lms_user_id == "1001" and not entries["kimminsu"].late
    assert entries["kimminsu"].submitted is None and entries["kimminsu"].name is None
    assert len(entries["kimminsu"].sources) == 2
    lee = entries["leejiwoo"]
    assert names(lee) == ["gates.py"] and lee.late and lee.lms_user_id == "1003"
    assert "gates-1.py was graded as gates.py." in lee.notes
    assert names(entries["parkseo_yeon"]) == ["my-file.py"], "only Canvas's -N suffix is taken off"
    assert entries["choi"].late
    left = unused(intake)
    assert left["notes.txt"].startswith("its name fits no Canvas pattern")
    assert "text entry" in left["kimminsu_1001_text.html"]
    assert "hidden" in left[".DS_Store"] and "symbolic link" in left["link.py"] and "folder" in left["a folder"]
    assert len(intake.unused) == 5


def test_canvas_latest_upload_of_a_name_is_graded(tmp_path):
    put(tmp_path, "kimminsu_1001_5001_gates.py", b"old = 1\n")
    put(tmp_path, "kimminsu_1001_5009_gates-1.py", b"new = 1\n")
    intake = read(tmp_path, "canvas")
    (entry,) = intake.entries
    assert [(f.name, f.path.read_bytes()) for f in entry.files] == [("gates.py", b"new = 1\n")]
    assert "an earlier upload of gates.py" in unused(intake)["kimminsu_1001_5001_gates.py"]


@pytest.mark.parametrize(
    ("file", "login", "user", "original", "late"),
    [
        ("kimminsu_1001_5001_gates.py", "kimminsu", "1001", "gates.py", False),
        ("kimminsu_LATE_1001_5001_gates-12.py", "kimminsu", "1001", "gates.py", True),
        ("kimminsu_1001_5001_hw_2_3_gates.py", "kimminsu", "1001", "hw_2_3_gates.py", False),
        ("kimminsu_1001_5001_data-2024.csv", "kimminsu", "1001", "data-2024.csv", False),  # a year, not a copy
        ("kimminsu_1001_5001_gates-01.py", "kimminsu", "1001", "gates-01.py", False),
        ("kimminsu_1001_5001_model-2.tar.gz", "kimminsu", "1001", "model.tar.gz", False),
        ("kimminsu_1001_gates.py", "kimminsu", "1001", "gates.py", False),  # no attachment id
        ("김민수_1001_5001_gates.py", "김민수", "1001", "gates.py", False),
        ("anon_Ab3xZ_5001_gates.py", "anon_Ab3xZ", None, "gates.py", False),
        ("LATE_anon_Ab3xZ_5001_gates.py", "anon_Ab3xZ", None, "gates.py", True),
        ("kimminsu_1001_5001_text.html", "kimminsu", "1001", "text.html", False),  # an upload, not a text entry
    ],
)
def test_canvas_names(tmp_path, file, login, user, original, late):
    put(tmp_path, file)
    (entry,) = read(tmp_path, "canvas").entries
    assert (entry.student, entry.lms_user_id, names(entry), entry.late) == (login, user, [original], late)


@pytest.mark.parametrize(
    "file",
    ["KimMinsu_1001_5001_gates.py", "kim minsu_1001_5001_gates.py", "kimminsu_gates.py", "kimminsu_1001x_gates.py"],
)
def test_canvas_refuses_names_canvas_does_not_make(tmp_path, file):
    put(tmp_path, file)
    intake = read(tmp_path, "canvas")
    assert intake.entries == () and "fits no Canvas pattern" in unused(intake)[file]


def test_canvas_two_users_with_one_name_stay_apart(tmp_path):
    put(tmp_path, "kimminsu_1001_5001_gates.py")
    put(tmp_path, "kimminsu_2002_5002_gates.py")
    assert sorted(by_id(read(tmp_path, "canvas"))) == ["kimminsu_1001", "kimminsu_2002"]


def test_canvas_nfd_names_from_macos_zips(tmp_path):
    nfd = unicodedata.normalize("NFD", "김민수_1001_5001_게이트.py")
    put(tmp_path, nfd)
    (entry,) = read(tmp_path).entries
    assert entry.student == "김민수" and names(entry) == ["게이트.py"]
    assert entry.files[0].path.read_bytes() == GATES


# --- moodle ----------------------------------------------------------------------------------


@pytest.fixture
def moodle(tmp_path) -> Path:
    d = tmp_path / "moodle"
    put(d, "Kim Minsu_123456_assignsubmission_file_/gates.py")
    put(d, "Kim Minsu_123456_assignsubmission_file_/gradient_descent.py", GD)
    put(d, "Kim Minsu_123456_assignsubmission_onlinetext_/onlinetext.html", b"<p>hi</p>")
    put(d, unicodedata.normalize("NFD", "김민수_123457_assignsubmission_file_") + "/gates.py")
    put(d, "Lee_Ji Woo_123458_assignsubmission_file_/gates.py")
    zipped(d / "Park Seo_123459_assignsubmission_file_" / "hw1.zip", {"gates.py": GATES})
    put(d, "Han Jiho_123460_assignsubmission_file_gates.py")  # the flat variant
    put(d, "Han Jiho_123460_assignsubmission_file_helpers.py", b"x = 1\n")
    put(d, "grades.csv", b"a,b\n")
    return d


def test_moodle_download(moodle):
    intake = read(moodle)
    assert intake.describe() == "moodle (detected)"
    entries = by_id(intake)
    assert sorted(entries) == ["123456", "123457", "123458", "123459", "123460"]
    assert entries["123456"].name == "Kim Minsu" and names(entries["123456"]) == ["gates.py", "gradient_descent.py"]
    assert entries["123456"].folder is not None and entries["123456"].submitted is None
    assert entries["123457"].name == "김민수"  # NFC, as typed
    assert entries["123458"].name == "Lee_Ji Woo"
    assert entries["123460"].name == "Han Jiho" and names(entries["123460"]) == ["gates.py", "helpers.py"]
    assert entries["123460"].folder is None
    left = unused(intake)
    assert "online text" in left["Kim Minsu_123456_assignsubmission_onlinetext_"]
    assert "fits no Moodle pattern" in left["grades.csv"]


# --- blackboard ------------------------------------------------------------------------------

RECEIPT = """\
Name: Minsu Kim (kim_minsu)
Assignment: Assignment 1
Date Submitted: Friday, 20 March 2026 23:58:03 o'clock KST
Current Mark: Needs Marking

Submission Field:
There is no student submission text data for this assignment.

Comments:
There are no student comments for this assignment.

Files:
\tOriginal filename: gates.py
\tFilename: Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03_gates_1.py
"""


@pytest.fixture
def blackboard(tmp_path) -> Path:
    d = tmp_path / "bb"
    put(d, "Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03_gates_1.py")
    put(d, "Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03.txt", RECEIPT.encode())
    put(d, "Assignment_1_kim_minsu_attempt_2026-03-19-10-00-00_gates.py", b"old = 1\n")  # an earlier attempt
    put(d, "Assignment_1_kim_minsu_attempt_2026-03-19-10-00-00.txt", RECEIPT.replace("23:58", "10:00").encode())
    put(d, "Assignment_1_leejiwoo_attempt_2026-03-21-09-30-00_gates.py")  # no receipt
    put(d, "Assignment_1_parkseo_attempt_2026-03-21-11-00-00.txt", b"Name: Seo Park (parkseo)\n")  # no files
    put(d, "readme.md", b"x")
    return d


def test_blackboard_download(blackboard):
    intake = read(blackboard, tz="Asia/Seoul")
    assert intake.describe() == "blackboard (detected)"
    entries = by_id(intake)
    assert sorted(entries) == ["kim_minsu", "leejiwoo"]
    kim = entries["kim_minsu"]
    assert kim.name == "Minsu Kim" and names(kim) == ["gates.py"] and kim.files[0].path.read_bytes() == GATES
    assert kim.submitted == datetime(2026, 3, 20, 23, 58, 3, tzinfo=SEOUL)
    assert kim.submitted.utcoffset() == timedelta(hours=9)
    lee = entries["leejiwoo"]
    assert lee.name is None and names(lee) == ["gates.py"]
    assert lee.submitted == datetime(2026, 3, 21, 0, 30, tzinfo=UTC)
    left = unused(intake)
    assert (
        "an earlier attempt: the latest (2026-03-20 23:58:03) is graded"
        in left["Assignment_1_kim_minsu_attempt_2026-03-19-10-00-00_gates.py"]
    )
    assert "earlier attempt" in left["Assignment_1_kim_minsu_attempt_2026-03-19-10-00-00.txt"]
    assert left["Assignment_1_parkseo_attempt_2026-03-21-11-00-00.txt"] == "a receipt without files"
    assert "fits no Blackboard pattern" in left["readme.md"]


def test_blackboard_zone_argument(blackboard):
    utc = by_id(read(blackboard, "blackboard", tz=UTC))["leejiwoo"].submitted
    assert utc == datetime(2026, 3, 21, 9, 30, tzinfo=UTC)
    local = by_id(read(blackboard, "blackboard"))["leejiwoo"].submitted
    assert local is not None and local.tzinfo is not None, "the default zone is the machine's, and aware"
    with pytest.raises(IntakeError, match="unknown time zone"):
        read(blackboard, "blackboard", tz="Mars/Olympus")


def test_blackboard_receipt_parsing():
    receipt = parse_receipt(RECEIPT)
    assert (receipt.name, receipt.username) == ("Minsu Kim", "kim_minsu")
    assert receipt.originals == {"Assignment_1_kim_minsu_attempt_2026-03-20-23-58-03_gates_1.py": "gates.py"}
    assert parse_receipt("garbage").username is None


# --- classroom -------------------------------------------------------------------------------


def git(repo: Path, *args: str, date: str = "2026-03-20T23:58:03+09:00") -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "s",
        "GIT_AUTHOR_EMAIL": "s@example.org",
        "GIT_COMMITTER_NAME": "s",
        "GIT_COMMITTER_EMAIL": "s@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def clone(folder: Path, name: str, *, commit: bool = True, date: str = "2026-03-20T23:58:03+09:00") -> Path:
    repo = folder / name
    put(repo, "gates.py")
    git(repo, "init", "-q", "-b", "main")
    if commit:
        git(repo, "add", "gates.py")
        git(repo, "commit", "-q", "-m", "first", date="2026-03-01T10:00:00+09:00")
        put(repo, "gates.py", GATES + b"\n# done\n")
        git(repo, "commit", "-q", "-am", "second", date=date)
    return repo


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_classroom_clones(tmp_path):
    d = tmp_path / "clones"
    clone(d, "gates-kimminsu")
    clone(d, "gates-leejiwoo", date="2026-03-21T01:00:00Z")
    clone(d, "gates-nocommit", commit=False)
    git(d / "gates-leejiwoo", "gc", "-q")  # packed objects and refs, as a fresh clone has them
    put(d, "gates-loose/gates.py")  # a folder that is not a clone
    intake = read(d)
    assert intake.describe() == "classroom (detected)"
    entries = by_id(intake)
    assert sorted(entries) == ["kimminsu", "leejiwoo", "nocommit"]
    assert entries["kimminsu"].submitted == datetime(2026, 3, 20, 23, 58, 3, tzinfo=SEOUL)
    assert entries["leejiwoo"].submitted == datetime(2026, 3, 21, 1, 0, tzinfo=UTC)
    assert entries["nocommit"].submitted is None and "no commit" in entries["nocommit"].notes[0]
    assert all(".git" not in names(e) for e in entries.values()) and names(entries["kimminsu"]) == ["gates.py"]
    assert "not a cloned repository" in unused(intake)["gates-loose"]
    student = materialise(entries["kimminsu"], tmp_path / "staging")
    assert student.path == d / "gates-kimminsu" and student.name == "kimminsu"


@needs_git
def test_classroom_config_never_runs(tmp_path):
    repo = clone(tmp_path / "clones", "hw-evil")
    marker = tmp_path / "ATTACK-SUCCEEDED"
    script = tmp_path / "attack.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    with (repo / ".git" / "config").open("a") as fh:
        fh.write(
            f"[core]\n\tfsmonitor = {script}\n\tpager = {script}\n\thooksPath = {tmp_path}\n"
            f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {script}\n"
            f"[diff]\n\texternal = {script}\n[pager]\n\tlog = {script}\n"
        )
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        (tmp_path / hook).symlink_to(script)
    when, note = last_commit_time(repo)
    assert when == datetime(2026, 3, 20, 23, 58, 3, tzinfo=SEOUL) and note == ""
    assert not marker.exists()


def test_classroom_git_file_and_links_are_not_clones(tmp_path):
    d = tmp_path / "clones"
    put(d, "a-x/.git", b"gitdir: /etc\n")
    (d / "a-y").mkdir()
    (d / "a-y" / ".git").symlink_to(tmp_path)
    intake = read(d, "classroom")
    assert intake.entries == () and len(intake.unused) == 2


def test_common_prefix():
    assert common_prefix(["gates-kim1", "gates-kim2"]) == "gates-"
    assert common_prefix(["hw1-a-b", "hw1-a-c"]) == "hw1-a-"
    assert common_prefix(["gates-kim"]) == ""
    assert common_prefix(["alpha", "beta"]) == ""


@needs_git
def test_classroom_prefix_argument(tmp_path):
    d = tmp_path / "clones"
    clone(d, "gates-kim-a")
    clone(d, "gates-kim-b")
    assert sorted(by_id(read(d))) == ["a", "b"]
    assert sorted(by_id(read(d, "classroom", prefix="gates-"))) == ["kim-a", "kim-b"]


# --- folders, auto, errors -------------------------------------------------------------------


def test_folders_layout_is_todays_survey(tmp_path):
    put(tmp_path, "alice/gates.py")
    zipped(tmp_path / "bob.zip", {"gates.py": GATES})
    put(tmp_path, "stray.txt", b"x")
    intake = read(tmp_path)
    assert intake.describe() == "folders (detected)"
    entries = by_id(intake)
    assert entries["alice"].folder == tmp_path / "alice" and names(entries["alice"]) == ["gates.py"]
    assert materialise(entries["bob"], tmp_path / "s").path == tmp_path / "bob.zip"
    assert "not a student's folder" in unused(intake)["stray.txt"]


def test_auto_needs_half_of_the_entries(tmp_path):
    put(tmp_path, "kimminsu_1001_5001_gates.py")
    put(tmp_path, "alice/gates.py")
    put(tmp_path, "bob/gates.py")
    assert detect(tmp_path) == "folders"
    put(tmp_path, "leejiwoo_1002_5002_gates.py")
    assert detect(tmp_path) == "canvas"
    assert detect(tmp_path / "alice") == "folders"


def test_named_layout_and_errors(tmp_path):
    put(tmp_path, "Kim_1_assignsubmission_file_gates.py")
    assert read(tmp_path, "moodle").describe() == "moodle"
    with pytest.raises(IntakeError, match="unknown layout"):
        read(tmp_path, "brightspace")
    with pytest.raises(IntakeError, match="is not a folder"):
        read(tmp_path / "nope")


def test_hostile_names_are_cleaned_and_stay_inside(tmp_path):
    put(tmp_path, "=cmd|' -C calc'!A0_1_assignsubmission_file_/gates.py")
    put(tmp_path, "... _2_assignsubmission_file_/gates.py")
    put(tmp_path, "a . ._4_assignsubmission_file_/gates.py")
    put(tmp_path, "Evil\u202eName \x1b[31m_3_assignsubmission_file_..gates.py")
    intake = read(tmp_path)
    entries = by_id(intake)
    assert entries["1"].name == "=cmd|' -C calc'!A0"
    assert "hidden" in unused(intake)["... _2_assignsubmission_file_"]
    assert entries["4"].name == "a . ."
    assert "\x1b" not in (entries["3"].name or "") and "\u202e" not in (entries["3"].name or "")
    assert names(entries["3"]) == ["..gates.py"]
    student = materialise(entries["3"], tmp_path.parent / "stage3")
    assert sorted(p.name for p in student.path.iterdir()) == ["..gates.py"]


# --- materialise -----------------------------------------------------------------------------


def test_materialise_stages_files_under_their_original_names(canvas, tmp_path):
    entries = by_id(read(canvas))
    student = materialise(entries["kimminsu"], tmp_path / "s1")
    assert student.name == "kimminsu" and not student.is_archive
    assert sorted(p.name for p in student.path.iterdir()) == ["gates.py", "gradient_descent.py"]
    assert (student.path / "gates.py").read_bytes() == GATES
    lee = materialise(entries["leejiwoo"], tmp_path / "s2")
    assert [p.name for p in lee.path.iterdir()] == ["gates.py"]
    han = materialise(entries["hanjiho"], tmp_path / "s3")
    assert han.is_archive and han.path.name == "hanjiho_1006_5006_hw1.zip"
    assert (unpack(han.path, tmp_path / "u") / "gates.py").read_bytes() == GATES


def test_materialise_unpacks_an_archive_among_files(tmp_path):
    d = tmp_path / "d"
    zipped(d / "kim_1_5_code.zip", {"code/gates.py": GATES})
    put(d, "kim_1_6_notes.md", b"notes")
    (entry,) = read(d, "canvas").entries
    student = materialise(entry, tmp_path / "stage")
    assert sorted(p.name for p in student.path.iterdir()) == ["gates.py", "notes.md"]
    clash = Entry(
        "x",
        (EntryFile("a.zip", zipped(tmp_path / "a.zip", {"n.md": b""})), EntryFile("n.md", d / "kim_1_6_notes.md")),
        (),
    )
    with pytest.raises(SubmissionError, match=r"both hold n\.md"):
        materialise(clash, tmp_path / "stage2")
    broken = put(tmp_path, "b.zip", b"not a zip")
    with pytest.raises(SubmissionError, match=r"b\.zip is not a readable zip"):
        materialise(
            Entry("y", (EntryFile("b.zip", broken), EntryFile("n.md", d / "kim_1_6_notes.md")), ()), tmp_path / "s4"
        )


def test_materialise_moodle_folder_with_one_zip_gives_the_zip(moodle, tmp_path):
    entries = by_id(read(moodle))
    park = materialise(entries["123459"], tmp_path / "s")
    assert park.is_archive and park.path.name == "hw1.zip"
    kim = materialise(entries["123456"], tmp_path / "s2")
    assert kim.path == moodle / "Kim Minsu_123456_assignsubmission_file_"
    han = materialise(entries["123460"], tmp_path / "s3")
    assert sorted(p.name for p in han.path.iterdir()) == ["gates.py", "helpers.py"]


def test_entries_are_sorted_and_unique(tmp_path):
    put(tmp_path, "B_2_assignsubmission_file_/gates.py")
    put(tmp_path, "A_1_assignsubmission_file_/gates.py")
    ids = [e.student for e in read(tmp_path).entries]
    assert ids == ["1", "2"]


def test_zone_keys_are_zoneinfo(blackboard):
    when = by_id(read(blackboard, tz=ZoneInfo("America/New_York")))["leejiwoo"].submitted
    assert when is not None and when.utcoffset() == timedelta(hours=-4)  # summer time already on 21 March


def test_auto_prefers_moodle_when_canvas_fits_too(tmp_path):
    put(tmp_path, "김민수_123456_assignsubmission_file_gates.py")  # also a Canvas name without attachment id
    put(tmp_path, "이지우_123457_assignsubmission_file_gates.py")
    intake = read(tmp_path)
    assert intake.layout == "moodle" and sorted(by_id(intake)) == ["123456", "123457"]


def test_every_layout_gives_what_todays_grading_takes(canvas, moodle, blackboard, tmp_path):
    from grader.course import Course
    from grader.submission import preflight

    gates = Course.load(REPO).get(1)
    for n, (download, student) in enumerate([(canvas, "kimminsu"), (moodle, "123456"), (blackboard, "kim_minsu")]):
        entry = by_id(read(download, tz="UTC"))[student]
        graded = materialise(entry, tmp_path / f"stage{n}")
        assert graded.name == student and "gates.py" in preflight(gates, graded.path)


def test_names_from_inside_a_receipt_never_leave_the_staging_folder(tmp_path):
    d = tmp_path / "bb"
    put(d, "A1_kim_attempt_2026-03-20-23-58-03_gates.py")
    stored = "A1_kim_attempt_2026-03-20-23-58-03_gates.py"
    put(
        d,
        "A1_kim_attempt_2026-03-20-23-58-03.txt",
        f"Name: K (kim)\nOriginal filename: ../../evil.py\nFilename: {stored}\n".encode(),
    )
    (entry,) = read(d, tz="UTC").entries
    assert names(entry) == ["gates.py"], "an unsafe original name falls back to the stored one"
    for bad in ("../evil.py", "a/b.py", "..", "x\0.py"):
        with pytest.raises(SubmissionError, match="is not a file name"):
            materialise(
                Entry("x", (EntryFile(bad, entry.files[0].path), EntryFile("n.py", entry.files[0].path)), ()),
                tmp_path / "s",
            )
    assert not (tmp_path / "evil.py").exists()


@needs_git
def test_classroom_shallow_clone(tmp_path):
    origin = clone(tmp_path, "origin")
    d = tmp_path / "clones"
    d.mkdir()
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(d / "hw-kim")],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"},
        check=True,
        capture_output=True,
    )
    assert (d / "hw-kim" / ".git" / "shallow").is_file()
    assert last_commit_time(d / "hw-kim") == (datetime(2026, 3, 20, 23, 58, 3, tzinfo=SEOUL), "")


def test_receipt_comments_cannot_speak_for_blackboard():
    comment = "Name: Someone Else (other)\nOriginal filename: evil.py\nFilename: x.py\n" + " " * 200_000 + "\n"
    text = RECEIPT.replace("There are no student comments for this assignment.\n", comment)
    receipt = parse_receipt(text)
    assert receipt.username == "kim_minsu" and "x.py" not in receipt.originals
    assert list(receipt.originals.values()) == ["gates.py"]


def test_a_whole_download_zip_is_refused_with_what_to_do(tmp_path):
    download = zipped(tmp_path / "submissions.zip", {"kimminsu_1001_5001_gates.py": GATES})
    with pytest.raises(IntakeError, match="unpack the download into a folder"):
        read(download)
