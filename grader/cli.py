"""The `grader` command: parses arguments and forwards to `grader.grading`.

Errors from the library arrive as `GraderError`s and leave as one line on stderr and a
non-zero exit status: 1 when checks failed, 2 for a usage, course or grader problem.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course import Assignment, Course, find_course
from grader.errors import BatchInterrupted, DataError, ExitCode, GraderError
from grader.i18n import LANGUAGES, choose, current, text, use
from grader.intake import LAYOUTS
from grader.isolation import Isolation, probe, probe_soon
from grader.similarity.model import DEFAULT_THRESHOLD
from grader.version import __version__

if TYPE_CHECKING:
    from grader.grading import Discovered
    from grader.results import GradingRun

# The rest of the grader is imported by the command that uses it: `grader check N` has its judge
# started sooner, and the isolation probe (`probe_soon`) runs while those imports are made.


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader",
        description="Grade PyTorch course assignments: student code runs sandboxed, checks run apart from it.",
    )
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    parser.add_argument(
        "--course",
        type=Path,
        metavar="DIR",
        help="course folder holding assignments/ (default: $GRADER_COURSE, the course checkout, or the bundled one)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of messages, check titles, feedback and reports: en or ko "
        "(default: $GRADER_LANG, else the system's locale, else en)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("list", help="list the course's assignments", description="List the course's assignments.")

    check = sub.add_parser(
        "check",
        help="run an assignment's public checks on your work folder",
        description=(
            "Run the public checks of assignment N on the files in your work folder (default: the current "
            "folder), print a summary and write grader-report/N.html. Exit status 0 only when every public "
            "check passes. Hidden checks run only at grading time."
        ),
    )
    which = check.add_mutually_exclusive_group(required=True)
    which.add_argument("number", nargs="?", type=int, help="assignment number, e.g. 1")
    which.add_argument("--all", action="store_true", help="check every assignment")
    check.add_argument("--dir", type=Path, default=Path("."), help="your work folder (default: current folder)")
    check.add_argument("--json", action="store_true", help="print the result as JSON instead of a summary")
    check.add_argument("--report-dir", type=Path, help="where to write the HTML report (default: DIR/grader-report)")
    check.add_argument(
        "--ci",
        action="store_true",
        help=(
            "also speak to GitHub Actions: ::error annotations for failing checks, 'Points X/Y', a table of "
            "points in $GITHUB_STEP_SUMMARY and the GitHub Classroom result in $GITHUB_OUTPUT (key: result)"
        ),
    )
    check.add_argument(
        "--watch",
        action="store_true",
        help=(
            "keep going: run the checks again each time you save the assignment's file (or its notebook), "
            "until Ctrl-C; each run after the first takes a fraction of a second"
        ),
    )
    _data_dir_option(check)

    grade = sub.add_parser(
        "grade",
        help="grade a folder of submissions with public and hidden checks",
        description=(
            "Grade every student's submission in SUBMISSIONS with the public and hidden checks: a folder "
            "or archive per student, or a Canvas, Moodle, Blackboard or GitHub Classroom download as it "
            "comes (--layout). Writes OUT/students/NAME.html per student, OUT/index.html, OUT/results.json "
            "and OUT/gradebook.csv; with a roster, deadlines and overrides, the final grades and how they "
            "came about. A broken submission is reported and the batch goes on; what is not a submission "
            "is listed with the reason. Student code runs isolated (no network; the course, other "
            "submissions and OUT out of its sight): grading refuses to start on a machine that cannot do "
            "that, unless --insecure. See SECURITY.md and the README's 'From the LMS and back'."
        ),
    )
    grade.add_argument(
        "submissions",
        type=Path,
        help="folder of submissions: one sub-folder or archive per student, or an LMS download",
    )
    grade.add_argument("--out", type=Path, required=True, help="folder for reports and exports (created)")
    grade.add_argument(
        "-a",
        "--assignment",
        type=int,
        action="append",
        dest="assignments",
        metavar="N",
        help="grade only assignment N (repeatable; default: every assignment)",
    )
    grade.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="students graded at once (default: the number of cores, %(default)s here); one torch thread each",
    )
    grade.add_argument(
        "--force",
        action="store_true",
        help="regrade everything (default: reuse results in OUT/.cache whose files, checks and grader are unchanged)",
    )
    grade.add_argument(
        "--format",
        choices=["html", "gradescope", "canvas", "moodle"],
        action="append",
        dest="formats",
        help=(
            "repeatable. html (always written): reports, results.json, gradebook.csv; gradescope: also "
            "OUT/gradescope/NAME/results.json in Gradescope's autograder format; canvas: "
            "OUT/canvas_grades.csv for Canvas's gradebook import; moodle: OUT/moodle_grades.csv for "
            "Moodle's grade import (matched by email address)"
        ),
    )
    lms = grade.add_argument_group("LMS downloads, roster and deadlines")
    lms.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="auto",
        help=(
            "how SUBMISSIONS is laid out: folders (one folder or archive per student), canvas, moodle, "
            "blackboard, classroom (one cloned repository per student); auto (default) detects it and says which"
        ),
    )
    lms.add_argument(
        "--tz",
        metavar="ZONE",
        help="time zone of Blackboard's attempt times, e.g. Asia/Seoul (default: this machine's zone)",
    )
    lms.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help=(
            "the class list (columns id, and optionally name, email, section): students with nothing handed "
            "in are marked missing, submissions not on it are flagged, the gradebook follows it"
        ),
    )
    lms.add_argument(
        "--policy",
        type=Path,
        metavar="TOML",
        help=(
            "deadlines and late penalties, one [assignments.N] table each (due, late_penalty_per_day, "
            "max_days_late, grace_minutes); default: course.toml beside assignments/ when there is one"
        ),
    )
    lms.add_argument(
        "--extensions", type=Path, metavar="CSV", help="later deadlines for some students (student, assignment, due)"
    )
    lms.add_argument(
        "--times",
        type=Path,
        metavar="CSV",
        help="submission times where the download has none (student, assignment (empty: all), submitted)",
    )
    lms.add_argument(
        "--overrides",
        type=Path,
        metavar="CSV",
        help="points added or taken away after grading (student, assignment, points, reason, check)",
    )
    grade.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="local: processes on this machine (default); dask: one task per student on a Dask cluster",
    )
    grade.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask; paths must be shared)",
    )
    grade.add_argument(
        "--insecure",
        action="store_true",
        help=(
            "grade even where student code cannot be isolated from the network and the file system "
            "(not root and no user namespaces, or not Linux); the reports say so"
        ),
    )
    grade.add_argument(
        "--similarity",
        action="store_true",
        help="also compare every pair of students, as grader similar does: OUT/similarity.html, linked from index.html",
    )
    _data_dir_option(grade)
    _similar_parser(sub)

    dist = sub.add_parser(
        "dist",
        help="write the student bundle: template, statements, public checks",
        description=(
            "Write OUT/grader-course-VERSION.zip with the student template (skeletons, the grading workflow), "
            "the statements and the public checks. Reference solutions and hidden checks are never included."
        ),
    )
    dist.add_argument("out", type=Path, help="folder to write the bundle into (created)")
    validate = sub.add_parser(
        "validate",
        help="check the course itself: references pass, skeletons score zero, checks are fast enough",
        description=(
            "Run every reference solution against all its checks K times (flaky checks show up), every "
            "skeleton once (it must import and score zero on graded checks), and report the time of each "
            "check. Exit status 1 on any problem."
        ),
    )
    validate.add_argument("numbers", nargs="*", type=int, metavar="N", help="assignments to validate (default: all)")
    validate.add_argument(
        "--repeat", type=int, default=3, metavar="K", help="reference runs per assignment (default 3)"
    )
    validate.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1, for clean timings)")
    _data_dir_option(validate)

    new = sub.add_parser(
        "new",
        help="start a new assignment: its toml, statement, checks, reference and skeleton",
        description=(
            "Write the files of a new assignment ID with the folder NN_SLUG: assignments/NN_SLUG/ "
            "(assignment.toml, README.md, checks/public/test_SLUG.py, checks/hidden/test_SLUG_hidden.py), "
            "reference/NN_SLUG/SLUG.py and student_template/SLUG.py. They hold a small working example, "
            "a function add(a, b), that `grader validate ID` accepts as written: replace it with your "
            "assignment, keeping validate passing (CONTRIBUTING.md walks through it). Refuses an id or "
            "slug the course already uses, and writes nothing then."
        ),
    )
    new.add_argument("id", type=int, metavar="ID", help="the assignment's number, 1 to 99 (students type it)")
    new.add_argument("slug", metavar="SLUG", help="lower-case name: the folder NN_SLUG and the student's file SLUG.py")
    new.add_argument("--title", help="the title students see (default: made from SLUG)")
    new.add_argument(
        "--course",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the course folder to add it to (as grader --course DIR)",
    )
    for command in sub.choices.values():  # `grader check 1 --lang ko` as well as `grader --lang ko check 1`
        command.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="as grader --lang")
    return parser


def _similar_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    similar = sub.add_parser(
        "similar",
        help="find students whose code is too alike: every pair compared, per assignment",
        description=(
            "Compare every pair of students in SUBMISSIONS on each assignment's code, read as grading reads "
            "it (archives, notebooks, LMS downloads; nothing is run). Comments, docstrings, whitespace, names "
            "and the order of functions are ignored; the skeleton, the template notebook and the statement's "
            "code are subtracted. Writes OUT/similarity.html (the pairs at or above the threshold, each with a "
            "side-by-side page, and a histogram of every pair's score) and OUT/similarity.json."
        ),
    )
    similar.add_argument("submissions", type=Path, help="folder of submissions, as for grader grade")
    similar.add_argument("--out", type=Path, required=True, help="folder for the report (created)")
    similar.add_argument(
        "-a",
        "--assignment",
        type=int,
        action="append",
        dest="assignments",
        metavar="N",
        help="compare only assignment N (repeatable; default: every assignment)",
    )
    similar.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        metavar="S",
        help="list the pairs with a similarity of at least S, 0 to 1 (default %(default)s)",
    )
    similar.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes reading the submissions (default: the number of cores, %(default)s here)",
    )
    similar.add_argument("--layout", choices=LAYOUTS, default="auto", help="how SUBMISSIONS is laid out, as for grade")
    similar.add_argument("--tz", metavar="ZONE", help="time zone of Blackboard's attempt times, as for grade")


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=(
            "folder holding MNIST as torchvision.datasets.MNIST(DIR) reads it (default: $GRADER_DATA, else "
            "~/.cache/grader/mnist); without MNIST there, an offline subset of real digits is built in it"
        ),
    )


def main(argv: list[str] | None = None) -> int:
    _never_fail_to_print()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.ERROR
    use(choose(args.lang))
    if args.command in ("check", "grade", "validate"):
        probe_soon()
    try:
        course = find_course(args.course)
        handler = {
            "list": _list,
            "check": _check,
            "grade": _grade,
            "validate": _validate,
            "similar": _similar,
            "dist": _dist,
            "new": _new,
        }[args.command]
        return handler(args, course)
    except GraderError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return ExitCode.ERROR
    except KeyboardInterrupt:
        print(text("cli.interrupted"), file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `grader check 1 | head`: the reader has gone, and with it anyone to tell
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())  # (Python flushes stdout once more on its way out)
        return ExitCode.ERROR


_PLATFORMS = {"win32": "Windows", "darwin": "macOS"}


def isolation_warning(isolation: Isolation, platform: str = sys.platform) -> str:
    """What `grader check` says of a worker's isolation where some is missing: on Windows and macOS,
    which have none to offer and hear it on every run, one short line; on a Linux machine that
    lacks some, what is missing and why (the machine's owner may be able to change it)."""
    if platform in _PLATFORMS:
        return text("cli.isolation_note", platform=_PLATFORMS[platform])
    return text("cli.isolation_warning", isolation=isolation.describe())


def _never_fail_to_print() -> None:
    """A character the output cannot hold is written as `?` rather than stopping the command: on
    Windows, Python writes a pipe or a file (Git Bash, `> out.txt`, a notebook's `!grader`) in the
    system's code page, which has no ✓ (cp1252 and cp949) and no Korean (cp1252)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def _list(args: argparse.Namespace, course: Course) -> int:
    from grader.results import points
    from grader.terminal import pad

    for a in course:
        files = ", ".join(a.submitted_files)
        title = pad(a.title_in(current()), 42)
        print(f"{a.id:>3}  {title} {text('cli.points', points=f'{points(a.points):>4}')}   {files}")
    return ExitCode.OK


def _check(args: argparse.Namespace, course: Course) -> int:
    from grader.grading import check_folder
    from grader.runner import JudgeRunner

    folder: Path = args.dir
    if not folder.is_dir():
        raise GraderError(text("cli.not_a_folder", folder=folder))
    if args.watch and (args.all or args.json or args.ci):
        raise GraderError(text("cli.watch_one"))
    ids = [a.id for a in course] if args.all else [args.number]
    report_dir = args.report_dir or folder / "grader-report"
    try:
        _prepare_data(course, ids, args.data_dir)
    except DataError as exc:
        if not args.all:
            raise
        print(text("cli.data_warning", error=exc), file=sys.stderr)
    isolation = probe()
    if isolation.missing():
        print(isolation_warning(isolation), file=sys.stderr)
    if args.watch:
        return _watch(args, course, course.get(ids[0]), report_dir)
    # One assignment once: fresh interpreters, judge and worker starting side by side. Several:
    # the zygote imports the libraries once for all of them.
    runner = JudgeRunner(data_dir=args.data_dir, fork=len(ids) > 1)
    results = check_folder(course=course, assignment_ids=ids, folder=folder, report_dir=report_dir, runner=runner)
    from grader.terminal import Style, check_summary

    if args.json:
        from grader.results import to_dict

        payload = [to_dict(r) for r in results]
        print(json.dumps(payload if args.all else payload[0], indent=2, ensure_ascii=False))
    else:
        style = Style()
        for result in results:
            print(check_summary(result, report=str(report_dir / f"{result.id}.html"), style=style))
            print()
    if args.ci:
        from grader.exporters.github import write_ci_outputs

        files = {i: _graded_file(folder, course.get(i).files[0]) for i in ids if course.get(i).files}
        for line in write_ci_outputs(results, files=files):
            print(line)
    all_passed = all(r.status == "graded" and all(t.passed or not t.applicable for t in r.tests) for r in results)
    return ExitCode.OK if all_passed else ExitCode.FAILED


def _watch(args: argparse.Namespace, course: Course, assignment: Assignment, report_dir: Path) -> int:
    """`grader check N --watch`: the zygote and a template of the collected checks are kept, so
    each run after the first forks a judge and a worker that have nothing left to import."""
    from grader.grading import check_folder
    from grader.runner import JudgeRunner
    from grader.terminal import Style, check_summary
    from grader.watch import clock, watch, watched_files

    folder: Path = args.dir
    style = Style()
    # What the student works in: the notebook if that is what is there, else the file to write.
    files = ", ".join([n for n in watched_files(assignment) if (folder / n).is_file()] or assignment.files)
    print(text("watch.watching", files=files, folder=folder), flush=True)
    runner = JudgeRunner(data_dir=args.data_dir, templates=True, standby=True)

    def run() -> None:
        started = time.monotonic()
        [result] = check_folder(
            course=course, assignment_ids=[assignment.id], folder=folder, report_dir=report_dir, runner=runner
        )
        print(check_summary(result, report=str(report_dir / f"{assignment.id}.html"), style=style))
        print(text("watch.checked", seconds=f"{time.monotonic() - started:.2f}"), flush=True)

    def changed(names: list[str]) -> None:
        print(f"\n{text('watch.changed', time=clock(), files=', '.join(names))}", flush=True)

    try:
        watch(assignment=assignment, folder=folder, run=run, changed=changed)
    except KeyboardInterrupt:
        print(f"\n{text('watch.stopped')}", flush=True)
    finally:
        runner.close()
    return ExitCode.OK


def _graded_file(folder: Path, name: str) -> str:
    """The file annotations point at: NAME.py, or the notebook handed in for it."""
    notebook = name.removesuffix(".py") + ".ipynb"
    return notebook if not (folder / name).exists() and (folder / notebook).exists() else name


def _grade(args: argparse.Namespace, course: Course) -> int:
    from grader.exporters.gradescope import write_gradescope
    from grader.exporters.lms import write_grades
    from grader.grading import ensure_grading_platform, grade_class
    from grader.marking import Marking
    from grader.messages import RunnerOptions
    from grader.progress import BatchDisplay
    from grader.runner import JudgeRunner

    ensure_grading_platform(scheduler=args.scheduler)  # before data is prepared for nothing
    if args.workers < 1:
        raise GraderError(text("cli.workers"))
    if (args.executor == "dask") != (args.scheduler is not None):
        raise GraderError(text("cli.dask_scheduler"))
    _prepare_data(course, args.assignments or [a.id for a in course], args.data_dir)
    display = BatchDisplay(sys.stderr)
    options = RunnerOptions(data_dir=args.data_dir, threads=1, lang=current())
    policy = args.policy or _default_policy(course)
    marking = Marking.load(
        roster=args.roster, policy=policy, extensions=args.extensions, times=args.times, overrides=args.overrides
    )
    if policy is not None:
        print(text("cli.policy", path=policy), file=sys.stderr)

    def discovered(found: Discovered) -> None:
        print(text("cli.discovered", layout=found.layout, count=len(found.entries)), file=sys.stderr)

    try:
        run = grade_class(
            course=course,
            submissions=args.submissions,
            out=args.out,
            assignment_ids=args.assignments,
            runner=None if args.scheduler else JudgeRunner.from_options(options),
            runner_options=options,
            on_progress=display.finish,
            on_start=display.start,
            workers=args.workers,
            force=args.force,
            scheduler=args.scheduler,
            insecure=args.insecure,
            layout=args.layout,
            tz=args.tz,
            marking=marking,
            on_discovered=discovered,
            similarity=args.similarity,
        )
    except BatchInterrupted as exc:
        display.close()
        print(text("cli.batch_interrupted", graded=len(exc.run.submissions), total=exc.total), file=sys.stderr)
        return ExitCode.INTERRUPTED
    display.close()
    if "gradescope" in (args.formats or []):
        written = write_gradescope(run, args.out / "gradescope")
        print(text("cli.gradescope", count=written, out=args.out))
    graded_assignments = [course.get(i) for i in args.assignments] if args.assignments else list(course)
    for path in write_grades(run, args.out, args.formats or [], graded_assignments, marking.roster):
        print(text("cli.lms", path=path))
    _summarise_marking(run)
    problems = sum(a.status in ("ungradable", "error") for s in run.submissions for a in s.assignments)
    handed_in = sum(any(a.status != "missing" for a in s.assignments) for s in run.submissions)
    cached = display.cached
    reused = text("cli.reused", count=cached) if cached else ""
    print(text("cli.graded", count=handed_in, out=args.out, reused=reused))
    if problems:
        print(text("cli.problems", count=problems, out=args.out))
    if run.skipped:
        print(text("cli.skipped", count=len(run.skipped)))
        for entry in run.skipped[:20]:
            print(f"  {entry.name}: {entry.reason}")
        if len(run.skipped) > 20:
            print(text("cli.and_more", count=len(run.skipped) - 20))
    return ExitCode.OK


def _similar(args: argparse.Namespace, course: Course) -> int:
    from grader.grading import similar_class

    if not 0.0 <= args.threshold <= 1.0:
        raise GraderError(text("similarity.threshold"))
    if args.workers < 1:
        raise GraderError(text("cli.workers"))

    def discovered(found: Discovered) -> None:
        print(text("cli.discovered", layout=found.layout, count=len(found.entries)), file=sys.stderr)

    run = similar_class(
        course=course,
        submissions=args.submissions,
        out=args.out,
        assignment_ids=args.assignments,
        layout=args.layout,
        tz=args.tz,
        threshold=args.threshold,
        workers=args.workers,
        on_discovered=discovered,
    )
    for result in run.assignments:
        top = text("similarity.cli_top", value=f"{result.kept[0].similarity:.0%}") if result.kept else ""
        skipped = text("similarity.cli_not_compared", count=len(result.not_compared)) if result.not_compared else ""
        line = text(
            "similarity.cli_assignment",
            id=result.id,
            students=result.students,
            pairs=result.pairs,
            listed=result.above,
            threshold=f"{run.threshold:.0%}",
            top=top,
            skipped=skipped,
        )
        print(line)
    print(text("similarity.cli_wrote", html=args.out / "similarity.html", json=args.out / "similarity.json"))
    return ExitCode.OK


def _default_policy(course: Course) -> Path | None:
    """course.toml beside assignments/, when the course has one."""
    path = course.root / "course.toml"
    return path if path.is_file() else None


def _summarise_marking(run: GradingRun) -> None:
    """Missing students, submissions not on the roster and scores a regrade changed, in a few lines."""
    from grader.results import NOT_ON_ROSTER, points

    missing = [
        s.student for s in run.submissions if s.assignments and all(a.status == "missing" for a in s.assignments)
    ]
    unknown = [s.student for s in run.submissions if NOT_ON_ROSTER in s.notes]
    changed = [(s, a) for s in run.submissions for a in s.assignments if a.changed]
    for label, names in ((text("cli.missing"), missing), (text("cli.unlisted"), unknown)):
        if names:
            more = text("cli.names_more", count=len(names) - 10) if len(names) > 10 else ""
            print(f"{label}: {len(names)}: {', '.join(names[:10])}{more}")
    if changed:
        print(text("cli.changed", count=len(changed)))
        for submission, result in changed[:20]:
            before = points(result.previous_score or 0)
            print(f"  {submission.student}, {result.label}: {before} -> {points(result.score)}")


def _dist(args: argparse.Namespace, course: Course) -> int:
    from grader.dist import build_bundle

    bundle = build_bundle(course.root, args.out)
    print(text("cli.wrote_bundle", path=bundle))
    return ExitCode.OK


def _validate(args: argparse.Namespace, course: Course) -> int:
    from grader.runner import JudgeRunner
    from grader.validate import validate_course

    _prepare_data(course, args.numbers or [a.id for a in course], args.data_dir)
    result = validate_course(
        course=course,
        assignment_ids=args.numbers or None,
        repeat=args.repeat,
        jobs=args.jobs,
        runner=JudgeRunner(data_dir=args.data_dir),
    )
    return ExitCode.OK if result.ok else ExitCode.FAILED


def _new(args: argparse.Namespace, course: Course) -> int:
    from grader.scaffold import new_assignment

    written = new_assignment(course=course, assignment_id=args.id, slug=args.slug, title=args.title)
    for path in written:
        print(f"wrote {path}")
    print(
        f"Assignment {args.id} is a working example (add(a, b)): replace it file by file with yours, then "
        f"run grader validate {args.id} (CONTRIBUTING.md explains each file)."
    )
    return ExitCode.OK


def _prepare_data(course: Course, ids: list[int], data_dir: Path | None) -> None:
    """The data sets the chosen assignments read, ready before any judge starts (or a DataError)."""
    names = sorted({name for i in ids for name in course.get(i).data})
    if names:
        from grader.data import prepare

        prepare(names, data_dir)


if __name__ == "__main__":
    raise SystemExit(main())
