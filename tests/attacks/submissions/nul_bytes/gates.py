"""Attack: NUL bytes everywhere the report shows text."""

import sys

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    raise RuntimeError("NUL\x00in\x00the\x00message")


def AND(x1, x2):
    return "\x00\x00\x00"


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError


print("before\x00after " * 100)
sys.stdout.buffer.write(bytes(10000) + b"\n")
sys.stdout.flush()
