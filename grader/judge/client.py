"""The judge's side of the worker: start it, call into it, enforce its limits from outside.

`WorkerClient` owns one sandboxed worker at a time. Every call has a deadline (the call limit,
and what is left of the current check's budget); while waiting, the client drains the
worker's output and watches its memory. A worker that dies, hangs, runs out of memory, raises
a `BaseException` or sends a malformed reply is killed, the current check is charged with a
`WorkerFailure`, and the next call starts a fresh worker.
"""

from __future__ import annotations

import contextlib
import os
import reprlib
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.cgroups import WorkerCgroup
from grader.channel import JudgeChannel
from grader.course import Assignment, Limits
from grader.errors import (
    CodecError,
    MemoryExceeded,
    RemoteError,
    SandboxError,
    StaleHandle,
    WorkerCrashed,
    WorkerFailure,
    WorkerFatal,
    WorkerImportFailed,
    WorkerOutOfMemory,
    WorkerProtocolError,
    WorkerTimeout,
    remote_error,
)
from grader.i18n import text
from grader.isolation import FEATURES, WORKER_PID_FILE, pids_of, private_bytes, sweep, uid_for
from grader.launch import launcher
from grader.messages import JudgeJob, WorkerConfig, WorkerIsolation
from grader.protocol import decode, encode, read_frame, write_frame
from grader.sandbox import OutputPump, Process, kill_group, minimal_env, resident_bytes

__all__ = ["Remote", "WorkerClient", "WorkerOptions"]

ROOT = 0  # handle id of the student's module
_STARTUP_TIMEOUT_S = 120.0  # loading torch on a cold machine; not charged to the student
_FAMILY_LOOK_S = 0.2
_PROCESS_LIMIT = 32  # processes and threads of a worker's own uid (RLIMIT_NPROC): a fork bomb stops there
# The kernel's own limit on a worker's cgroup, above the memory limit the judge enforces itself: room
# for the cache of files it reads, so only memory the worker really holds ever meets it.
_CGROUP_SLACK_MB = 512
_ISOLATION_FIELDS = {*FEATURES, "level", "reason", "platform"}
_NAME_CAP = 100  # a class's or an attribute's name, as the worker reports it
_MESSAGE_CAP = 2000
_TRACEBACK_CAP = 4000
_STUDENT_TEXTS_CAP = 4000  # texts remembered per check, to keep out of a hidden check's feedback
_args_repr = reprlib.Repr()
_args_repr.maxstring = 40
_args_repr.maxlist = 6
_args_repr.maxtuple = 6
_args_repr.maxother = 40


