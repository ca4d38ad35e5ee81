"""The judge's channel to its worker: a socket, handed down or connected back.

`grader.protocol`'s frames run over a socket either way, which `select` waits on on every
platform (on Windows it waits on sockets only, never on pipes).

- Where the launcher passes descriptors (the zygote, a fresh interpreter on Linux), the judge
  makes a socket pair and the worker gets its end by number: ``N``.
- Where it cannot (the portable launcher: Windows has no `pass_fds`, and no AF_UNIX to speak
  of), the judge listens on 127.0.0.1 at a port the system picks and tells the worker
  ``tcp:PORT``; the worker connects back and presents a one-time random token it finds in its
  environment (`ENV_TOKEN`; never on the command line, which other users of the machine can
  read). A connection that does not present it is dropped, so nothing else on the machine can
  pose as the worker; the first that does is the channel, and the listener closes.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import select
import socket
import time
from collections.abc import Callable

__all__ = ["ENV_TOKEN", "JudgeChannel", "connect"]

ENV_TOKEN = "GRADER_CHANNEL_TOKEN"
_GREETING = b"GRDC"
_TOKEN_CHARS = 64  # hex digits: 256 random bits
_PROOF_TIMEOUT_S = 5.0  # for a connection to present its token; a silent one is dropped


class JudgeChannel:
    """The judge's end. `arg` and `env` tell the worker how to reach it; `pass_fds` are the
    descriptors its launcher must hand down; `accept` gives the connected socket."""

    def __init__(self, *, descriptors: bool):
        self.env: dict[str, str] = {}
        self.pass_fds: tuple[int, ...] = ()
        self._sock: socket.socket | None = None
        self._child: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._token = ""
        if descriptors:
            self._sock, self._child = socket.socketpair()
            self.arg = str(self._child.fileno())
            self.pass_fds = (self._child.fileno(),)
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(8)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._token = secrets.token_hex(_TOKEN_CHARS // 2)
        self.arg = f"tcp:{listener.getsockname()[1]}"
        self.env = {ENV_TOKEN: self._token}

    def started(self) -> None:
        """The worker has been started (or could not be): let go of what was handed down to it."""
        if self._child is not None:
            self._child.close()
            self._child = None

    def accept(self, *, deadline: float, idle: Callable[[], None] | None = None) -> socket.socket:
        """The socket to the worker: at once for a socket pair; for a listener, the first
        connection that presents the token. `TimeoutError` when `deadline` passes first; `idle`
        is called about every 50 ms while waiting (and may raise to give up)."""
        if self._sock is not None:
            sock, self._sock = self._sock, None
            return sock
        assert self._listener is not None
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._listener], [], [], min(wait, 0.05))
            if not ready:
                if idle is not None:
                    idle()
                continue
            conn, _ = self._listener.accept()
            if self._proven(conn, min(deadline, time.monotonic() + _PROOF_TIMEOUT_S)):
                self.close()
                _tune(conn)
                return conn
            conn.close()

    def _proven(self, conn: socket.socket, deadline: float) -> bool:
        expected = _GREETING + self._token.encode("ascii")
        received = b""
        try:
            while len(received) < len(expected):
                wait = deadline - time.monotonic()
                if wait <= 0:
                    return False
                conn.settimeout(wait)
                chunk = conn.recv(len(expected) - len(received))
                if not chunk:
                    return False
                received += chunk
        except OSError:
            return False
        conn.settimeout(None)
        return hmac.compare_digest(received, expected)

    def close(self) -> None:
        """Close whatever is not yet handed out (the listener, an unclaimed socket pair)."""
        for sock in (self._listener, self._child, self._sock):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._listener = self._child = self._sock = None


def connect(arg: str) -> socket.socket:
    """The worker's end, from what it was told (`JudgeChannel.arg`)."""
    if arg.isdigit():
        return socket.socket(fileno=int(arg))
    kind, _, value = arg.partition(":")
    if kind != "tcp" or not value.isdigit():
        raise ValueError(f"unknown channel {arg!r}")
    token = os.environ.pop(ENV_TOKEN, "")  # the student's code never sees it
    sock = socket.create_connection(("127.0.0.1", int(value)), timeout=60)
    sock.settimeout(None)
    _tune(sock)
    sock.sendall(_GREETING + token.encode("ascii"))
    return sock


def _tune(sock: socket.socket) -> None:
    """Small frames go out at once (no Nagle delay waiting for an acknowledgement)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
