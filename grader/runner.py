"""Running one assignment's checks on one submission: the runner interface and its judge.

`JudgeRunner` is the real thing: preflight the files, start a judge process on the check files
and turn what it wrote into an `AssignmentResult`. The tests' fake (`tests/fakes.py`) returns
prepared results, so report, batch and command-line tests can run without starting processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from grader.course import Assignment
from grader.data import data_root
from grader.errors import CourseError, SandboxError, SubmissionError, ZygoteError
from grader.i18n import current, text
from grader.isolation import FEATURES, WORKER_PID_FILE, Isolation, probe, sweep, uid_for
from grader.launch import PortableLauncher, ZygoteLauncher, launcher, portable, zygote_launcher
from grader.messages import JudgeJob, RunnerOptions
from grader.results import (
    AssignmentResult,
    Scope,
    TestResult,
    cap_text,
    clean_text,
    counted_max_score,
    test_from_dict,
)
from grader.sandbox import FreshProcess, Process, kill_group, minimal_env
from grader.submission import Prepared, prepare
from grader.zygote import ZygoteClient, preload_libraries

__all__ = ["JudgeRunner", "Runner", "grader_error", "ungradable"]


class Runner(Protocol):
    """Runs an assignment's checks on submissions: the batch, the command line and the tests use
    only this (a fake in the tests starts nothing)."""

    def run(
        self,
        assignment: Assignment,
        folder: Path,
        *,
        scope: Scope,
        notebooks: Mapping[str, Path] | None = None,
    ) -> AssignmentResult:
        """Grade `folder` for `assignment`; `notebooks` names a notebook that stands for a file
        (`grader.submission.prepare`)."""
        ...

    def hide(self, folders: Sequence[Path]) -> None:
        """Keep `folders` (other submissions, the reports) out of the student code's sight too."""
        ...

    def isolation(self) -> Isolation | None:
        """How the student code this runner starts is isolated; None when it starts none."""
        ...

    def cancel(self) -> None:
        """Stop every run in progress (each returns or raises at once); safe from any thread."""
        ...

    def close(self) -> None:
        """Release what the runner holds (processes kept for later runs)."""
        ...


def ungradable(assignment: Assignment, scope: Scope, message: str) -> AssignmentResult:
    return _empty(assignment, scope, "ungradable", message)


def grader_error(assignment: Assignment, scope: Scope, message: str) -> AssignmentResult:
    return _empty(assignment, scope, "error", message)


def _empty(assignment: Assignment, scope: Scope, status: str, message: str) -> AssignmentResult:
    return AssignmentResult(
        id=assignment.id,
        slug=assignment.slug,
        title=assignment.title_in(current()),
        status=status,  # type: ignore[arg-type]
        score=0.0,
        max_score=assignment.points if scope == "all" else 0.0,
        scope=scope,
        message=message,
        lang=current(),
    )


