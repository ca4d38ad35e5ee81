"""Preflight of a student's files and safe unpacking of zipped submissions."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader import submission
from grader.course import Course
from grader.errors import SubmissionError
from grader.submission import discover_students, preflight, unpack_zip
from tests.conftest import write


@pytest.fixture
def gates(repo):
    return Course.load(repo).get(1)


def test_required_file_plus_helpers(gates, tmp_path):
    write(tmp_path / "gates.py", "x = 1\n")
    write(tmp_path / "helpers.py", "y = 2\n")
    write(tmp_path / "notes.txt", "not code\n")
    assert preflight(gates, tmp_path) == ["gates.py", "helpers.py"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "gates.py is missing: submit a file named exactly gates.py"),
        ({"gate.py": "x = 1\n"}, "found gate.py instead: rename it to exactly gates.py"),
        ({"Gates.py": "x = 1\n"}, "found Gates.py instead"),
        ({"hw1/gates.py": "x = 1\n"}, "found hw1/gates.py: move it up"),
        ({"gates.py": "def f(:\n"}, "gates.py has a syntax error on line 1"),
        ({"gates.py": "x = 1\x00\n"}, "NUL bytes"),
    ],
)
def test_ungradable_messages_name_the_problem(gates, tmp_path, files, message):
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(SubmissionError, match=message.replace("(", r"\(")):
        preflight(gates, tmp_path)


def test_non_utf8_file_is_named_with_the_line(gates, tmp_path):
    (tmp_path / "gates.py").write_bytes(b"# ok\nx = '\xff'\n")
    with pytest.raises(SubmissionError, match=r"not UTF-8 text \(byte 0xff on line 2\)"):
        preflight(gates, tmp_path)


def test_symlinked_file_is_refused(gates, tmp_path):
    target = write(tmp_path / "elsewhere" / "real.py", "x = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "gates.py").symlink_to(target)
    with pytest.raises(SubmissionError, match="regular file"):
        preflight(gates, tmp_path / "sub")


def make_zip(path: Path, entries: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def test_zip_with_one_folder_is_unpacked_into_it(tmp_path):
    archive = make_zip(tmp_path / "s.zip", {"alice/gates.py": b"x = 1\n", "alice/data/a.txt": b"a"})
    folder = unpack_zip(archive, tmp_path / "out")
    assert folder == tmp_path / "out" / "alice" and (folder / "gates.py").read_text() == "x = 1\n"


@pytest.mark.parametrize(
    ("entries", "links", "message"),
    [
        ({"../escape.py": b"x"}, (), "leaves the submission folder"),
        ({"a/../../escape.py": b"x"}, (), "leaves the submission folder"),
        ({"/etc/evil.py": b"x"}, (), "leaves the submission folder"),
        ({"C:/evil.py": b"x"}, (), "leaves the submission folder"),
        ({}, ("gates.py",), "symbolic link"),
    ],
)
def test_unsafe_zips_are_refused(tmp_path, entries, links, message):
    archive = make_zip(tmp_path / "bad.zip", entries, links)
    with pytest.raises(SubmissionError, match=message):
        unpack_zip(archive, tmp_path / "out")
    assert not (tmp_path / "escape.py").exists()


def test_zip_bomb_is_refused_by_declared_size(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_ZIP_BYTES", 1024 * 1024)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.bin", b"\0" * (4 * 1024 * 1024))
    assert archive.stat().st_size < 20_000
    with pytest.raises(SubmissionError, match="unpacks to more than"):
        unpack_zip(archive, tmp_path / "out")


def test_not_a_zip(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK not really")
    with pytest.raises(SubmissionError, match="not a readable zip"):
        unpack_zip(bad, tmp_path / "out")


def test_students_are_folders_and_zips_sorted_and_unique(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / "alice").mkdir()
    make_zip(tmp_path / "alice.zip", {"gates.py": b""})
    write(tmp_path / "notes.txt", "ignored")
    (tmp_path / ".hidden").mkdir()
    names = [s.name for s in discover_students(tmp_path)]
    assert names == ["alice", "alice (2)", "bob"]
