"""The `grader` command: help, list, check and grade, as a student and an instructor use them."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.cli import main
from grader.course import Course
from grader.grading import grade_class
from grader.launch import ENV_LAUNCHER
from grader.results import AssignmentResult, TestResult, assignment_from_dict, load_run
from tests.conftest import LAUNCHERS, REPO, launcher_env, write
from tests.fakes import FakeRunner

GRADER = Path(sys.executable).with_name("grader")


@pytest.mark.parametrize("command", [[], ["list"], ["check"], ["grade"], ["validate"], ["dist"], ["new"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage: grader" in capsys.readouterr().out


def test_the_command_line_loads_what_a_command_needs_when_it_runs():
    """`grader check N` starts its judge sooner for it, and the isolation probe runs meanwhile."""
    heavy = {"torch", "numpy", "pytest", "jinja2", "hypothesis"}
    library = {"grader.grading", "grader.runner", "grader.reports", "grader.executors"}
    loaded = f"sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r} or m in {library!r})"
    code = f"import sys, grader.cli; print({loaded})"
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    code = "import sys, grader.grading, grader.terminal; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"  # the report's templates are compiled in a thread, while the judge runs


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`grader check 1 | head`: once head has its lines, the rest is not written, without a traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    assert proc.stdout is not None
    proc.stdout.close()  # before it writes anything
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"Traceback" not in err, err.decode()


def test_windows_and_macos_hear_of_isolation_in_one_short_line():
    from grader import i18n
    from grader.cli import isolation_warning
    from grader.isolation import Isolation

    none = Isolation(reason="win32: no namespaces", memory="sampling")
    i18n.use("en")
    assert isolation_warning(none, "win32") == (
        "grader: note: on Windows your code runs without isolation. That is fine for checking your own "
        "work; grading machines isolate submissions (see SECURITY.md)."
    )
    assert "macOS" in isolation_warning(none, "darwin")
    linux = isolation_warning(Isolation(network=True, reason="no user namespaces"), "linux")
    assert "missing" in linux and "no user namespaces" in linux  # what its owner might change
    i18n.use("ko")
    assert isolation_warning(none, "win32").startswith("grader: 참고: Windows에서는")


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "check" in capsys.readouterr().out


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "Perceptron logic gates" in out and "gates.py" in out and "25 pts" in out


def test_errors_are_one_line_and_exit_2(capsys, tmp_path):
    assert main(["check", "42", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: there is no assignment 42") and err.count("\n") == 1
    assert main(["--course", str(tmp_path), "list"]) == 2
    assert "no assignments/ folder" in capsys.readouterr().err


def _environ(kind: str) -> dict[str, str]:
    """This process's environment with launcher `kind` forced (or none: the default)."""
    return {k: v for k, v in os.environ.items() if k != ENV_LAUNCHER} | launcher_env(kind)


