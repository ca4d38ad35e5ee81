"""Folders a submission made: removed and searched whatever their depth, with bounded work.

`shutil.rmtree` and `Path.rglob` recurse once per level: a submission nested a thousand folders
deep makes them raise `RecursionError` (and leaves the tree behind in the temporary folder).
`remove_tree` goes down and up one folder at a time holding a single descriptor, so depth costs
nothing but time; `find_files` looks a bounded number of levels and entries deep.

Windows has neither folder descriptors nor ``O_NOFOLLOW``. There (only `grader check` runs there,
on folders the grader made itself) `remove_tree` is `shutil.rmtree`, which also clears the
read-only flag Windows refuses to delete a file under.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["find_files", "remove_tree"]

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
# Walking by descriptors: POSIX (Linux, macOS). Not Windows.
_BY_DESCRIPTOR = (
    hasattr(os, "O_DIRECTORY")
    and hasattr(os, "O_NOFOLLOW")
    and {os.open, os.unlink, os.rmdir} <= os.supports_dir_fd
    and os.scandir in os.supports_fd
)


def remove_tree(root: Path) -> None:
    """Remove `root` and everything under it; never raises for what is already gone.

    Depth-first with one open folder at a time (``..`` leads back up), names relative to it, so
    neither recursion depth nor the length of a full path limits what can be removed.
    """
    if not _BY_DESCRIPTOR:
        _remove_by_path(root)
        return
    try:
        fd = os.open(root, _DIRECTORY)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(root)
        return
    below: list[str] = []  # the names walked down from root to the folder `fd` is
    try:
        while True:
            child = _empty_but_folders(fd)
            if child is not None:
                try:
                    inner = os.open(child, _DIRECTORY, dir_fd=fd)
                except OSError:  # not a folder after all (replaced meanwhile): remove as a file
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(child, dir_fd=fd)
                    continue
                os.close(fd)
                fd = inner
                below.append(child)
                continue
            if not below:
                break
            parent = os.open("..", _DIRECTORY & ~os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = parent
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(below.pop(), dir_fd=fd)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(root)


def _remove_by_path(root: Path) -> None:
    def retry_writable(function: Callable[[str], object], path: str, exc: BaseException) -> None:
        if isinstance(exc, FileNotFoundError):
            return
        os.chmod(path, stat.S_IWRITE)  # a read-only file (Windows will not delete one)
        function(path)

    if os.path.islink(root) or os.path.isfile(root):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(root)
    elif os.path.isdir(root):
        if sys.version_info >= (3, 12):
            shutil.rmtree(root, onexc=retry_writable)
        else:
            shutil.rmtree(root, onerror=lambda function, path, info: retry_writable(function, path, info[1]))


def _empty_but_folders(fd: int) -> str | None:
    """Remove every non-folder entry of the folder `fd`; the name of a subfolder left, if any."""
    with os.scandir(fd) as entries:
        names = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    folder = None
    for name, is_dir in names:
        if is_dir:
            folder = name
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=fd)
    return folder


def find_files(root: Path, name: str, *, depth: int = 8, entries: int = 20_000) -> Iterator[Path]:
    """Files called `name` under `root` (not root itself), breadth first, at most `depth` levels
    down and `entries` entries looked at; links are not followed."""
    frontier = [(root, 0)]
    seen = 0
    while frontier:
        folder, level = frontier.pop(0)
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in children:
            seen += 1
            if seen > entries:
                return
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and level + 1 < depth:
                frontier.append((Path(entry.path), level + 1))
            elif stat.S_ISREG(mode) and entry.name == name and level > 0:
                yield Path(entry.path)