class JudgeRunner:
    """Grades in a separate judge process (which starts the sandboxed worker)."""

    def __init__(
        self,
        *,
        threads: int = 1,
        scratch: Path | None = None,
        data_dir: Path | None = None,
        private: list[Path] | tuple[Path, ...] = (),
        templates: bool = False,
        lang: str | None = None,
        fork: bool = True,
        standby: bool = False,
    ):
        """`fork`: fork judges and workers from the zygote (`grader.zygote`), which imports every
        library the assignments need once and then starts each process in milliseconds: what many
        runs want. False: a fresh interpreter for each judge, which starts its worker before it
        imports pytest, so both load their libraries side by side: a single run's fastest start.

        `standby`: where judges start the portable way (Windows, macOS) and the worker gets no
        file system of its own, keep a judge started ahead for the next run of each assignment run
        so far: it imports pytest and has its worker import torch while the student edits, then
        waits for its job (`grader check --watch`); call `close()` when done. Elsewhere the zygote
        and `templates` do this better.

        `templates`: collect each assignment's checks once and fork a judge per submission from
        that (`grader.judge.template`; needs the zygote, and falls back to ordinary judges without
        one), for grading many submissions; call `close()` when done.

        Workers are isolated as far as `grader.isolation.probe()` says this machine allows, and
        must get that much (``GRADER_ISOLATION=off`` switches isolation off). An isolated worker's
        file system holds only what it needs; `private` names folders to mask should they lie
        inside that, besides the course checkout and the data folder (grading adds the
        submissions and the report folder). `lang`: the language of titles and feedback (default:
        the one this process speaks, `grader.i18n.current`)."""
        self.threads = threads
        self.lang = lang or current()
        self.scratch = scratch
        self.data_dir = data_root(data_dir)  # resolved here: the judge's environment is minimal
        self.private = [Path(p) for p in private]
        self.isolate = os.environ.get("GRADER_ISOLATION") != "off"
        self._live: dict[Process, Path] = {}  # judges running now and their folders, for cancel()
        self._lock = threading.Lock()
        self.templates = templates and fork
        self.fork = fork
        self.standby = standby
        self._spares: dict[tuple[str, ...], _Spare] = {}  # judges on standby, by assignment and checks
        self.spares_used = 0  # runs a judge on standby served
        self._templates: dict[tuple[str, ...], _Template | None] = {}  # None: could not start one
        self._template_locks: dict[tuple[str, ...], threading.Lock] = {}
        self.template_failures: list[str] = []  # why a template could not be used (judges started without)

    @classmethod
    def from_options(cls, options: RunnerOptions, *, templates: bool = False) -> JudgeRunner:
        """The runner `options` describe (sent to a Dask task, say)."""
        return cls(
            threads=options.threads,
            data_dir=options.data_dir,
            private=options.private,
            templates=templates,
            lang=options.lang,
        )

    def hide(self, folders: Sequence[Path]) -> None:
        self.private += [p for p in folders if p not in self.private]

    def isolation(self) -> Isolation:
        return probe()

    def close(self) -> None:
        """Stop the templates (judges running from them are stopped too)."""
        with self._lock:
            templates = [t for t in self._templates.values() if t is not None]
            self._templates.clear()
            spares = list(self._spares.values())
            self._spares.clear()
        for template in templates:
            template.close()
        for spare in spares:
            spare.close()

    def __enter__(self) -> JudgeRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        """Stop every judge running now (their workers die with them); safe from any thread."""
        with self._lock:
            live = list(self._live.items())
        for proc, folder in live:
            _kill_judge(proc, folder)

    def run(
        self,
        assignment: Assignment,
        folder: Path,
        *,
        scope: Scope,
        notebooks: Mapping[str, Path] | None = None,
    ) -> AssignmentResult:
        started = time.monotonic()
        if self.fork:
            preload_libraries([assignment])  # when no batch declared them before the zygote started
        visibilities = ["public"] if scope == "public" else ["public", "hidden"]
        if scope == "all" and not assignment.has_hidden_checks:
            raise CourseError(
                text("runner.no_hidden_checks", lang=self.lang),
                path=assignment.dir / "checks" / "hidden",
            )
        spare = self._take_spare(assignment, visibilities)
        # (On Windows a folder a process still has open cannot be removed: what is left is left.)
        with spare.folder_cm() if spare else _judge_folder(self.scratch) as tmp:
            try:
                prepared = prepare(assignment, folder, Path(tmp) / "submission", notebooks=notebooks)
                problem = None
            except SubmissionError as exc:
                prepared, problem = Prepared(folder, []), exc.reason
            except OSError as exc:  # a file the grader may not read, one that vanished meanwhile
                why = exc.strerror or exc
                prepared, problem = Prepared(folder, []), text("runner.unreadable", lang=self.lang, error=why)
            collect_only = problem is not None
            if spare is not None and collect_only:
                spare.close()  # it has started a worker this run will not need
                spare = None
            result = self._judge(
                assignment, prepared, visibilities, scope, Path(tmp), collect_only=collect_only, spare=spare
            )
        if self.standby:
            self._start_spare(assignment, visibilities)
        result.notes = [clean_text(note) for note in prepared.notes]
        if problem is not None and result.status != "error":
            result.status, result.message = "ungradable", problem
            for test in result.tests:
                test.status, test.feedback = "failed", text("runner.not_run", lang=self.lang)
        result.lang = self.lang
        result.duration_s = round(time.monotonic() - started, 3)
        return result

    def _judge(
        self,
        assignment: Assignment,
        prepared: Prepared,
        visibilities: list[str],
        scope: Scope,
        tmp: Path,
        *,
        collect_only: bool,
        spare: _Spare | None = None,
    ) -> AssignmentResult:
        """Run the judge on `prepared` (the student's folder, or a staging folder in `tmp` holding a
        converted notebook; `tmp` is `spare`'s folder when a judge on standby takes the job).
        Workers see neither: each gets copies of the files it needs."""
        job = self._job(assignment, prepared, visibilities, tmp, collect_only=collect_only)
        results_path = job.results_path
        job_path = tmp / "job.json"
        job_path.write_text(job.to_json(), encoding="utf-8")
        env = minimal_env(tmp / "home", threads=self.threads) | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        proc: Process | None = None
        if spare is not None:
            proc = spare.give(job_path)
            if proc is None:  # it is gone: this run starts its judge the usual way
                kill_group(spare.proc)
            else:
                self.spares_used += 1
        template = None if collect_only or proc is not None else self._template(assignment, visibilities)
        if template is not None:
            proc = template.spawn(job_path, cwd=tmp, env=env)
        if proc is None:
            starter = launcher(fork=self.fork)
            proc = starter.start("grader.judge", [str(job_path)], cwd=tmp, env=env, may_ask_zygote=True)
        with self._lock:
            self._live[proc] = tmp
        try:
            out, done = _outcome(proc, results_path, timeout=assignment.limits.judge_timeout_s)
        except subprocess.TimeoutExpired:
            _kill_judge(proc, tmp)
            limit = assignment.limits.judge_timeout_s
            return grader_error(assignment, scope, text("runner.judge_timeout", lang=self.lang, limit=limit))
        except BaseException:  # Ctrl-C while waiting: the judge leads its own session and would live on
            _kill_judge(proc, tmp)
            raise
        finally:
            with self._lock:
                self._live.pop(proc, None)
        if proc.returncode != 0 and not done:
            _sweep_worker(tmp)  # the judge died: what its worker started may live on
        if not done and (proc.returncode != 0 or not results_path.is_file()):
            tail = out.decode("utf-8", "replace").strip().splitlines()[-1:] if out else []
            detail = f": {clean_text(tail[0][:300])}" if tail else ""
            failed = text("runner.judge_failed", lang=self.lang, code=proc.returncode)
            return grader_error(assignment, scope, failed + detail)
        payload = json.loads(results_path.read_text(encoding="utf-8"))
        return _assemble(assignment, scope, payload, lang=self.lang)

    def _job(
        self, assignment: Assignment, prepared: Prepared, visibilities: list[str], folder: Path, *, collect_only: bool
    ) -> JudgeJob:
        """The judge's job: `prepared` graded in `folder` (a template's: nothing yet, in its own folder)."""
        private, require = self._isolation_fields(assignment)
        return JudgeJob(
            assignment_dir=assignment.dir,
            submission_dir=prepared.folder.resolve(),
            files=tuple(prepared.files),
            visibilities=tuple(visibilities),
            results_path=folder / "results.json",
            threads=self.threads,
            scratch=folder,
            data_dir=self.data_dir,
            collect_only=collect_only,
            sources=dict(prepared.sources),
            isolate=self.isolate,
            private=private,
            require=require,
            lang=self.lang,
        )

    def _template(self, assignment: Assignment, visibilities: list[str]) -> _Template | None:
        """The running template for these checks, started on first use; None: start judges without."""
        if not self.templates:
            return None
        key = (str(assignment.dir), *visibilities)
        with self._lock:
            lock = self._template_locks.setdefault(key, threading.Lock())
        with lock:  # one start per template, whichever thread asks first
            if key in self._templates:
                template = self._templates[key]
                if template is None or template.alive():
                    return template
                self._note_failure(assignment, "its template stopped")
            template = self._start_template(assignment, visibilities)
            with self._lock:
                self._templates[key] = template
            return template

    def _start_template(self, assignment: Assignment, visibilities: list[str]) -> _Template | None:
        forker = zygote_launcher()
        if forker is None:
            return None
        folder = Path(tempfile.mkdtemp(prefix="grader-t-", dir=self.scratch))
        if len(os.fsencode(folder / "template.sock")) > 100:  # AF_UNIX paths are short
            shutil.rmtree(folder, ignore_errors=True)
            folder = Path(tempfile.mkdtemp(prefix="grader-t-", dir="/tmp"))
        job = self._job(assignment, Prepared(folder, []), visibilities, folder, collect_only=False)
        job_path = folder / "template.json"
        job_path.write_text(job.to_json(), encoding="utf-8")
        env = minimal_env(folder / "home", threads=self.threads) | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        socket_path = folder / "template.sock"
        args = ["--template", str(job_path), str(socket_path), str(os.getpid())]
        try:
            proc = forker.start("grader.judge", args, cwd=folder, env=env)
        except ZygoteError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            self._note_failure(assignment, str(exc))
            return None
        # Its judges ask the zygote that forked the template for their workers.
        template = _Template(proc, folder, ZygoteLauncher(ZygoteClient(socket_path), asked=forker.client))
        deadline = time.monotonic() + assignment.limits.judge_timeout_s
        while not socket_path.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                why = template.close()
                self._note_failure(assignment, why or "it did not start")
                return None
            time.sleep(0.002)
        return template

    def _take_spare(self, assignment: Assignment, visibilities: list[str]) -> _Spare | None:
        """The judge on standby for these checks, if one is waiting (it is this run's now)."""
        with self._lock:
            spare = self._spares.pop((str(assignment.dir), *visibilities), None)
        if spare is not None and not spare.alive():
            spare.close()
            return None
        return spare

    def _start_spare(self, assignment: Assignment, visibilities: list[str]) -> None:
        """Start a judge on standby for the next run of these checks, where that is done (see `standby`)."""
        if not portable() or (self.isolate and probe().filesystem):
            return  # the zygote serves better; a worker with a file system of its own could not get the files late
        key = (str(assignment.dir), *visibilities)
        folder = Path(tempfile.mkdtemp(prefix="grader-j-", dir=self.scratch))
        job = self._job(assignment, Prepared(folder / "submission", []), visibilities, folder, collect_only=False)
        (folder / "standby.json").write_text(job.to_json(), encoding="utf-8")
        env = minimal_env(folder / "home", threads=self.threads) | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        try:
            proc = PortableLauncher().start(
                "grader.judge",
                ["--standby", str(folder / "standby.json")],
                cwd=folder,
                env=env,
                may_ask_zygote=True,
                stdin=True,
            )
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            return  # the next run starts its judge the usual way
        with self._lock:
            previous = self._spares.pop(key, None)
            self._spares[key] = _Spare(proc, folder)
        if previous is not None:
            previous.close()

    def _note_failure(self, assignment: Assignment, why: str) -> None:
        with self._lock:
            self.template_failures.append(f"{assignment.label}: {why}")

    def _isolation_fields(self, assignment: Assignment) -> tuple[tuple[Path, ...], tuple[str, ...]]:
        """What the worker must not see, and the isolation features it must get (none unless isolated)."""
        if not self.isolate:
            return (), ()
        course = assignment.dir.parent.parent  # checks, reference solutions, tests, examples: all of it
        found = probe()
        return (course, self.data_dir, *self.private), tuple(name for name in FEATURES if getattr(found, name))


