"""Whatever a student hands in is graded on its merits: notebooks (Colab style), files with a BOM
and CRLF, a cp949 declaration, matplotlib imported as the lecture does. Through the commands
instructors and students run: `grader grade` and `grader check`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.course import Course
from grader.results import load_run
from tests.conftest import REPO
from tests.notebooks import (
    WORK,
    committed_text,
    example_notebooks,
    student_notebook,
    template_notebooks,
    write_notebook,
)

COURSE = Course.load(REPO)
# Every assignment that reads no data set (those are graded from notebooks in their own tests).
REFERENCES = {a.id: f"{a.label}/{a.files[0]}" for a in COURSE if not a.data}
CHECKPOINTS = {a.id: list(a.checkpoints) for a in COURSE if not a.data}
GATES = (REPO / "reference" / REFERENCES[1]).read_text(encoding="utf-8")


def notebook_folder(folder: Path) -> Path:
    """The references as notebooks with magics, shell lines, plots and a long training cell."""
    folder.mkdir(parents=True)
    for number, relative in REFERENCES.items():
        source = REPO / "reference" / relative
        notebook = student_notebook(
            source.read_text(encoding="utf-8"), name=f"{source.stem}.ipynb", work=WORK[number], check=number
        )
        write_notebook(folder / f"{source.stem}.ipynb", notebook)
        for checkpoint in CHECKPOINTS.get(number, []):
            shutil.copyfile(source.parent / checkpoint, folder / checkpoint)
    return folder


def gates_as(folder: Path, raw: bytes) -> None:
    folder.mkdir(parents=True)
    (folder / "gates.py").write_bytes(raw)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class graded by `grader grade`: the notebook student, and gates.py saved four ways."""
    root = tmp_path_factory.mktemp("handed-in")
    submissions = root / "submissions"
    notebook_folder(submissions / "notebook")
    gates_as(submissions / "plain", GATES.encode("utf-8"))
    gates_as(submissions / "bom-crlf", b"\xef\xbb\xbf" + GATES.replace("\n", "\r\n").encode("utf-8"))
    korean = "# -*- coding: cp949 -*-\n# 퍼셉트론으로 만든 논리 게이트 (윈도우 메모장에서 저장)\n" + GATES
    gates_as(submissions / "cp949", korean.encode("cp949"))
    lecture = "from matplotlib import pyplot as plt\n" + GATES.replace("from __future__ import annotations\n", "")
    lecture += "\nplt.plot([0, 1], [0, 1])\nplt.show()\n"
    gates_as(submissions / "matplotlib", lecture.encode("utf-8"))
    out = root / "out"
    args = ["grade", str(submissions), "--out", str(out), *(f"-a{n}" for n in REFERENCES)]
    assert main(args) == 0
    return {s.student: {a.id: a for a in s.assignments} for s in load_run(out / "results.json").submissions}, out


def test_a_notebook_student_gets_full_marks_from_grader_grade(graded):
    run, _ = graded
    for number in REFERENCES:
        result = run["notebook"][number]
        assert result.status == "graded", result.message
        failed = [(t.name, t.feedback) for t in result.tests if not t.passed]
        assert result.score == result.max_score == COURSE.get(number).points, failed
        assert result.notes[0].startswith(f"Graded from {Path(REFERENCES[number]).stem}.ipynb")
        assert any("%%time" in note and "left out" in note for note in result.notes)


@pytest.mark.parametrize("student", ["bom-crlf", "cp949", "matplotlib"])
def test_source_files_are_read_as_python_reads_them(graded, student):
    run, _ = graded
    plain, other = run["plain"][1], run[student][1]
    assert other.status == "graded", other.message
    assert other.score == plain.score == 25
    assert [(t.id, t.status) for t in other.tests] == [(t.id, t.status) for t in plain.tests]


def test_the_report_says_which_cells_were_left_out(graded):
    _, out = graded
    page = (out / "students" / "notebook.html").read_text(encoding="utf-8")
    assert "Graded from gates.ipynb" in page and "left out" in page and "grader: keep" in page


def test_grader_check_gives_full_marks_to_the_notebooks(tmp_path, capsys):
    folder = notebook_folder(tmp_path / "work")
    for number in REFERENCES:
        assert main(["check", str(number), "--dir", str(folder)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "Score: 12/12" in out and "Graded from gates.ipynb" in out
    assert (folder / "grader-report" / "4.html").is_file()


def test_feedback_points_at_the_notebook_cell(tmp_path, capsys):
    broken = GATES.replace("def XOR(x1, x2):\n", "def XOR(x1, x2):\n    1 / 0\n")
    assert broken != GATES
    write_notebook(tmp_path / "gates.ipynb", student_notebook(broken, name="gates.ipynb", work="XOR(0, 1)"))
    assert main(["check", "1", "--dir", str(tmp_path), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    feedback = "\n".join(t["feedback"] + t["output"] for t in result["tests"])
    assert 'File "gates.ipynb", cell ' in feedback and ", line 2, in XOR" in feedback
    assert "ZeroDivisionError" in feedback and "gates.py" not in feedback


def test_committed_notebooks_are_current(update_goldens):
    """The example class's notebook student and the template's notebooks, made by tests/notebooks.py."""
    stale = []
    for path, notebook in {**example_notebooks(REPO), **template_notebooks(REPO)}.items():
        text = committed_text(notebook)
        if update_goldens:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(str(path.relative_to(REPO)))
    assert not stale, f"rerun with --update-goldens: {stale}"


def test_the_notebook_example_carries_the_reference_checkpoints():
    folder = REPO / "examples" / "submissions" / "06-notebook"
    for checkpoint in sorted(folder.glob("*.pt")):
        (original,) = (REPO / "reference").glob(f"*/{checkpoint.name}")
        assert checkpoint.read_bytes() == original.read_bytes(), checkpoint.name


def test_figures_drawn_by_student_code_do_not_pile_up(make_course, tmp_path):
    """matplotlib runs headless in the worker (plt.show() returns at once) and every figure is closed
    after each call, however many the student's code opens."""
    from grader.course import Course
    from grader.runner import JudgeRunner
    from tests.conftest import write

    checks = '''
import pytest

@pytest.mark.points(1)
def test_draws(submission):
    """draw and show"""
    for _ in range(3):
        assert submission.draw() == 5
    assert submission.open_figures() == 0
    assert submission.backend().lower() == "agg"
'''
    root = make_course(public=checks, points=1)
    write(
        tmp_path / "s" / "demo.py",
        """
        import matplotlib.pyplot as plt

        def draw():
            for i in range(5):
                plt.figure()
                plt.plot([0, i])
            plt.show()
            return len(plt.get_fignums())

        def open_figures():
            return len(plt.get_fignums())

        def backend():
            return plt.get_backend()
        """,
    )
    result = JudgeRunner().run(Course.load(root).get(1), tmp_path / "s", scope="public")
    assert result.status == "graded", result.message
    assert result.tests[0].status == "passed", result.tests[0].feedback
