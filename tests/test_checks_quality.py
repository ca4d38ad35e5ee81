"""Rules every check file follows: titles, points, and a message on every assertion."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

CHECK_FILES = sorted((REPO / "assignments").glob("*/checks/*/test_*.py"))
CHECK_MODULES = sorted((REPO / "assignments").glob("*/checks/**/*.py"))  # with support modules and conftest.py
CHECK_AUTHOR_API = {"grader.checklib", "grader.plots"}


def check_functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def has_points(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "points"
        for d in function.decorator_list
    )


@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_check_has_a_title_and_points(path):
    for function in check_functions(path):
        assert ast.get_docstring(function), f"{path.name}::{function.name} needs a docstring (its title)"
        assert has_points(function), f"{path.name}::{function.name} needs @pytest.mark.points(n)"


@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_assertion_carries_feedback(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert) and n.msg is None]
    assert not bare, f"{path.name}: asserts without a message on lines {bare} (the message is the feedback)"


def test_check_files_exist_for_every_assignment():
    for folder in sorted((REPO / "assignments").iterdir()):
        assert list(folder.glob("checks/public/test_*.py")), f"{folder.name} has no public checks"
        assert list(folder.glob("checks/hidden/test_*.py")), f"{folder.name} has no hidden checks"


def grader_imports(tree: ast.Module) -> set[str]:
    """Every module of the grader a file imports, at any depth (inside functions too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "grader" and not node.level:
            found.update(f"grader.{alias.name}" for alias in node.names)  # from grader import checklib
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return {name for name in found if name == "grader" or name.startswith("grader.")}


@pytest.mark.parametrize("path", CHECK_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_checks_import_only_the_check_author_api(path):
    """Check files reach the grader through grader.checklib and grader.plots only, so the engine can change."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    beyond = sorted(grader_imports(tree) - CHECK_AUTHOR_API)
    assert not beyond, f"{path.relative_to(REPO)} imports {beyond}: use what grader.checklib exports"


# --- both languages ----------------------------------------------------------------------------
#
# Every title and every message a student can read exists in English and in Korean: a check's
# English title is its docstring, its Korean title `@title(ko=...)`; a feedback message is
# `say(en, ko)` (or comes from a helper of grader.checklib, which the engine localises).


def has_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def korean_title(function: ast.FunctionDef) -> str | None:
    """The `ko` of the function's `@title(ko=...)`, when it is a literal string."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and _called(decorator) == "title":
            for keyword in decorator.keywords:
                if keyword.arg == "ko" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def title_below_hypothesis(function: ast.FunctionDef) -> bool:
    """Whether `@title` is applied before hypothesis wraps the test (`@given`, `@settings`,
    `@example` above it), so that the wrapper the judge collects has no Korean title."""
    names = [_called(d) if isinstance(d, ast.Call) else None for d in function.decorator_list]
    hypothesis = [i for i, name in enumerate(names) if name in ("given", "settings", "example")]
    return "title" in names and bool(hypothesis) and names.index("title") > min(hypothesis)


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _literal_text(node: ast.expr) -> str | None:
    """The literal text of a string or f-string (its placeholders left out); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    return None


def _placeholders(node: ast.expr) -> set[str]:
    """The `{...}` of an f-string, each with its conversion and format spec (`{t:+.0f}`)."""
    if not isinstance(node, ast.JoinedStr):
        return set()
    return {ast.unparse(ast.JoinedStr(values=[v])) for v in node.values if isinstance(v, ast.FormattedValue)}


def say_problems(call: ast.Call) -> list[str]:
    """What is wrong with a `say(en, ko)`: both given as literal (f-)strings, neither empty, the
    same placeholders in both, and Korean in the second."""
    if len(call.args) != 2 or call.keywords:
        return ["say takes two arguments, say(en, ko)"]
    en, ko = call.args
    en_text, ko_text = _literal_text(en), _literal_text(ko)
    if en_text is None or ko_text is None:
        return ["say's arguments must be written out as strings or f-strings"]
    problems = []
    if not (en_text.strip() or _placeholders(en)) or not (ko_text.strip() or _placeholders(ko)):
        problems.append("say has an empty message")
    if _placeholders(en) != _placeholders(ko):
        only_en, only_ko = sorted(_placeholders(en) - _placeholders(ko)), sorted(_placeholders(ko) - _placeholders(en))
        problems.append(f"English and Korean differ in their placeholders: {only_en} vs {only_ko}")
    if not has_hangul(ko_text):
        problems.append("say's Korean message has no Korean in it")
    return problems


def checklib_names(tree: ast.Module) -> set[str]:
    """The names a module imports from grader.checklib (its helpers localise their own messages)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "grader.checklib"
        for alias in node.names
    } - {"say", "title"}


class Feedback:
    """Whether an expression is a message in both languages, in one module: a `say(...)`, a
    checklib helper's message, a sum or choice of such, a module function that returns one, or a
    name every assignment in the module binds to one (by name, not by scope: a heuristic that
    errs on the side of asking for `say`)."""

    def __init__(self, tree: ast.Module) -> None:
        self.helpers = checklib_names(tree)
        self.functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        self.assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(node.value)

    def problems(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> list[str]:
        if isinstance(node, ast.Call) and _called(node) == "say":
            return say_problems(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.helpers:
            return []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.functions:
            if node.func.id in seen:
                return []
            returned = _returned(self.functions[node.func.id])
            return [p for value in returned for p in self.problems(value, seen | {node.func.id})]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.problems(node.left, seen) + self.problems(node.right, seen)
        if isinstance(node, ast.IfExp):
            return [*self.problems(node.body, seen), *self.problems(node.orelse, seen)]
        if isinstance(node, ast.Constant) and node.value == "":
            return []
        if isinstance(node, ast.Name) and node.id in self.assigned and node.id not in seen:
            return [p for value in self.assigned[node.id] for p in self.problems(value, seen | {node.id})]
        return [f"`{ast.unparse(node)[:60]}` is not say(en, ko)"]


def _returned(function: ast.FunctionDef) -> list[ast.expr]:
    """What `function` returns (not what functions defined inside it return)."""
    found, stack = [], list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            found.append(node.value)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def feedback_sites(tree: ast.Module) -> list[tuple[int, ast.expr]]:
    """Every message a student can read: assert messages, AssertionError(...), pytest.fail(...)
    and pytest.skip(...) (a skip's reason is shown in the report)."""
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            sites.append((node.lineno, node.msg))
        elif isinstance(node, ast.Call) and _called(node) in ("AssertionError", "fail", "skip"):
            if _called(node) != "AssertionError" and not (
                isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) == "pytest"
            ):
                continue
            given = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("reason", "msg"))]
            sites.extend((node.lineno, message) for message in given)
    return sites


