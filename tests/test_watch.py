"""`grader check N --watch`: what counts as a save, and the command itself on a student's folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader import watch as watch_module
from grader.cli import main
from grader.course import Course
from grader.runner import JudgeRunner
from grader.watch import changed_names, snapshot, watch, watched_files
from tests.conftest import REPO, launcher_env

COURSE = Course.load(REPO)
GATES = COURSE.get(1)


def _watching(folder: Path, **kwargs: float):  # type: ignore[no-untyped-def]
    """Run `watch` on `folder` in a thread; (runs so far, changes seen, stop event, thread)."""
    runs: list[float] = []
    changes: list[list[str]] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        kwargs=dict(
            assignment=GATES,
            folder=folder,
            run=lambda: runs.append(time.monotonic()),
            changed=changes.append,
            stop=stop,
            poll_s=0.01,
            **kwargs,
        ),
        daemon=True,
    )
    thread.start()
    return runs, changes, stop, thread


def _until(predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def test_the_files_watched_are_the_assignments_and_their_notebooks():
    assert watched_files(GATES) == ["gates.py", "gates.ipynb"]


def test_a_save_a_new_notebook_and_a_deletion_each_run_the_checks_again(tmp_path):
    (tmp_path / "gates.py").write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not watched\n", encoding="utf-8")
    runs, changes, stop, thread = _watching(tmp_path)
    try:
        assert _until(lambda: len(runs) == 1)  # the first run, at once
        (tmp_path / "notes.txt").write_text("still not watched\n", encoding="utf-8")
        time.sleep(0.1)
        assert len(runs) == 1
        (tmp_path / "gates.py").write_text("A = 2  # same second, new size\n", encoding="utf-8")
        assert _until(lambda: len(runs) == 2)
        (tmp_path / "gates.ipynb").write_text("{}", encoding="utf-8")
        assert _until(lambda: len(runs) == 3)
        (tmp_path / "gates.py").unlink()
        assert _until(lambda: len(runs) == 4)
        assert changes == [["gates.py"], ["gates.ipynb"], ["gates.py"]]
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_a_file_written_in_bursts_is_checked_once_it_holds_still(tmp_path):
    target = tmp_path / "gates.py"
    target.write_text("", encoding="utf-8")
    runs, changes, stop, thread = _watching(tmp_path, settle_s=0.15)
    try:
        assert _until(lambda: len(runs) == 1)
        for i in range(5):  # an editor writing in steps, each well inside the settling time
            with target.open("a", encoding="utf-8") as f:
                f.write(f"x{i} = {i}\n")
            time.sleep(0.03)
        assert _until(lambda: len(runs) == 2)
        time.sleep(0.3)
        assert len(runs) == 2 and changes == [["gates.py"]]
    finally:
        stop.set()
        thread.join(5)


def _rewrite_keeping_time(path: Path, content: str) -> None:
    """A save on FAT32 or exFAT (2 s timestamps): same size, same modification time, new content."""
    st = path.stat()
    path.write_text(content, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_mtime_ns, path.stat().st_size) == (st.st_mtime_ns, st.st_size)


def test_a_save_that_keeps_time_and_size_is_still_seen(tmp_path):
    target = tmp_path / "gates.py"
    target.write_text("A = 1\n", encoding="utf-8")
    runs, changes, stop, thread = _watching(tmp_path)
    try:
        assert _until(lambda: len(runs) == 1)
        _rewrite_keeping_time(target, "A = 2\n")
        assert _until(lambda: len(runs) == 2)
        assert changes == [["gates.py"]]
        time.sleep(0.1)
        assert len(runs) == 2  # and once only
    finally:
        stop.set()
        thread.join(5)


def test_a_large_notebook_is_read_only_while_its_time_may_hide_a_save(tmp_path, monkeypatch):
    notebook = tmp_path / "gates.ipynb"
    notebook.write_text("{" + " " * (watch_module.DIGEST_ALWAYS + 10) + "}", encoding="utf-8")
    [(name, seen)] = [(n, s) for n, s in snapshot(tmp_path, ["gates.ipynb"]).items()]
    assert seen is not None and seen[2] is not None  # just saved: read
    _rewrite_keeping_time(notebook, "[" + " " * (watch_module.DIGEST_ALWAYS + 10) + "]")
    assert changed_names({name: seen}, snapshot(tmp_path, [name])) == [name]
    later = time.time() + watch_module.COARSE_S + 1
    monkeypatch.setattr(watch_module.time, "time", lambda: later)
    old = snapshot(tmp_path, [name])
    assert old[name] is not None and old[name][2] is None  # grown old: its time and size are enough
    assert changed_names({name: seen}, old) == []  # a digest no longer taken is not a change
    assert changed_names(old, {name: None}) == [name]


def test_watch_refuses_what_it_cannot_show(tmp_path, capsys):
    assert main(["check", "--all", "--watch", "--dir", str(tmp_path)]) == 2
    assert "--watch" in capsys.readouterr().err
    assert main(["check", "1", "--watch", "--json", "--dir", str(tmp_path)]) == 2


def _wait_for(proc: subprocess.Popen[str], lines: list[str], needle: str, count: int, timeout: float) -> None:
    """Read `proc`'s output into `lines` until `needle` has appeared `count` times."""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while sum(needle in line for line in lines) < count:
        if time.monotonic() > deadline or proc.poll() is not None:
            pytest.fail(f"no {needle!r} #{count} in:\n" + "".join(lines))
        line = proc.stdout.readline()
        if line:
            lines.append(line)


