"""grader similar: copies found whatever their cosmetics, honest work and the skeleton not.

The class of the acceptance test is made from the course's own code (tests/similarity_class.py):
per assignment, the reference and the independent alternative solutions as honest students, a
copy of the reference with every name changed and the functions in reverse order, a copy of an
alternative with only comments and spacing changed, and two untouched skeletons.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from grader import cli, grading
from grader.course import Course
from grader.errors import IntakeError
from grader.grading import grade_class, similar_class
from grader.similarity import compare as compare_module
from grader.similarity.compare import compare_class
from grader.similarity.fingerprint import fingerprint, normalise
from grader.submission import Student
from tests.conftest import REPO
from tests.fakes import FakeRunner
from tests.notebooks import colab_notebook, split_cells, write_notebook
from tests.similarity_class import FILES, renamed, reordered, restyled, skeleton, solutions, write_student
from tests.test_batch import scored

COURSE = Course.load(REPO)
COPIES = {"copy-renamed": "reference"}  # the copy of the reference; the restyled one copies the first alternative


@pytest.fixture(scope="module")
def known_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[int, set[frozenset[str]]]]:
    """The acceptance class compared once: its JSON, and per assignment which pairs are copies."""
    root = tmp_path_factory.mktemp("similarity")
    students: dict[str, dict[str, str]] = {}
    copies: dict[int, set[frozenset[str]]] = {}
    for assignment, (_, name) in FILES.items():
        honest = solutions(assignment)
        first_alternative = next(n for n in honest if n != "reference")
        handed_in = {
            **honest,
            "copy-renamed": reordered(renamed(honest["reference"], seed=assignment)),
            "copy-restyled": restyled(honest[first_alternative]),
            "skeleton-1": skeleton(assignment),
            "skeleton-2": skeleton(assignment),
        }
        for student, text in handed_in.items():
            students.setdefault(student, {})[name] = text
        copies[assignment] = {
            frozenset({"copy-renamed", "reference"}),
            frozenset({"copy-restyled", first_alternative}),
        }
    folders = [Student(s, write_student(root / "class" / s, files)) for s, files in sorted(students.items())]
    compare_class(course=COURSE, students=folders, out=root / "out", threshold=0.0, limit=1000)
    return json.loads((root / "out" / "similarity.json").read_text(encoding="utf-8")), copies


def test_copies_rank_above_every_honest_pair_and_skeletons_share_nothing(known_class):
    report, copies = known_class
    for assignment in FILES:
        pairs = {frozenset(p["students"]): p["similarity"] for p in report["pairs"] if p["assignment"] == assignment}
        copied = {pair: pairs[pair] for pair in copies[assignment]}
        honest = {pair: score for pair, score in pairs.items() if pair not in copies[assignment]}
        lowest_copy, highest_honest = min(copied.values()), max(honest.values())
        assert lowest_copy > highest_honest, (assignment, copied, sorted(honest.items(), key=lambda p: -p[1])[:3])
        assert lowest_copy >= 0.7, (assignment, copied)  # found at the default threshold (0.5), with room
        assert highest_honest < 0.5, (assignment, highest_honest)
        assert frozenset({"skeleton-1", "skeleton-2"}) not in pairs, "two untouched skeletons share nothing"
        summary = next(a for a in report["assignments"] if a["id"] == assignment)
        assert sum(summary["histogram"]) == summary["pairs"] == summary["students"] * (summary["students"] - 1) // 2
        assert summary["above_threshold"] == len(pairs)  # threshold 0: every pair sharing anything


def test_the_regions_of_a_copy_are_its_lines(known_class):
    report, _ = known_class
    top = next(
        p for p in report["pairs"] if set(p["students"]) == {"copy-renamed", "reference"} and p["assignment"] == 1
    )
    (match,) = top["matches"]
    assert match["file"] == "gates.py"
    assert all(1 <= start <= end for side in match["lines"] for start, end in side)
    assert min(match["shared"]) > 0.7
    assert top["page"] in ("similarity/1-001.html", "similarity/1-002.html")  # the two copies rank first


def test_two_untouched_template_notebooks_share_nothing(tmp_path):
    for student in ("a", "b"):
        (tmp_path / "subs" / student).mkdir(parents=True)
        (tmp_path / "subs" / student / "gates.ipynb").write_bytes(
            (REPO / "student_template" / "notebooks" / "gates.ipynb").read_bytes()
        )
    run = similar_class(
        course=COURSE, submissions=tmp_path / "subs", out=tmp_path / "out", assignment_ids=[1], threshold=0
    )
    (result,) = run.assignments
    assert (result.students, result.pairs, result.kept) == (2, 1, [])  # kept: only pairs that share something


def test_cosmetics_leave_the_normalised_code_as_it_is():
    original = 'def area(width, height):\n    """The area."""\n    return width * height + len(f"{width}")\n'
    disguised = (
        "# mine\n\n\ndef surface(self, w,h) :  # two sides\n"
        '    """Computes it, carefully."""\n\n    return self*w+len(f"{self}")\n'
    )
    assert normalise(original).text == "defF(V,V):returnV*V+len(S)"
    assert normalise(disguised).text == "defF(V,V,V):returnV*V+len(S)"
    code = normalise("x = 1  # c\nclass Net(Base):\n    '''doc'''\n    y = 'text' 'more'\n")
    assert code.text == "V=1classO(V):V=SS"
    assert normalise("def broken(:\n    pass\n").text.startswith("defF(")  # up to where Python stops


def test_a_copy_of_a_known_wrong_solution_is_found_beside_the_reference():
    """A known-wrong variant (tests/test_assignment1.py: the reference with one line changed) is
    the reference's copy, and the fingerprints say so."""
    from tests.harness import variant
    from tests.test_assignment1 import REFERENCE, WRONG

    wrong = variant(REFERENCE, WRONG[0][1])
    a, b = fingerprint(REFERENCE), fingerprint(wrong)
    assert 2 * len(a.hashes & b.hashes) / (a.size + b.size) > 0.9


