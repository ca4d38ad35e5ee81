"""Course loading: a broken assignment.toml is reported with the file and the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import Course, find_course, load_assignment
from grader.errors import CourseError
from tests.conftest import write

GOOD = 'id = 1\nslug = "demo"\ntitle = "Demo"\npoints = 10\nfiles = ["demo.py"]\n'


def folder_with(tmp_path: Path, toml: str, name: str = "01_demo") -> Path:
    folder = tmp_path / "assignments" / name
    write(folder / "assignment.toml", toml)
    return folder


def test_the_repository_course_loads(repo):
    course = Course.load(repo)
    gates = course.get(1)
    assert gates.slug == "gates" and gates.files == ("gates.py",) and gates.module == "gates"
    assert gates.check_files("public") and gates.has_hidden_checks


def test_every_assignment_has_a_korean_title_shown_in_korean_only(repo):
    for assignment in Course.load(repo):
        assert any("\uac00" <= ch <= "\ud7a3" for ch in assignment.title_ko), assignment.label
        assert assignment.title_in("ko") == assignment.title_ko
        assert assignment.title_in("en") == assignment.title


def test_without_a_korean_title_the_english_one_is_shown(tmp_path):
    assignment = load_assignment(folder_with(tmp_path, GOOD))
    assert assignment.title_ko == "" and assignment.title_in("ko") == assignment.title


def test_defaults_and_limits(tmp_path):
    assignment = load_assignment(folder_with(tmp_path, GOOD + "[limits]\ncall_timeout_s = 2.5\nmemory_mb = 512\n"))
    assert assignment.limits.call_timeout_s == 2.5 and assignment.limits.memory_mb == 512
    assert assignment.points == 10.0 and assignment.checkpoints == ()


@pytest.mark.parametrize(
    ("toml", "key", "message"),
    [
        (GOOD.replace("id = 1", "id = 2"), "id", "match the folder name"),
        (GOOD.replace('slug = "demo"\n', ""), "slug", "is required"),
        (GOOD.replace("points = 10", "points = -1"), "points", "positive"),
        (GOOD.replace("points = 10", 'points = "ten"'), "points", "type"),
        (GOOD.replace('["demo.py"]', '["demo.txt"]'), "files", "Python file"),
        (GOOD.replace('["demo.py"]', "[]"), "files", "non-empty"),
        (GOOD + "colour = 1\n", "colour", "unknown key"),
        (GOOD + 'module = "other"\n', "module", "one of the files"),
        (GOOD + '[limits]\ncall_timeout_s = "fast"\n', "limits.call_timeout_s", "positive number"),
        (GOOD + "[limits]\nmemory_mb = 1.5\n", "limits.memory_mb", "positive number"),
        (GOOD + "[limits]\nspeed = 1\n", "limits.speed", "unknown key"),
        (GOOD + '[worker]\npreload = ["not a module"]\n', "worker.preload", "module names"),
        (GOOD + '[worker]\npreload = ["grader.cuda_warmup"]\n', "worker.preload", "libraries only"),
        (GOOD + 'gpu = "always"\n', "gpu", "one of 'none', 'optional'"),
        (GOOD + "gpu = true\n", "gpu", "one of"),
        (GOOD + 'checkpoints = ["model.pkl"]\n', "checkpoints", ".pt"),
        (GOOD + "title_ko = 1\n", "title_ko", "string"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path, toml, key, message):
    folder = folder_with(tmp_path, toml)
    with pytest.raises(CourseError, match=message) as info:
        load_assignment(folder)
    assert info.value.key == key
    assert info.value.path == folder / "assignment.toml"
    assert f"assignment.toml, key '{key}'" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path):
    folder = folder_with(tmp_path, "id = = 1\n")
    with pytest.raises(CourseError, match="not valid TOML") as info:
        load_assignment(folder)
    assert info.value.path == folder / "assignment.toml"


def test_bad_folder_name_and_missing_file(tmp_path):
    with pytest.raises(CourseError, match="NN_slug"):
        load_assignment(folder_with(tmp_path, GOOD, name="gates"))
    (tmp_path / "assignments" / "02_empty").mkdir(parents=True)
    with pytest.raises(CourseError, match=r"assignment\.toml is missing"):
        load_assignment(tmp_path / "assignments" / "02_empty")


def test_unknown_assignment_lists_the_known_ones(repo):
    with pytest.raises(CourseError, match=r"there is no assignment 42 \(the course has 1"):
        Course.load(repo).get(42)


def test_find_course_order(tmp_path, monkeypatch, repo):
    folder_with(tmp_path, GOOD)
    assert find_course(tmp_path).root == tmp_path.resolve()
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    assert find_course().root == tmp_path.resolve()
    monkeypatch.delenv("GRADER_COURSE")
    assert find_course().root == repo


def test_gpu_declaration_adds_the_cuda_context_to_the_worker(tmp_path):
    plain = load_assignment(folder_with(tmp_path, GOOD + '[worker]\npreload = ["torch"]\n'))
    assert plain.gpu == "none" and not plain.device_dependent and plain.worker_preload == ("torch",)
    gpu = load_assignment(folder_with(tmp_path / "b", GOOD + 'gpu = "optional"\n[worker]\npreload = ["torch"]\n'))
    assert gpu.device_dependent and gpu.worker_preload == ("torch", "grader.cuda_warmup")
