"""Preflight of a student's files and safe unpacking of zipped submissions."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

import pytest

from grader import submission
from grader.course import Course
from grader.errors import SubmissionError
from grader.submission import preflight, survey, unpack_zip
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
    names = [s.name for s in survey(tmp_path)[0]]
    assert names == ["alice", "alice (2)", "bob"]


# --- sources as Python reads them, and notebooks --------------------------------------------

REFERENCE_GATES = Path(__file__).resolve().parent.parent / "reference" / "01_gates" / "gates.py"


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbfx = 1\r\ny = 2\r\n",  # Notepad: a byte-order mark and CRLF
        "# -*- coding: cp949 -*-\n# 한국어 주석\nx = '가'\n".encode("cp949"),  # PEP 263, Korean Windows
        b"# vim: set fileencoding=latin-1 :\nx = '\xe9'\n",
        b"def f():\n\treturn 1\n",  # tabs
        b"x = 1\ry = 2\r",  # old Mac line ends
    ],
)
def test_files_python_imports_are_accepted(gates, tmp_path, raw):
    (tmp_path / "gates.py").write_bytes(raw)
    assert preflight(gates, tmp_path) == ["gates.py"]


def test_bytes_python_cannot_decode_name_the_encoding_to_save_in(gates, tmp_path):
    (tmp_path / "gates.py").write_bytes("# 주석\nx = 1\n".encode("cp949"))
    with pytest.raises(SubmissionError, match=r"not UTF-8 text \(byte 0xc1 on line 1\); save it with UTF-8"):
        preflight(gates, tmp_path)
    (tmp_path / "gates.py").write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    with pytest.raises(SubmissionError, match="declares an encoding Python does not know"):
        preflight(gates, tmp_path)


def test_what_only_the_compiler_refuses_is_a_syntax_error(gates, tmp_path):
    write(tmp_path / "gates.py", "import math\nfrom __future__ import annotations\n")
    with pytest.raises(SubmissionError, match="syntax error on line 2"):
        preflight(gates, tmp_path)


def _case_insensitive(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make `folder` answer as NTFS and APFS do by default: `gates.py` finds `Gates.py`."""
    real_stat, real_lstat, real_open = Path.stat, Path.lstat, Path.open

    def actual(path: Path) -> Path:
        if path.parent == folder and not os.path.lexists(path):
            return next((folder / n for n in os.listdir(folder) if n.casefold() == path.name.casefold()), path)
        return path

    monkeypatch.setattr(Path, "stat", lambda self, **kw: real_stat(actual(self), **kw))
    monkeypatch.setattr(Path, "lstat", lambda self: real_lstat(actual(self)))
    monkeypatch.setattr(Path, "open", lambda self, *a, **kw: real_open(actual(self), *a, **kw))


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"Gates.py": "x = 1\n"}, "found Gates.py instead: rename it to exactly gates.py"),
        ({"GATES.ipynb": "{}"}, "found the notebook GATES.ipynb: hand in gates.py, or the notebook named exactly"),
    ],
)
def test_a_name_that_differs_in_case_is_refused_where_the_file_system_would_find_it(
    gates, tmp_path, monkeypatch, files, message
):
    """On Windows and macOS `grader check` would find Gates.py and pass; grading, on Linux, would
    not find it. The check says so now, as grading would."""
    for name, content in files.items():
        write(tmp_path / name, content)
    _case_insensitive(monkeypatch, tmp_path)
    assert (tmp_path / "gates.py").exists() is True or (tmp_path / "gates.ipynb").exists() is True
    with pytest.raises(SubmissionError, match=re.escape(message)):
        submission.prepare(gates, tmp_path, tmp_path / "staging")


def test_a_checkpoint_named_in_another_case_is_not_passed_along(tmp_path, monkeypatch, repo):
    fitting = Course.load(repo).get(3)
    write(tmp_path / "fitting.py", "x = 1\n")
    write(tmp_path / "Square_model.pt", "weights")
    write(tmp_path / "sin_model.pt", "weights")
    _case_insensitive(monkeypatch, tmp_path)
    assert (tmp_path / "square_model.pt").is_file()
    assert preflight(fitting, tmp_path) == ["fitting.py", "sin_model.pt"]


def notebook_of(source: str) -> dict:
    from tests.notebooks import student_notebook

    return student_notebook(source, name="gates.ipynb", work="w, b = train_perceptron([[0, 0]], [-1])")