def test_scores_are_the_same_from_a_pool_of_processes(tmp_path, monkeypatch):
    students = []
    for i, (name, text) in enumerate(solutions(2).items()):
        students.append(Student(name, write_student(tmp_path / "class" / name, {"gradient_descent.py": text})))
        copy = f"copy-{i}"
        students.append(
            Student(copy, write_student(tmp_path / "class" / copy, {"gradient_descent.py": renamed(text, i)}))
        )
    serial = compare_class(course=COURSE, students=students, out=tmp_path / "a", assignment_ids=[2], threshold=0.0)
    monkeypatch.setattr(compare_module, "_POOL_MIN", 0)
    pooled = compare_class(
        course=COURSE, students=students, out=tmp_path / "b", assignment_ids=[2], threshold=0.0, workers=2
    )
    assert [p.to_dict() for p in pooled.pairs] == [p.to_dict() for p in serial.pairs]
    assert pooled.assignments[0].histogram == serial.assignments[0].histogram


def _moodle(folder: Path, full_name: str, participant: int) -> Path:
    return folder / f"{full_name}_{participant}_assignsubmission_file_"


def test_the_command_reads_an_lms_download_with_a_zip_and_a_notebook(tmp_path, capsys):
    """grader similar on a Moodle download: one student's .py, a copy zipped (by a student whose name
    is HTML), a copy in a notebook, an honest student and the untouched skeleton."""
    reference = solutions(1)["reference"]
    download = tmp_path / "download"
    write_student(_moodle(download, "Ann Original", 101), {"gates.py": reference})
    zipped = _moodle(download, '<b onclick="x">Zed', 102)
    zipped.mkdir(parents=True)
    with zipfile.ZipFile(zipped / "work.zip", "w") as zf:
        zf.writestr("work/gates.py", renamed(reference, seed=7))
    notebook = _moodle(download, "Nora Notebook", 103)
    notebook.mkdir(parents=True)
    cells = [("code", cell) for cell in split_cells(restyled(reference))] + [("code", "print(XOR(1, 0))")]
    write_notebook(notebook / "gates.ipynb", colab_notebook(cells, name="gates.ipynb"))
    write_student(_moodle(download, "Hal Honest", 104), {"gates.py": solutions(1)["alternative_numpy"]})
    write_student(_moodle(download, "Sam Skeleton", 105), {"gates.py": skeleton(1)})
    out = tmp_path / "out"

    assert cli.main(["similar", str(download), "--out", str(out), "-a", "1"]) == 0

    printed = capsys.readouterr()
    assert "Submissions read as moodle (detected): 5 students" in printed.err
    assert "Assignment 1: 5 students, 10 pairs, 3 at or above 50%" in printed.out
    report = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    listed = {frozenset(p["students"]) for p in report["pairs"]}
    assert listed == {frozenset(pair) for pair in (("101", "102"), ("101", "103"), ("102", "103"))}
    html = (out / "similarity.html").read_text(encoding="utf-8")
    assert "Sam Skeleton" not in html  # the skeleton matches no one
    assert "102 (&lt;b onclick=&#34;x&#34;&gt;Zed)" in html and "<b onclick" not in html
    page = (out / report["pairs"][-1]["page"]).read_text(encoding="utf-8")
    assert "<mark>" in page and "Content-Security-Policy" in page and "<script" not in page
    pages = "".join((out / p["page"]).read_text(encoding="utf-8") for p in report["pairs"])
    assert "from gates.ipynb, as grading converts it" in pages
    assert 'title="gates.ipynb, cell ' in pages  # each line of the converted notebook says its cell
    assert not (out / ".intake-similar").exists()


