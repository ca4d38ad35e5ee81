"""What crosses between judge and worker: framing and a value codec that never unpickles.

A frame is a fixed header, a JSON document and zero or more binary blobs:

    b"GRD1" | u32 json length | u64 blobs length | JSON | blob 0 | blob 1 | ...

The JSON document is ``{"msg": ..., "blobs": [len0, len1, ...]}``. Both lengths are checked
against the reader's limit before anything is read, so a worker cannot make the judge allocate
more than it agreed to.

Values are JSON scalars as they are; everything else is a one-key object with a ``$`` tag:
``$tuple``, ``$dict`` (a list of pairs), ``$float`` (nan and infinities), ``$bytes`` (base64),
``$ndarray`` and ``$tensor`` (an index into the blobs), ``$handle`` (an object that stays in the
worker) and ``$ref`` (the judge pointing back at such an object). Arrays travel as ``numpy.save``
bytes read back with ``allow_pickle=False``; tensors as ``torch.save`` bytes of one plain tensor,
read back with ``weights_only=True`` after checking the archive holds only stored, bounded
entries. Decoding yields exact built-in types, ``numpy.ndarray`` and ``torch.Tensor`` only.
"""

from __future__ import annotations

import base64
import io
import json
import math
import select
import socket
import struct
import sys
import time
import zipfile
from collections.abc import Callable
from typing import Any

from grader.errors import CodecError

__all__ = [
    "MAX_DEPTH",
    "decode",
    "encode",
    "read_frame",
    "write_frame",
]

MAGIC = b"GRD1"
_HEADER = struct.Struct("<4sIQ")
MAX_DEPTH = 64
MAX_JSON_BYTES = 16 * 1024 * 1024
_ARRAY_KINDS = "biufc"


# --- encoding ------------------------------------------------------------------------------


def encode(value: Any, blobs: list[bytes], handle_for: Callable[[Any], dict[str, Any]], depth: int = 0) -> Any:
    """Turn `value` into a JSON-ready tree, appending binary payloads to `blobs`.

    Built-in subclasses (a float subclass, a namedtuple, an OrderedDict) are converted to their
    plain base type without calling any method they override. Anything that is not data is
    passed to `handle_for`, which either registers it (worker side) or refuses it (judge side).
    """
    if depth > MAX_DEPTH:
        raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
    if value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        plain = float.__float__(value)
        if math.isfinite(plain):
            return plain
        return {"$float": "nan" if math.isnan(plain) else ("inf" if plain > 0 else "-inf")}
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list):
        return [encode(v, blobs, handle_for, depth + 1) for v in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, blobs, handle_for, depth + 1) for v in tuple.__iter__(value)]}
    if isinstance(value, dict):
        return {
            "$dict": [
                [encode(k, blobs, handle_for, depth + 1), encode(v, blobs, handle_for, depth + 1)]
                for k, v in dict.items(value)
            ]
        }
    encoded = _encode_array_like(value, blobs)
    if encoded is not None:
        return encoded
    return handle_for(value)


def _encode_array_like(value: Any, blobs: list[bytes]) -> Any:
    """numpy arrays and scalars, torch tensors; None when `value` is neither."""
    np = _loaded("numpy", "ndarray")
    if np is not None and isinstance(value, (np.generic, np.ndarray)):
        if isinstance(value, np.generic) and value.dtype.kind in _ARRAY_KINDS:
            return encode(value.item(), blobs, _no_handles)
        if isinstance(value, np.ndarray) and value.dtype.kind in _ARRAY_KINDS and value.dtype.fields is None:
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(value.view(np.ndarray)), allow_pickle=False)
            blobs.append(buffer.getvalue())
            return {"$ndarray": len(blobs) - 1}
        return None
    torch = _loaded("torch", "Tensor")
    if torch is not None and isinstance(value, torch.Tensor):
        plain = value.detach().as_subclass(torch.Tensor).to("cpu").contiguous().clone()
        buffer = io.BytesIO()
        torch.save(plain, buffer)
        blobs.append(buffer.getvalue())
        return {"$tensor": len(blobs) - 1}
    return None


