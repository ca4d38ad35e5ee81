"""Tries to fake a grade. Every trick here must earn nothing."""

import os
import sys


class AlwaysEqual(int):
    """Claims to equal anything, and to be an int."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class Anything:
    def __eq__(self, other):
        return True


AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    print("ALL CHECKS PASSED 25/25")  # fake results on stdout
    os._exit(0)  # end the process before anything can be checked


def AND(x1, x2):
    return Anything()


def OR(x1, x2):
    return AlwaysEqual(5)


def NAND(x1, x2):
    sys.exit(0)


def XOR(x1, x2):
    raise KeyboardInterrupt


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    return [Anything(), Anything()], Anything()
