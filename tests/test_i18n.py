"""English and Korean: the engine's catalogues, choosing the language, and what people read in it."""

from __future__ import annotations

import ast
import os
import re
import shutil
import string
import subprocess
import sys

import pytest

from grader import i18n, terminal
from grader.cli import main
from grader.i18n import catalogue, choose, text
from grader.reports import render_index, render_inline, render_student
from grader.results import (
    AssignmentResult,
    GradingRun,
    SubmissionResult,
    TestResult,
    assignment_from_dict,
    run_from_dict,
    to_dict,
)
from grader.terminal import Style, check_summary, clip, clip_title, pad, width
from tests.conftest import REPO, write

LOCALES = REPO / "grader" / "locales"
HANGUL = re.compile("[\uac00-\ud7a3]")


def _parameters(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


# --- the catalogues ------------------------------------------------------------------------


def test_both_catalogues_have_the_same_keys_and_parameters():
    english, korean = catalogue("en"), catalogue("ko")
    assert len(english) > 200, "the catalogue is read"
    assert sorted(set(english) ^ set(korean)) == [], "keys in one catalogue only"
    for key, template in english.items():
        assert template.strip() and korean[key].strip(), f"{key} is empty"
        # Korean has no articles: a Korean message may leave out English's {article}, nothing else
        assert _parameters(korean[key]) <= _parameters(template), f"{key}: Korean uses a parameter English lacks"
        assert _parameters(template) - _parameters(korean[key]) <= {"article"}, f"{key}: the parameters differ"


def test_every_korean_message_is_written_in_korean():
    """Not an English text copied over (a few are words or code in both languages)."""
    same = {key for key, value in catalogue("ko").items() if value == catalogue("en")[key]}
    assert same <= {"worker.calling"} | {k for k in same if not re.search("[a-z]{3}", catalogue("en")[k])}
    words = {k: re.sub(r"\{[^}]*\}", "", v) for k, v in catalogue("ko").items()}
    untranslated = [k for k, v in words.items() if not HANGUL.search(v) and re.search("[a-z]{4}", v)]
    assert untranslated == [], "Korean messages without Korean in them"


def _keys_in_code() -> set[str]:
    """Every literal key the engine looks up: text("..."), i18n.text("...") and tr("...") in templates."""
    keys: set[str] = set()
    for path in (REPO / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("text", "template") and isinstance(node.args[0].value, str):
                    keys.add(node.args[0].value)
    for path in (REPO / "grader" / "reports" / "templates").glob("*.j2"):
        keys |= set(re.findall(r'tr\("([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    return {k for k in keys if re.fullmatch(r"[a-z_]+\.[a-z_]+", k)}


def test_every_key_the_engine_uses_is_in_the_catalogues():
    used = _keys_in_code()
    assert len(used) > 150, "the lookups are found"
    assert sorted(used - set(catalogue("en"))) == []


def test_every_catalogue_message_can_be_filled_in():
    for lang in ("en", "ko"):
        for key, template in catalogue(lang).items():
            params = {name: 1 for name in _parameters(template)}  # numbers fill {x:g}, {x:02d} and {x}
            assert text(key, lang=lang, **params)


def test_the_catalogue_files_are_utf8_toml_with_one_level_of_sections():
    import tomllib

    for name in ("en.toml", "ko.toml"):
        data = tomllib.loads((LOCALES / name).read_text(encoding="utf-8"))
        assert all(isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) for v in data.values())


def test_a_key_missing_in_korean_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(i18n._CATALOGUES, "ko", {k: v for k, v in catalogue("ko").items() if k != "judge.flaky"})
    assert text("judge.flaky", lang="ko") == catalogue("en")["judge.flaky"]


# --- choosing the language -----------------------------------------------------------------


@pytest.fixture
def plain_environment(monkeypatch):
    for name in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(i18n, "_system_locale", lambda: "en")
    return monkeypatch


def test_the_language_comes_from_the_option_then_grader_lang_then_the_locale(plain_environment):
    assert choose() == "en"
    plain_environment.setenv("LANG", "ko_KR.UTF-8")
    assert choose() == "ko"
    plain_environment.setenv("GRADER_LANG", "en")
    assert choose() == "en"
    plain_environment.setenv("GRADER_LANG", "ko")
    assert choose() == "ko" and choose("en") == "en"
    plain_environment.setenv("LC_ALL", "en_US.UTF-8")
    plain_environment.delenv("GRADER_LANG")
    assert choose() == "en", "LC_ALL outranks LANG"
    with pytest.raises(ValueError):
        choose("fr")


def test_grader_lang_and_the_locale_reach_the_command_line(plain_environment, capsys):
    plain_environment.setenv("LANG", "ko_KR.UTF-8")
    assert main(["list"]) == 0
    assert "25점" in capsys.readouterr().out
    plain_environment.setenv("GRADER_LANG", "en")
    assert main(["list"]) == 0
    assert "25 pts" in capsys.readouterr().out


def test_lang_is_taken_before_and_after_the_command(plain_environment, capsys, tmp_path):
    for argv in (["--lang", "ko", "check", "1"], ["check", "1", "--lang", "ko"]):
        assert main([*argv, "--dir", str(tmp_path / "nowhere")]) == 2
        assert "폴더가 아닙니다" in capsys.readouterr().err


# --- the terminal --------------------------------------------------------------------------


def test_korean_characters_take_two_columns():
    assert width("abc") == 3 and width("가나다") == 6 and width("e\u0301") == 1
    assert pad("가나", 6) == "가나  " and width(clip("가나다라마바", 7)) <= 7 and clip("가나다라마바", 7).endswith("…")


def test_a_title_cut_to_fit_keeps_its_case():
    square = "the model has the prescribed layers: state-dict keys, shapes and forward [square]"
    sin = square.replace("[square]", "[sin]")
    assert clip_title(square, 40) == "the model has the prescribed l… [square]"
    assert clip_title(sin, 40) == "the model has the prescribed laye… [sin]"
    assert clip_title("가중치 세 개로 만든 퍼셉트론이 해당 게이트를 계산한다 [AND]", 30).endswith("… [AND]")
    assert clip_title("short [x]", 40) == "short [x]"
    long = "no case here, just a long title to cut"
    assert clip_title(long, 20) == clip(long, 20)


def _test(name: str, status: str, score: float, max_score: float) -> TestResult:
    return TestResult(f"public/t.py::{name}", name, status, score, max_score, "public")  # type: ignore[arg-type]


def test_the_points_column_lines_up_with_korean_titles():
    i18n.use("ko")
    tests = [
        _test("가중치 세 개로 만든 퍼셉트론이 해당 게이트를 계산한다 [AND]", "passed", 1, 1),
        _test("the gate function has the right truth table [OR]", "failed", 0, 2),
        _test("짧은 제목", "timeout", 0, 12),
        _test("건너뛴 검사", "skipped", 0, 1),
    ]
    result = AssignmentResult(1, "gates", "게이트", "graded", 1, 15, scope="public", tests=tests, lang="ko")
    lines = check_summary(result, report=None, style=Style(_NoTerminal())).splitlines()
    rows = [line for line in lines if line.startswith("  ") and line[2] in "✓✗◔-"]
    assert len(rows) == 4
    ends = {width(re.sub(r" \[[^\]]+\]$", "", row)) for row in rows}
    assert len(ends) == 1, "every score ends in the same column:\n" + "\n".join(rows)
    assert any(row.endswith("0/12 [시간 초과]") for row in rows) and any(row.endswith("제외 [건너뜀]") for row in rows)
    assert any(line.startswith("  점수: 공개 검사 1/15점") for line in lines)


@pytest.mark.parametrize("code_page", ["cp949", "cp1252"])
def test_grader_check_writes_to_a_windows_pipe_in_its_code_page(code_page, tmp_path):
    """Windows writes a pipe or a file (Git Bash, `> out.txt`) in the system's code page, as
    PYTHONIOENCODING makes Linux do here: no ✓ or ✗ in either, no Korean in cp1252. The summary
    falls back to plain marks and what the code page lacks becomes `?`; nothing stops the command."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / "student_template" / "gates.py", work / "gates.py")  # the skeleton: checks fail
    env = {**os.environ, "PYTHONIOENCODING": code_page, "GRADER_LANG": "ko"}
    done = subprocess.run(
        [sys.executable, "-m", "grader", "check", "1", "--dir", str(work)], env=env, capture_output=True, cwd=REPO
    )
    out, err = done.stdout.decode(code_page), done.stderr.decode(code_page)
    assert done.returncode == 1, err  # checks failed; not a crash
    assert "Traceback" not in err
    assert re.search(r"^  x ", out, re.MULTILINE) and "✗" not in out
    if code_page == "cp949":
        assert "퍼셉트론으로 만드는 논리 게이트" in out and "점수: 공개 검사 0/" in out
    else:
        assert "?" in out and "0/12" in out


def test_rows_fit_the_terminal_they_are_shown_on(monkeypatch):
    class Terminal80:
        encoding = "utf-8"

        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(terminal.shutil, "get_terminal_size", lambda fallback: os.terminal_size((80, 24)))
    monkeypatch.setenv("NO_COLOR", "1")
    i18n.use("en")
    title = "the model has the prescribed layers: state-dict keys, shapes and forward"
    tests = [_test(f"{title} [{case}]", "passed", 1.5, 1.5) for case in ("square", "sin")]
    result = AssignmentResult(3, "fitting", "Fitting", "graded", 3, 3, scope="public", tests=tests)
    rows = [line for line in check_summary(result, report=None, style=Style(Terminal80())).splitlines() if "✓" in line]
    assert [width(row) for row in rows] == [79, 79]
    assert rows[0].endswith("… [square]  1.5/1.5") and rows[1].endswith("… [sin]  1.5/1.5")
    piped = check_summary(result, report=None, style=Style(_NoTerminal()))  # a pipe or a file: 72 columns of title
    assert [width(line) for line in piped.splitlines() if "✓" in line] == [85, 85]


class _Console:
    """kernel32 as a Windows console answers: its mode, and whether it takes a new one."""

    def __init__(self, mode: int | None, accepts: bool = True):
        self.mode, self.accepts = mode, accepts
        self.set_to: list[int] = []

    def GetConsoleMode(self, handle, ref):  # type: ignore[no-untyped-def]
        if self.mode is None:
            return 0  # not a console
        ref._obj.value = self.mode
        return 1

    def SetConsoleMode(self, handle, mode):  # type: ignore[no-untyped-def]
        self.set_to.append(mode)
        return int(self.accepts)


def test_colours_on_windows_only_where_the_console_shows_them():
    def handle(fileno: int) -> int:
        return 100 + fileno

    terminal_app = _Console(0x0007)  # Windows Terminal: on already
    assert terminal.windows_colours(1, terminal_app, handle) and terminal_app.set_to == []
    conhost = _Console(0x0003)  # Windows 10's console: off until asked
    assert terminal.windows_colours(1, conhost, handle) and conhost.set_to == [0x0007]
    old = _Console(0x0003, accepts=False)  # a console that cannot show them
    assert not terminal.windows_colours(1, old, handle)
    assert not terminal.windows_colours(1, _Console(None), handle)
    assert not terminal.windows_colours(1)  # here: no msvcrt, no windll


class _NoTerminal:
    def isatty(self) -> bool:
        return False


# --- results and reports -------------------------------------------------------------------


def _korean_run() -> GradingRun:
    test = _test("XOR가 진리표를 따른다", "failed", 0, 2)
    test.feedback = "XOR(1, 1)의 반환값이 1입니다. 기대한 값은 0입니다."
    assignment = AssignmentResult(1, "gates", "Perceptron logic gates", "graded", 0, 2, tests=[test], lang="ko")
    return GradingRun(submissions=[SubmissionResult("alice", [assignment])], created="2026-03-21T01:00:00Z", lang="ko")


def test_results_carry_lang_and_old_results_still_read():
    run = _korean_run()
    data = to_dict(run)
    assert data["lang"] == "ko" and data["submissions"][0]["assignments"][0]["lang"] == "ko"
    assert run_from_dict(data) == run
    english = AssignmentResult(1, "gates", "t", "graded", 0, 2)
    assert "lang" not in to_dict(english), "an English assignment is written as before"
    del data["lang"]
    assert run_from_dict(data).lang == "en", "results.json from before languages reads as English"
    with pytest.raises(ValueError):
        assignment_from_dict(to_dict(english) | {"lang": "fr"})


def test_reports_are_written_in_their_language_and_say_so():
    run = _korean_run()
    student = render_student(run.submissions[0], generated=run.created, version="0", lang="ko")
    assert '<html lang="ko">' in student
    assert "채점 보고서" in student and "공개 검사" in student and "실패" in student
    assert "2026-03-21 01:00" in student, "a date a person reads"
    index = render_index(run, {"alice": "students/alice.html"})
    assert '<html lang="ko">' in index and "반 전체 요약" in index and "학생 1명" in index
    inline = render_inline(run.submissions[0].assignments[0], report="r.html", version="0", lang="ko")
    assert "과제 1 · Perceptron logic gates" in inline and "검사 1개 중 0개를 통과했습니다" in inline
    english = render_student(run.submissions[0], generated=run.created, version="0", lang="en")
    assert (
        '<html lang="en">' in english
        and "Grading report" in english
        and not HANGUL.search(
            english.replace(run.submissions[0].assignments[0].tests[0].name, "").replace(
                run.submissions[0].assignments[0].tests[0].feedback, ""
            )
        )
    )


def test_the_stylesheet_names_korean_fonts():
    css = (REPO / "grader" / "reports" / "style.css").read_text(encoding="utf-8")
    assert all(font in css for font in ('"Noto Sans KR"', '"Apple SD Gothic Neo"', '"Malgun Gothic"'))


# --- the judge, end to end -----------------------------------------------------------------


def test_check_in_korean_prints_korean_titles_and_feedback(tmp_path, capsys):
    source = (REPO / "reference" / "01_gates" / "gates.py").read_text(encoding="utf-8")
    wrong = source.replace("AND_WEIGHTS = (0.5, 0.5, -0.7)", "AND_WEIGHTS = (0.5, 0.5, -0.2)")
    wrong = wrong.replace("return AND(NAND(x1, x2), OR(x1, x2))", "return __import__('os')._exit(3)")
    assert wrong.count("(0.5, 0.5, -0.2)") == 1 and "_exit(3)" in wrong, "the reference is as this test expects"
    write(tmp_path / "gates.py", wrong)
    assert main(["check", "1", "--lang", "ko", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "과제 1 · 퍼셉트론으로 만드는 논리 게이트  (공개 검사)" in out
    assert "✗ 가중치 세 개로 만든 퍼셉트론이 해당 게이트를 계산한다 [AND]" in out
    assert "AND_WEIGHTS = (0.5, 0.5, -0.2)로 만든 퍼셉트론은 입력 (0, 1)에서 1을 출력합니다" in out
    assert re.search(r"점수: 공개 검사 \d+/12점 \(9개 중 \d개 통과\)", out)
    died = "XOR(0, 0) 호출 중에 여러분의 코드를 실행하는 프로세스가 종료 상태 3(으)로 끝났습니다"
    assert died in out, "the engine's own message for a worker that exited"
    assert "비공개 검사는 최종 채점 때 실행됩니다" in out
    html = (tmp_path / "grader-report" / "1.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in html and "내 컴퓨터에서 grader check로 검사한 결과입니다." in html
    rows = [line for line in out.splitlines() if re.match(r"  [✓✗] ", line)]
    assert len({width(row) for row in rows}) == 1, "the points column lines up"


def test_an_ungradable_submission_is_explained_in_korean(tmp_path, capsys):
    write(tmp_path / "gates.py", "def perceptron(:\n")
    assert main(["check", "1", "--lang", "ko", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "채점할 수 없습니다: gates.py의 1번째 줄" in out and "문법 오류가 있습니다" in out


def test_how_a_download_was_read_is_said_in_the_language_spoken():
    from grader.intake.model import Intake

    read = Intake("canvas", True, ())
    assert read.describe() == "canvas (detected)"
    i18n.use("ko")
    assert read.describe() == "canvas(자동 감지)"
    assert Intake("moodle", False, ()).describe() == "moodle"
