"""The worker's request loop: import the student's module, then answer calls on it.

Objects that are not plain data stay here in a handle table and travel as ``$handle``
references. Student exceptions are described as plain data (type names, message, the
student's own traceback frames); a `BaseException` such as `SystemExit` is reported and ends
the worker, which the judge restarts for the next check. Figures drawn with matplotlib are
closed after every request.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import reprlib
import socket
import sys
import traceback
import types
from typing import Any

from grader.errors import CodecError, ExitCode
from grader.protocol import decode, encode, read_frame, write_frame

_MESSAGE_CAP = 2000
_NAME_CAP = 100  # a class's, a module attribute's name
_TRACEBACK_CAP = 4000
_short = reprlib.Repr()
_short.maxstring = 80
_short.maxother = 80


class Handles:
    """id -> object for everything that had to stay in the worker."""

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        self.next_id = 1

    def register(self, value: Any) -> dict[str, Any]:
        handle_id = self.next_id
        self.next_id += 1
        self.objects[handle_id] = value
        info = {
            "$handle": handle_id,
            "type": _type_name(value),
            "repr": _safe_repr(value),
            "callable": callable(value),
        }
        name = getattr(value, "__qualname__", None) if _is_definition(value) else None
        if isinstance(name, str):
            info["name"] = name[:100]
        return info

    def get(self, handle_id: int) -> Any:
        try:
            return self.objects[handle_id]
        except KeyError:
            raise CodecError(f"no object with handle {handle_id} (released or from an earlier worker)") from None

    def release(self) -> None:
        root = self.objects.get(0)
        self.objects = {0: root} if root is not None else {}


def serve(sock: socket.socket, *, max_bytes: int, hello: dict[str, Any] | None = None) -> None:
    handles = Handles()
    student_dir = ""
    write_frame(sock, {"hello": {"pid": os.getpid(), "python": sys.version.split()[0], **(hello or {})}})
    while True:
        try:
            request, blobs = read_frame(sock, max_bytes=max_bytes)
        except (EOFError, ConnectionError):
            os._exit(0)
        seq = request.get("seq")
        op = request.get("op")
        if op == "shutdown":
            os._exit(0)
        try:
            if op == "import":
                student_dir = str(request["path"])
                result: Any = _import_student(student_dir, str(request["module"]), handles)
            else:
                result = _handle(op, request, blobs, handles)
            out: list[bytes] = []
            reply = {"seq": seq, "ok": encode(result, out, handles.register)}
        except Exception as exc:
            out = []
            reply = {"seq": seq, "error": describe(exc, student_dir, handles)}
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, GeneratorExit, ...
            _flush()
            write_frame(sock, {"seq": seq, "fatal": describe(exc, student_dir, handles)})
            os._exit(ExitCode.WORKER_FATAL)
        _flush()
        _close_figures()
        write_frame(sock, reply, out)


def _import_student(path: str, module: str, handles: Handles) -> dict[str, Any]:
    sys.path.insert(0, path)
    loaded = importlib.import_module(module)
    handles.objects[0] = loaded
    return {"module": module}


def _handle(op: Any, request: dict[str, Any], blobs: list[bytes], handles: Handles) -> Any:
    if op == "ping":
        return "pong"
    if op == "release":
        handles.release()
        return None
    if op == "read":
        return _read_file(str(request.get("name", "")), int(request.get("max_bytes", 0)))
    target = handles.get(request.get("target", -1))
    attr = request.get("attr")
    if op == "getattr":
        return getattr(target, str(attr))
    if op == "call":
        args = decode(request.get("args", []), blobs, _no_handles_from_judge, handles.get)
        kwargs = decode(request.get("kwargs", {"$dict": []}), blobs, _no_handles_from_judge, handles.get)
        if type(args) is not list or type(kwargs) is not dict:
            raise CodecError("malformed call")
        function = getattr(target, str(attr)) if attr is not None else target
        return function(*args, **kwargs)
    raise CodecError(f"unknown operation {op!r}")


def _read_file(name: str, max_bytes: int) -> bytes:
    """A file the student's code wrote, relative to the worker's folder."""
    path = os.path.join(os.getcwd(), name)
    if os.path.isabs(name) or ".." in name.split("/") or not os.path.isfile(path):
        raise FileNotFoundError(f"{name} was not written")
    if os.path.getsize(path) > max_bytes:
        raise ValueError(f"{name} is larger than {max_bytes} bytes")
    with open(path, "rb") as fh:
        return fh.read(max_bytes + 1)


def _no_handles_from_judge(node: dict[str, Any]) -> Any:
    raise CodecError("the judge sent a worker handle; it sends $ref")


def describe(exc: BaseException, student_dir: str, handles: Handles) -> dict[str, Any]:
    """An exception as plain data: what a student needs to find the bug in their own code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if student_dir and f.filename.startswith(student_dir)]
    for frame in frames:
        frame.filename = os.path.relpath(frame.filename, student_dir)
    info: dict[str, Any] = {
        "type": type(exc).__name__[:_NAME_CAP],
        "mro": [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"],
        "message": _safe_str(exc)[:_MESSAGE_CAP],
        "traceback": "".join(traceback.format_list(frames))[-_TRACEBACK_CAP:],
    }
    if isinstance(exc, SyntaxError) and exc.filename and student_dir:
        info["message"] = f"{exc.msg} ({os.path.basename(exc.filename)}, line {exc.lineno})"
    if isinstance(exc, AttributeError) and 0 in handles.objects:
        names = dir(handles.objects[0])
        info["names"] = sorted(n[:_NAME_CAP] for n in names if isinstance(n, str) and not n.startswith("_"))[:60]
    return info


def _is_definition(value: Any) -> bool:
    return isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType))


def _close_figures() -> None:
    """Figures the student's code drew are never shown (matplotlib runs headless here, `MPLBACKEND`
    is Agg and `plt.show()` returns at once): close them, so they do not pile up call after call."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        with contextlib.suppress(Exception):
            pyplot.close("all")


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a student may have replaced or closed them
            stream.flush()


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__} whose str() failed>"


def _safe_repr(value: Any) -> str:
    try:
        return _short.repr(value)[:200]
    except Exception:
        return f"<{_type_name(value)}>"


def _type_name(value: Any) -> str:
    kind = type(value)
    module = kind.__module__
    name = kind.__qualname__ if module in ("builtins", None) else f"{module}.{kind.__qualname__}"
    return str(name)[:_NAME_CAP]
