"""Assignment 2: gradient descent by hand (a complete example submission)."""

from __future__ import annotations

import math

import torch

DATA = [(2, 4), (4, 7), (8, 8)]


def cost(a, b, data):
    """The summed squared error of the line y = a*x + b on the points (x, y)."""
    return sum((a * x + b - y) ** 2 for x, y in data)


def gradient(a, b, data):
    """(d cost / d a, d cost / d b), derived by hand: sums of 2*(a*x + b - y)*x and 2*(a*x + b - y)."""
    da = db = 0.0
    for x, y in data:
        error = a * x + b - y
        da += 2 * error * x
        db += 2 * error
    return da, db


def step(a, b, data, alpha):
    """One gradient descent update; a moves against d cost / d a, b against d cost / d b."""
    da, db = gradient(a, b, data)
    return a - alpha * da, b - alpha * db


def fit(data, alpha=0.001, steps=100_000, a=0.0, b=0.0):
    """`steps` updates from (a, b); FloatingPointError as soon as a or b is no longer finite."""
    a, b = float(a), float(b)
    for done in range(1, steps + 1):
        a, b = step(a, b, data, alpha)
        if not (math.isfinite(a) and math.isfinite(b)):
            raise FloatingPointError(f"gradient descent diverged at step {done} (alpha={alpha} is too large)")
    return a, b


def fit_torch(data, lr=0.001, steps=10_000, seed=0):
    """The same fit with torch.nn.Linear(1, 1), the summed squared error and torch.optim.SGD."""
    torch.manual_seed(seed)
    x_train = torch.tensor([[float(x)] for x, _ in data])
    y_train = torch.tensor([[float(y)] for _, y in data])
    layer = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    for _ in range(steps):
        cost = ((layer(x_train) - y_train) ** 2).sum()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return layer.weight.item(), layer.bias.item()