class _Template:
    """A running template (`grader.judge.template`): forks judges for the runner that started it."""

    def __init__(self, proc: Process, folder: Path, forker: ZygoteLauncher):
        self.proc = proc
        self.folder = folder
        self.forker = forker

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, job_path: Path, *, cwd: Path, env: dict[str, str]) -> Process | None:
        """A judge for the job at `job_path`, forked from the template; None if the template is gone."""
        try:
            return self.forker.start("grader.judge", [str(job_path)], cwd=cwd, env=env, may_ask_zygote=True)
        except ZygoteError:
            return None

    def close(self) -> str:
        """Stop the template; the last line it printed (why it stopped by itself, if it did)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=5.0)
        except subprocess.TimeoutExpired:
            kill_group(self.proc)
            out = b""
        shutil.rmtree(self.folder, ignore_errors=True)
        lines = out.decode("utf-8", "replace").strip().splitlines() if out else []
        return clean_text(lines[-1][:300]) if lines else ""


class _Spare:
    """A judge on standby (``python -m grader.judge --standby JOB``) in a folder of its own, reading
    the path of its job from its stdin; the run that takes it runs in that folder."""

    def __init__(self, proc: FreshProcess, folder: Path):
        self.proc = proc
        self.folder = folder

    def alive(self) -> bool:
        return self.proc.poll() is None

    def give(self, job_path: Path) -> FreshProcess | None:
        """Hand it the job at `job_path`; None if it is gone."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(os.fsencode(job_path) + b"\n")
            self.proc.stdin.close()
        except OSError:
            return None
        return self.proc

    @contextlib.contextmanager
    def folder_cm(self) -> Iterator[str]:
        """Its folder, for the run that took it; removed afterwards (what the judge left in it too)."""
        try:
            yield str(self.folder)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def close(self) -> None:
        """Stop it, unused."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        kill_group(self.proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def _judge_folder(scratch: Path | None) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="grader-j-", dir=scratch, ignore_cleanup_errors=True)


def _outcome(proc: Process, results_path: Path, *, timeout: float) -> tuple[bytes, bool]:
    """The judge's output once it has closed it, and whether it finished (its results are written).

    A judge writes its results whole (renamed into place), then lets go of its output: from
    then on it only exits, which takes tens of milliseconds of freeing torch's memory (an
    interpreter's teardown, for one of our own) that nobody needs to wait for: it is reaped by
    a thread (a forked one by the zygote or template). A judge that ended without results is
    waited for: its exit status tells why. (A worker that could write into the judge's folder
    could plant results either way: isolation keeps that folder out of its sight.)
    """
    deadline = time.monotonic() + timeout
    out = proc.read_output(timeout)
    if results_path.is_file():
        if not proc.forked:
            threading.Thread(target=proc.wait, name="grader-reap", daemon=True).start()
        return out, True
    proc.wait(max(0.0, deadline - time.monotonic()))
    return out, False


def _kill_judge(proc: Process, folder: Path) -> None:
    kill_group(proc)
    _sweep_worker(folder)


def _sweep_worker(folder: Path) -> None:
    """Kill every process of the worker a dead judge left running (its uid of its own), if any.

    The judge's client writes the live worker's pid to `WORKER_PID_FILE` and removes it once
    the worker is stopped and swept; a forked worker is swept by the zygote too.
    """
    try:
        pid = int((folder / WORKER_PID_FILE).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return
    if getattr(os, "geteuid", lambda: -1)() == 0:  # (Windows has no uids: no pid file either)
        with contextlib.suppress(SandboxError):
            sweep(uid_for(pid))


def _assemble(assignment: Assignment, scope: Scope, payload: dict, *, lang: str) -> AssignmentResult:  # type: ignore[type-arg]
    tests: list[TestResult] = [test_from_dict(t) for t in payload.get("tests", [])]
    _cap_outputs(tests)
    problems: list[str] = [cap_text(clean_text(str(p)), 2000) for p in payload.get("problems", [])]
    errored = [t.name for t in tests if t.status == "error" and not payload.get("collect_only")]
    status = "graded"
    message = ""
    if problems or errored or not tests:
        status = "error"
        parts = problems + ([text("runner.checks_not_run", lang=lang, names=", ".join(errored))] if errored else [])
        message = "; ".join(parts) or text("runner.no_checks", lang=lang)
    score = sum(t.score for t in tests)
    max_score = counted_max_score(tests)  # a skipped check (no GPU here, say) is not applicable
    declared = sum(t.max_score for t in tests)
    if scope == "all" and abs(declared - assignment.points) > 1e-9 and status == "graded":
        status, message = (
            "error",
            text("runner.points_mismatch", lang=lang, declared=declared, points=assignment.points),
        )
    return AssignmentResult(
        id=assignment.id,
        slug=assignment.slug,
        title=assignment.title_in(lang),
        status=status,  # type: ignore[arg-type]
        score=round(score, 6),
        max_score=round(max_score, 6),
        scope=scope,
        message=message,
        tests=tests,
        lang=lang,
    )


OUTPUT_PER_ASSIGNMENT = 256 * 1024  # characters of the student's output kept over all checks of an assignment


def _cap_outputs(tests: list[TestResult]) -> None:
    """What the student's code printed, kept up to OUTPUT_PER_ASSIGNMENT in all (each check's own
    output is capped by the judge already): a report stays a size a browser opens."""
    room = OUTPUT_PER_ASSIGNMENT
    for test in tests:
        if len(test.output) > room:
            test.output = cap_text(test.output, room) if room > 0 else text("runner.output_not_kept")
        room = max(0, room - len(test.output))
