"""The exception tree: one module holds every exception class, kinds are subclasses."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import grader.errors as errors

PACKAGE = Path(errors.__file__).parent
_BUILTIN_EXCEPTIONS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}


def _exception_classes(path: Path) -> list[str]:
    """Classes in `path` whose bases name an exception class (a built-in one or one of the tree)."""
    known = _BUILTIN_EXCEPTIONS | set(errors.__all__)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            names = {base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases}
            if names & known:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    return found


def test_every_exception_class_of_the_package_is_in_errors():
    elsewhere = [
        hit for path in sorted(PACKAGE.rglob("*.py")) if path.name != "errors.py" for hit in _exception_classes(path)
    ]
    assert elsewhere == []


def _grader_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    return [name for name in imported if name and name.split(".")[0] == "grader"]


def test_errors_imports_nothing_of_the_grader():
    """Nothing but the language its messages are written in, a leaf module itself."""
    assert set(_grader_imports(Path(errors.__file__))) <= {"grader.i18n"}
    assert _grader_imports(PACKAGE / "i18n.py") == []


def test_worker_failure_kinds_are_subclasses_with_their_own_name():
    kinds = [cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.WorkerFailure)]
    kinds.remove(errors.WorkerFailure)
    assert len(kinds) == 7
    assert len({cls.kind for cls in kinds}) == len(kinds)
    assert {cls.status for cls in kinds} == {"failed", "timeout"}
    assert errors.WorkerTimeout("slow").status == "timeout"
    failure = errors.WorkerOutOfMemory("too much")
    assert failure.kind == "memory" and failure.message == "too much" and str(failure) == "too much"
    assert not isinstance(failure, Exception)  # a check's `except Exception` cannot swallow it


def test_remote_errors_are_also_the_nearest_builtin_exception():
    error = errors.remote_error({"type": "MyError", "message": "bad", "mro": ["MyError", "ValueError"]}, "f(1)")
    assert isinstance(error, errors.RemoteError) and isinstance(error, ValueError)
    assert str(error) == "f(1) raised MyError: bad"
    hidden = errors.remote_error(
        {"type": "MyError", "message": "secret", "mro": ["MyError", "KeyError"]}, "f(...)", reveal=False
    )
    assert isinstance(hidden, KeyError) and "secret" not in str(hidden) and "MyError" not in str(hidden)


def test_exit_codes_are_distinct_and_as_shells_expect():
    assert len({int(code) for code in errors.ExitCode}) == len(errors.ExitCode)
    assert errors.ExitCode.INTERRUPTED == 128 + 2  # SIGINT
    assert errors.ExitCode.OK == 0