class Remote:
    """An object that stays in the worker: call it, read a plain attribute, pull a state_dict."""

    __slots__ = ("_client", "_generation", "_id", "is_callable", "name", "repr_text", "type_name")

    def __init__(self, client: WorkerClient, info: dict[str, Any]):
        self._client = client
        self._id = int(info["$handle"])
        self._generation = client.generation
        self.type_name = str(info.get("type", "object"))[:200]
        self.repr_text = str(info.get("repr", ""))[:200]
        self.is_callable = bool(info.get("callable", False))
        self.name = str(info["name"]) if isinstance(info.get("name"), str) else None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._client.call(self, None, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._client.getattr(self, name)

    def call_method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """`obj.name(*args, **kwargs)` in one round trip."""
        return self._client.call(self, name, args, kwargs)

    def state_dict(self) -> dict[str, Any]:
        """The object's `state_dict()` as plain tensors, keys in order."""
        import torch

        value = self.call_method("state_dict")
        if type(value) is not dict or not all(type(k) is str and type(v) is torch.Tensor for k, v in value.items()):
            raise AssertionError(text("worker.state_dict_not_tensors", type=self.type_name))
        return value

    def __repr__(self) -> str:
        default = self.repr_text.startswith("<") and " at 0x" in self.repr_text
        return f"<{self.type_name} object>" if default or not self.repr_text else self.repr_text


@dataclass
class WorkerOptions:
    """What a worker needs to know; `limits` come from the assignment."""

    module: str
    files: list[Path]
    limits: Limits = field(default_factory=Limits)
    preload: tuple[str, ...] = ()
    threads: int = 1
    scratch: Path | None = None
    isolate: bool = True  # enter `grader.isolation` where this machine allows it
    private: tuple[Path, ...] = ()  # folders the worker must not see, besides those derived below
    require: tuple[str, ...] = ()  # isolation features (`grader.isolation.FEATURES`) a worker must get


class WorkerClient:
    """One worker at a time for one judge run; restarted lazily after a failure."""

    def __init__(self, options: WorkerOptions):
        self.options = options
        self.generation = 0  # bumped whenever a worker stops: its handles become stale
        self._starts = 0
        self.reveal_args = True
        self._student_texts: list[str] = []  # what the student's code said during a hidden check
        self._proc: Process | None = None
        self._sock: socket.socket | None = None
        self._seq = 0
        self._baseline_rss = 0
        self._import_failure: WorkerFailure | None = None
        self._output = bytearray()
        self._output_closed = False
        self._pump: OutputPump | None = None  # reads the output where select cannot wait on it
        self._dropped = 0
        self._check_deadline: float | None = None
        self._check_failure: WorkerFailure | None = None
        self._scratch = Path(tempfile.mkdtemp(prefix="grader-w-", dir=options.scratch))
        self._worker_uid: int | None = None
        self._family_bytes = 0  # private memory of the worker's own processes, last looked at
        self._next_family_look = 0.0
        self._cgroup: WorkerCgroup | None = None  # the worker's memory cgroup, where one can be made
        self.isolation: dict[str, Any] = {}  # what the last worker reported it got
        self._channel: JudgeChannel | None = None  # a worker started and not yet connected: its channel
        self._workdir: Path | None = None

    @classmethod
    def for_job(cls, job: JudgeJob, assignment: Assignment) -> WorkerClient:
        """The client for the workers of `job`, a judge's job on `assignment`."""
        return cls(
            WorkerOptions(
                module=assignment.module,
                files=[job.submission_dir / name for name in job.files],
                limits=assignment.limits,
                preload=assignment.worker_preload,
                threads=job.threads,
                scratch=job.scratch,
                isolate=job.isolate,
                private=job.private,
                require=job.require,
            )
        )

    # --- per-check bookkeeping -------------------------------------------------------------

    def begin_check(self, *, budget_s: float | None = None, reveal_args: bool = True) -> None:
        self._drain()
        self._output.clear()
        self._dropped = 0
        self._check_failure = None
        self.reveal_args = reveal_args
        self._student_texts = []
        budget = self.options.limits.check_timeout_s if budget_s is None else budget_s
        self._check_deadline = time.monotonic() + budget

    def end_check(self) -> tuple[str, WorkerFailure | None]:
        """What the worker printed during the check, and the failure charged to it, if any."""
        self._drain()
        self._check_deadline = None
        output = bytes(self._output).decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        if self._dropped:
            output += text("worker.output_dropped", count=self._dropped)
        failure, self._check_failure = self._check_failure, None
        if self._proc is not None and self._sock is not None:
            with contextlib.suppress(WorkerFailure):
                self._request(
                    {"op": "release"}, what=text("worker.releasing"), timeout=self.options.limits.call_timeout_s
                )
        return output, failure

    # --- calls -----------------------------------------------------------------------------

    def getattr(self, target: Remote | int, name: str) -> Any:
        what = text("worker.reading", name=name)
        return self._request({"op": "getattr", "target": self._target(target), "attr": name}, what=what)

    def fetch(self, name: str, *, max_bytes: int = 64 * 1024 * 1024) -> bytes:
        """The bytes of a file the student's code wrote in its folder (e.g. a saved checkpoint).

        Raises `RemoteError` (a `FileNotFoundError`) when there is no such file.
        """
        data = self._request(
            {"op": "read", "name": name, "max_bytes": max_bytes}, what=text("worker.reading", name=name)
        )
        if type(data) is not bytes or len(data) > max_bytes:
            raise self._fail(WorkerProtocolError(text("worker.read_not_bytes", name=name)))
        return data

    def call(self, target: Remote | int, attr: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        blobs: list[bytes] = []
        message = {
            "op": "call",
            "target": self._target(target),
            "attr": attr,
            "args": encode(list(args), blobs, self._ref),
            "kwargs": encode(dict(kwargs), blobs, self._ref),
        }
        return self._request(message, blobs, what=self._describe_call(target, attr, args, kwargs))

    def _describe_call(
        self, target: Remote | int, attr: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> str:
        if isinstance(target, Remote):
            owner = target.name or target.type_name.rsplit(".", 1)[-1]
            name = f"{owner}.{attr}" if attr else (target.name or f"<{owner} object>")
        else:
            name = attr or "the module"
        if not self.reveal_args:
            return f"{name}(...)"
        parts = [_args_repr.repr(a) for a in args] + [f"{k}={_args_repr.repr(v)}" for k, v in kwargs.items()]
        return f"{name}({', '.join(parts)})"

    def _target(self, target: Remote | int) -> int:
        if isinstance(target, Remote):
            if target._client is not self or target._generation != self.generation:
                raise StaleHandle(text("worker.stale"))
            return target._id
        return target

    def _ref(self, value: Any) -> dict[str, Any]:
        if isinstance(value, Remote):
            return {"$ref": self._target(value)}
        raise CodecError(f"the judge cannot send a {type(value).__name__} to the worker")

    def _request(
        self, message: dict[str, Any], blobs: list[bytes] | None = None, *, what: str, timeout: float | None = None
    ) -> Any:
        if self._check_failure is not None:
            raise self._check_failure  # one failure per check: do not restart mid-check
        self._ensure_started()
        assert self._sock is not None
        self._seq += 1
        message["seq"] = self._seq
        doing = text("worker.calling", call=what) if message["op"] == "call" else what  # `what`, in a sentence
        limit = self.options.limits.call_timeout_s if timeout is None else timeout
        deadline = time.monotonic() + limit
        budget_hit = self._check_deadline is not None and self._check_deadline < deadline
        if budget_hit:
            deadline = self._check_deadline  # type: ignore[assignment]
        try:
            write_frame(self._sock, message, blobs or [])
            reply, reply_blobs = self._read(deadline)
        except TimeoutError:
            if budget_hit:
                budget_s = self.options.limits.check_timeout_s
                reason = text("worker.budget_timeout", budget_s=budget_s, what=doing)
            else:
                reason = text("worker.call_timeout", what=doing, limit=limit)
            raise self._fail(WorkerTimeout(reason)) from None
        except (EOFError, ConnectionError, OSError):
            raise self._fail(WorkerCrashed(self._death_reason(doing))) from None
        except CodecError as exc:
            raise self._fail(WorkerProtocolError(text("worker.reply_refused", what=doing, error=exc))) from None
        except MemoryExceeded as exc:
            reason = text(
                "worker.out_of_memory", what=doing, used_mb=exc.used / 2**20, limit_mb=self.options.limits.memory_mb
            )
            raise self._fail(WorkerOutOfMemory(reason)) from None
        return self._result(reply, reply_blobs, what, doing)

    def _read(self, deadline: float) -> tuple[dict[str, Any], list[bytes]]:
        assert self._sock is not None
        while True:
            reply, blobs = read_frame(
                self._sock,
                max_bytes=self.options.limits.transfer_mb * 1024 * 1024,
                deadline=deadline,
                idle=self._watch,
                watch=self._output_fds,
            )
            if reply.get("seq") == self._seq:
                return reply, blobs
            raise CodecError("reply out of sequence")

    def _result(self, reply: dict[str, Any], blobs: list[bytes], what: str, doing: str) -> Any:
        """The value of `reply`; `what`: the call as code (``f(1, 2)``), `doing`: it in a sentence."""
        self._drain()
        if "ok" in reply:
            try:
                value = decode(reply["ok"], blobs, self._make_remote, self._no_refs)
            except CodecError as exc:
                raise self._fail(WorkerProtocolError(text("worker.unusable_value", what=doing, error=exc))) from None
            self._remember(value)
            return value
        if "error" in reply and isinstance(reply["error"], dict):
            info = reply["error"]
            kind = info.get("type")  # a built-in exception's name is the judge's word too
            self._remember(
                [None if _builtin(kind) else kind, info.get("message"), info.get("traceback"), info.get("names")]
            )
            if self.reveal_args:
                raise remote_error(info, what)
            raise remote_error(info, what.split("(")[0] + "(...)", reveal=False)
        if "fatal" in reply and isinstance(reply["fatal"], dict):
            info = reply["fatal"]
            self._remember([None if _builtin(info.get("type")) else info.get("type"), info.get("message")])
            kind = str(info.get("type", "BaseException"))
            raised = f"{kind}({info.get('message', '')!s})" if info.get("message") else kind
            raise self._fail(WorkerFatal(text("worker.fatal", what=doing, error=raised)))
        raise self._fail(WorkerProtocolError(text("worker.malformed_reply", what=doing)))

    def _remember(self, value: Any) -> None:
        """Keep the texts in `value` (from the student's code) while a hidden check runs: the judge
        takes them out of its feedback (`student_texts`)."""
        if self.reveal_args:
            return
        stack, budget = [value], 10_000
        while stack and budget > 0 and len(self._student_texts) < _STUDENT_TEXTS_CAP:
            budget -= 1
            item = stack.pop()
            if isinstance(item, str):
                self._student_texts.append(item[:_MESSAGE_CAP])
            elif isinstance(item, Remote) and item.name is None:  # an object the code made, not a definition
                if "." in item.type_name:  # a class of the student's (a built-in type's name is the judge's word too)
                    self._student_texts += [item.type_name, item.type_name.rsplit(".", 1)[-1]]
                self._student_texts.append(item.repr_text)
            elif isinstance(item, dict):
                stack += [*item.keys(), *item.values()]
            elif isinstance(item, (list, tuple)):
                stack += list(item)

    def student_texts(self) -> list[str]:
        """The texts the student's code produced during the current hidden check (see `_remember`)."""
        return list(self._student_texts)

    def _make_remote(self, info: dict[str, Any]) -> Remote:
        if type(info.get("$handle")) is not int:
            raise CodecError("malformed handle")
        return Remote(self, info)

    @staticmethod
    def _no_refs(handle_id: int) -> Any:
        raise CodecError("a worker reply may not contain $ref")

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start a worker now without waiting for it (it loads its libraries meanwhile); the first
        call that needs it waits for its greeting. A judge calls this before it imports pytest,
        so that judge and worker start side by side. Nothing to do once one runs or has failed."""
        if self._import_failure is None and self._proc is None:
            self._launch()

    def hand_in(self, files: list[Path]) -> None:
        """The student's files, for a worker `start`ed before they were known (a judge on standby,
        `grader.runner.JudgeRunner`): they are copied into its folder before it imports them. Only
        where that folder is the one the worker sees (no file-system isolation: it would see the
        copy it made when it started)."""
        self.options.files = list(files)

    def _ensure_started(self) -> None:
        if self._import_failure is not None:
            self._check_failure = self._import_failure
            raise self._import_failure
        if self._proc is None:
            self._launch()
        if self._sock is None:
            self._connect()

    def _launch(self) -> None:
        self._starts += 1
        workdir = self._scratch / f"run{self._starts}"
        home = self._scratch / f"home{self._starts}"
        workdir.mkdir()
        home.mkdir()
        for source in self.options.files:
            shutil.copyfile(source, workdir / source.name)
        limits = self.options.limits
        config = WorkerConfig(
            preload=tuple(self.options.preload),
            threads=self.options.threads,
            memory_bytes=(limits.memory_mb + 1024) * 1024 * 1024,
            cpu_seconds=int(limits.judge_timeout_s) + 60,
            file_bytes=limits.file_mb * 1024 * 1024,
            open_files=limits.open_files,
            processes=_PROCESS_LIMIT,
            max_bytes=16 * 1024 * 1024,
            isolate=self._isolation_spec(workdir, home) if self.options.isolate else None,
        )
        if self.options.isolate:
            self._cgroup = WorkerCgroup.create(
                memory_bytes=(limits.memory_mb + _CGROUP_SLACK_MB) * 1024 * 1024, processes=_PROCESS_LIMIT
            )
        starter = launcher()
        channel = JudgeChannel(descriptors=starter.passes_descriptors)
        try:
            self._proc = starter.start(
                "grader.worker",
                [channel.arg, str(os.getpid()), config.to_json()],
                cwd=workdir,
                env=minimal_env(home, threads=self.options.threads) | channel.env,
                pass_fds=channel.pass_fds,
            )
        except OSError as exc:
            channel.close()
            raise SandboxError(text("worker.could_not_start", error=exc)) from exc
        finally:
            channel.started()
        self._channel = channel
        self._workdir = workdir
        assert self._proc.stdout is not None
        if starter.passes_descriptors:
            os.set_blocking(self._proc.stdout.fileno(), False)
        else:
            self._pump = OutputPump(self._proc.stdout, self.options.limits.output_bytes)
        self._output_closed = False
        self._seq = 0

    def _connect(self) -> None:
        """Wait for the worker `_launch` started to connect and greet, then have it import the student's module."""
        channel, workdir, limits = self._channel, self._workdir, self.options.limits
        assert self._proc is not None and channel is not None and workdir is not None
        self._channel = None
        try:
            deadline = time.monotonic() + _STARTUP_TIMEOUT_S
            self._sock = channel.accept(deadline=deadline, idle=self._drain_while_starting)
            hello, _ = read_frame(self._sock, max_bytes=1 << 16, deadline=deadline, idle=self._drain)
        except (TimeoutError, EOFError, ConnectionError, CodecError, OSError, SandboxError) as exc:
            channel.close()
            self._drain()
            output = bytes(self._output[-2000:]).decode("utf-8", "replace")
            self._stop()
            raise SandboxError(text("worker.did_not_start", type=type(exc).__name__, output=output)) from None
        if "hello" not in hello or not isinstance(hello["hello"], dict):
            self._stop()
            raise SandboxError(text("worker.no_greeting"))
        isolation = hello["hello"].get("isolation") or {}
        self.isolation = {k: v for k, v in isolation.items() if k in _ISOLATION_FIELDS}
        self._worker_uid = uid_for(self._proc.pid) if isolation.get("uid") is True else None
        if self._worker_uid is not None and self.options.scratch is not None:
            (self.options.scratch / WORKER_PID_FILE).write_text(str(self._proc.pid), encoding="ascii")
        lacking = [name for name in self.options.require if isolation.get(name) is not True]
        if lacking:
            self._stop()
            reason = isolation.get("reason") or text("worker.no_reason")
            raise SandboxError(text("worker.not_isolated", features=", ".join(lacking), reason=reason))
        if self._cgroup is not None and not self._cgroup.add(self._proc.pid):
            self._cgroup.close()
            self._cgroup = None
        self._baseline_rss = resident_bytes(self._proc.pid)
        self._family_bytes = 0
        for source in self.options.files:
            if not (workdir / source.name).exists():  # see `hand_in`
                shutil.copyfile(source, workdir / source.name)
        module_file = f"{self.options.module}.py"
        try:
            self._request(
                {"op": "import", "module": self.options.module, "path": str(workdir)},
                what=text("worker.importing", file=module_file),
                timeout=limits.import_timeout_s,
            )
        except RemoteError as exc:
            detail = f"\n{exc.student_traceback}" if exc.student_traceback else ""
            self._import_failure = self._fail(
                WorkerImportFailed(
                    text("worker.import_failed", file=module_file, type=exc.type_name, message=exc.message) + detail
                )
            )
            raise self._import_failure from None
        except WorkerFailure as failure:
            self._import_failure = failure
            raise

    def _isolation_spec(self, workdir: Path, home: Path) -> WorkerIsolation:
        """What the worker keeps, sees read-only and may not see (see `grader.isolation.enter`)."""
        private = [*self.options.private, self._scratch.parent]  # this judge's folder, others' too
        if self.options.files:
            folder = self.options.files[0].resolve().parent
            private += [folder, folder.parent]  # the student's folder and the submissions beside it
        share = Path(tempfile.gettempdir())  # the judge's temp folder: data it makes for the student's code
        return WorkerIsolation(
            keep=(str(workdir), str(home)),
            share=(str(share),) if not _within(self._scratch, share) else (),
            private=tuple(str(p) for p in private),
        )

    def _watch(self) -> None:
        """Called while waiting for a reply: keep output flowing, enforce the memory limit."""
        self._drain()
        if self._proc is None:
            return
        limit = self.options.limits.memory_mb * 1024 * 1024
        used = resident_bytes(self._proc.pid) - self._baseline_rss
        now = time.monotonic()
        if self._worker_uid is not None and now >= self._next_family_look:
            # Processes the worker started (a fork bomb holding memory in each) count too: what
            # each holds privately. Looked at a few times a second; usually there are none.
            self._next_family_look = now + _FAMILY_LOOK_S
            self._family_bytes = sum(private_bytes(pid) for pid in pids_of(self._worker_uid) if pid != self._proc.pid)
        used += self._family_bytes
        if self._cgroup is not None:  # memfd, tmpfs and kernel memory too: what no process maps
            used = max(used, self._cgroup.usage())
        if used > limit:
            raise MemoryExceeded(used)

    def _output_fds(self) -> list[int]:
        if self._proc is None or self._proc.stdout is None or self._output_closed or self._pump is not None:
            return []
        return [self._proc.stdout.fileno()]

    def _drain(self) -> None:
        """Move whatever the worker printed into the capped buffer, without blocking."""
        if self._proc is None or self._proc.stdout is None or self._output_closed:
            return
        if self._pump is not None:
            chunk, dropped, ended = self._pump.take()
            self._keep(chunk)
            self._dropped += dropped
            self._output_closed = ended
            return
        fd = self._proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if not chunk:
                self._output_closed = True
                return
            self._keep(chunk)

    def _keep(self, chunk: bytes) -> None:
        room = self.options.limits.output_bytes - len(self._output)
        if room > 0:
            self._output += chunk[:room]
        self._dropped += max(0, len(chunk) - max(room, 0))

    def _drain_while_starting(self) -> None:
        """While waiting for a worker to connect: keep its output flowing; stop waiting once it has ended."""
        self._drain()
        if self._proc is not None and self._proc.poll() is not None:
            raise SandboxError("the worker ended before it connected")

    def _death_reason(self, what: str) -> str:
        code = None
        if self._proc is not None:
            deadline = time.monotonic() + 2.0
            while self._proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            code = self._proc.poll()
        if self._cgroup is not None and self._cgroup.oom_killed():
            return text("worker.kernel_memory", what=what, limit_mb=self.options.limits.memory_mb)
        if code is None:
            return text("worker.stopped_answering", what=what)
        if code < 0:
            with contextlib.suppress(ValueError):
                name = signal.Signals(-code).name
                if name == "SIGXCPU":
                    return text("worker.cpu_time", what=what)
                if name == "SIGXFSZ":
                    return text("worker.file_size", what=what)
                return text("worker.killed_by", signal=name, what=what)
            return text("worker.killed_by_number", number=-code, what=what)
        return text("worker.exited", code=code, what=what)

    def _fail(self, failure: WorkerFailure) -> WorkerFailure:
        self._stop()
        self._check_failure = failure
        return failure

    def _stop(self, *, wait: bool = True) -> None:
        """Kill the worker and every process it started. `wait`: until it is reaped; without, once
        none of them can run code any more and the kernel frees their memory meanwhile (a worker
        the zygote forked: the zygote reaps it; one we started ourselves is always reaped here)."""
        if self._proc is not None:
            self.generation += 1
            self._drain()
            if self._worker_uid is not None:  # every process it started, setsid or not, then the group
                sweep(self._worker_uid)
                self._worker_uid = None
                if self.options.scratch is not None:
                    (self.options.scratch / WORKER_PID_FILE).unlink(missing_ok=True)
            kill_group(self._proc, wait_s=5.0 if wait or not self._proc.forked else 0.0)
            if self._proc.stdout is not None:
                self._proc.stdout.close()
        if self._cgroup is not None:
            self._cgroup.close()  # whatever still runs in it is killed first
            self._cgroup = None
        if self._sock is not None:
            self._sock.close()
        if self._channel is not None:  # started, never connected
            self._channel.close()
            self._channel = None
        self._proc = None
        self._sock = None
        self._pump = None

    def close(self) -> None:
        if self._proc is not None and self._sock is not None:
            with contextlib.suppress(OSError):
                write_frame(self._sock, {"op": "shutdown", "seq": 0})
        self._stop(wait=False)  # the last worker of this judge: nothing more will start here
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> WorkerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _builtin(name: Any) -> bool:
    import builtins

    return isinstance(name, str) and isinstance(getattr(builtins, name, None), type)


def _within(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