def test_a_notebook_stands_for_the_missing_file(gates, tmp_path):
    from tests.notebooks import write_notebook

    write_notebook(tmp_path / "gates.ipynb", notebook_of(REFERENCE_GATES.read_text(encoding="utf-8")))
    write(tmp_path / "helper.py", "X = 1\n")
    prepared = submission.prepare(gates, tmp_path, tmp_path / "staging")
    assert prepared.folder == tmp_path / "staging"
    assert prepared.files == ["gates.py", "helper.py"]
    assert (prepared.folder / "helper.py").read_text() == "X = 1\n"
    module = (prepared.folder / "gates.py").read_text(encoding="utf-8")
    assert "def perceptron" in module and "train_perceptron([[0, 0]]" not in module
    assert prepared.sources["gates.py"].origin == "gates.ipynb"
    assert prepared.notes[0].startswith("Graded from gates.ipynb")


def test_a_py_file_beside_its_notebook_is_graded_unless_it_is_the_untouched_skeleton(gates, repo, tmp_path):
    from tests.notebooks import write_notebook

    write_notebook(tmp_path / "gates.ipynb", notebook_of(REFERENCE_GATES.read_text(encoding="utf-8")))
    write(tmp_path / "gates.py", "x = 1\n")
    prepared = submission.prepare(gates, tmp_path, tmp_path / "staging")
    assert prepared.folder == tmp_path and not prepared.sources
    assert prepared.notes == ["gates.ipynb was not graded: gates.py is there too, and it is the file graded."]
    skeleton = (repo / "student_template" / "gates.py").read_text(encoding="utf-8")
    (tmp_path / "gates.py").write_bytes(("# my copy\n" + skeleton).replace("\n", "\r\n").encode())
    prepared = submission.prepare(gates, tmp_path, tmp_path / "staging")
    assert prepared.sources["gates.py"].origin == "gates.ipynb"
    assert "gates.py is the untouched skeleton" in prepared.notes[0]


def test_a_notebook_can_be_named_for_a_file(gates, tmp_path):
    from tests.notebooks import write_notebook

    write_notebook(tmp_path / "hw1 (1).ipynb", notebook_of(REFERENCE_GATES.read_text(encoding="utf-8")))
    write(tmp_path / "gates.py", "x = 1\n")
    prepared = submission.prepare(
        gates, tmp_path, tmp_path / "staging", notebooks={"gates.py": tmp_path / "hw1 (1).ipynb"}
    )
    assert prepared.sources["gates.py"].origin == "hw1 (1).ipynb"


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            ["hw1.ipynb"],
            "found the notebook hw1.ipynb: hand in gates.py, or the notebook named exactly gates.ipynb",
        ),
        (["a.ipynb", "b.ipynb"], "found the notebooks a.ipynb, b.ipynb"),
        (["Gates.ipynb"], "found the notebook Gates.ipynb"),
        (["hw/gates.ipynb"], "found hw/gates.ipynb: move it up"),
        ([], "submit a file named exactly gates.py (or the notebook gates.ipynb)"),
    ],
)
def test_a_notebook_with_another_name_is_named_and_never_renamed_to_py(gates, tmp_path, names, message):
    for name in names:
        write(tmp_path / name, "{}")
    with pytest.raises(SubmissionError) as caught:
        submission.prepare(gates, tmp_path, tmp_path / "staging")
    assert message in caught.value.reason
    assert "rename it to exactly gates.py" not in caught.value.reason


def test_a_notebook_renamed_to_py_is_read_as_a_notebook(gates, tmp_path):
    from tests.notebooks import write_notebook

    write_notebook(tmp_path / "gates.py", notebook_of(REFERENCE_GATES.read_text(encoding="utf-8")))
    prepared = submission.prepare(gates, tmp_path, tmp_path / "staging")
    assert prepared.notes[0] == "gates.py holds a Jupyter notebook (JSON), so it was read as a notebook."
    assert "def perceptron" in (prepared.folder / "gates.py").read_text(encoding="utf-8")
    assert prepared.sources["gates.py"].where(5).startswith("cell ")


def test_a_linked_notebook_is_refused(gates, tmp_path):
    target = write(tmp_path / "elsewhere.ipynb", "{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "gates.ipynb").symlink_to(target)
    with pytest.raises(SubmissionError, match="regular file"):
        submission.prepare(gates, tmp_path / "sub", tmp_path / "staging")
