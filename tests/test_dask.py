"""Beyond one machine: the same class graded on a real Dask cluster (on loopback) and locally agree."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.cache import ResultCache
from grader.course import Course
from grader.errors import GraderError
from grader.executors import DaskExecutor, grade_student_task
from grader.grading import grade_class
from grader.messages import RunnerOptions
from grader.results import GradingRun
from grader.submission import Student
from tests.conftest import REPO

distributed = pytest.importorskip("distributed")

EXAMPLES = REPO / "examples" / "submissions"


def verdicts(run: GradingRun) -> dict[str, list[tuple[int, str, float, list[tuple[str, str]]]]]:
    return {
        s.student: [(a.id, a.status, a.score, [(t.id, t.status) for t in a.tests]) for a in s.assignments]
        for s in run.submissions
    }


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as local:
        yield local


def test_the_examples_graded_on_a_dask_cluster_match_the_local_executor(cluster, tmp_path):
    """Assignment 1 of the example class, the cheater left out (its eight worker restarts take half a minute;
    tests/test_readme.py grades it)."""
    course = Course.load(REPO)
    examples = tmp_path / "examples"
    for folder in EXAMPLES.iterdir():
        if folder.name != "05-cheater":
            shutil.copytree(folder, examples / folder.name)
    local = grade_class(course=course, submissions=examples, out=tmp_path / "local", assignment_ids=[1])
    remote = grade_class(
        course=course,
        submissions=examples,
        out=tmp_path / "dask",
        assignment_ids=[1],
        scheduler=cluster.scheduler_address,
    )
    assert verdicts(remote) == verdicts(local)
    assert [s.student for s in remote.submissions] == sorted(p.name for p in examples.iterdir())
    assert (tmp_path / "dask" / "index.html").is_file() and (tmp_path / "dask" / "gradebook.csv").is_file()


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path):
    with pytest.raises(GraderError, match="cannot reach the Dask scheduler"):
        grade_class(
            course=Course.load(REPO),
            submissions=EXAMPLES,
            out=tmp_path / "out",
            assignment_ids=[1],
            scheduler="tcp://127.0.0.1:9",
        )


@pytest.fixture
def separate_cluster(tmp_path):
    """A scheduler and a worker started as a user starts them: two commands, in another folder."""
    dask = Path(sys.executable).with_name("dask")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    info = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": elsewhere}
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", info], **quiet
    )
    worker = subprocess.Popen(
        [dask, "worker", "--scheduler-file", info, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"], **quiet
    )
    try:
        deadline = time.monotonic() + 60
        while not info.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for proc in (worker, scheduler):
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            proc.kill()


def test_relative_paths_reach_a_worker_started_in_another_folder(separate_cluster, tmp_path, monkeypatch):
    """`grader grade subs --out out --scheduler ADDR` from the course's folder, the worker started
    elsewhere: every student graded as here, none with a file wrongly missing."""
    work = tmp_path / "work"
    for name in ("01-perfect", "02-partly-wrong"):
        shutil.copytree(EXAMPLES / name, work / "subs" / name)
    monkeypatch.chdir(work)
    run = grade_class(
        course=Course.load(REPO),
        submissions=Path("subs"),
        out=Path("out"),
        assignment_ids=[1],
        scheduler=separate_cluster,
    )
    results = {s.student: s.assignments[0] for s in run.submissions}
    assert results["01-perfect"].status == "graded" and results["01-perfect"].score == 25, results["01-perfect"].message
    assert results["02-partly-wrong"].status == "graded" and 0 < results["02-partly-wrong"].score < 25
    assert (work / "out" / "index.html").is_file()


def test_a_submission_the_worker_cannot_see_is_a_grader_error_naming_it(separate_cluster, tmp_path):
    """Not the student's missing file: an `error` (left blank in the gradebook) that says which path."""
    course = Course.load(REPO)
    gone = tmp_path / "gone" / "01-perfect"
    executor = DaskExecutor(
        separate_cluster, course, [course.get(1)], ResultCache(tmp_path / "out" / ".cache"), RunnerOptions()
    )
    results = []
    executor.grade([Student("01-perfect", gone)], lambda result, cached: results.append(result))
    (result,) = results
    assert result.assignments[0].status == "error"
    assert f"cannot see the submission at {gone}" in result.assignments[0].message


def test_a_task_refuses_relative_paths():
    with pytest.raises(GraderError, match="relative"):
        grade_student_task(str(REPO), [1], "s", "subs/s", "/tmp/out/.cache", False, RunnerOptions().to_dict())
