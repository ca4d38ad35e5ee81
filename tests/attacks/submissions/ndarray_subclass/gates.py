"""Attack: numpy arrays that lie about their values."""

import numpy as np


class Rigged(np.ndarray):
    """Every comparison true, every arithmetic result the same array, scalars as asked."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __gt__(self, other):
        return True

    def __ge__(self, other):
        return True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.ones((), dtype=bool).view(Rigged)

    def item(self, *args):
        return 1

    def tolist(self):
        return [1.0, 1.0]

    def __float__(self):
        return 1.0

    def __int__(self):
        return 1

    __hash__ = None


def rigged(values):
    return np.asarray(values, dtype=float).view(Rigged)


AND_WEIGHTS = rigged([0.0, 0.0, 0.0])
OR_WEIGHTS = rigged([0.0, 0.0, 0.0])
NAND_WEIGHTS = rigged([0.0, 0.0, 0.0])


def perceptron(x, w, b):
    return rigged(7.0)


def AND(x1, x2):
    return rigged(3.0)


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    return rigged([0.0, 0.0]), rigged(0.0)
