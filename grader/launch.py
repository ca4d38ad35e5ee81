"""Starting a judge or a worker: one protocol, a fresh interpreter or the zygote behind it.

A `Launcher` starts ``python -I -B -m MODULE ARGS`` in a folder, with an environment and the
descriptors it is passed, and returns a `grader.sandbox.Process`. `FreshLauncher` starts a new
interpreter (`grader.sandbox.launch`); `ZygoteLauncher` has it forked by a zygote (`grader.zygote`)
or by a judge's template, which serves the same protocol. `launcher()` is the one place that
chooses: the zygote when this process has one, a fresh interpreter when it has none or the
zygote refuses. Callers never learn which they got.

`may_ask_zygote`: the child may ask the zygote for processes of its own (a judge, for its
workers): it is told where the zygote is, and one started fresh is told not to start its own.
A worker is never told.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from grader.errors import ZygoteError
from grader.sandbox import Process, launch, python_command
from grader.zygote import ENV_SOCKET, ENV_SWITCH, ZygoteClient, ZygoteProcess, shared

__all__ = ["FreshLauncher", "Launcher", "ZygoteLauncher", "launcher", "zygote_launcher"]


class Launcher(Protocol):
    def start(
        self,
        module: str,
        args: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        pass_fds: tuple[int, ...] = (),
        may_ask_zygote: bool = False,
    ) -> Process:
        """Start ``python -I -B -m module args`` in `cwd` with exactly `env`, stdin closed, stdout and
        stderr on one pipe, no descriptor but `pass_fds`, in a session of its own."""
        ...


class FreshLauncher:
    """A new interpreter for each process."""

    def start(
        self,
        module: str,
        args: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        pass_fds: tuple[int, ...] = (),
        may_ask_zygote: bool = False,
    ) -> Process:
        extra = {ENV_SWITCH: "0"} if may_ask_zygote else {}
        return launch(python_command(module, *args), cwd=cwd, env=env | extra, pass_fds=pass_fds)


class ZygoteLauncher:
    """Processes forked by the server at `client` (the zygote, or a judge's template); `ZygoteError`
    when it refuses or is gone. A child that may ask is told to ask `asked` (default: `client`)."""

    def __init__(self, client: ZygoteClient, *, asked: ZygoteClient | None = None):
        self.client = client
        self.asked = asked or client

    def start(
        self,
        module: str,
        args: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        pass_fds: tuple[int, ...] = (),
        may_ask_zygote: bool = False,
    ) -> ZygoteProcess:
        extra = {ENV_SOCKET: str(self.asked.socket_path)} if may_ask_zygote else {}
        return self.client.spawn(module, args, cwd=cwd, env=env | extra, pass_fds=pass_fds)


class _ZygoteOrFresh:
    """The zygote; a fresh interpreter (the same process, slower to start) when it refuses."""

    def __init__(self, forked: ZygoteLauncher):
        self.forked = forked
        self.fresh = FreshLauncher()

    def start(
        self,
        module: str,
        args: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        pass_fds: tuple[int, ...] = (),
        may_ask_zygote: bool = False,
    ) -> Process:
        try:
            return self.forked.start(module, args, cwd=cwd, env=env, pass_fds=pass_fds, may_ask_zygote=may_ask_zygote)
        except ZygoteError:
            return self.fresh.start(module, args, cwd=cwd, env=env, pass_fds=pass_fds, may_ask_zygote=may_ask_zygote)


def zygote_launcher() -> ZygoteLauncher | None:
    """The zygote this process asks (`grader.zygote.shared`, which starts one on first use), if any."""
    client = shared()
    return ZygoteLauncher(client) if client is not None else None


def launcher() -> Launcher:
    """How this process starts judges and workers now: the zygote if it has one, else fresh interpreters."""
    forked = zygote_launcher()
    return _ZygoteOrFresh(forked) if forked is not None else FreshLauncher()
