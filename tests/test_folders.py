"""`grader.folders.remove_tree` both ways: by descriptors (Linux, macOS) and by path (Windows,
which has neither folder descriptors nor O_NOFOLLOW)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from grader import folders


@pytest.fixture(params=["descriptors", "paths"])
def way(request, monkeypatch):  # type: ignore[no-untyped-def]
    if request.param == "paths":
        monkeypatch.setattr(folders, "_BY_DESCRIPTOR", False)
    else:
        assert folders._BY_DESCRIPTOR, "this machine walks by descriptors"
    return request.param


def _tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "deep.txt").write_text("x", encoding="utf-8")
    locked = root / "a" / "read_only.py"
    locked.write_text("x = 1\n", encoding="utf-8")
    locked.chmod(stat.S_IREAD)  # what Windows refuses to delete until the flag is cleared
    (root / "link").symlink_to(root / "a")


def test_a_tree_goes_whole_read_only_files_and_links_included(tmp_path, way):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("kept", encoding="utf-8")
    root = tmp_path / "root"
    _tree(root)
    (root / "to_outside").symlink_to(outside)
    folders.remove_tree(root)
    assert not os.path.lexists(root)
    assert (outside / "kept.txt").read_text(encoding="utf-8") == "kept"  # a link is removed, not followed


def test_what_is_already_gone_a_file_or_a_link_is_no_error(tmp_path, way):
    folders.remove_tree(tmp_path / "never")
    file = tmp_path / "file.txt"
    file.write_text("x", encoding="utf-8")
    folders.remove_tree(file)
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    folders.remove_tree(link)
    assert not file.exists() and not os.path.lexists(link) and target.is_dir()