@pytest.fixture(scope="module")
def template_check(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    shutil.copytree(REPO / "student_template", folder, dirs_exist_ok=True)
    proc = subprocess.run([str(GRADER), "check", "1", "--json"], cwd=folder, capture_output=True, text=True)
    return folder, proc


def test_check_on_the_skeleton_fails_every_graded_check(template_check):
    folder, proc = template_check
    assert proc.returncode == 1, proc.stderr
    result = assignment_from_dict(json.loads(proc.stdout))
    assert result.scope == "public" and result.status == "graded"
    assert result.score == 0 and all(t.status == "failed" for t in result.tests if t.max_score > 0)
    assert (folder / "grader-report" / "1.html").is_file()


@pytest.fixture(scope="module", params=LAUNCHERS)
def reference_check(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("reference")
    shutil.copytree(REPO / "student_template", folder, dirs_exist_ok=True)
    shutil.copy(REPO / "reference" / "01_gates" / "gates.py", folder / "gates.py")
    env = _environ(request.param)
    text = subprocess.run([str(GRADER), "check", "1"], cwd=folder, capture_output=True, text=True, env=env)
    as_json = subprocess.run([str(GRADER), "check", "1", "--json"], cwd=folder, capture_output=True, text=True, env=env)
    return folder, text, as_json


def test_check_on_the_reference_passes_with_full_public_points(reference_check):
    folder, text, as_json = reference_check
    assert text.returncode == 0, text.stdout + text.stderr
    assert "Score: 12/12 on public checks (9 of 9 passed)" in text.stdout
    assert "Hidden checks run at grading time" in text.stdout
    assert "grader-report/1.html" in text.stdout
    result = assignment_from_dict(json.loads(as_json.stdout))
    assert as_json.returncode == 0 and result.score == result.max_score == 12
    assert all(t.visibility == "public" for t in result.tests)
    html = (folder / "grader-report" / "1.html").read_text()
    assert "Public checks only" in html and '12</span><span class="of">/ 12' in html


def test_check_summary_shows_feedback_for_a_failing_check(tmp_path, capsys, launcher_kind):
    source = (REPO / "reference" / "01_gates" / "gates.py").read_text()
    write(tmp_path / "gates.py", source.replace("return AND(NAND(x1, x2), OR(x1, x2))", "return OR(x1, x2)"))
    assert main(["check", "1", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "✗ XOR has the right truth table" in out
    assert "XOR(1, 1) returned 1, expected 0" in out


def test_check_of_a_folder_without_the_file_is_ungradable(tmp_path, capsys):
    assert main(["check", "1", "--dir", str(tmp_path), "--json"]) == 1
    result = assignment_from_dict(json.loads(capsys.readouterr().out))
    assert result.status == "ungradable" and "gates.py is missing" in result.message
    assert result.max_score == 12 and len(result.tests) == 9


# --- batch orchestration with a fake runner (no processes) -----------------------------------


def fake_result(assignment, folder, scope):
    if folder.name == "crashes-the-grader":
        raise RuntimeError("boom")
    test = TestResult("public/t.py::test", "a check", "passed", 5, 5, "public")
    return AssignmentResult(assignment.id, assignment.slug, assignment.title, "graded", 5, 5, tests=[test])


def test_batch_keeps_going_and_accounts_for_everyone(tmp_path):
    subs = tmp_path / "subs"
    write(subs / "alice" / "gates.py", "x = 1\n")
    write(subs / "crashes-the-grader" / "gates.py", "x = 1\n")
    with zipfile.ZipFile(subs / "mallory.zip", "w") as zf:
        zf.writestr("../../evil.py", "x = 1\n")
    with zipfile.ZipFile(subs / "zoe.zip", "w") as zf:
        zf.writestr("zoe/gates.py", "x = 1\n")
    seen = []
    runner = FakeRunner(fake_result)
    run = grade_class(
        course=Course.load(REPO), submissions=subs, out=tmp_path / "out", runner=runner, on_progress=seen.append
    )
    status = {s.student: s.assignments[0].status for s in run.submissions}
    assert status == {"alice": "graded", "crashes-the-grader": "error", "mallory": "ungradable", "zoe": "graded"}
    assert "leaves the submission folder" in run.submissions[2].assignments[0].message
    assert "RuntimeError: boom" in run.submissions[1].assignments[0].message
    assert [p.done for p in seen] == [1, 2, 3, 4]
    assert runner.calls[-1][1].name == "zoe"  # the zip's single folder
    out = tmp_path / "out"
    assert load_run(out / "results.json") == run
    assert sorted(p.name for p in (out / "students").iterdir()) == [
        "alice.html",
        "crashes-the-grader.html",
        "mallory.html",
        "zoe.html",
    ]
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert [(r["student"], r["01_gates"], r["01_gates_status"]) for r in rows] == [
        ("alice", "5", "graded"),
        ("crashes-the-grader", "", "error"),
        ("mallory", "0", "ungradable"),
        ("zoe", "5", "graded"),
    ]
    assert not (tmp_path / "evil.py").exists()


def test_grading_without_hidden_checks_is_refused_before_anything_runs(tmp_path, capsys):
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments", course / "assignments", ignore=shutil.ignore_patterns("hidden"))
    (tmp_path / "subs").mkdir()
    assert main(["--course", str(course), "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 2
    assert "no hidden checks" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_gradebook_neutralises_formula_names(tmp_path):
    subs = tmp_path / "subs"
    write(subs / "=cmd" / "gates.py", "x = 1\n")
    grade_class(course=Course.load(REPO), submissions=subs, out=tmp_path / "out", runner=FakeRunner(fake_result))
    assert "\n'=cmd," in (tmp_path / "out" / "gradebook.csv").read_text()


def test_dist_writes_the_student_bundle(tmp_path, capsys):
    assert main(["dist", str(tmp_path / "dist")]) == 0
    (bundle,) = (tmp_path / "dist").glob("grader-course-*.zip")
    assert f"Wrote {bundle}" in capsys.readouterr().out
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert "work/gates.py" in names and not [n for n in names if "hidden" in n or "reference" in n]


def test_grade_in_parallel_with_gradescope_output_then_a_rerun_from_the_cache(tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "perfect" / "gates.py", (REPO / "reference" / "01_gates" / "gates.py").read_text())
    write(subs / "broken" / "gates.py", "def AND(x1, x2)\n")
    argv = ["grade", str(subs), "--out", str(out), "-a", "1", "--workers", "2", "--format", "gradescope"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "Graded 2 submissions" in captured.out and "Gradescope results: 2 files" in captured.out
    assert "[2/2]" in captured.err and "\r" not in captured.err  # not a terminal: plain lines
    perfect = json.loads((out / "gradescope" / "perfect" / "results.json").read_text())
    assert perfect["score"] == 25 and all(t["status"] == "passed" for t in perfect["tests"])
    assert json.loads((out / "gradescope" / "broken" / "results.json").read_text())["score"] == 0
    assert main(argv[:-2]) == 0
    assert "2 unchanged and reused from the cache" in capsys.readouterr().out


def test_grade_refuses_a_dask_executor_without_a_scheduler(tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "o"), "--executor", "dask"]) == 2
    assert "--scheduler" in capsys.readouterr().err
