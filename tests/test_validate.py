"""`grader validate` on the whole course: every reference passes every check, every skeleton
scores zero on graded checks, and no check is slower than its limit."""

from __future__ import annotations

from grader.cli import main
from grader.course import Course
from grader.validate import validate_course
from tests.conftest import REPO


def test_every_reference_passes_and_every_skeleton_scores_zero(tmp_path, monkeypatch):
    # Assignment 5 on the offline subset, built here: the reference checkpoint was trained on it
    # (a developer's own full MNIST under $GRADER_DATA would need the checkpoint retrained).
    monkeypatch.setenv("GRADER_DATA", str(tmp_path / "mnist"))
    lines: list[str] = []
    validation = validate_course(course=Course.load(REPO), repeat=1, jobs=2, on_line=lines.append)
    assert validation.ok, "\n".join(validation.problems)
    assert set(validation.timings) == {a.label for a in Course.load(REPO)}
    assert lines[-1] == "validate: OK"


def test_validate_command_help_and_bad_repeat(capsys):
    assert main(["validate", "--repeat", "0"]) == 2
    assert "--repeat must be at least 1" in capsys.readouterr().err
