"""Templates: judges forked from one that has collected the checks grade as judges of their own would."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader import zygote
from grader.course import Course
from grader.results import AssignmentResult, to_dict
from grader.runner import JudgeRunner
from grader.sandbox import minimal_env
from tests.conftest import write
from tests.test_judge import HIDDEN, PUBLIC, STUDENT
from tests.test_zygote import client, gone, use  # noqa: F401 - client is a fixture

pytestmark = pytest.mark.skipif(not zygote.supported(), reason="templates are forked by the zygote (Linux)")

LIMITS = "call_timeout_s = 2\ncheck_timeout_s = 10\nimport_timeout_s = 5"
RIGHT = """
def double(x):
    print(f"doubling {x}")
    return 2 * x

def hang():
    return None

def leave():
    return None

def reject(x):
    raise ValueError(f"no {x}")
"""

STATE_CHECK = '''
import os, pytest

SEEN = []  # module state: a judge forked from the template starts with it as collection left it

@pytest.mark.points(1)
def test_where(submission):
    """each judge has its own folder, environment and module state"""
    SEEN.append(submission.double(2))
    assert False, f"{os.getcwd()}|{os.environ['HOME']}|{os.environ['TMPDIR']}|{SEEN}|{os.getppid()}"
'''


def comparable(result: AssignmentResult) -> dict:
    """A result without what differs between any two runs: times."""
    data = to_dict(result)
    data.pop("duration_s", None)
    for test in data["tests"]:
        test.pop("duration_s", None)
    return data


def two_checks(make_course, tmp_path: Path) -> tuple[Course, Path]:
    """A course of one public and one hidden check worth a point each, and a right submission."""
    check = "import pytest\n@pytest.mark.points(1)\ndef test_x(submission):\n    assert submission.double(1) == 2\n"
    course = Course.load(make_course(public=check, hidden=check.replace("test_x", "test_y"), points=2))
    return course, write(tmp_path / "s" / "demo.py", RIGHT).parent


@contextlib.contextmanager
def serving(make_course, tmp_path: Path) -> Iterator[Any]:
    """The template of `two_checks`'s course, once it has graded its submission."""
    course, student = two_checks(make_course, tmp_path)
    with JudgeRunner(templates=True) as runner:
        runner.run(course.get(1), student, scope="all")
        (template,) = [t for t in runner._templates.values() if t is not None]
        yield template


def graded(course: Course, students: list[Path], *, templates: bool) -> tuple[list[AssignmentResult], JudgeRunner]:
    with JudgeRunner(templates=templates) as runner:
        results = [runner.run(course.get(1), student, scope="all") for student in students]
    return results, runner


def test_judges_from_a_template_grade_as_judges_of_their_own(make_course, tmp_path, monkeypatch, client):  # noqa: F811
    use(monkeypatch, "zygote", client)
    course = Course.load(make_course(public=PUBLIC, hidden=HIDDEN, points=11, limits=LIMITS))
    students = [write(tmp_path / name / "demo.py", source).parent for name, source in [("a", STUDENT), ("b", RIGHT)]]
    plain, _ = graded(course, students, templates=False)
    forked, runner = graded(course, students, templates=True)
    assert runner.template_failures == []
    assert [comparable(r) for r in forked] == [comparable(r) for r in plain]
    statuses = {t.status for r in forked for t in r.tests}
    assert {"passed", "failed", "timeout", "skipped", "error"} <= statuses  # the demo course's every kind


def test_each_judge_has_its_own_folder_environment_and_state(make_course, tmp_path, monkeypatch, client):  # noqa: F811
    use(monkeypatch, "zygote", client)
    course = Course.load(make_course(public=STATE_CHECK, hidden=STATE_CHECK.replace("test_where", "test_w"), points=2))
    students = [write(tmp_path / name / "demo.py", RIGHT).parent for name in ("a", "b", "c")]
    results, runner = graded(course, students, templates=True)
    assert runner.template_failures == []
    seen = [r.tests[0].feedback.split("|") for r in results]
    cwds = [Path(s[0]) for s in seen]
    assert len(set(cwds)) == 3 and all(c.name.startswith("grader-j-") for c in cwds)
    for cwd, (_, home, tmp, state, _ppid) in zip(cwds, seen):
        assert Path(home) == cwd / "home" and Path(tmp) == cwd / "home" / "tmp"
        assert state == "[4]", "a sibling's module state leaked into this judge"
    assert len({s[4] for s in seen}) == 1 and int(seen[0][4]) != os.getpid()  # one template forked them all


def test_checks_that_do_not_load_are_reported_by_judges_of_their_own(make_course, tmp_path, monkeypatch, client):  # noqa: F811
    use(monkeypatch, "zygote", client)
    course = Course.load(make_course(public="def test_x(:\n    pass\n", hidden="def test_y():\n    pass\n", points=1))
    student = write(tmp_path / "s" / "demo.py", "x = 1\n").parent
    (plain,), _ = graded(course, [student], templates=False)
    (forked,), runner = graded(course, [student], templates=True)
    assert forked.status == plain.status == "error" and "test_public.py" in forked.message
    assert comparable(forked) == comparable(plain)
    assert len(runner.template_failures) == 1 and "could not load checks" in runner.template_failures[0]


def test_a_template_that_dies_is_started_again(make_course, tmp_path, monkeypatch, client):  # noqa: F811
    use(monkeypatch, "zygote", client)
    course, student = two_checks(make_course, tmp_path)
    with JudgeRunner(templates=True) as runner:
        assert runner.run(course.get(1), student, scope="all").score == 2
        (first,) = [t for t in runner._templates.values() if t is not None]
        first.proc.kill()
        assert gone(first.proc.pid)
        assert runner.run(course.get(1), student, scope="all").score == 2
        (second,) = [t for t in runner._templates.values() if t is not None]
        assert second is not first and second.alive()
    assert runner.template_failures == ["01_demo: its template stopped"]
    assert not second.folder.exists() and gone(second.proc.pid)  # close() stops it and removes its folder


def test_only_the_runner_that_started_a_template_may_ask_it(make_course, tmp_path, monkeypatch, client):  # noqa: F811
    use(monkeypatch, "zygote", client)
    with serving(make_course, tmp_path) as template:
        ask = (
            "import sys; from pathlib import Path\n"
            "from grader.errors import ZygoteError\nfrom grader.zygote import ZygoteClient\n"
            "from grader.sandbox import minimal_env\n"
            "home = Path(sys.argv[2])\n"
            "try:\n    ZygoteClient(Path(sys.argv[1])).spawn('grader.judge', ['x'], cwd=home, env=minimal_env(home))\n"
            "except ZygoteError as exc:\n    print(exc)\n"
        )
        command = [sys.executable, "-c", ask, str(template.forker.client.socket_path), str(tmp_path)]
        answer = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert "may not ask this template" in answer.stdout, answer.stderr
        assert template.alive()


def test_a_template_refuses_a_job_unlike_its_own(make_course, tmp_path, monkeypatch, client):  # noqa: F811
    use(monkeypatch, "zygote", client)
    with serving(make_course, tmp_path) as template:
        job = json.loads((template.folder / "template.json").read_text())
        job |= {"visibilities": ["public"], "results_path": str(tmp_path / "results.json")}
        job_path = write(tmp_path / "job.json", json.dumps(job))
        proc = template.spawn(job_path, cwd=tmp_path, env=minimal_env(tmp_path))
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"visibilities differ" in out
    assert not (tmp_path / "results.json").exists()
