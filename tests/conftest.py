"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.launch import ENV_LAUNCHER

REPO = Path(__file__).resolve().parent.parent
# How judges and workers start: as this machine picks (the zygote on Linux), and the portable way
# forced (GRADER_LAUNCHER=portable: what Windows and macOS get). Tests that use `launcher_kind`, or
# a fixture parametrized with these, run once each way and must give the same verdicts.
LAUNCHERS = ["default", "portable"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def launcher_env(kind: str) -> dict[str, str]:
    """The environment variable that forces launcher `kind` (none for the default)."""
    return {ENV_LAUNCHER: "portable"} if kind == "portable" else {}


@pytest.fixture(params=LAUNCHERS)
def launcher_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once with each launcher (see `LAUNCHERS`); set for this process and its children."""
    monkeypatch.delenv(ENV_LAUNCHER, raising=False)
    for name, value in launcher_env(request.param).items():
        monkeypatch.setenv(name, value)
    return str(request.param)


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
