"""A worker's memory cgroup: made, limited, read and removed, on cgroup v1 (this machine and CI's),
and through the same files on a cgroup v2 tree (a stand-in here: no machine we test on delegates one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader import cgroups

MEMFD_WRITER = """
import os, sys
sys.stdin.read()  # until it is in the cgroup
fd = os.memfd_create("hoard")
chunk = b"x" * (1 << 20)
for _ in range(400):
    os.write(fd, chunk)
print("wrote 400 MiB")
"""


@pytest.mark.skipif(cgroups.available() == "sampling", reason="no cgroup can be made here (not root?)")
def test_memory_no_process_maps_is_counted_and_stopped_by_the_kernel():
    group = cgroups.WorkerCgroup.create(memory_bytes=128 * 2**20, processes=8)
    assert group is not None
    try:
        proc = subprocess.Popen([sys.executable, "-c", MEMFD_WRITER], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert group.add(proc.pid)
        out, _ = proc.communicate(b"", timeout=60)
        assert proc.returncode == -9 and b"wrote" not in out  # killed at 128 MiB, not after 400
        assert group.oom_killed()
    finally:
        group.close()
    assert not group.memory.exists()


def fake_v2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    mount = tmp_path / "cgroup2"
    ours = mount / "grading.slice"
    ours.mkdir(parents=True)
    (ours / "cgroup.subtree_control").write_text("cpu memory pids\n")
    monkeypatch.setattr(cgroups, "_mounts", lambda: {"v2": mount})
    monkeypatch.setattr(cgroups, "_own_paths", lambda: {"": "/grading.slice"})
    return ours


def test_cgroup_v2_where_memory_is_delegated(tmp_path, monkeypatch):
    parent = fake_v2(tmp_path, monkeypatch)
    assert cgroups.available() == "cgroup v2"
    monkeypatch.setattr(Path, "mkdir", _mkdir_with_interface_files(Path.mkdir))
    group = cgroups.WorkerCgroup.create(memory_bytes=3 * 2**30, processes=32)
    assert group is not None and group.memory.parent == parent and group.pids is None
    assert (group.memory / "memory.max").read_text() == str(3 * 2**30)
    assert (group.memory / "memory.swap.max").read_text() == "0"
    assert (group.memory / "pids.max").read_text() == "32"
    assert group.add(4242) and (group.memory / "cgroup.procs").read_text() == "4242"
    (group.memory / "memory.current").write_text(str(900 * 2**20))
    (group.memory / "memory.stat").write_text(f"anon 100\nfile {600 * 2**20}\nshmem {200 * 2**20}\n")
    assert group.usage() == 500 * 2**20  # the cache of files on disk is not held: 900 - (600 - 200)
    assert not group.oom_killed()
    (group.memory / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.oom_killed()


def test_cgroup_v2_without_delegation_falls_back_to_sampling(tmp_path, monkeypatch):
    parent = fake_v2(tmp_path, monkeypatch)
    (parent / "cgroup.subtree_control").write_text("cpu\n")
    assert cgroups.available() == "sampling"
    assert cgroups.WorkerCgroup.create(memory_bytes=2**30, processes=32) is None


def test_stale_cgroups_of_dead_judges_are_removed(tmp_path, monkeypatch):
    parent = fake_v2(tmp_path, monkeypatch)
    dead = parent / f"{cgroups.PREFIX}999999999-1"
    dead.mkdir()
    (dead / "cgroup.procs").write_text("")
    monkeypatch.setattr(Path, "rmdir", lambda self: __import__("shutil").rmtree(self))
    monkeypatch.setattr(Path, "mkdir", _mkdir_with_interface_files(Path.mkdir))
    cgroups.WorkerCgroup.create(memory_bytes=2**30, processes=32)
    assert not dead.exists()


def _mkdir_with_interface_files(real):
    """A folder made under a fake cgroup2 mount gets the files the kernel would put in it."""

    def mkdir(self, *args, **kwargs):
        real(self, *args, **kwargs)
        if self.name.startswith(cgroups.PREFIX):
            for name in ("memory.max", "memory.swap.max", "pids.max", "cgroup.procs"):
                (self / name).write_text("")

    return mkdir
