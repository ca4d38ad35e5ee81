"""The wheel is the student distribution: public course parts in, reference and hidden checks out."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.cli import main
from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (built,) = out.glob("grader-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_wheel_carries_the_engine_and_the_public_course(wheel_files):
    for name in (
        "grader/cli.py",
        "grader/reports/style.css",
        "grader/reports/templates/student.html.j2",
        "grader/locales/en.toml",
        "grader/locales/ko.toml",
        "grader/_course/assignments/01_gates/assignment.toml",
        "grader/_course/assignments/01_gates/README.md",
        "grader/_course/assignments/01_gates/checks/public/test_gates.py",
    ):
        assert name in wheel_files, name
    assert any(n.endswith("entry_points.txt") for n in wheel_files)


def test_wheel_never_carries_reference_or_hidden_checks(wheel_files):
    assert not [n for n in wheel_files if "hidden" in n or "reference" in n or n.startswith(("tests/", "examples/"))]
    public = {n for n in wheel_files if "/checks/public/" in n}
    shipped = {
        f"grader/_course/assignments/{p.relative_to(REPO / 'assignments').as_posix()}"
        for p in (REPO / "assignments").glob("*/checks/public/*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert public == shipped


def test_the_bundled_course_alone_runs_public_checks_and_refuses_to_grade(wheel, tmp_path, capsys):
    """What a student gets from the wheel is enough for `grader check`, never for `grader grade`."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "site")
    course = tmp_path / "site" / "grader" / "_course"
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / "reference" / "01_gates" / "gates.py", work / "gates.py")
    assert main(["--course", str(course), "check", "1", "--dir", str(work)]) == 0
    assert "Score: 12/12" in capsys.readouterr().out
    assert main(["--course", str(course), "grade", str(work.parent), "--out", str(tmp_path / "out")]) == 2
    assert "no hidden checks" in capsys.readouterr().err
