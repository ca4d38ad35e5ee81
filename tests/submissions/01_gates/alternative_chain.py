"""Assignment 1, correct: XOR's locals form a long chain (the syntax-tree check must stay linear)."""

from __future__ import annotations

import torch

AND_WEIGHTS = (0.5, 0.5, -0.7)
OR_WEIGHTS = (0.6, 0.6, -0.5)
NAND_WEIGHTS = (-0.5, -0.5, 0.7)


def perceptron(x, w, b):
    """1 if sum(x_i * w_i) + b >= 0 else 0."""
    if len(x) != len(w):
        raise ValueError(f"x has {len(x)} values but w has {len(w)}")
    total = sum(xi * wi for xi, wi in zip(x, w)) + b
    return 1 if total >= 0 else 0


def _bit(value):
    if isinstance(value, bool):
        return int(value)
    if type(value) is int and value in (0, 1):
        return value
    raise ValueError(f"gate inputs must be 0 or 1, got {value!r}")


def _gate(weights, x1, x2):
    w1, w2, b = weights
    return perceptron((_bit(x1), _bit(x2)), (w1, w2), b)


def AND(x1, x2):
    return _gate(AND_WEIGHTS, x1, x2)


def OR(x1, x2):
    return _gate(OR_WEIGHTS, x1, x2)


def NAND(x1, x2):
    return _gate(NAND_WEIGHTS, x1, x2)


def XOR(x1, x2):
    """NAND and OR of the inputs, then AND of the two; x1 reaches NAND through 28 locals that each read
    the one before twice (and more): the text is short, but the paths of reads from NAND back to x1 number 2**28."""
    t0 = x1
    t1 = t0 if t0 is t0 else t0
    t2 = t1 if t1 is t1 else t1
    t3 = t2 if t2 is t2 else t2
    t4 = t3 if t3 is t3 else t3
    t5 = t4 if t4 is t4 else t4
    t6 = t5 if t5 is t5 else t5
    t7 = t6 if t6 is t6 else t6
    t8 = t7 if t7 is t7 else t7
    t9 = t8 if t8 is t8 else t8
    t10 = t9 if t9 is t9 else t9
    t11 = t10 if t10 is t10 else t10
    t12 = t11 if t11 is t11 else t11
    t13 = t12 if t12 is t12 else t12
    t14 = t13 if t13 is t13 else t13
    t15 = t14 if t14 is t14 else t14
    t16 = t15 if t15 is t15 else t15
    t17 = t16 if t16 is t16 else t16
    t18 = t17 if t17 is t17 else t17
    t19 = t18 if t18 is t18 else t18
    t20 = t19 if t19 is t19 else t19
    t21 = t20 if t20 is t20 else t20
    t22 = t21 if t21 is t21 else t21
    t23 = t22 if t22 is t22 else t22
    t24 = t23 if t23 is t23 else t23
    t25 = t24 if t24 is t24 else t24
    t26 = t25 if t25 is t25 else t25
    t27 = t26 if t26 is t26 else t26
    t28 = t27 if t27 is t27 else t27
    first = NAND(t28, x2)
    either = OR(x1, x2)
    return AND(first, either)


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    """Linear(2, 1) + tanh trained with mean squared error and SGD (lecture program 5-6)."""
    torch.manual_seed(seed)
    x = torch.tensor(inputs, dtype=torch.float32)
    y = torch.tensor(targets, dtype=torch.float32).reshape(-1, 1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Tanh())
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        cost = torch.mean((y - model(x)) ** 2)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    linear = model[0]
    return linear.weight.detach().reshape(-1).tolist(), linear.bias.item()
