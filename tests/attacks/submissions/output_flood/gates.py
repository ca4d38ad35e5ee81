"""Attack: megabytes of output."""

import os
import sys

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    print("x" * (256 * 1024))
    raise NotImplementedError


def AND(x1, x2):
    raise NotImplementedError


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError


sys.stdout.write("flood " * (1 << 20))
sys.stderr.write("FLOOD " * (1 << 20))
sys.stdout.flush()
sys.stderr.flush()
os.write(1, b"raw" * (1 << 20))
