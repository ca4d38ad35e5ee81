"""GitHub Classroom: one cloned repository per student, named ``ASSIGNMENT-PREFIX-USERNAME``.

The student is the repository's name less the prefix common to every repository (cut back to
its last ``-``, so ``gates-kim1`` and ``gates-kim2`` give ``kim1`` and ``kim2``); with a single
repository, or no common prefix, the whole name. The submission time is the committer time of
the commit HEAD points to. The folder is the submission as it stands; its ``.git`` is never one
of its files (`Entry.files`), and grading reads only the files an assignment names.

Reading the time never lets the repository run anything. A clone is the student's: its
``.git/config`` can name programs git runs (``core.fsmonitor``, ``core.pager``, ``gpg.program``
with ``log.showSignature``, ``diff.external``...), and git always reads a repository's own
config. So git never sees that config: `last_commit_time` builds a bare repository of its own in
a temporary folder, with a config it writes, copies of HEAD, ``packed-refs`` and ``shallow``, links to
the clone's ``refs`` and ``objects`` (data git only reads), and runs ``git log -1`` there with
system and global config off, no pager, no replace objects, a minimal environment and a timeout.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from grader import i18n
from grader.intake.model import Entry, nfc, top_files
from grader.results import Skipped, clean_name

__all__ = ["GIT_TIMEOUT_S", "common_prefix", "is_clone", "last_commit_time", "read_classroom"]

GIT_TIMEOUT_S = 10
_MAX_REF_BYTES = 4096
_MAX_PACKED_REFS_BYTES = 8 * 1024 * 1024


def is_clone(path: Path) -> bool:
    """Whether `path` is a folder with a ``.git`` folder (not a link, not a ``gitdir:`` file)."""
    git = path / ".git"
    return path.is_dir() and not path.is_symlink() and stat.S_ISDIR(_lmode(git))


def read_classroom(paths: list[Path], prefix: str | None = None) -> tuple[list[Entry], list[Skipped]]:
    """Entries from a folder of Classroom clones; `prefix` (when given) is taken off each name
    in place of the common prefix. Anything that is not a clone is unused, with why."""
    unused: list[Skipped] = []
    clones = []
    for path in paths:
        if is_clone(path):
            clones.append(path)
        else:
            why = "intake.classroom_folder" if path.is_dir() else "intake.classroom_file"
            unused.append(Skipped(clean_name(nfc(path.name)), i18n.text(why)))
    names = [nfc(p.name) for p in clones]
    cut = prefix if prefix is not None else common_prefix(names)
    entries = []
    for path, name in zip(clones, names):
        student = name.removeprefix(cut) or name
        when, note = last_commit_time(path)
        entries.append(
            Entry(
                clean_name(student),
                top_files(path),
                (clean_name(name),),
                submitted=when,
                folder=path,
                notes=(note,) if note else (),
            )
        )
    return entries, unused


def common_prefix(names: list[str]) -> str:
    """The prefix every name shares, up to and including its last ``-`` ("" for fewer than two)."""
    if len(names) < 2:
        return ""
    shared = os.path.commonprefix(names)  # noqa: RUF071 (names, not paths: characters are what is shared)
    return shared[: shared.rfind("-") + 1]


def last_commit_time(repo: Path) -> tuple[datetime | None, str]:
    """The committer time (aware, in the committer's offset) of the commit HEAD names in the clone
    `repo`, and "" ; or None and what the report should say (no commit, not readable)."""
    git = shutil.which("git")
    if git is None:
        return None, i18n.text("intake.no_git")
    source = repo / ".git"
    head = _small_file(source / "HEAD", _MAX_REF_BYTES)
    if head is None:
        return None, i18n.text("intake.no_head")
    with tempfile.TemporaryDirectory(prefix="grader-git-") as tmp:
        bare = Path(tmp)
        (bare / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n", encoding="utf-8")
        (bare / "HEAD").write_bytes(head)
        for name in ("packed-refs", "shallow"):  # a shallow clone's cut-off commits: data too
            data = _small_file(source / name, _MAX_PACKED_REFS_BYTES)
            if data is not None:
                (bare / name).write_bytes(data)
        for name in ("refs", "objects"):
            if stat.S_ISDIR(_lmode(source / name)):
                (bare / name).symlink_to((source / name).resolve(), target_is_directory=True)
            else:
                (bare / name).mkdir()
        return _git_log(git, bare)


def _git_log(git: str, bare: Path) -> tuple[datetime | None, str]:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(bare),  # no ~/.gitconfig, nothing of the grader's user
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_PAGER": "cat",
    }
    command = [
        git, "--no-pager", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false",
        "-c", "safe.directory=*", "--git-dir", str(bare), "log", "-1", "--no-show-signature", "--format=%cI", "HEAD",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, env=env, cwd=bare, stdin=subprocess.DEVNULL, capture_output=True, timeout=GIT_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return None, i18n.text("intake.git_slow", limit=GIT_TIMEOUT_S)
    except OSError as exc:
        return None, i18n.text("intake.git_failed", error=exc.strerror)
    text = done.stdout.decode("ascii", errors="replace").strip()
    if done.returncode != 0 or not text:
        return None, i18n.text("intake.no_commit")
    try:
        return datetime.fromisoformat(text), ""
    except ValueError:
        return None, "the time of the last commit is not known: git gave no date"


def _small_file(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file `path` (not a link), if it is at most `limit` bytes."""
    if not stat.S_ISREG(_lmode(path)) or path.stat().st_size > limit:
        return None
    return path.read_bytes()


def _lmode(path: Path) -> int:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0
