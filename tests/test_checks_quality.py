"""Rules every check file follows: titles, points, and a message on every assertion."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

CHECK_FILES = sorted((REPO / "assignments").glob("*/checks/*/test_*.py"))


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
