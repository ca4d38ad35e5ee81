"""A class no submission can crash, stall or blur: hostile names, archives and deep folders are each
that student's own ungradable (or graded) result, the batch writes every output, nothing is left
in the temporary folder, and the honest students get what they get when graded alone.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from grader.course import Course
from grader.folders import remove_tree
from grader.grading import grade_class
from grader.progress import BatchDisplay
from grader.results import load_run
from grader.runner import JudgeRunner
from tests.conftest import REPO

GATES = (REPO / "reference" / "01_gates" / "gates.py").read_bytes()
HANGUL = "가" * 84  # 252 bytes in UTF-8: a legal folder name whose report name would not be
DEEP = 1100


def zip_of(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            if name.endswith("/"):
                archive.writestr(zipfile.ZipInfo(name), b"")
            else:
                archive.writestr(name, data)


def folder_with(path: Path, files: dict[str, bytes]) -> None:
    path.mkdir()
    for name, data in files.items():
        (path / name).write_bytes(data)


def nested(root: Path, depth: int, name: str = "d") -> None:
    """`depth` folders inside one another under `root`, a file at the bottom, made one level at a time."""
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        inner = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    with open(os.open("gates.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
        fh.write(GATES)
    os.close(fd)


def build_class(root: Path) -> Path:
    subs = root / "submissions"
    subs.mkdir()
    folder_with(subs / "alice", {"gates.py": GATES})
    folder_with(subs / ("a" * 255), {"gates.py": GATES})
    folder_with(subs / HANGUL, {"gates.py": GATES})
    folder_with(subs / "dave\x07", {"gates.py": GATES})
    folder_with(subs / "dave\x1b", {"gates.py": b"def perceptron(x, w, b):\n    return 0\n"})
    folder_with(subs / "eve\x1b[2J\x1b[HALL 25 PASSED\nmallory", {"gates.py": GATES})
    zip_of(subs / "file-and-folder.zip", {"gates.py": GATES, "gates.py/inner.txt": b"x"})
    zip_of(subs / "dot-member.zip", {"./": b"", "gates.py": GATES})
    zip_of(subs / "long-name.zip", {"gates.py": GATES, "n" * 300 + ".txt": b"x"})
    zip_of(subs / "deep.zip", {"a/" * 1000 + "gates.py": GATES})
    zip_of(subs / "colon.zip", {"gates.py": GATES, "notes 10:30.txt": b"meeting notes"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("gates\u00e9.py", GATES)
    (subs / "not-utf8.zip").write_bytes(buffer.getvalue().replace("\u00e9".encode(), b"\xff\xfe"))
    with tarfile.open(subs / "tarred.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("tarred/gates.py")
        info.size = len(GATES)
        archive.addfile(info, io.BytesIO(GATES))
    (subs / "deep-folder").mkdir()
    nested(subs / "deep-folder", DEEP)
    (subs / ".hidden").mkdir()
    (subs / "linked").symlink_to(subs / "alice")
    (subs / "notes.txt").write_text("not a student")
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    subs = build_class(root)
    scratch = Path(tempfile.mkdtemp(prefix="hostile-tmp-"))  # the grader's temporary folder, watched
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)
    tempfile.tempdir = None
    shown = io.StringIO()
    display = BatchDisplay(shown, live=True)
    try:
        run = grade_class(
            course=Course.load(REPO),
            submissions=subs,
            out=root / "out",
            assignment_ids=[1],
            runner=JudgeRunner(),
            workers=2,
            on_progress=display.finish,
            on_start=display.start,
        )
        display.close()
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        tempfile.tempdir = None
    left = sorted(p.name for p in scratch.iterdir() if not p.name.startswith("grader-z-"))  # the zygote's own
    shutil.rmtree(scratch, ignore_errors=True)
    results = {s.student: s.assignments[0] for s in run.submissions}
    yield results, root / "out", run, left, shown.getvalue()
    remove_tree(subs)  # pytest's own clean-up recurses, and would leave the deep folder behind


def test_every_output_is_written_and_nothing_is_left_behind(graded):
    results, out, run, left, _ = graded
    assert (out / "index.html").is_file() and (out / "gradebook.csv").is_file()
    assert load_run(out / "results.json").submissions == run.submissions
    assert left == []
    assert len(results) == 14
    assert all(a.status != "error" for a in results.values()), {n: a.message for n, a in results.items()}
    reports = sorted(p.name for p in (out / "students").iterdir())
    assert len(reports) == len(results) == len(set(reports))
    assert all(len(name.encode()) <= 200 for name in reports)


@pytest.mark.parametrize("name", ["alice", "a" * 119 + "…", "가" * 84, "dave\ufffd", "colon", "dot-member", "tarred"])
def test_honest_students_get_full_marks_whatever_their_name_or_archive(graded, name):
    results, *_ = graded
    assert results[name].status == "graded" and results[name].score == 25, results[name].message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("file-and-folder", "cannot be unpacked"),
        ("long-name", "a name longer than 255 bytes"),
        ("deep", "nests folders more than 32 deep"),
        ("not-utf8", "is not a readable zip file"),
        ("deep-folder", "gates.py is missing"),
    ],
)
def test_hostile_archives_and_folders_are_that_students_ungradable_result(graded, name, message):
    results, *_ = graded
    assert results[name].status == "ungradable" and message in results[name].message, results[name].message
    assert "grader-s-" not in results[name].message  # the grader's temporary folder is not the student's business


def test_names_that_collide_once_cleaned_keep_their_own_reports(graded):
    results, out, *_ = graded
    assert results["dave\ufffd"].score == 25 and results["dave\ufffd (2)"].score == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "students/dave.html" in index and "students/dave_2.html" in index


def test_skipped_entries_are_listed_with_their_reason(graded):
    _, out, run, *_ = graded
    reasons = {entry.name: entry.reason for entry in run.skipped}
    assert set(reasons) == {".hidden", "linked", "notes.txt"}
    assert "symbolic link" in reasons["linked"] and "starts with a dot" in reasons[".hidden"]
    assert "notes.txt" in (out / "index.html").read_text(encoding="utf-8")


def test_the_terminal_never_gets_a_control_character_from_a_name(graded):
    *_, shown = graded
    ours = shown.replace("\r\x1b[K", "")  # the display's own line clearing
    assert "\x1b" not in ours and "\x07" not in ours
    assert "ALL 25 PASSED\n" not in ours
    assert "grading:" in shown
