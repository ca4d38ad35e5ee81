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
