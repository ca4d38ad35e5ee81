"""Judge entry point: `python -I -X utf8 -B -m grader.judge JOB.json`.

Runs pytest with the grader plugin on the check files of one assignment and writes the
results to the job's results path. Isolated mode keeps the environment, the current folder
and user site-packages out of `sys.path`; the student's folder is never on it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import sys
from pathlib import Path

from grader.errors import ExitCode

PR_SET_DUMPABLE = 4


def _not_dumpable() -> None:
    """Other processes of the same user cannot ptrace us or read our memory through /proc."""
    if not sys.platform.startswith("linux"):
        return  # nothing to do (and no C library to load by the name None on Windows)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _hypothesis_profile() -> None:
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "grader",
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        max_examples=50,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    settings.load_profile("grader")


def main() -> int:
    _not_dumpable()
    sys.dont_write_bytecode = True

    from grader.course import load_assignment
    from grader.i18n import use
    from grader.messages import JudgeJob

    templating = sys.argv[1] == "--template"  # --template JOB SOCKET OWNER: see grader.judge.template
    standby = sys.argv[1] == "--standby"  # --standby JOB: see grader.judge.standby
    job = JudgeJob.from_json(Path(sys.argv[2] if templating or standby else sys.argv[1]).read_bytes())
    use(job.lang)
    assignment = load_assignment(job.assignment_dir)
    client = None if templating or job.collect_only else _start_worker(job, assignment)

    _hypothesis_profile()
    import pytest

    from grader.judge.plugin import GraderPlugin

    files = [str(p) for v in job.visibilities for p in assignment.check_files(v)]
    # Support modules beside the check files (a trusted copy of an architecture, say) are
    # importable by name; the student's folder never is.
    for visibility in reversed(job.visibilities):
        sys.path.insert(0, str(assignment.dir / "checks" / visibility))
    plugin = GraderPlugin(job, assignment, client=client)
    plugins: list[object] = [plugin]
    template = None
    if standby:  # its job comes on stdin once the checks are collected (grader.judge.standby)
        from grader.judge.standby import Standby

        plugins.append(Standby(plugin, client))
    if templating:
        from grader.judge.template import Template

        template = Template(plugin, Path(sys.argv[3]), int(sys.argv[4]))
        plugins.append(template)
    checks_dir = job.assignment_dir / "checks"
    ini = job.scratch / "judge.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    args = [
        *files,
        "-c",
        str(ini),
        "--rootdir",
        str(checks_dir),
        "--noconftest",
        "--import-mode=importlib",
        "--assert=plain",
        # sys.stdout and sys.stderr only: a judge forked from a template has its own descriptors
        # 1 and 2, which pytest's descriptor capture (and faulthandler's copy of stderr) would
        # have taken from the template; so would the logging plugin's file handler, on /dev/null.
        # Student code never runs here; the worker's output is captured by the worker.
        "--capture=sys",
        "-p",
        "no:faulthandler",
        "-p",
        "no:logging",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:stepwise",
        # pytest's unraisable-exception hook runs gc.collect() at the end of the session: ~150 ms
        # with torch's heap, for reports the judge never shows. The others are never used here.
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        "-p",
        "no:doctest",
        "-p",
        "no:junitxml",
        "-p",
        "no:pastebin",
        "-q",
        "--tb=no",
        "-rN",
    ]
    if job.collect_only:
        args.append("--collect-only")
    code = pytest.main(args, plugins=plugins) if files else ExitCode.NO_CHECKS
    if client is not None:
        client.close()  # (done already where a check used it)
    if template is not None and not template.forked:  # the template itself, stopped or unable to serve
        if template.failure:
            sys.stdout.flush()  # pytest's summary first: the runner reports the last line
            print(f"the template did not serve: {template.failure}", file=sys.stderr, flush=True)
            return ExitCode.TEMPLATE_UNUSABLE
        return 0
    job = plugin.job  # a template's child: the job it was forked for
    payload = {
        "tests": [_dump(t) for t in plugin.results()],
        "problems": plugin.problems,
        "exit_code": int(code),
        "collect_only": job.collect_only,
    }
    partial = job.results_path.with_name(job.results_path.name + ".partial")
    partial.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(partial, job.results_path)  # whole or not at all: the runner takes it as the judge's end
    _release_output()
    return 0


def _start_worker(job, assignment):  # type: ignore[no-untyped-def]
    """The job's worker client, its worker started already: it imports torch while this judge
    imports pytest and collects the checks (on two cores, side by side). A worker that cannot
    start now is started again by the first check that needs it, which reports why."""
    from grader.errors import GraderError
    from grader.judge.client import WorkerClient

    client = WorkerClient.for_job(job, assignment)
    with contextlib.suppress(GraderError):
        client.start()
    return client


def _release_output() -> None:
    """Point stdout and stderr at /dev/null: the runner, reading them to end of file, is done with us."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)


def _dump(test):  # type: ignore[no-untyped-def]
    from grader.results import to_dict

    return to_dict(test)


if __name__ == "__main__":
    raise SystemExit(main())