def language_problems(source: str, *, check_file: bool) -> list[str]:
    """Every title or message of a check module (`source`) that lacks its Korean, as readable lines."""
    tree = ast.parse(source)
    problems = []
    if check_file:
        tests = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
        for function in tests:
            ko = korean_title(function)
            if not ast.get_docstring(function):
                problems.append(f"{function.name}: no docstring (its English title)")
            if not ko or not ko.strip() or not has_hangul(ko):
                problems.append(f"{function.name}: no @title(ko=...) with a Korean title")
            elif title_below_hypothesis(function):
                problems.append(f"{function.name}: @title must sit above @given (hypothesis's wrapper drops it)")
    feedback = Feedback(tree)
    for line, message in feedback_sites(tree):
        problems.extend(f"line {line}: {problem}" for problem in feedback.problems(message))
    return problems


@pytest.mark.parametrize("path", CHECK_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_titles_and_feedback_in_both_languages(path):
    problems = language_problems(path.read_text(encoding="utf-8"), check_file=path.name.startswith("test_"))
    assert not problems, f"{path.relative_to(REPO)}:\n" + "\n".join(problems)


PLANTED = {
    "no Korean title": '@pytest.mark.points(1)\ndef test_x(submission):\n    """x works"""\n',
    "an English assert message": '@title(ko="x가 동작한다")\ndef test_x(s):\n    """x"""\n    assert s, f"got {s}"\n',
    "an English AssertionError": 'def helper(v):\n    raise AssertionError(f"bad {v}")\n',
    "an English skip": 'def helper():\n    pytest.skip("no GPU here")\n',
    "an English fail reason": 'def helper():\n    pytest.fail(reason="broken")\n',
    "English left in the Korean": 'def helper(v):\n    assert v, say(f"bad {v}", f"bad {v}")\n',
    "a placeholder lost": 'def helper(v, w):\n    assert v, say(f"{v} is not {w}", f"{v}이(가) 틀렸습니다")\n',
    "an empty Korean": 'def helper(v):\n    assert v, say("bad", "")\n',
    "an English message stored first": 'def helper(v):\n    message = f"bad {v}"\n    assert v, message\n',
    "an English suffix": 'def helper(v):\n    assert v, say("bad", "잘못됨") + (" (mean)" if v else "")\n',
    "a title hypothesis hides": (
        '@given(x=st.integers())\n@title(ko="x가 동작한다")\ndef test_x(s, x):\n    """x works"""\n'
    ),
    "an English hint returned": (
        'def hint(v):\n    return f" ({v})"\ndef helper(v):\n    assert v, say("bad", "잘못됨") + hint(v)\n'
    ),
}


@pytest.mark.parametrize("source", PLANTED.values(), ids=PLANTED.keys())
def test_an_untranslated_title_or_message_is_caught(source):
    assert language_problems(source, check_file=True)


def test_translated_titles_and_messages_pass():
    source = (
        "from grader.checklib import expect_int, say, title\n"
        "@pytest.mark.points(1)\n"
        '@title(ko="x가 동작한다")\n'
        "def test_x(s, t):\n"
        '    """x works"""\n'
        '    hint = say(" (mean)", " (평균)")\n'
        '    assert s, say(f"got {s!r} for {t:.3f}", f"{t:.3f}에 대해 {s!r}이(가) 나왔습니다") + (hint if t else "")\n'
        '    expect_int(s, 1, "x")\n'
        '    raise AssertionError(say("bad", "잘못되었습니다"))\n'
    )
    assert language_problems(source, check_file=True) == []
