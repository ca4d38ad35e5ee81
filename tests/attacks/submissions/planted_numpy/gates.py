"""Attack: a skeleton with fake numpy, torch, pytest and hypothesis modules planted beside it."""

import numpy  # noqa: F401

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
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