def _verdicts(result):  # type: ignore[no-untyped-def]
    return result.status, result.score, [(t.name, t.status, t.feedback) for t in result.tests]


def test_a_judge_on_standby_serves_the_next_run_with_the_same_verdicts(tmp_path, monkeypatch):
    """Where judges start the portable way and the worker has no file system of its own (Windows,
    macOS), the next run's judge is started ahead; it learns the files only when the run comes."""
    monkeypatch.setenv("GRADER_LAUNCHER", "portable")
    monkeypatch.setenv("GRADER_ISOLATION", "off")
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(REPO / "reference" / "01_gates" / "gates.py", folder / "gates.py")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with JudgeRunner(standby=True, scratch=scratch) as runner:
        first = runner.run(GATES, folder, scope="public")
        assert (first.status, first.score, runner.spares_used) == ("graded", 12.0, 0)
        source = (folder / "gates.py").read_text(encoding="utf-8")
        (folder / "gates.py").write_text(source.replace("return 1 if", "return 0 if", 1), encoding="utf-8")
        time.sleep(1.0)  # the judge on standby is well under way, its worker importing torch
        second = runner.run(GATES, folder, scope="public")
        assert runner.spares_used == 1
        spares = [spare.proc for spare in runner._spares.values()]
        assert len(spares) == 1 and spares[0].poll() is None  # the next one, waiting
    assert spares[0].poll() is not None, "closing the runner stops the judge on standby"
    assert list(scratch.iterdir()) == []
    with JudgeRunner() as fresh:
        expected = fresh.run(GATES, folder, scope="public")
    assert second.score < 12.0
    assert _verdicts(second) == _verdicts(expected)


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT (Ctrl-C) to the process")
def test_check_watch_reports_each_save_and_stops_on_ctrl_c(tmp_path, launcher_kind):
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(REPO / "reference" / "01_gates" / "gates.py", folder / "gates.py")
    # Ctrl-C as a terminal delivers it, whatever this test run's own SIGINT disposition is.
    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from grader.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADER_LANG": "en"}
    if launcher_kind == "portable":  # as on Windows and macOS: judges on standby, no file system of its own
        env |= launcher_env(launcher_kind) | {"GRADER_ISOLATION": "off"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "check", "1", "--watch", "--dir", str(folder)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    try:
        _wait_for(proc, lines, "Checked in", 1, timeout=120)
        assert any(line.startswith(f"Watching gates.py in {folder}:") for line in lines)
        assert any("Score: 12/12" in line for line in lines)
        source = (folder / "gates.py").read_text(encoding="utf-8")
        (folder / "gates.py").write_text(source.replace("return 1 if", "return 0 if", 1), encoding="utf-8")
        _wait_for(proc, lines, "Checked in", 2, timeout=60)
        second = "".join(lines[next(i for i, line in enumerate(lines) if "changed: checking again" in line) :])
        assert "gates.py changed" in second
        assert "✗ perceptron follows the step rule" in second
        assert "returned 0, expected 1" in second
        assert (folder / "grader-report" / "1.html").is_file()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, "".join(lines) + out
    assert "Stopped watching." in out
