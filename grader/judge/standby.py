"""A judge on standby: started before its job is known (`grader.runner.JudgeRunner`, `standby`).

``python -I -X utf8 -B -m grader.judge --standby JOB`` is given a job of the right assignment, checks
and folder but no files yet. It starts its worker (which imports torch meanwhile), imports
pytest and collects the checks (importing what the check files import), then, as pytest is
about to run them, reads the path of its real job from stdin and runs them on that: the
student's files reach the worker as it is first asked for them. End of file instead of a path
means the runner is gone: the judge exits, and its worker with it. Only where judges start the
portable way and the worker has no file system of its own (see the runner).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.errors import ExitCode
from grader.i18n import use
from grader.judge.client import WorkerClient
from grader.judge.plugin import GraderPlugin
from grader.messages import JudgeJob

__all__ = ["Standby"]


class Standby:
    """The pytest plugin that makes a judge wait, its checks collected, for the job to run them on."""

    def __init__(self, plugin: GraderPlugin, client: WorkerClient | None):
        self.plugin = plugin
        self.client = client
        self.stdin = sys.stdin.buffer  # taken before pytest captures sys.stdin (made before pytest.main)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        line = self.stdin.readline().strip()
        if not line:
            os._exit(ExitCode.ORPHANED)
        job = JudgeJob.from_json(Path(os.fsdecode(line)).read_bytes())
        use(job.lang)
        if self.client is not None:
            self.client.hand_in([job.submission_dir / name for name in job.files])
        self.plugin.rebind(job, client=self.client)
        return None  # pytest's own loop runs the checks
