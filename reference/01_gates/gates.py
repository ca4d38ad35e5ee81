"""Assignment 1: perceptron logic gates (reference solution)."""

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
    """Two layers: NAND and OR of the inputs, then AND of the two."""
    return AND(NAND(x1, x2), OR(x1, x2))


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
