"""The codec and framing between judge and worker: plain data only, never a pickle."""

from __future__ import annotations

import collections
import io
import math
import pickle
import socket
import struct
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.errors import CodecError
from grader.protocol import MAGIC, MAX_DEPTH, decode, decode_ndarray, decode_tensor, encode, read_frame, write_frame


def no_handles(value):
    raise CodecError(f"no handle for {type(value).__name__}")


def roundtrip(value):
    blobs: list[bytes] = []
    tree = encode(value, blobs, no_handles)
    return decode(tree, blobs, lambda info: ("handle", info["$handle"]), lambda i: ("ref", i))


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_plain_values_round_trip_exactly(value):
    assert roundtrip(value) == value
    assert type(roundtrip(value)) is type(value)


def test_non_finite_floats_round_trip():
    out = roundtrip([math.inf, -math.inf, math.nan])
    assert out[0] == math.inf and out[1] == -math.inf and math.isnan(out[2])


def test_subclasses_become_their_plain_base_type():
    class RiggedFloat(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class RiggedInt(int):
        def __int__(self):
            return 999

    point = collections.namedtuple("point", "x y")(1, 2)
    out = roundtrip([RiggedFloat(0.5), RiggedInt(3), point, collections.OrderedDict(a=1), np.float64(2.5), np.int32(7)])
    assert out == [0.5, 3, (1, 2), {"a": 1}, 2.5, 7]
    assert [type(v) for v in out] == [float, int, tuple, dict, float, int]
    assert out[0] != 0.6  # the rigged __eq__ did not survive


def test_arrays_and_tensors_round_trip_as_exact_types():
    class RiggedArray(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    rigged = np.arange(6.0).reshape(2, 3).view(RiggedArray)
    tensor = torch.nn.Parameter(torch.arange(4.0))
    array_out, tensor_out = roundtrip([rigged, tensor])
    assert type(array_out) is np.ndarray and np.array_equal(array_out, np.arange(6.0).reshape(2, 3))
    assert type(tensor_out) is torch.Tensor and torch.equal(tensor_out, torch.arange(4.0))
    assert not tensor_out.requires_grad


def test_objects_that_are_not_data_need_a_handle():
    with pytest.raises(CodecError):
        roundtrip(object())
    blobs: list[bytes] = []
    tree = encode({"model": object()}, blobs, lambda v: {"$handle": 7, "type": "object"})
    assert decode(tree, blobs, lambda info: ("handle", info["$handle"]), lambda i: None) == {"model": ("handle", 7)}


def test_object_arrays_are_not_sent_as_arrays():
    with pytest.raises(CodecError):
        roundtrip(np.array([object()], dtype=object))


def test_pickled_array_payload_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(CodecError, match="refused"):
        decode_ndarray(buffer.getvalue())


def test_raw_pickle_as_array_payload_is_refused():
    with pytest.raises(CodecError):
        decode_ndarray(pickle.dumps([1, 2, 3]))


class Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def test_torch_payload_with_arbitrary_object_is_refused(capsys):
    buffer = io.BytesIO()
    torch.save({"x": Evil()}, buffer)
    with pytest.raises(CodecError, match="refused"):
        decode_tensor(buffer.getvalue())
    assert "pwned" not in capsys.readouterr().out


def test_torch_payload_that_is_not_one_plain_tensor_is_refused():
    for value in ({"w": torch.ones(2)}, torch.nn.Parameter(torch.ones(2)), [torch.ones(1)]):
        buffer = io.BytesIO()
        torch.save(value, buffer)
        with pytest.raises(CodecError):
            decode_tensor(buffer.getvalue())


def test_compressed_torch_archive_is_refused_before_loading():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", b"\x00" * 1_000_000)
    with pytest.raises(CodecError, match="compressed"):
        decode_tensor(buffer.getvalue())


def test_too_deep_nesting_is_refused_both_ways():
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(CodecError):
        encode(deep, [], no_handles)
    tree: object = 1
    for _ in range(MAX_DEPTH + 5):
        tree = [tree]
    with pytest.raises(CodecError):
        decode(tree, [], no_handles, no_handles)


@pytest.mark.parametrize(
    "tree",
    [
        {"$tuple": 3},
        {"$float": "1e308"},
        {"$ndarray": 5},
        {"$bytes": "not base64!"},
        {"$unknown": 1},
        {"$tuple": [], "extra": 1},
        {"$dict": [[[1], 2]]},
    ],
)
def test_malformed_trees_are_refused(tree):
    with pytest.raises(CodecError):
        decode(tree, [], no_handles, no_handles)


def test_frames_round_trip_over_a_socket():
    a, b = socket.socketpair()
    with a, b:
        write_frame(a, {"op": "x", "n": [1, 2]}, [b"abc", b""])
        message, blobs = read_frame(b, max_bytes=1000)
    assert message == {"op": "x", "n": [1, 2]} and blobs == [b"abc", b""]


def test_oversized_frame_is_refused_before_reading_it():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(struct.pack("<4sIQ", MAGIC, 10, 10**12))
        with pytest.raises(CodecError, match="limit"):
            read_frame(b, max_bytes=1 << 20)


@pytest.mark.parametrize(
    "payload",
    [
        struct.pack("<4sIQ", b"EVIL", 2, 0) + b"{}",
        struct.pack("<4sIQ", MAGIC, 3, 0) + b"\xff\xfe\x00",
        struct.pack("<4sIQ", MAGIC, 3, 0) + b"NaN",
        struct.pack("<4sIQ", MAGIC, 2, 0) + b"[]",
        struct.pack("<4sIQ", MAGIC, 24, 0) + b'{"msg":{},"blobs":[999]}',
    ],
)
def test_malformed_frames_are_refused(payload):
    a, b = socket.socketpair()
    with a, b:
        a.sendall(payload)
        with pytest.raises(CodecError):
            read_frame(b, max_bytes=1 << 20)


def test_reading_past_the_deadline_times_out():
    a, b = socket.socketpair()
    with a, b, pytest.raises(TimeoutError):
        read_frame(b, max_bytes=100, deadline=0.0)


def test_closed_channel_is_eof():
    a, b = socket.socketpair()
    a.close()
    with b, pytest.raises(EOFError):
        read_frame(b, max_bytes=100)
