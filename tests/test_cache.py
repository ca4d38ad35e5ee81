"""The result cache's key: what of the grading machine a verdict depends on is part of it."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader.devices
from grader.cache import ResultCache, machine_context
from grader.course import Course
from grader.messages import RunnerOptions
from tests.conftest import write

TOML = 'id = 1\nslug = "demo"\ntitle = "Demo"\npoints = 1\nfiles = ["demo.py"]\n'


def key_with_cuda(monkeypatch: pytest.MonkeyPatch, root: Path, cuda: bool) -> str:
    monkeypatch.setattr(grader.devices, "cuda_available", lambda: cuda)
    cache = ResultCache(root / "cache", machine_context(RunnerOptions()))
    return cache.key("student", Course.load(root).get(1))


@pytest.mark.parametrize(
    ("declaration", "apart"), [('gpu = "optional"\n', True), ("", False), ('gpu = "none"\n', False)]
)
def test_the_device_is_in_the_key_of_device_dependent_checks_only(tmp_path, monkeypatch, declaration, apart):
    """An assignment with GPU-only checks and no data set never reuses a CPU machine's verdicts on a GPU one."""
    write(tmp_path / "assignments" / "01_demo" / "assignment.toml", TOML + declaration)
    write(tmp_path / "assignments" / "01_demo" / "checks" / "public" / "test_demo.py", "def test_x():\n    pass\n")
    with_cuda = key_with_cuda(monkeypatch, tmp_path, True)
    without = key_with_cuda(monkeypatch, tmp_path, False)
    assert (with_cuda != without) is apart
