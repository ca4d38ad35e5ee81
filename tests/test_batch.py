"""Batch grading at class scale: the result cache, resuming after a kill, parallel students, Ctrl-C."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from grader.cache import ResultCache, assignment_digest, submission_digest
from grader.course import Assignment, Course
from grader.errors import BatchInterrupted
from grader.executors import LocalExecutor
from grader.grading import ResultWriter, discover, grade_class
from grader.results import AssignmentResult, GradingRun, TestResult, load_run, now_iso
from tests.conftest import REPO, write
from tests.fakes import FakeRunner

COURSE = Course.load(REPO)


def scored(assignment: Assignment, folder: Path, scope: str) -> AssignmentResult:
    """A fake verdict computed from the student's file: full marks when it says 'good'."""
    source = folder / assignment.files[0]
    good = source.is_file() and "good" in source.read_text()
    test = TestResult("hidden/t.py::test_x", "x", "passed" if good else "failed", 25 if good else 0, 25, "hidden")
    result = AssignmentResult(assignment.id, assignment.slug, assignment.title, "graded", test.score, 25)
    result.scope, result.tests = scope, [test]  # type: ignore[assignment]
    return result


def make_class(folder: Path, n: int) -> None:
    for i in range(n):
        write(folder / f"s{i:02d}" / "gates.py", "good\n" if i % 2 == 0 else "bad\n")


def grade(subs: Path, out: Path, runner: FakeRunner, **kw) -> list[tuple[str, float]]:
    run = grade_class(course=COURSE, submissions=subs, out=out, assignment_ids=[1], runner=runner, **kw)
    return [(s.student, s.score) for s in run.submissions]


