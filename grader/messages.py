"""The messages that cross a process boundary, each a frozen dataclass with one codec.

Four messages leave one process for another: the runner's options (to a Dask task and to the
cache's machine context), a judge's job (runner -> judge, as a JSON file), a worker's
configuration (judge -> worker, on its command line) and a request to the zygote (any
requester -> zygote, over its socket). Each is written with `Message.to_dict` and read with
`Message.from_dict` on the other side, the same code both ways: a key the reader does not know,
a key it lacks or a value of the wrong type is a `MessageError` at once, never a silent default.

Light on purpose: the worker's bootstrap reads its configuration before it loads any library.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar, Union

from grader.errors import MessageError
from grader.sources import SourceMap

__all__ = ["JudgeJob", "Message", "RunnerOptions", "WorkerConfig", "WorkerIsolation", "ZygoteRequest"]


class Message:
    """A frozen dataclass that crosses a process boundary as plain JSON data."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: paths as strings, tuples as lists, nested messages as dicts."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """The message in `data`; `MessageError` for an unknown or missing key or a wrong type."""
        return _read_message(cls, data, cls.__name__)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise MessageError(f"{cls.__name__}: not JSON ({exc})") from None
        return cls.from_dict(data)


@dataclasses.dataclass(frozen=True)
class RunnerOptions(Message):
    """How a `grader.runner.JudgeRunner` is built: here, or by a Dask task on another machine."""

    threads: int = 1  # torch threads per judge and worker
    data_dir: Path | None = None  # where the data sets are (`grader.data.data_root` when None)
    private: tuple[Path, ...] = ()  # folders student code must not see, besides the course and the data
    lang: str = "en"  # the language of the feedback (`grader.i18n`)


@dataclasses.dataclass(frozen=True)
class JudgeJob(Message):
    """Everything one judge run needs (`python -I -X utf8 -B -m grader.judge JOB.json`), written by the runner."""

    assignment_dir: Path
    submission_dir: Path
    files: tuple[str, ...]  # the student's files the worker gets, by name in `submission_dir`
    visibilities: tuple[str, ...]  # "public", and "hidden" when grading
    results_path: Path
    threads: int
    scratch: Path  # the judge's own folder
    data_dir: Path
    collect_only: bool  # the submission cannot be graded: only list the checks
    sources: dict[str, SourceMap]  # converted notebooks: where each line came from
    isolate: bool  # the worker enters `grader.isolation` where the machine allows it
    private: tuple[Path, ...]  # folders the worker must not see (the course's checks, ...)
    require: tuple[str, ...]  # isolation features the worker must get (what the machine allows)
    lang: str = "en"  # the language the checks' titles and feedback are written in (`grader.i18n`)


@dataclasses.dataclass(frozen=True)
class WorkerIsolation(Message):
    """What a worker keeps, sees read-only and may not see (`grader.isolation.enter`)."""

    keep: tuple[str, ...]
    share: tuple[str, ...]
    private: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class WorkerConfig(Message):
    """A worker's configuration (`python -I -X utf8 -B -m grader.worker CHANNEL PARENT_PID CONFIG_JSON`).

    The limits are set by the worker on itself before any student code runs; 0 means none.
    """

    preload: tuple[str, ...]  # libraries imported before the limits apply
    threads: int
    memory_bytes: int  # address space, on top of what is mapped when the limits are set
    cpu_seconds: int
    file_bytes: int
    open_files: int
    processes: int  # applied under a uid of the worker's own only
    max_bytes: int  # the largest message the worker accepts
    isolate: WorkerIsolation | None  # None: no isolation asked for

    @classmethod
    def bare(cls) -> WorkerConfig:
        """A worker with no limits, no isolation and nothing preloaded (benchmarks, tests)."""
        return cls((), 1, 0, 0, 0, 0, 0, 1 << 26, None)


@dataclasses.dataclass(frozen=True)
class ZygoteRequest(Message):
    """Fork `module` as ``python -I -X utf8 -B -m module args`` would run (`grader.zygote`).

    The requester's stdout pipe and the passed descriptors travel beside it (SCM_RIGHTS); `fds`
    are the numbers those descriptors get in the child.
    """

    module: str
    args: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    fds: tuple[int, ...]


def _plain(value: object) -> object:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, SourceMap):
        return value.to_dict()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_HINTS: dict[type, dict[str, Any]] = {}
_M = TypeVar("_M", bound=Message)


def _read_message(cls: type[_M], data: object, where: str) -> _M:
    if not isinstance(data, dict):
        raise MessageError(f"{where}: expected an object, got {type(data).__name__}")
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(str(k) for k in data if k not in names)
    if unknown:
        raise MessageError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = [name for name in names if name not in data]
    if missing:
        raise MessageError(f"{where}: missing key(s) {', '.join(missing)}")
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return cls(**{name: _read(hints[name], data[name], f"{where}.{name}") for name in names})


def _read(kind: Any, value: object, where: str) -> Any:
    """`value` (plain JSON data) as the field type `kind` says, or `MessageError`."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _read(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise MessageError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_read(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        if not (isinstance(value, dict) and all(type(k) is str for k in value)):
            raise MessageError(f"{where}: expected an object with string keys")
        return {k: _read(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(kind, type) and issubclass(kind, Message):
        return _read_message(kind, value, where)
    if kind is SourceMap:
        try:
            return SourceMap.from_dict(value)
        except ValueError as exc:
            raise MessageError(f"{where}: {exc}") from None
    if kind is Path:
        return Path(_exact(str, value, where))
    return _exact(kind, value, where)


def _exact(kind: type, value: object, where: str) -> Any:
    """`value` when it is exactly a `kind` (a bool is not an int here)."""
    if type(value) is not kind:
        raise MessageError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value
