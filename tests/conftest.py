"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def repo() -> Path:
    return REPO


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def make_course(tmp_path: Path):
    """Build a one-assignment course in a temporary folder: make_course(public=..., hidden=...)."""

    def build(
        *,
        public: str,
        hidden: str = "",
        points: float,
        files: tuple[str, ...] = ("demo.py",),
        limits: str = "call_timeout_s = 3\ncheck_timeout_s = 10\nimport_timeout_s = 5",
        preload: str = "[]",
    ) -> Path:
        root = tmp_path / "course"
        folder = root / "assignments" / "01_demo"
        file_list = ", ".join(f'"{f}"' for f in files)
        write(
            folder / "assignment.toml",
            f'id = 1\nslug = "demo"\ntitle = "Demo"\npoints = {points}\nfiles = [{file_list}]\n'
            f"[worker]\npreload = {preload}\n[limits]\n{limits}\n",
        )
        write(folder / "checks" / "public" / "test_public.py", public)
        if hidden:
            write(folder / "checks" / "hidden" / "test_hidden.py", hidden)
        return root

    return build


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch):
    """Tests pin English texts: whatever the machine's locale, the grader speaks English to them
    unless a test says otherwise, and a test that switched language leaves English behind."""
    from grader import i18n

    monkeypatch.setenv("GRADER_LANG", "en")
    yield
    i18n.use(i18n.DEFAULT)
