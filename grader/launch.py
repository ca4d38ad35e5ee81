"""Starting a judge or a worker: one protocol, a fresh interpreter, the zygote or the portable way behind it.

A `Launcher` starts ``python -I -X utf8 -B -m MODULE ARGS`` in a folder, with an environment and the
descriptors it is passed, and returns a `grader.sandbox.Process`. `FreshLauncher` starts a new
interpreter (`grader.sandbox.launch`); `ZygoteLauncher` has it forked by a zygote (`grader.zygote`)
or by a judge's template, which serves the same protocol. `PortableLauncher` starts a new
interpreter the way every platform allows (Windows, macOS): no descriptors handed down, so
the worker connects back over loopback (`grader.channel`), its output is read by a thread
(`grader.sandbox.OutputPump`), and deadlines are enforced by killing its process group or tree
from outside. `launcher()` is the one place that chooses: the portable launcher where this is not
Linux with its process machinery (`grader.sandbox.linux_machinery`) or where ``GRADER_LAUNCHER=
portable`` asks for it (the tests run that way too); else the zygote when this process has one,
a fresh interpreter when it has none or the zygote refuses. Callers learn only what they must
adapt to (`passes_descriptors`), never which they got.

`may_ask_zygote`: the child may ask the zygote for processes of its own (a judge, for its
workers): it is told where the zygote is, and one started fresh is told not to start its own.
A worker is never told.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from grader.errors import SandboxError, ZygoteError
from grader.sandbox import FreshProcess, Process, launch, linux_machinery, python_command
from grader.zygote import ENV_SOCKET, ENV_SWITCH, ZygoteClient, ZygoteProcess, shared

__all__ = [
    "ENV_LAUNCHER",
    "FreshLauncher",
    "Launcher",
    "PortableLauncher",
    "ZygoteLauncher",
    "launcher",
    "portable",
    "zygote_launcher",
]

ENV_LAUNCHER = "GRADER_LAUNCHER"  # "portable": the portable launcher even where the others would work


def portable() -> bool:
    """Whether this process starts judges and workers the portable way (see the module)."""
    return os.environ.get(ENV_LAUNCHER) == "portable" or not linux_machinery()


class Launcher(Protocol):
    # Whether `pass_fds` reach the child: where not, a worker's channel is a loopback connection
    # and its output is read by a thread (no `select` on pipes).
    passes_descriptors: bool

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
        """Start ``python -I -X utf8 -B -m module args`` in `cwd` with exactly `env`, stdin closed, stdout and
        stderr on one pipe, no descriptor but `pass_fds`, in a session of its own."""
        ...


class FreshLauncher:
    """A new interpreter for each process."""

    passes_descriptors = True

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

    passes_descriptors = True

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

    passes_descriptors = True

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


class PortableLauncher:
    """A new interpreter for each process, started the way Windows and macOS allow too: in a
    process group of its own, no descriptor but its output pipe. A judge it starts is told to
    start its workers the same way."""

    passes_descriptors = False

    def start(
        self,
        module: str,
        args: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        pass_fds: tuple[int, ...] = (),
        may_ask_zygote: bool = False,
        stdin: bool = False,
    ) -> FreshProcess:
        """`stdin`: a pipe the caller writes to (a judge on standby reads its job from it)."""
        if pass_fds:
            raise SandboxError("the portable launcher hands no descriptors down (see passes_descriptors)")
        extra = {ENV_SWITCH: "0", ENV_LAUNCHER: "portable"} if may_ask_zygote else {}
        return launch(python_command(module, *args), cwd=cwd, env=env | extra, stdin=stdin)


def zygote_launcher() -> ZygoteLauncher | None:
    """The zygote this process asks (`grader.zygote.shared`, which starts one on first use), if any;
    never one where processes start the portable way."""
    if portable():
        return None
    client = shared()
    return ZygoteLauncher(client) if client is not None else None


def launcher(*, fork: bool = True) -> Launcher:
    """How this process starts judges and workers now: the portable way where that is chosen (see
    the module), else the zygote if it has one (starting it on first use) and `fork` allows,
    else fresh interpreters. A judge started fresh starts its workers fresh too."""
    if portable():
        return PortableLauncher()
    forked = zygote_launcher() if fork else None
    return _ZygoteOrFresh(forked) if forked is not None else FreshLauncher()