def test_hostile_files_are_listed_not_compared_and_names_are_escaped(tmp_path):
    reference = solutions(1)["reference"]
    subs = tmp_path / "subs"
    evil = '<img src=x onerror=alert(1)>"&'
    write_student(subs / evil, {"gates.py": reference})
    write_student(subs / "copy", {"gates.py": renamed(reference)})
    (write_student(subs / "latin1", {}) / "gates.py").write_bytes(b"# caf\xe9\nx = 1\n")
    (write_student(subs / "nul", {}) / "gates.py").write_bytes(b"x = 1\x00\n" + reference.encode())
    (write_student(subs / "huge", {}) / "gates.py").write_text("x = 1\n" * 300_000, encoding="utf-8")
    write_student(subs / "syntax", {"gates.py": reference + "\ndef broken(:\n"})
    write_student(subs / "odd", {"gates.py": "# -*- coding: utf-8 -*-\n\x1b[31m = 1\n" + "(" * 200 + ")" * 200 + "\n"})
    out = tmp_path / "out"

    run = similar_class(course=COURSE, submissions=subs, out=out, assignment_ids=[1])

    (result,) = run.assignments
    reasons = {s.name: s.reason for s in result.not_compared}
    assert set(reasons) == {"latin1", "nul", "huge", "syntax", "odd"}, reasons
    assert "UTF-8" in reasons["latin1"] and "NUL" in reasons["nul"] and "syntax error" in reasons["syntax"]
    assert [set(p.students) for p in run.pairs] == [{evil, "copy"}]
    for page in (out / "similarity.html", out / run.pairs[0].page):
        html = page.read_text(encoding="utf-8")
        assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_only_the_highest_pairs_are_kept_and_the_rest_counted(tmp_path):
    reference = solutions(1)["reference"]
    students = [
        Student(f"s{i}", write_student(tmp_path / f"s{i}", {"gates.py": renamed(reference, i)})) for i in range(5)
    ]
    run = compare_class(course=COURSE, students=students, out=tmp_path / "out", assignment_ids=[1], limit=3)
    (result,) = run.assignments
    assert (result.pairs, result.above, len(result.kept)) == (10, 10, 3)
    assert "and 7 more pairs at or above 50%" in (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "out" / "similarity").iterdir()) == [
        "1-001.html",
        "1-002.html",
        "1-003.html",
    ]