def _loaded(name: str, attribute: str) -> Any:
    """A library only if something already imported it (a value of its type implies that)."""
    module = sys.modules.get(name)
    return module if module is not None and hasattr(module, attribute) else None


def _no_handles(value: Any) -> dict[str, Any]:
    raise CodecError(f"cannot send a {type(value).__name__}")


# --- decoding ------------------------------------------------------------------------------


def decode(
    node: Any,
    blobs: list[bytes],
    make_handle: Callable[[dict[str, Any]], Any],
    resolve_ref: Callable[[int], Any],
    depth: int = 0,
) -> Any:
    """The inverse of `encode`: exact plain types, arrays, tensors, and handles via callbacks."""
    if depth > MAX_DEPTH:
        raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
    kind = type(node)
    if node is None or kind in (bool, int, str):
        return node
    if kind is float:
        return node
    if kind is list:
        return [decode(v, blobs, make_handle, resolve_ref, depth + 1) for v in node]
    if kind is not dict:
        raise CodecError(f"unexpected {kind.__name__} in message")
    if "$handle" in node:
        return make_handle(node)
    if len(node) != 1:
        raise CodecError("malformed tagged value")
    ((tag, body),) = node.items()
    if tag == "$tuple" and type(body) is list:
        return tuple(decode(v, blobs, make_handle, resolve_ref, depth + 1) for v in body)
    if tag == "$dict" and type(body) is list:
        return _decode_dict(body, blobs, make_handle, resolve_ref, depth)
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$bytes" and type(body) is str:
        try:
            return base64.b64decode(body.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise CodecError("malformed bytes value") from None
    if tag in ("$ndarray", "$tensor") and type(body) is int and 0 <= body < len(blobs):
        return decode_ndarray(blobs[body]) if tag == "$ndarray" else decode_tensor(blobs[body])
    if tag == "$ref" and type(body) is int:
        return resolve_ref(body)
    raise CodecError(f"unknown or malformed tag {tag!r}")


def _decode_dict(body: list[Any], blobs: list[bytes], make_handle: Any, resolve_ref: Any, depth: int) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for pair in body:
        if type(pair) is not list or len(pair) != 2:
            raise CodecError("malformed dict entry")
        key = decode(pair[0], blobs, make_handle, resolve_ref, depth + 1)
        try:
            result[key] = decode(pair[1], blobs, make_handle, resolve_ref, depth + 1)
        except TypeError:
            raise CodecError(f"unhashable dict key of type {type(key).__name__}") from None
    return result


def decode_ndarray(blob: bytes) -> Any:
    """A numeric array from `numpy.save` bytes; pickled (object) arrays are refused."""
    import numpy as np

    try:
        array = np.load(io.BytesIO(blob), allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError for pickles, OSError/EOFError for junk
        raise CodecError(f"array payload refused: {exc}") from None
    if type(array) is not np.ndarray or array.dtype.kind not in _ARRAY_KINDS or array.dtype.fields is not None:
        raise CodecError("array payload refused: not a plain numeric array")
    return array


def decode_tensor(blob: bytes, max_bytes: int | None = None) -> Any:
    """One plain tensor from `torch.save` bytes, read with `weights_only=True`."""
    check_torch_archive(blob, max_bytes if max_bytes is not None else 4 * len(blob) + 4096)
    import torch

    try:
        tensor = torch.load(io.BytesIO(blob), weights_only=True, map_location="cpu")
    except Exception as exc:  # UnpicklingError, RuntimeError, ...
        raise CodecError(f"tensor payload refused: {_first_line(exc)}") from None
    if type(tensor) is not torch.Tensor:
        raise CodecError(f"tensor payload refused: got {type(tensor).__name__}, not a plain tensor")
    return tensor.detach()


def check_torch_archive(blob: bytes | str | Any, max_bytes: int) -> None:
    """Refuse a torch archive whose entries are compressed or add up to more than `max_bytes`.

    `torch.save` writes stored (uncompressed) entries; anything else is not a file it wrote and
    could be a zip bomb. Works on bytes or on a path.
    """
    source = io.BytesIO(blob) if isinstance(blob, (bytes, bytearray)) else blob
    try:
        with zipfile.ZipFile(source) as archive:
            total = 0
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED:
                    raise CodecError("tensor archive refused: compressed entries")
                total += info.file_size
            if total > max_bytes:
                raise CodecError(f"tensor archive refused: {total} bytes unpacked, limit {max_bytes}")
    except zipfile.BadZipFile:
        raise CodecError("tensor payload refused: not a torch.save archive") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


# --- framing -------------------------------------------------------------------------------


def write_frame(sock: socket.socket, message: dict[str, Any], blobs: list[bytes] = ()) -> None:  # type: ignore[assignment]
    document = json.dumps(
        {"msg": message, "blobs": [len(b) for b in blobs]}, allow_nan=False, separators=(",", ":")
    ).encode("utf-8")
    total = sum(len(b) for b in blobs)
    sock.sendall(_HEADER.pack(MAGIC, len(document), total) + document)
    for blob in blobs:
        sock.sendall(blob)


def read_frame(
    sock: socket.socket,
    *,
    max_bytes: int,
    deadline: float | None = None,
    idle: Callable[[], None] | None = None,
    watch: Callable[[], list[int]] | None = None,
) -> tuple[dict[str, Any], list[bytes]]:
    """Read one frame; `CodecError` when it is malformed or larger than `max_bytes`.

    Raises `TimeoutError` when `deadline` (a `time.monotonic()` value) passes first and
    `EOFError` when the other side closed the channel. While waiting, `idle` is called about
    every 50 ms (the judge uses it to watch the worker's memory); it may raise to give up. It
    is also called as soon as one of the file descriptors `watch()` returns is readable (the
    judge drains the worker's output pipe that way).
    """
    waiting = _Waiting(deadline, idle, watch)
    magic, json_len, blobs_len = _HEADER.unpack(_read_exact(sock, _HEADER.size, waiting))
    if magic != MAGIC:
        raise CodecError("not a grader frame")
    if json_len > min(MAX_JSON_BYTES, max_bytes):
        raise CodecError(f"a message part of {json_len} bytes is over the {min(MAX_JSON_BYTES, max_bytes)}-byte limit")
    if json_len + blobs_len > max_bytes:
        raise CodecError(f"message of {json_len + blobs_len} bytes is over the {max_bytes}-byte limit")
    try:
        document = json.loads(_read_exact(sock, json_len, waiting).decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise CodecError(f"malformed message: {_first_line(exc)}") from None
    if type(document) is not dict or set(document) != {"msg", "blobs"} or type(document["msg"]) is not dict:
        raise CodecError("malformed message envelope")
    sizes = document["blobs"]
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes) or sum(sizes) != blobs_len:
        raise CodecError("malformed blob table")
    blobs = [_read_exact(sock, n, waiting) for n in sizes]
    return document["msg"], blobs


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Waiting:
    def __init__(self, deadline: float | None, idle: Callable[[], None] | None, watch: Callable[[], list[int]] | None):
        self.deadline = deadline
        self.idle = idle
        self.watch = watch

    def wait(self, sock: socket.socket) -> bool:
        """Block until `sock` is readable (True), or run `idle` once and return False."""
        if self.deadline is None and self.idle is None:
            return True
        wait = 0.05 if self.deadline is None else min(self.deadline - time.monotonic(), 0.05)
        if wait <= 0:
            raise TimeoutError
        fds = [sock.fileno(), *(self.watch() if self.watch is not None else [])]
        ready, _, _ = select.select(fds, [], [], wait)
        if fds[0] in ready:
            return True
        if self.idle is not None:
            self.idle()
        return False


def _read_exact(sock: socket.socket, size: int, waiting: _Waiting) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if not waiting.wait(sock):
            continue
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
