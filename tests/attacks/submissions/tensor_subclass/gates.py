"""Attack: tensors that lie about their values."""

import torch


class Rigged(torch.Tensor):
    """Comparisons all true; item() and tolist() report what a check wants to see."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("eq", "__eq__", "ge", "__ge__", "gt", "__gt__", "le", "__le__", "allclose", "equal", "isclose"):
            return True
        if name == "item":
            return 1
        if name == "tolist":
            return [1.0, 1.0]
        return super().__torch_function__(func, types, args, kwargs or {})

    def __bool__(self):
        return True


def rigged(values):
    return torch.tensor(values, dtype=torch.float32).as_subclass(Rigged)


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