def test_an_assignment_nobody_handed_in_and_an_empty_folder(tmp_path):
    subs = tmp_path / "subs"
    write_student(subs / "only", {"gates.py": solutions(1)["reference"]})
    run = similar_class(course=COURSE, submissions=subs, out=tmp_path / "out", assignment_ids=[1, 2])
    assert [(a.id, a.students, a.pairs, len(a.not_compared)) for a in run.assignments] == [(1, 1, 0, 0), (2, 0, 0, 1)]
    html = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "0 pairs at or above 50%" in html
    (tmp_path / "empty").mkdir()
    with pytest.raises(IntakeError, match="holds no submissions"):
        similar_class(course=COURSE, submissions=tmp_path / "empty", out=tmp_path / "out2")
    assert not (tmp_path / "out2" / "similarity.html").exists()


def test_grading_with_similarity_links_it_from_the_class_summary(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    reference = solutions(1)["reference"]
    write_student(subs / "a", {"gates.py": reference})
    write_student(subs / "b", {"gates.py": renamed(reference)})
    grade_class(
        course=COURSE, submissions=subs, out=out, assignment_ids=[1], runner=FakeRunner(scored), similarity=True
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="similarity.html">' in index
    assert json.loads((out / "similarity.json").read_text(encoding="utf-8"))["pairs"][0]["students"] == ["a", "b"]
    assert '<a href="index.html">' in (out / "similarity.html").read_text(encoding="utf-8")
    grade_class(course=COURSE, submissions=subs, out=tmp_path / "plain", assignment_ids=[1], runner=FakeRunner(scored))
    assert "similarity.html" not in (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")


def test_grade_similarity_is_forwarded_by_the_command(tmp_path, monkeypatch):
    seen = {}

    def fake_grade_class(**kwargs):
        seen.update(kwargs)
        raise cli.GraderError("stop here")

    monkeypatch.setattr(grading, "grade_class", fake_grade_class)  # the command imports it when it runs
    monkeypatch.setattr(cli, "_prepare_data", lambda *a: None)
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "o"), "-a", "1", "--similarity"]) == 2
    assert seen["similarity"] is True


def test_a_threshold_outside_zero_to_one_is_refused(tmp_path, capsys):
    assert cli.main(["similar", str(tmp_path), "--out", str(tmp_path / "o"), "--threshold", "2"]) == 2
    assert "--threshold" in capsys.readouterr().err


@pytest.mark.browser
def test_the_pages_load_in_chromium_with_their_style_allowed(tmp_path):
    """Headless Chromium opens the report and a pair page: the stylesheet is allowed by the
    Content-Security-Policy (a violation is logged on the console), the shared code is marked."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium here")
    reference = solutions(1)["reference"]
    students = [
        Student("a", write_student(tmp_path / "a", {"gates.py": reference})),
        Student("b", write_student(tmp_path / "b", {"gates.py": reordered(renamed(reference))})),
    ]
    run = compare_class(course=COURSE, students=students, out=tmp_path / "out", assignment_ids=[1])
    for page in (tmp_path / "out" / "similarity.html", tmp_path / "out" / run.pairs[0].page):
        shown = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", f"--user-data-dir={tmp_path / 'chr'}",
             "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert "Content Security Policy" not in shown.stderr, shown.stderr[-2000:]
        assert "side by side" in shown.stdout if page.name == "similarity.html" else "<mark>" in shown.stdout


def test_the_command_speaks_korean_when_asked(tmp_path, capsys):
    reference = solutions(1)["reference"]
    write_student(tmp_path / "subs" / "a", {"gates.py": reference})
    write_student(tmp_path / "subs" / "b", {"gates.py": renamed(reference)})
    out = tmp_path / "out"
    assert cli.main(["--lang", "ko", "similar", str(tmp_path / "subs"), "--out", str(out), "-a", "1"]) == 0
    assert "과제 1: 학생 2명, 쌍 1개, 유사도 50% 이상 1개" in capsys.readouterr().out
    report = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    assert report["lang"] == "ko"
    html = (out / "similarity.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in html and "유사도 50% 이상인 쌍 1개" in html and "나란히 보기" in html
    page = (out / report["pairs"][0]["page"]).read_text(encoding="utf-8")
    assert '<html lang="ko">' in page and "← 유사도" in page
