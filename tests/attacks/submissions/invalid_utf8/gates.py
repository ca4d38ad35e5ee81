"""Attack: bytes that are not UTF-8 and strings that cannot be encoded."""

import os
import sys

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    raise RuntimeError("lone surrogates \udcff\ud800 here")


def AND(x1, x2):
    raise NotImplementedError


def OR(x1, x2):
    return "\udcff"


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError


sys.stdout.buffer.write(b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc invalid\n")
sys.stdout.flush()
os.write(2, b"\x80\x81\x82\xed\xa0\x80 more invalid\n")
