"""A correct solution close to the lecture's own code: the loop body of the slide, integers where the
lecture has them, and the torch program of the slides with `layer` and FloatTensor."""

import math

import torch

DATA = [(2, 4), (4, 7), (8, 8)]


def cost(a, b, data):
    c = 0
    for x, y in data:
        c += (a * x + b - y) ** 2
    return c


def gradient(a, b, data):
    da = db = 0
    for x, y in data:
        da += 2 * (a * x + b - y) * x
        db += 2 * (a * x + b - y)
    return da, db


def step(a, b, data, alpha):
    da, db = gradient(a, b, data)
    a = a - alpha * da
    b = b - alpha * db
    return a, b


def fit(data, alpha=0.001, steps=100_000, a=0.0, b=0.0):
    for rep in range(steps):
        a, b = step(a, b, data, alpha)
        if not math.isfinite(a) or not math.isfinite(b):
            raise FloatingPointError("a or b is not finite: alpha is too large")
    return a, b


def fit_torch(data, lr=0.001, steps=10_000, seed=0):
    torch.manual_seed(seed)
    x_train = torch.FloatTensor([[x] for x, y in data])
    y_train = torch.FloatTensor([[y] for x, y in data])
    layer = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    for i in range(steps):
        cost = ((layer(x_train) - y_train) ** 2).sum()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return layer.weight.item(), layer.bias.item()
