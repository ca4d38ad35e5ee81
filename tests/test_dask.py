"""Beyond one machine: the same class graded on a real Dask cluster (on loopback) and locally agree."""

from __future__ import annotations

import shutil

import pytest

from grader.course import Course
from grader.errors import GraderError
from grader.grading import grade_class
from grader.results import GradingRun
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
