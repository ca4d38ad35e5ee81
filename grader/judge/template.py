"""A judge's template: collect an assignment's checks once, then fork one judge per submission.

Grading a class runs the same checks on many submissions, and every judge would spend ~35 ms
configuring pytest and importing the check files before its first check. A template,
``python -I -X utf8 -B -m grader.judge --template JOB SOCKET OWNER`` forked by the zygote, does that
once. Then, from inside pytest's run-test loop, it serves requests on SOCKET (an AF_UNIX socket
in the runner's private folder) with the zygote's protocol and server (`grader.zygote`): each
request names a judge job file. The template forks; the child ties itself to the template,
takes the descriptors, folder and environment it was sent (`grader.zygote.child.prepare`) and
its job, and returns into pytest, which runs the collected checks as that judge would have.
Its exit status goes back to the requester as the zygote's children's does. The children ask
the zygote for their workers, which the zygote allows because their parent is a judge it
forked.

Only OWNER (the runner's process) may ask. What a child shares with its siblings is the
template's state after collection: the check modules as imported and nothing of any
submission, since the template never starts a worker. A job that differs from the template's
in anything but the submission and its folders is refused.

A template that cannot serve (the checks did not load, a thread appeared) exits with status
`ExitCode.TEMPLATE_UNUSABLE` and says why; the runner then starts judges the ordinary way, which report the
problem as they always do.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

import pytest

from grader.errors import ExitCode, Forked
from grader.judge.plugin import GraderPlugin
from grader.messages import JudgeJob
from grader.zygote.child import Request, prepare
from grader.zygote.server import Server, stop_on_signal

__all__ = ["FIXED_FIELDS", "Template"]

# What every judge forked from one template has in common (the template's own job has them).
FIXED_FIELDS = ("assignment_dir", "visibilities", "threads", "data_dir", "isolate", "private", "require")
_PYTEST_SETS = ("PYTEST_VERSION",)  # set by pytest for its session, before collection


class _TemplateServer(Server):
    modules = ("grader.judge",)

    def authorize(self, pid: int, module: str) -> None:
        if pid != self.parent_pid:  # the owner; nobody else, not even our own children
            raise PermissionError(f"process {pid} may not ask this template")

    def run_child(self, request: Request) -> NoReturn:
        raise Forked(request)


class Template:
    """The pytest plugin that turns a judge into a template (see the module's documentation)."""

    def __init__(self, plugin: GraderPlugin, socket_path: Path, owner: int):
        self.plugin = plugin
        self.socket_path = socket_path
        self.owner = owner
        self.forked = False  # in a child: a judge now
        self.failure = ""  # why this template did not serve
        self._pid = os.getpid()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        if self.plugin.problems or session.testsfailed or not session.items:
            self.failure = "; ".join(self.plugin.problems) or "the checks did not load"
            return True
        threads = len(os.listdir("/proc/self/task"))
        if threads != 1:  # a fork copies only the calling thread, and any lock another one held
            self.failure = f"{threads} threads after collection"
            return True
        try:
            self._serve()
        except Forked as forked:
            self._become(forked.request)
            return None  # pytest's own loop runs the checks, in this child
        return True  # the template: nothing to run

    def _serve(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        staging = f"{self.socket_path}.new"
        listener.bind(staging)
        listener.listen(64)
        gc.collect()
        gc.freeze()  # fewer copy-on-write faults in the children
        self._pid = os.getpid()
        server = _TemplateServer(listener, self.owner, lifeline=False)
        previous = {sig: signal.signal(sig, stop_on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        os.rename(staging, self.socket_path)  # appears only once it serves
        try:
            server.serve()  # returns when stopped by a signal
        finally:
            if os.getpid() == server.pid:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                with contextlib.suppress(OSError):
                    os.unlink(self.socket_path)

    def _become(self, request: Request) -> None:
        """In the child: become the judge of the requested job, or exit."""
        try:
            ours = {key: os.environ[key] for key in _PYTEST_SETS if key in os.environ}
            if not prepare(request, parent_pid=self._pid):
                os._exit(ExitCode.ORPHANED)
            os.environ.update(ours)  # what pytest.main() set in the template, as in a judge of its own
            job = JudgeJob.from_json(Path(request.args[0]).read_bytes())
            if job.collect_only:
                print("a template's judges run checks; collecting only is for a judge of its own", file=sys.stderr)
                os._exit(ExitCode.ERROR)
            differs = [name for name in FIXED_FIELDS if getattr(job, name) != getattr(self.plugin.job, name)]
            if differs:
                print(f"a job unlike its template's: {', '.join(differs)} differ", file=sys.stderr)
                os._exit(ExitCode.ERROR)
            self.plugin.rebind(job)
            self.forked = True
        except BaseException:
            with contextlib.suppress(BaseException):
                traceback.print_exc()
            os._exit(ExitCode.ORPHANED)