def test_a_rerun_regrades_only_new_or_changed_submissions(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    make_class(subs, 6)
    first = FakeRunner(scored)
    scores = grade(subs, out, first)
    assert len(first.calls) == 6 and scores[0] == ("s00", 25) and scores[1] == ("s01", 0)

    again = FakeRunner(scored)
    assert grade(subs, out, again) == scores
    assert again.calls == []

    write(subs / "s01" / "gates.py", "good now\n")  # a resubmission
    write(subs / "s99" / "gates.py", "good\n")  # a late student
    third = FakeRunner(scored)
    scores = grade(subs, out, third)
    assert sorted(call[1].name for call in third.calls) == ["s01", "s99"]
    assert dict(scores)["s01"] == 25 and len(scores) == 7

    forced = FakeRunner(scored)
    grade(subs, out, forced, force=True)
    assert len(forced.calls) == 7


def test_a_changed_check_regrades_that_assignment(tmp_path):
    assignment = COURSE.get(1)
    before = assignment_digest(assignment)
    cache = ResultCache(tmp_path / "cache")
    write(tmp_path / "s" / "gates.py", "x = 1\n")
    key = cache.key(submission_digest(tmp_path / "s", assignment), assignment)
    assert key == ResultCache(tmp_path / "cache").key(submission_digest(tmp_path / "s", assignment), assignment)
    write(tmp_path / "s" / "gates.py", "x = 2\n")
    assert cache.key(submission_digest(tmp_path / "s", assignment), assignment) != key
    assert assignment_digest(COURSE.get(2)) != before


def test_grader_errors_are_not_cached(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    make_class(subs, 2)

    def broken(assignment, folder, scope):
        raise RuntimeError("the grader's own bug")

    run = grade_class(course=COURSE, submissions=subs, out=out, assignment_ids=[1], runner=FakeRunner(broken))
    assert {a.status for s in run.submissions for a in s.assignments} == {"error"}
    retry = FakeRunner(scored)
    grade(subs, out, retry)
    assert len(retry.calls) == 2


def test_a_batch_killed_halfway_finishes_the_rest_without_regrading(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    make_class(subs, 6)

    def dies_on_the_fourth(assignment, folder, scope):
        if folder.name == "s03":
            raise KeyboardInterrupt  # as Ctrl-C (or a kill) lands in the middle of a student
        return scored(assignment, folder, scope)

    with pytest.raises(BatchInterrupted) as info:
        grade(subs, out, FakeRunner(dies_on_the_fourth))
    assert [s.student for s in info.value.run.submissions] == ["s00", "s01", "s02"]
    assert [s.student for s in load_run(out / "results.json").submissions] == ["s00", "s01", "s02"]
    assert (out / "index.html").is_file() and (out / "gradebook.csv").read_text().count("\n") == 4

    rest = FakeRunner(scored)
    scores = grade(subs, out, rest)
    assert sorted(call[1].name for call in rest.calls) == ["s03", "s04", "s05"]
    assert len(scores) == 6 and len(load_run(out / "results.json").submissions) == 6


def test_parallel_workers_give_the_same_results_in_the_same_order(tmp_path):
    subs = tmp_path / "subs"
    make_class(subs, 8)
    active, most = 0, 0
    lock = threading.Lock()

    def slow(assignment, folder, scope):
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return scored(assignment, folder, scope)

    serial = grade(subs, tmp_path / "one", FakeRunner(scored))
    started: list[str] = []
    parallel = grade(
        subs, tmp_path / "four", FakeRunner(slow), workers=4, on_start=lambda name, total: started.append(name)
    )
    assert parallel == serial
    assert most > 1 and sorted(started) == [f"s{i:02d}" for i in range(8)]
    assert load_run(tmp_path / "four" / "results.json").submissions[0].student == "s00"


def test_ctrl_c_in_a_parallel_batch_stops_the_running_judges(tmp_path):
    subs = tmp_path / "subs"
    make_class(subs, 6)
    release = threading.Event()

    class Runner(FakeRunner):
        cancelled = False

        def cancel(self) -> None:
            self.cancelled = True
            release.set()

    def blocks(assignment, folder, scope):
        if folder.name == "s02":
            raise KeyboardInterrupt
        if folder.name > "s02":
            release.wait(10)
        return scored(assignment, folder, scope)

    runner = Runner(blocks)
    with pytest.raises(BatchInterrupted) as info:
        grade(subs, tmp_path / "out", runner, workers=2)
    assert runner.cancelled
    assert len(info.value.run.submissions) < 6
    assert os.path.exists(tmp_path / "out" / "results.json")


def test_the_progress_line_on_a_terminal_and_plain_lines_elsewhere():
    import io

    from grader.grading import BatchProgress
    from grader.progress import BatchDisplay
    from grader.results import SubmissionResult

    def done(n: int, name: str, cached: int = 0) -> BatchProgress:
        graded = AssignmentResult(1, "gates", "Gates", "graded", 20, 25)
        return BatchProgress(n, 3, SubmissionResult(name, [graded]), cached)

    terminal = io.StringIO()
    live = BatchDisplay(terminal, live=True)
    live.start("alice", 3)
    live.start("bob", 3)
    live.finish(done(1, "alice"))
    text = terminal.getvalue()
    assert "0/3  grading: alice, bob" in text and "[1/3] alice  1: 20/25\n" in text
    assert "1/3  ~" in text and "left  grading: bob" in text  # an estimate once one student is done
    live.close()
    assert terminal.getvalue().endswith("\r\x1b[K")

    log = io.StringIO()
    plain = BatchDisplay(log, live=False)
    plain.start("alice", 3)
    plain.finish(done(1, "alice", cached=1))
    assert log.getvalue() == "[1/3] alice  1: 20/25  (cached)\n" and plain.cached == 1


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
def test_a_real_batch_killed_halfway_is_finished_by_the_same_command(tmp_path, signal_name):
    import signal
    import subprocess
    import sys

    subs, out = tmp_path / "subs", tmp_path / "out"
    reference = (REPO / "reference" / "01_gates" / "gates.py").read_text()
    for i in range(4):
        write(subs / f"s{i}" / "gates.py", reference if i % 2 == 0 else "def AND(x1, x2)\n")
    command = [str(Path(sys.executable).with_name("grader")), "grade", str(subs), "--out", str(out), "-a", "1"]
    proc = subprocess.Popen([*command, "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list((out / ".cache").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(getattr(signal, signal_name))
    proc.communicate(timeout=60)
    finished = len(list((out / ".cache").glob("*.json")))
    assert 1 <= finished < 4, "the batch should have been stopped halfway"

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{finished} unchanged and reused from the cache" in rerun.stdout
    run = load_run(out / "results.json")
    assert [s.student for s in run.submissions] == ["s0", "s1", "s2", "s3"]
    assert [s.assignments[0].status for s in run.submissions] == ["graded", "ungradable"] * 2


def test_discovery_an_executor_and_the_writer_make_a_batch_on_their_own(tmp_path):
    """The three parts of `grade_class`, put together by hand: what a new layout or executor plugs into."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    make_class(subs, 4)
    write(subs / "notes.txt", "not a submission\n")
    found = discover(subs, out / ".intake")
    assert found.layout == "folders (detected)"
    assert [s.name for s in found.students] == ["s00", "s01", "s02", "s03"]
    assert [entry.name for entry in found.skipped] == ["notes.txt"]
    writer = ResultWriter(out, GradingRun(created=now_iso(), skipped=found.skipped))
    executor = LocalExecutor(FakeRunner(scored), [COURSE.get(1)], ResultCache(out / ".cache"), workers=2)
    executor.grade(found.students, lambda result, cached: writer.add(result, cached, order=found.order))
    writer.close()
    run = load_run(out / "results.json")
    assert [(s.student, s.score) for s in run.submissions] == [("s00", 25), ("s01", 0), ("s02", 25), ("s03", 0)]
    assert (out / "index.html").is_file() and (out / "gradebook.csv").is_file()
    assert sorted(p.name for p in (out / "students").iterdir()) == ["s00.html", "s01.html", "s02.html", "s03.html"]
